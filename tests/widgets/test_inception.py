"""InceptionExplorer, and the core's inception_cost checked against independent counts."""

import numpy as np
import pytest

from meia_cnn import arithmetic, ops
from meia_cnn.widgets import InceptionExplorer

NAMES = ("n1x1", "n3x3_reduce", "n3x3", "n5x5_reduce", "n5x5", "pool_proj")


def _layers(c, n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj, reduce=True):
    """Every convolution of the module as (kernel size, input depth, filters), per branch."""
    if reduce:
        return [
            [(1, c, n1x1)],
            [(1, c, n3x3_reduce), (3, n3x3_reduce, n3x3)],
            [(1, c, n5x5_reduce), (5, n5x5_reduce, n5x5)],
            [(1, c, pool_proj)],
        ]
    return [[(1, c, n1x1)], [(3, c, n3x3)], [(5, c, n5x5)], []]


def reference_cost(shape, counts, reduce=True):
    """Parameters counted from the kernel arrays themselves; multiply-adds as (outputs) x (window) x (depth)."""
    h, w, c = shape
    params = macs = 0
    depth = 0
    for branch in _layers(c, **counts, reduce=reduce):
        for k, cin, f in branch:
            kernel, bias = np.zeros((k, k, cin, f)), np.zeros(f)
            params += kernel.size + bias.size
            macs += (h * w * f) * (k * k * cin)  # 'same' padding, stride 1: h x w x f outputs
        depth += branch[-1][2] if branch else c
    return params, macs, (h, w, depth)


def run_module(x, counts, rng):
    """Run the module on ``x`` with the core's ops; returns the concatenated output."""
    c = x.shape[2]

    def conv(inp, k, f):
        return ops.conv2d(inp, rng.standard_normal((k, k, inp.shape[2], f)), padding="same")

    b1 = conv(x, 1, counts["n1x1"])
    b2 = conv(conv(x, 1, counts["n3x3_reduce"]), 3, counts["n3x3"])
    b3 = conv(conv(x, 1, counts["n5x5_reduce"]), 5, counts["n5x5"])
    pooled = ops.max_pool2d(x, 3, stride=1, padding="same")
    assert pooled.shape == x.shape and c == x.shape[2]
    b4 = conv(pooled, 1, counts["pool_proj"])
    return np.concatenate([b1, b2, b3, b4], axis=-1)


GOOGLENET = [
    # name, input, counts, output depth, the paper's "ops" (millions of multiply-adds)
    ("3a", (28, 28, 192), (64, 96, 128, 16, 32, 32), 256, 128),
    ("3b", (28, 28, 256), (128, 128, 192, 32, 96, 64), 480, 304),
    ("4a", (14, 14, 480), (192, 96, 208, 16, 48, 64), 512, 73),
    ("5b", (7, 7, 832), (384, 192, 384, 48, 128, 128), 1024, 71),
]


@pytest.mark.parametrize("name, shape, numbers, depth, mega_ops", GOOGLENET)
def test_inception_cost_matches_googlenet_table(name, shape, numbers, depth, mega_ops):
    counts = dict(zip(NAMES, numbers))
    cost = arithmetic.inception_cost(shape, **counts)
    assert cost["output_shape"] == shape[:2] + (depth,)
    assert abs(cost["macs"] / 1e6 - mega_ops) < 1  # Szegedy et al. (2014), Table 1, in millions
    params, macs, out = reference_cost(shape, counts)
    assert (cost["params"], cost["macs"], cost["output_shape"]) == (params, macs, out)


@pytest.mark.parametrize(
    "shape, numbers", [((28, 28, 192), (64, 96, 128, 16, 32, 32)), ((5, 5, 3), (2, 4, 1, 1, 3, 2))]
)
def test_inception_cost_naive_module(shape, numbers):
    counts = dict(zip(NAMES, numbers))
    naive = arithmetic.inception_cost(shape, **counts, reduce=False)
    assert (naive["params"], naive["macs"], naive["output_shape"]) == reference_cost(shape, counts, reduce=False)


def test_default_numbers_by_hand():
    cost = arithmetic.inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32)
    hand = (
        (192 * 64 + 64) + (192 * 96 + 96 + 9 * 96 * 128 + 128) + (192 * 16 + 16 + 25 * 16 * 32 + 32) + (192 * 32 + 32)
    )
    assert cost["params"] == hand == 163_696
    assert (
        cost["macs"] == 784 * (192 * 64 + 192 * 96 + 9 * 96 * 128 + 192 * 16 + 25 * 16 * 32 + 192 * 32) == 128_049_152
    )
    naive = arithmetic.inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32, reduce=False)
    assert naive["params"] == (192 * 64 + 64) + (9 * 192 * 128 + 128) + (25 * 192 * 32 + 32) == 387_296
    assert naive["macs"] == 784 * (192 * 64 + 9 * 192 * 128 + 25 * 192 * 32) == 303_464_448
    assert naive["output_shape"] == (28, 28, 64 + 128 + 32 + 192)


@pytest.mark.parametrize("shape, numbers", [((6, 6, 8), (3, 4, 5, 2, 3, 2)), ((1, 1, 2), (1, 1, 1, 1, 1, 1))])
def test_inception_cost_shape_equals_running_the_module(shape, numbers):
    counts = dict(zip(NAMES, numbers))
    rng = np.random.default_rng(0)
    out = run_module(rng.standard_normal(shape), counts, rng)
    assert out.shape == arithmetic.inception_cost(shape, **counts)["output_shape"]


# -- the explorer --------------------------------------------------------------
@pytest.fixture
def viz():
    v = InceptionExplorer()
    yield v
    v.close()


def _check(v):
    ctl = v.controls
    size, c = ctl["input_size"].value, ctl["input_depth"].value
    counts = {n: ctl[n].value for n in NAMES}
    shape = (size, size, c)
    assert v.state.cost == arithmetic.inception_cost(shape, **counts)
    assert v.state.naive == arithmetic.inception_cost(shape, **counts, reduce=False)
    params, macs, out = reference_cost(shape, counts)
    assert (v.state.cost["params"], v.state.cost["macs"], v.state.output_shape) == (params, macs, out)
    depths = [counts["n1x1"], counts["n3x3"], counts["n5x5"], counts["pool_proj"]]
    assert v.state.output_shape[2] == sum(depths)
    # the diagram: every box says its filters and its shape
    drawn = v.view.scene["boxes"]  # from the input up to the concatenation
    boxes = [
        "\n".join(drawn[key])
        for key in ("input", "reduce3", "reduce5", "pool", "conv1", "conv3", "conv5", "proj", "concat")
    ]
    hw = f"{size}×{size}"
    assert boxes[0] == f"previous layer\n{hw}×{c}"
    assert boxes[1] == f"1×1 conv, {counts['n3x3_reduce']}\n{hw}×{counts['n3x3_reduce']}"
    assert boxes[3] == f"3×3 max pool\n{hw}×{c}"
    assert boxes[5] == f"3×3 conv, {counts['n3x3']}\n{hw}×{counts['n3x3']}"
    assert boxes[6] == f"5×5 conv, {counts['n5x5']}\n{hw}×{counts['n5x5']}"
    assert boxes[8].startswith(f"filter concatenation {hw}×{sum(depths)}")
    assert f"= {sum(depths)})" in boxes[8]
    # the concatenation bar: one segment per branch, widths proportional to depths
    widths = np.array([s["fraction"] for s in v.view.scene["segments"]])
    np.testing.assert_allclose(widths / widths.sum(), np.array(depths) / sum(depths))
    # the cost bars: segments proportional to each branch's count, with and without reductions
    drawn_bars = v.view.scene["bars"]  # fractions of the longer bar, with (row 0) and without (row 1) reductions
    bars = {
        (what, reduced): np.array(drawn_bars[what]["rows"][0 if reduced else 1]["fractions"])
        for what in ("params", "macs")
        for reduced in (True, False)
    }
    for what in ("params", "macs"):
        top = max(v.state.cost[what], v.state.naive[what])
        for reduced, cost in ((True, v.state.cost), (False, v.state.naive)):
            expected = np.array([b[what] for b in cost["branches"]]) / top
            np.testing.assert_allclose(bars[(what, reduced)], expected)
    labels = [row["text"] for what in ("params", "macs") for row in drawn_bars[what]["rows"]]
    assert labels[0] == f"with 1×1 reductions: {params:,}"
    assert labels[1].startswith(f"without (naive): {v.state.naive['params']:,}")
    assert labels[2] == f"with 1×1 reductions: {macs:,}"
    text = v.readout_text
    assert f"= {sum(depths)} → output {hw}×{sum(depths)}" in text
    assert f"{params:,} parameters, {macs:,} multiply-adds" in text
    assert f"{v.state.naive['params']:,} parameters, {v.state.naive['macs']:,} multiply-adds" in text
    assert v.error == ""
    scene = v.view.scene
    assert scene["head"] == (
        f"Inception module: {hw}×{c} → {hw}×{sum(depths)}   (naive module: {hw}×{v.state.naive['output_shape'][2]})"
    )
    assert [s["text"] for s in scene["segments"]] == [str(d) for d in depths]


def test_defaults_are_googlenet_3a(viz):
    assert viz.state.output_shape == (28, 28, 256)
    assert viz.state.cost["params"] == 163_696 and viz.state.cost["macs"] == 128_049_152
    assert viz.state.naive["params"] == 387_296
    assert "save 57.7% of the parameters" in viz.readout_text
    _check(viz)


def test_every_control_through_its_range(viz):
    for control in viz.controls.values():
        start = control.value
        values = (
            range(control.min, control.max + 1)
            if control.max <= 128
            else sorted({control.min, 2, 7, control.max // 3, control.max, start, *range(1, control.max + 1, 37)})
        )
        for value in values:
            version, changed = viz.view.version, control.value != value
            control.value = value
            assert viz.view.version == version + changed  # one bump per change
            _check(viz)
        control.value = start


@pytest.mark.parametrize("name", ["input_size", "input_depth", *NAMES])
@pytest.mark.parametrize("value", [None, -1, 10**9, "x"])
def test_values_set_from_code_never_raise(viz, name, value):
    state = viz.state
    try:
        viz.controls[name].value = value
    except Exception:  # noqa: BLE001 - the control itself refused the value: fine
        return
    if viz.error:
        assert viz.state is state and "must be a whole number" in viz.error
    else:
        _check(viz)


def test_with_arguments():
    v = InceptionExplorer((14, 14, 480), 192, 96, 208, 16, 48, 64)  # GoogLeNet's 4a
    try:
        assert v.state.output_shape == (14, 14, 512)
        assert v.controls["input_depth"].value == 480 and v.controls["n3x3"].value == 208
        _check(v)
    finally:
        v.close()


def test_a_reduction_that_does_not_reduce_is_pointed_out(viz):
    viz.controls["input_depth"].value = 64
    assert "does not reduce: n3x3_reduce (96 ≥ 64)" in viz.readout_text
    viz.controls["input_depth"].value = 8
    assert "cost more than they save" in viz.readout_text
    _check(viz)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(input_shape=(28, 28)), ValueError, r"`input_shape` must be \(H, W, C\)"),
        (dict(input_shape=(28, 14, 192)), ValueError, "must be square"),
        (dict(input_shape=(28, 28, 0)), ValueError, "`input_shape` must be >= 1"),
        (dict(input_shape=(28, 28, 2000)), ValueError, "between 1 and 1024"),
        (dict(n3x3=0), ValueError, "`n3x3` must be between 1 and 512 here, got 0"),
        (dict(pool_proj=600), ValueError, "`pool_proj` must be between 1 and 512"),
        (dict(n1x1=1.5), TypeError, "`n1x1` must be an int"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        InceptionExplorer(**kwargs)


def test_values_out_of_range_are_clamped_and_it_keeps_working(viz):
    viz.controls["n5x5"].value = 10_000
    viz.controls["input_size"].value = 0
    assert viz.controls["n5x5"].value == 512 and viz.controls["input_size"].value == 1
    _check(viz)
