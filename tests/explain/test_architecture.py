"""architecture_state: the volumes, their boxes to scale and the table, against the core's summaries."""

import math

import pytest

from meia_cnn import architectures as arch
from meia_cnn.explain import architecture as module
from meia_cnn.explain.architecture import architecture_state, layout


@pytest.mark.parametrize("name", arch.names())
def test_volumes_are_the_summary_rows_that_change_shape(name):
    s = arch.summary(name)
    state = architecture_state(name)
    expected = [("input", s.input_shape)] + [
        (r.name, r.output_shape) for r in s if r.kind not in ("lrn", "dropout", "softmax")
    ]
    assert [(v.label, v.shape) for v in state.volumes] == expected
    assert state.summary is s
    tallest = max(v.shape[0] for v in state.volumes)
    for v in state.volumes:
        assert v.height == pytest.approx(max(module.TALLEST * v.shape[0] / tallest, module.MIN_HEIGHT))
        assert v.y == pytest.approx(-v.height / 2)
    for a, b in zip(state.volumes, state.volumes[1:]):
        assert b.x == pytest.approx(a.x + a.width + module.GAP)
    assert state.extent == pytest.approx(state.volumes[-1].x + state.volumes[-1].width)


def test_layout_by_hand():
    vols = [("a", (8, 8, 1), "input"), ("b", (4, 4, 16), "conv"), ("c", (1, 1, 256), "dense")]
    (x0, _, w0, h0), (x1, _, w1, h1), (_, _, w2, h2) = layout(vols)
    assert (h0, h1, h2) == pytest.approx((1.5, 0.75, 1.5 / 8))
    assert (w0, w2) == pytest.approx((0.25, 1.0))
    assert w1 == pytest.approx(0.25 + 0.75 * math.log2(16) / 8)
    assert x1 == pytest.approx(w0 + 0.35)


@pytest.mark.parametrize(
    "name, has",
    [
        ("lenet5", True),
        ("googlenet", True),
        ("alexnet", False),
        ("vgg16", False),
        ("vgg19", False),
        ("alexnet_single", False),
    ],
)
def test_papers_columns_only_where_the_paper_has_them(name, has):
    s = arch.summary(name)
    state = architecture_state(name, detail=True)
    assert state.has_paper_columns is has and state.detail is has
    assert state.table == s.to_html(s.paper_columns if has else None)
    assert architecture_state(name).table == s.to_html()


def test_unknown_network():
    with pytest.raises(ValueError, match="`name` must be one of"):
        architecture_state("resnet")
