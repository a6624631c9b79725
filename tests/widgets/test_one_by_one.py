"""OneByOneExplorer: what it draws and writes equals the core's answer, headless."""

import numpy as np
import pytest

from meia_cnn import arithmetic
from meia_cnn.widgets import OneByOneExplorer
from meia_cnn.widgets.one_by_one import number


def _cell_texts(v):
    """The numbers the page writes in the three columns (x, w, products) for the pixel shown."""
    here = v.view.scene["steps"][v.step]
    return [list(here["x"]), list(v.view.scene["columns"]["weights"]), list(here["products"])]


def _fill(v, template):
    """A sentence of the scene with the pixel shown's numbers, as the page fills it in."""
    here = v.view.scene["steps"][v.step]
    r, col = here["pixel"]
    return template.replace("{r}", str(r)).replace("{col}", str(col)).replace("{v}", here["value"])


@pytest.fixture
def viz():
    v = OneByOneExplorer()
    yield v
    v.close()


def _check(v):
    """Everything shown agrees with an independent computation and with the core's counts."""
    c, f_count = v.controls["channels"].value, v.controls["filters"].value
    r, col, f = v.controls["row"].value, v.controls["col"].value, v.controls["filter"].value
    x, w = v.state.input, v.state.weights
    h, wd = x.shape[:2]
    assert x.shape[2] == c and w.shape == (c, f_count)
    # the 1x1 convolution, by hand: every pixel's C values times every kernel's C weights
    expected = np.einsum("hwc,cf->hwf", x, w)
    np.testing.assert_allclose(v.state.output, expected)
    assert v.state.output_shape == (h, wd, f_count)
    shown = v.state.pixels[v.step]
    np.testing.assert_array_equal(shown.pixel, x[r, col])
    np.testing.assert_array_equal(v.state.kernel_weights, w[:, f])
    np.testing.assert_allclose(shown.products, x[r, col] * w[:, f])
    assert shown.value == pytest.approx(float(np.dot(x[r, col], w[:, f])))
    assert shown.value == pytest.approx(expected[r, col, f])
    # the numbers written in the three columns
    xs, ws, ps = _cell_texts(v)
    assert xs == [number(a) for a in x[r, col]]
    assert ws == [number(b) for b in w[:, f]]
    assert ps == [number(a * b) for a, b in zip(x[r, col], w[:, f])]
    # costs: the core's answer and the formulas K*K*C*F + F, H*W*F*K*K*C ('same' padding)
    for k in (1, 3, 5):
        cost = v.state.costs[f"{k}x{k}"]
        assert cost["params"] == k * k * c * f_count + f_count == arithmetic.conv_params(c, f_count, k)
        assert cost["macs"] == h * wd * f_count * k * k * c
        assert cost["macs"] == arithmetic.conv_macs((h, wd, c), f_count, k, padding="same")
    bars = v.view.scene["bars"]
    labels = [*bars["params"]["texts"], *bars["macs"]["texts"]]  # params 1x1, 3x3, 5x5, then multiply-adds
    assert labels[0] == f"{v.state.costs['1x1']['params']:,}"
    assert labels[1].startswith(f"{v.state.costs['3x3']['params']:,}")
    assert labels[5].startswith(f"{v.state.costs['5x5']['macs']:,}") and labels[5].endswith("×25.0")
    text = v.readout_text
    assert f"output {h}×{wd}×{f_count}" in text
    assert f"= {number(shown.value)} (bias 0)" in text
    assert f"{v.state.costs['5x5']['params']:,}" in text and f"{v.state.costs['3x3']['macs']:,}" in text
    assert v.controls["filter"].max == f_count - 1
    assert v.error == ""
    # the scene the page draws: the pixel shown is the page's choice, step = row * W + col
    scene = v.view.scene
    assert (v.view.row, v.view.col, v.view.step) == (r, col, r * wd + col)
    vol = scene["volumes"]
    assert (vol["rows"], vol["cols"], vol["channels"], vol["filters"]) == (h, wd, c, f_count)
    here = scene["steps"][v.view.step]
    assert here["pixel"] == [r, col] and vol["kernel"] == f
    assert len(here["x_colours"]) == c and len(vol["weight_colours"]) == c
    assert _fill(v, scene["sum"]) == f"Σ = {number(shown.value)}"
    assert scene["bars"]["params"]["values"] == [v.state.costs[n]["params"] for n in ("1x1", "3x3", "5x5")]
    assert scene["bars"]["macs"]["values"] == [v.state.costs[n]["macs"] for n in ("1x1", "3x3", "5x5")]
    assert f"y[{r},{col},{f}] = Σₖ x[{r},{col},k]·w[k,{f}] = {number(shown.value)}" in _fill(v, scene["formula"])


def test_defaults(viz):
    assert viz.state.output_shape == (6, 6, 3)
    assert viz.state.costs["1x1"] == {"params": 8 * 3 + 3, "macs": 6 * 6 * 3 * 8}
    assert viz.state.costs["3x3"] == {"params": 9 * 8 * 3 + 3, "macs": 6 * 6 * 3 * 9 * 8}
    _check(viz)


def test_every_control_through_its_range(viz):
    for name in ("channels", "filters", "row", "col", "filter"):
        control = viz.controls[name]
        for value in list(range(control.min, control.max + 1)) + [control.min]:
            version, changed = viz.view.version, control.value != value
            control.value = value
            if name in ("row", "col"):  # the pixel is chosen in the page, without Python
                assert viz.view.version == version
            else:
                assert viz.view.version == version + changed  # one bump per change
            _check(viz)
        control.value = (control.min + control.max) // 2


@pytest.mark.parametrize("height, width, channels, filters", [(6, 6, 8, 3), (3, 5, 16, 8), (1, 1, 1, 1)])
def test_every_pixel_is_precomputed_as_the_core_gives_it(height, width, channels, filters):
    """Each pixel's entry of the scene (the page picks one) holds the core's numbers, for every kernel."""
    v = OneByOneExplorer(height, width, channels, filters)
    try:
        for k in range(filters):
            v.controls["filter"].value = k
            x, w = v.state.input, v.state.weights
            expected = np.einsum("hwc,cf->hwf", x, w)
            steps = v.view.scene["steps"]
            assert len(steps) == len(v.state.pixels) == height * width
            for r in range(height):
                for col in range(width):
                    here, core = steps[r * width + col], v.state.pixels[r * width + col]
                    assert here["pixel"] == [r, col] == [core.row, core.col]
                    assert here["x"] == [number(a) for a in x[r, col]]
                    assert here["products"] == [number(a * b) for a, b in zip(x[r, col], w[:, k])]
                    assert here["value"] == number(expected[r, col, k]) == number(core.value)
                    assert f"y[{r},{col},{k}] = Σₖ x[{r},{col},k]·w[k,{k}] =" in here["readout"]
                    assert here["readout"].endswith(f"= <b>{number(expected[r, col, k])}</b> (bias 0).</div>")
                    with v.hold():
                        v.controls["row"].value, v.controls["col"].value = r, col
                    _check(v)
    finally:
        v.close()


def test_the_pixel_sliders_are_linked_in_the_page(viz):
    links = {link.source[0].description: link for link in viz._links if link.target[0] is viz.view}
    assert {name: (link.source[1], link.target[1]) for name, link in links.items()} == {
        "pixel row": ("value", "row"),
        "pixel col": ("value", "col"),
    }


def test_one_kernel_is_singular(viz):
    viz.controls["filters"].value = 1
    assert "F = 1 kernel of 1×1×8" in viz.readout_text and "1 kernels" not in viz.readout_text
    assert "(1 kernel of 1×1×8;" in viz.view.scene["head"]
    viz.controls["filters"].value = 2
    assert "F = 2 kernels of 1×1×8" in viz.readout_text


@pytest.mark.parametrize("name", ["channels", "filters", "row", "col", "filter"])
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


def test_fewer_kernels_moves_the_chosen_kernel_back(viz):
    viz.controls["filters"].value = 8
    viz.controls["filter"].value = 7
    viz.controls["filters"].value = 2
    assert viz.controls["filter"].value == 1
    assert viz.controls["filter"].max == 1
    _check(viz)


def test_own_volume_and_weights():
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, size=(3, 4, 5))
    w = rng.uniform(-1, 1, size=(5, 2))
    v = OneByOneExplorer(x=x, weights=w, channels=8, filters=3)
    try:
        assert v.controls["channels"].value == 5 and v.controls["channels"].max == 5
        assert v.controls["filters"].value == 2 and v.controls["filters"].max == 2
        assert v.state.output_shape == (3, 4, 2)
        np.testing.assert_allclose(v.state.output, x @ w)
        v.controls["row"].value = 2
        v.controls["col"].value = 3
        v.controls["filter"].value = 1
        assert v.state.pixels[v.step].value == pytest.approx(x[2, 3] @ w[:, 1])
        assert _cell_texts(v)[0] == [number(a) for a in x[2, 3]]
        _check(v)
    finally:
        v.close()


def test_weights_as_a_1x1_kernel_array():
    w = np.arange(6.0).reshape(1, 1, 3, 2)
    x = np.ones((2, 2, 3))
    v = OneByOneExplorer(x=x, weights=w)
    try:
        np.testing.assert_allclose(v.state.output[0, 0], [0 + 2 + 4, 1 + 3 + 5])
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize("height, width, channels, filters", [(1, 1, 1, 1), (12, 3, 16, 8), (4, 9, 2, 5)])
def test_sizes(height, width, channels, filters):
    v = OneByOneExplorer(height, width, channels, filters)
    try:
        assert v.state.output_shape == (height, width, filters)
        assert v.controls["row"].max == height - 1 and v.controls["col"].max == width - 1
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(height=0), "`height` must be >= 1"),
        (dict(width=13), "`width` must be between 1 and 12"),
        (dict(channels=17), "`channels` must be between 1 and 16"),
        (dict(filters=0), "`filters` must be between 1 and 8 here, got 0"),
        (dict(x=np.ones((4, 4))), "`x` must be 3-D"),
        (dict(x=np.ones((4, 4, 3)), weights=np.ones((4, 2))), "one row per input channel"),
        (dict(x=np.ones((4, 4, 3)), weights=np.ones((3, 3, 3, 2))), r"must be \(1, 1, C, F\)"),
        (dict(x=np.full((2, 2, 2), np.nan)), "finite"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        OneByOneExplorer(**kwargs)


def test_bad_types():
    with pytest.raises(TypeError, match="`channels` must be an int"):
        OneByOneExplorer(channels=2.5)


def test_values_out_of_range_are_clamped_and_it_keeps_working(viz):
    viz.controls["filters"].value = 99
    viz.controls["row"].value = -4
    assert viz.controls["filters"].value == 8 and viz.controls["row"].value == 0
    _check(viz)
