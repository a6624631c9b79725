"""ArchitectureExplorer, headless: its table, its boxes and its readout follow the core."""

import math

import ipywidgets as widgets
import pytest

from meia_cnn import architectures as arch
from meia_cnn.widgets import ArchitectureExplorer
from meia_cnn.widgets import architecture as module


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
    assert name.value == "lenet5" and viz.name == "lenet5"
    assert viz.summary is arch.summary("lenet5")
    assert viz.fig is not None and viz.canvas in viz.children
    assert viz.table in viz.children and viz.readout in viz.children
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
    boxes = viz.boxes
    expected = [("input", s.input_shape)] + [
        (r.name, r.output_shape) for r in s if r.kind not in ("lrn", "dropout", "softmax")]
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


def test_artists_show_what_boxes_say(viz):
    viz.controls["name"].value = "googlenet"
    visible = [p for p in viz._boxes if p.get_visible()]
    assert len(visible) == len(viz.boxes) == 18
    for patch, box in zip(visible, viz.boxes):
        assert patch.get_x() == pytest.approx(box["x"]) and patch.get_width() == pytest.approx(box["width"])
        assert patch.get_height() == pytest.approx(box["height"])
    texts = viz.shape_texts
    assert len(texts) == 18
    assert texts[0] == "224×224×3" and "28×28×256" in texts and texts[-1] == "1×1×1000"
    labels = viz.label_texts
    assert labels == [b["label"] for b in viz.boxes] and labels[5] == "inception (3a)"
    # each name sits above its box, each shape below it, both centred on it
    for (lx, ly, _), (sx, sy, _), box in zip(viz._labels.items, viz._shapes.items, viz.boxes):
        centre = box["x"] + box["width"] / 2
        assert lx == pytest.approx(centre) and sx == pytest.approx(centre)
        assert ly > box["y"] + box["height"] and sy < box["y"]
    assert viz.title.startswith("GoogLeNet") and "log₂ D" in viz.title
    lo, hi = viz.ax.get_xlim()
    assert lo < viz.boxes[0]["x"] and viz.boxes[-1]["x"] + viz.boxes[-1]["width"] < hi


def test_the_pool_fits_the_largest_network(viz):
    largest = max(len(module.volumes(arch.summary(n))) for n in arch.names())
    assert largest == 25  # VGG-19: input, 16 convolutions, 5 poolings, 3 dense layers
    assert len(viz._boxes) == largest
    viz.controls["name"].value = "vgg19"
    assert all(p.get_visible() for p in viz._boxes)
    assert len(viz.shape_texts) == len(viz.label_texts) == largest
    viz.controls["name"].value = "lenet5"
    assert sum(p.get_visible() for p in viz._boxes) == 8
    assert len(viz.shape_texts) == len(viz.label_texts) == 8
    assert len(viz._shapes.collection.get_paths()) == 8


def test_legend_names_every_kind_of_volume(viz):
    assert viz.legend_texts == [text for _, text in module._LEGEND]
    patches = [a for a in viz.fig.artists if hasattr(a, "get_facecolor")]
    assert len(patches) == len(module._LEGEND)


def test_switching_networks_only_updates_artists(viz, artist_guard):
    with artist_guard(viz):
        for name in (*arch.names(), "lenet5"):
            viz.controls["name"].value = name
            viz.controls["detail"].value = not viz.controls["detail"].value


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
    before = viz.boxes
    table = viz.table.value

    def broken(name):
        raise ValueError(f"cannot summarise {name}")

    monkeypatch.setattr(module.architectures, "summary", broken)
    viz.controls["name"].value = "vgg16"
    assert viz.error == "cannot summarise vgg16"
    assert viz.boxes == before and viz.table.value == table
    assert viz.name == "alexnet"
    monkeypatch.undo()
    viz.controls["name"].value = "googlenet"
    assert viz.error == "" and viz.name == "googlenet"


def test_layout_function_directly():
    vols = [("a", (8, 8, 1), "input"), ("b", (4, 4, 16), "conv"), ("c", (1, 1, 256), "dense")]
    boxes = module.layout(vols)
    (x0, y0, w0, h0), (x1, y1, w1, h1), (x2, y2, w2, h2) = boxes
    assert h0 == pytest.approx(module._TALLEST) and h1 == pytest.approx(module._TALLEST / 2)
    assert h2 == pytest.approx(max(module._TALLEST / 8, module._MIN_HEIGHT))
    assert w0 == pytest.approx(module._MIN_WIDTH) and w2 == pytest.approx(module._MAX_WIDTH)
    assert w1 == pytest.approx(module._MIN_WIDTH + (module._MAX_WIDTH - module._MIN_WIDTH) * math.log2(16) / 8)
    assert x1 == pytest.approx(w0 + module._GAP)
