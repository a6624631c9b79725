"""ArchitectureExplorer, headless: its table, its boxes and its readout follow the core."""

import dataclasses
import math
from types import SimpleNamespace

import ipywidgets as widgets
import pytest

from meia_cnn import architectures as arch
from meia_cnn.explain.architecture import COLOURS, LEGEND
from meia_cnn.widgets import ArchitectureExplorer
from meia_cnn.widgets import architecture as module
from meia_cnn.widgets._messages import Refusal


def _boxes(viz):
    """The volumes drawn, as dicts (label, shape, kind, x, y, width, height)."""
    return [dataclasses.asdict(v) for v in viz.state.volumes]


@pytest.fixture
def viz():
    v = ArchitectureExplorer()
    yield v
    v.close()


def test_defaults_and_controls(viz):
    assert set(viz.controls) == {"name", "detail"}
    name = viz.controls["name"]
    assert isinstance(name, widgets.Dropdown)
    assert [value for _, value in name.options] == list(arch.names())
    assert name.value == "lenet5" and viz.state.summary.key == "lenet5"
    assert viz.state.summary is arch.summary("lenet5")
    assert viz.view in viz.children and viz.table in viz.children
    assert viz.error == ""


def test_start_elsewhere_and_refuse_unknown_names():
    v = ArchitectureExplorer("VGG-16", detail=True)
    assert v.controls["name"].value == "vgg16" and v.controls["detail"].value is True
    v.close()
    with pytest.raises(ValueError, match="`name` must be one of lenet5, .*googlenet; got 'resnet'"):
        ArchitectureExplorer("resnet")


@pytest.mark.parametrize("name", arch.names())
def test_boxes_are_the_volumes_to_scale(viz, name):
    viz.controls["name"].value = name
    s = arch.summary(name)
    boxes = _boxes(viz)
    expected = [("input", s.input_shape)] + [
        (r.name, r.output_shape) for r in s if r.kind not in ("lrn", "dropout", "softmax")
    ]
    assert [(b["label"], b["shape"]) for b in boxes] == expected
    # height proportional to H (down to the smallest drawable height)
    tallest = max(b["shape"][0] for b in boxes)
    top = max(b["height"] for b in boxes)
    for b in boxes:
        if b["shape"][0] / tallest > module._MIN_HEIGHT / top:
            assert b["height"] == pytest.approx(top * b["shape"][0] / tallest)
    # width grows with log2(depth): equal depths, equal widths; deeper, wider
    for a in boxes:
        for b in boxes:
            if a["shape"][2] < b["shape"][2]:
                assert a["width"] < b["width"]
    deepest = max(boxes, key=lambda b: b["shape"][2])
    assert deepest["width"] == pytest.approx(module._MAX_WIDTH)
    # left to right, without overlaps, centred on y = 0
    for a, b in zip(boxes, boxes[1:]):
        assert a["x"] + a["width"] < b["x"]
    assert all(b["y"] == pytest.approx(-b["height"] / 2) for b in boxes)


def test_scene_shows_what_boxes_say(viz):
    viz.controls["name"].value = "googlenet"
    scene = viz.view.scene
    assert len(scene["boxes"]) == len(_boxes(viz)) == 18
    for drawn, box in zip(scene["boxes"], _boxes(viz)):
        assert drawn["x"] == pytest.approx(box["x"]) and drawn["width"] == pytest.approx(box["width"])
        assert drawn["height"] == pytest.approx(box["height"])
    texts = [b["shape"] for b in scene["boxes"]]
    assert len(texts) == 18
    assert texts[0] == "224×224×3" and "28×28×256" in texts and texts[-1] == "1×1×1000"
    labels = [b["label"] for b in scene["boxes"]]
    assert labels == [b["label"] for b in _boxes(viz)] and labels[5] == "inception (3a)"
    assert scene["title"].startswith("GoogLeNet") and "log₂ D" in scene["title"]
    last = _boxes(viz)[-1]
    assert scene["extent"] == pytest.approx(last["x"] + last["width"])
    assert scene["tallest"] == pytest.approx(max(b["height"] for b in _boxes(viz)))


def test_the_largest_network(viz):
    largest = max(len(module.volumes(arch.summary(n))) for n in arch.names())
    assert largest == 25  # VGG-19: input, 16 convolutions, 5 poolings, 3 dense layers
    viz.controls["name"].value = "vgg19"
    assert len(viz.view.scene["boxes"]) == largest
    viz.controls["name"].value = "lenet5"
    assert len(viz.view.scene["boxes"]) == 8


def test_legend_names_every_kind_of_volume(viz):
    assert [item["text"] for item in viz.view.scene["legend"]] == [text for _, text in LEGEND]
    assert [item["colour"] for item in viz.view.scene["legend"]] == [COLOURS[k] for k, _ in LEGEND]


def test_every_network_and_detail_one_version_each(viz):
    for name in (*arch.names(), "lenet5"):
        version, changed = viz.view.version, viz.controls["name"].value != name
        viz.controls["name"].value = name
        assert viz.view.version == version + changed
        if not viz.controls["detail"].disabled:
            version = viz.view.version
            viz.controls["detail"].value = not viz.controls["detail"].value
            assert viz.view.version == version + 1
        assert viz.error == ""


@pytest.mark.parametrize("name", ["alexnet", "alexnet_single", "vgg16", "vgg19"])
def test_the_papers_columns_are_offered_only_where_they_exist(viz, name):
    viz.controls["detail"].value = True
    viz.controls["name"].value = name
    assert arch.summary(name).paper_columns == arch.DEFAULT_COLUMNS  # no layout of the paper's own
    assert viz.controls["detail"].disabled and viz.controls["detail"].layout.display == "none"
    assert viz.table.value == arch.summary(name).to_html()
    assert "paper's own columns" not in viz.readout_text
    viz.controls["name"].value = "googlenet"
    assert not viz.controls["detail"].disabled and viz.controls["detail"].layout.display != "none"
    assert viz.table.value == arch.summary("googlenet").to_html(arch.summary("googlenet").paper_columns)
    assert "paper's own columns" in viz.readout_text


@pytest.mark.parametrize("name", ["name", "detail"])
@pytest.mark.parametrize("value", [None, -1, 10**9, "x"])
def test_values_set_from_code_never_raise(viz, name, value):
    state = viz.state
    try:
        viz.controls[name].value = value
    except Exception:  # noqa: BLE001 - the control itself refused the value: fine
        return
    if viz.error:
        assert viz.state is state and viz.error in (module.TEXT["choose_network"], module.TEXT["choose_detail"])


@pytest.mark.parametrize("name", arch.names())
def test_readout_gives_the_totals(viz, name):
    viz.controls["name"].value = name
    s = arch.summary(name)
    text = viz.readout_text
    assert s.title in text
    assert f"parameters: {s.total_params:,}" in text
    assert f"multiply-adds: {s.total_macs:,}" in text
    assert f"{s.depth} layers with weights" in text
    assert f"largest layer: {s.largest.name}, {s.largest.params:,} parameters" in text
    share = 100 * s.largest.params / s.total_params
    assert f"({share:.0f} % of all)" in text


def test_readout_numbers_for_lenet5_and_vgg16(viz):
    assert "parameters: 60,840 (60,000 trainable); multiply-adds: 328,096" in viz.readout_text
    viz.controls["name"].value = "vgg16"
    assert "parameters: 138,357,544; multiply-adds: 15,470,264,320" in viz.readout_text
    assert "input 224×224×3 → output 1×1×1000" in viz.readout_text


def test_table_follows_the_network_and_the_detail_box(viz):
    assert viz.table.value == arch.summary("lenet5").to_html()
    assert "connections" not in viz.table.value
    viz.controls["detail"].value = True
    assert "connections" in viz.table.value and "340,908" in viz.table.value
    viz.controls["name"].value = "googlenet"
    assert "#3×3 reduce" in viz.table.value and "159K" in viz.table.value
    viz.controls["detail"].value = False
    assert viz.table.value == arch.summary("googlenet").to_html()


def test_an_error_is_shown_and_the_last_state_kept(viz, monkeypatch):
    viz.controls["name"].value = "alexnet"
    before = _boxes(viz)
    table = viz.table.value

    def broken(name, **kwargs):
        raise ValueError(f"cannot summarise {name}")

    monkeypatch.setattr(module, "architecture_state", broken)
    viz.controls["name"].value = "vgg16"
    assert viz.error == "cannot summarise vgg16"
    assert _boxes(viz) == before and viz.table.value == table
    assert viz.state.summary.key == "alexnet"
    monkeypatch.undo()
    viz.controls["name"].value = "googlenet"
    assert viz.error == "" and viz.state.summary.key == "googlenet"


def test_layout_function_directly():
    vols = [("a", (8, 8, 1), "input"), ("b", (4, 4, 16), "conv"), ("c", (1, 1, 256), "dense")]
    boxes = module.layout(vols)
    (x0, y0, w0, h0), (x1, y1, w1, h1), (x2, y2, w2, h2) = boxes
    assert h0 == pytest.approx(module._TALLEST) and h1 == pytest.approx(module._TALLEST / 2)
    assert h2 == pytest.approx(max(module._TALLEST / 8, module._MIN_HEIGHT))
    assert w0 == pytest.approx(module._MIN_WIDTH) and w2 == pytest.approx(module._MAX_WIDTH)
    assert w1 == pytest.approx(module._MIN_WIDTH + (module._MAX_WIDTH - module._MIN_WIDTH) * math.log2(16) / 8)
    assert x1 == pytest.approx(w0 + module._GAP)


def test_a_flag_is_true_or_false():
    with pytest.raises(TypeError, match="`detail` must be True or False, got 1"):
        ArchitectureExplorer(detail=1)


@pytest.mark.parametrize(
    "row, value, words",
    [
        ("name", "resnet", "Choose one of the networks in the list."),
        ("detail", 1, "Tick or untick the paper's columns."),
    ],
)
def test_a_value_no_control_offers_is_refused_in_the_explorers_words(row, value, words):
    control = {c.name: c for c in ArchitectureExplorer.spec}[row]
    shown = SimpleNamespace(value=value, options=control.options or (), description="")
    with pytest.raises(Refusal) as refused:
        control.read(shown)
    assert str(refused.value) == words
