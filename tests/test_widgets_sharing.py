"""ParameterSharingExplorer: conv against dense parameter counts, and the conv layer as a matrix."""


import matplotlib.pyplot as plt
import numpy as np
import pytest

from meia_cnn import arithmetic
from meia_cnn.widgets import ParameterSharingExplorer


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
    assert v.output_shape == (g, g, f)
    assert v.conv_params == conv == arithmetic.conv_params(c, f, k)
    assert v.dense_params == dense == arithmetic.dense_params(i * i * c, g * g * f)
    assert v.ratio == dense / conv
    np.testing.assert_allclose(v.bar_heights, np.log10([conv, dense]))
    assert v.bar_texts == [f"{conv:,}", f"{dense:,}"]
    text = v.readout_text
    assert f"= {conv:,} (multiply-adds" in text
    assert f"= {dense:,} parameters" in text
    assert f"→ {g}×{g}×{f}" in text
    # the picture: every output position (row) reuses the same K*K weights, shifted
    m = v.conv_matrix
    n = k + 3
    assert m.shape == (16, n * n)
    for row in m:
        assert sorted(row[row != 0]) == list(range(1, k * k + 1))
    assert v.error == ""


def test_defaults(viz):
    assert (viz.conv_params, viz.dense_params) == (448, 44_251_200)
    assert viz.output_shape == (30, 30, 16)
    assert "Ratio dense / conv = 98,775×" in viz.readout_text
    _check(viz)
    assert plt.get_fignums() == []


def test_every_control_through_its_range(viz):
    viz.fig.canvas.draw()
    before = len(viz.fig.findobj())
    for name, control in viz.controls.items():
        start = control.value
        for value in sorted({control.min, 2, 3, 5, control.max // 2, control.max, start}):
            good = (viz.conv_params, viz.dense_params, viz.readout.value)
            control.value = value
            i, k = viz.controls["input_size"].value, viz.controls["kernel_size"].value
            if k > i:  # the core refuses; the message says why and the last good state stays
                assert "kernel_size" in viz.error and "larger than the padded input" in viz.error
                assert (viz.conv_params, viz.dense_params, viz.readout.value) == good
            else:
                _check(viz)
            viz.fig.canvas.draw()
        control.value = start
        _check(viz)
    assert len(viz.fig.findobj()) == before
    assert plt.get_fignums() == []


def test_a_kernel_larger_than_the_input_shows_the_error_and_recovers(viz):
    viz.controls["kernel_size"].value = 5
    good = viz.readout.value
    viz.controls["input_size"].value = 3
    assert "kernel_size=5 is larger than the padded input (3)" in viz.error
    assert viz.readout.value == good and viz.output_shape == (28, 28, 16)
    viz.controls["input_size"].value = 9
    assert viz.error == ""
    assert viz.output_shape == (5, 5, 16)
    _check(viz)


def test_same_padding():
    v = ParameterSharingExplorer(28, 1, 5, 6, padding="same")  # LeNet's first layer, 'same'
    try:
        assert v.output_shape == (28, 28, 6)
        assert v.conv_params == 156
        _check(v, padding="same")
    finally:
        v.close()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(input_size=0), ValueError, "`input_size` must be >= 1"),
        (dict(kernel_size=12), ValueError, "`kernel_size` must be between 1 and 11"),
        (dict(input_size=2, kernel_size=3), ValueError, "kernel_size=3 is larger than the padded input"),
        (dict(padding="full"), ValueError, "`padding` must be 'valid' or 'same'"),
        (dict(filters=2.0), TypeError, "`filters` must be an int"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        ParameterSharingExplorer(**kwargs)


def test_values_out_of_range_are_clamped_and_it_keeps_working(viz):
    viz.controls["filters"].value = 10_000
    viz.controls["channels"].value = 0
    assert viz.controls["filters"].value == 128 and viz.controls["channels"].value == 1
    _check(viz)
