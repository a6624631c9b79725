"""ParameterSharingExplorer: conv against dense parameter counts, and the conv layer as a matrix."""

import math

import numpy as np
import pytest

from meia_cnn import arithmetic
from meia_cnn.explain.sharing import parameter_sharing_state
from meia_cnn.widgets import ParameterSharingExplorer
from meia_cnn.widgets.sharing import CHANNELS, FILTERS, INPUT_SIZES, KERNEL_SIZES


@pytest.fixture
def viz():
    v = ParameterSharingExplorer()
    yield v
    v.close()


def _expected(i, c, k, f, padding="valid"):
    g = i - k + 1 if padding == "valid" else i
    conv = k * k * c * f + f
    dense = (i * i * c) * (g * g * f) + g * g * f
    return g, conv, dense


def _check(v, padding="valid"):
    ctl = v.controls
    i, c, k, f = (ctl[n].value for n in ("input_size", "channels", "kernel_size", "filters"))
    g, conv, dense = _expected(i, c, k, f, padding)
    assert v.state.output_shape == (g, g, f)
    assert v.state.conv_params == conv == arithmetic.conv_params(c, f, k)
    assert v.state.dense_params == dense == arithmetic.dense_params(i * i * c, g * g * f)
    assert v.state.ratio == dense / conv
    core = parameter_sharing_state(i, c, k, f, padding=padding)
    np.testing.assert_array_equal(v.state.conv_matrix, core.conv_matrix)
    scene = v.view.scene
    bars = scene["bars"]["items"]
    assert [b["text"] for b in bars] == [f"{conv:,}", f"{dense:,}"]
    assert [b["log"] for b in bars] == pytest.approx([math.log10(conv), math.log10(dense)])
    ratio = f"{dense / conv:,.0f}×" if dense / conv >= 10 else f"{dense / conv:.2f}×"
    assert scene["heading"] == (
        f"Input {i}×{i}×{c} → output {g}×{g}×{f}: conv {conv:,} parameters, dense {dense:,} ({ratio})"
    )
    rows, cols = core.conv_matrix.shape
    assert (scene["matrices"]["rows"], scene["matrices"]["cols"]) == (rows, cols) == (16, (k + 3) ** 2)
    assert v.view.conv_png[:4] == v.view.dense_png[:4] == b"\x89PNG"
    text = v.readout_text
    assert f"= {conv:,} (multiply-adds {core.conv_macs:,})" in text
    assert f"= {dense:,} parameters (multiply-adds {core.dense_macs:,})" in text
    assert f"→ {g}×{g}×{f}" in text
    assert f"Ratio dense / conv = {ratio}" in text
    assert v.error == ""


def test_defaults(viz):
    assert set(viz.controls) == {"input_size", "channels", "kernel_size", "filters"}
    assert (viz.state.conv_params, viz.state.dense_params) == (448, 44_251_200)
    assert viz.state.output_shape == (30, 30, 16)
    assert "Ratio dense / conv = 98,775×" in viz.readout_text
    _check(viz)


@pytest.mark.parametrize(
    "name, limits",
    [("input_size", INPUT_SIZES), ("channels", CHANNELS), ("kernel_size", KERNEL_SIZES), ("filters", FILTERS)],
)
def test_every_control_through_its_range(viz, name, limits):
    control = viz.controls[name]
    lo, hi = limits
    assert (control.min, control.max) == (lo, hi)
    if name == "input_size":
        viz.controls["kernel_size"].value = 1  # every input size fits
    for value in range(lo, hi + 1):
        version, changed = viz.view.version, control.value != value
        good = viz.state
        control.value = value
        assert viz.view.version == version + changed  # one bump per change
        i, k = viz.controls["input_size"].value, viz.controls["kernel_size"].value
        if k > i:  # said in words, in place of the drawing; the last good state stays
            assert viz.error == (
                f"The kernel does not fit: a {k}×{k} kernel is larger than the {i}×{i} input "
                "(no padding). Choose a smaller kernel or a larger input."
            )
            assert viz.view.notice == viz.error and viz.state is good
        else:
            _check(viz)


def test_a_kernel_larger_than_the_input_is_said_and_recovers(viz):
    viz.controls["kernel_size"].value = 5
    good = viz.view.scene
    viz.controls["input_size"].value = 3
    assert "a 5×5 kernel is larger than the 3×3 input" in viz.error
    assert viz.view.scene == good and viz.state.output_shape == (28, 28, 16)
    viz.controls["input_size"].value = 9
    assert viz.error == "" and viz.view.notice == ""
    assert viz.state.output_shape == (5, 5, 16)
    _check(viz)


def test_same_padding():
    v = ParameterSharingExplorer(28, 1, 5, 6, padding="same")  # LeNet's first layer, 'same'
    try:
        assert v.state.output_shape == (28, 28, 6)
        assert v.state.conv_params == 156
        _check(v, padding="same")
        v.controls["input_size"].value = 2  # 'same' padding: any kernel fits
        _check(v, padding="same")
    finally:
        v.close()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(input_size=0), ValueError, "`input_size` must be between 1 and 224"),
        (dict(kernel_size=12), ValueError, "`kernel_size` must be between 1 and 11"),
        (dict(input_size=2, kernel_size=3), ValueError, "kernel_size=3 is larger than the padded input"),
        (dict(padding="full"), ValueError, "`padding` must be 'valid' or 'same'"),
        (dict(filters=2.0), TypeError, "`filters` must be an int"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ParameterSharingExplorer(**kwargs)


@pytest.mark.parametrize(
    "name, value", [("filters", 10_000), ("channels", 0), ("input_size", None), ("kernel_size", "x"), ("filters", -3)]
)
def test_values_outside_the_controls_never_raise(viz, name, value):
    try:
        viz.controls[name].value = value
    except Exception:  # noqa: BLE001 - the control itself may refuse the value: fine
        pass
    assert viz.error == ""  # the sliders clamp what they accept
    _check(viz)
