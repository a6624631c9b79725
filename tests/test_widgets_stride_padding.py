"""StridePaddingExplorer: the drawn grids, the taps and equation (3) agree with the core."""

import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest

from meia_cnn import arithmetic, ops
from meia_cnn.widgets._base import format_number
from meia_cnn.widgets.stride_padding import (
    DILATIONS,
    INPUT_SIZES,
    KERNEL_SIZES,
    PADS,
    STRIDES,
    StridePaddingExplorer,
    input_values,
)


@pytest.fixture
def viz():
    v = StridePaddingExplorer()
    yield v
    v.close()


def _padding(v):
    c = v.controls
    return c["pad"].value if c["padding"].value == "number" else c["padding"].value


def _expected(v):
    c = v.controls
    i, k, s, d = (c[n].value for n in ("input_size", "kernel_size", "stride", "dilation"))
    p = _padding(v)
    g = arithmetic.output_size(i, k, stride=s, padding=p, dilation=d)
    pads = arithmetic.padding_amounts(i, k, stride=s, padding=p, dilation=d)
    return i, k, s, d, p, g, pads


def _hand_output_size(i, k, s, d, pads):
    """Equation (3) by hand, an independent check of the core."""
    p_total = sum(pads[0])
    return (i + p_total - d * (k - 1) - 1) // s + 1


def _check(v):
    i, k, s, d, p, g, pads = _expected(v)
    assert v.output_shape == (g, g) == (_hand_output_size(i, k, s, d, pads),) * 2
    assert v.pads == pads
    # the padded input: zeros around input_values(i), and its colours mark which is which
    padded = v.padded
    np.testing.assert_array_equal(padded, ops.pad(input_values(i), pads))
    (top, bottom), (left, right) = pads
    assert padded.shape == (i + top + bottom, i + left + right)
    colours = np.ma.getdata(v._g_in.colours)
    assert colours.shape == padded.shape
    assert colours[top:top + i, left:left + i].min() == 1
    assert colours.sum() == i * i  # every other cell is a padding zero, drawn differently
    # the output grid drawn equals the core's conv2d with a kernel of ones
    np.testing.assert_allclose(v.output, ops.conv2d(input_values(i), np.ones((k, k)), stride=s,
                                                    padding=p, dilation=d))
    step = v.controls["step"].value
    assert v.controls["step"].max == g * g - 1
    r, c = divmod(step, g)
    assert v.position == (r, c)
    # the taps: K x K positions, d apart, starting at the stride's offset
    taps = v.taps
    assert len(taps) == k * k
    assert taps[:, 0].min() == r * s and taps[:, 1].min() == c * s
    assert sorted(set(np.diff(sorted(set(taps[:, 0]))))) in ([], [d])
    assert len(v._taps.get_paths()) == k * k
    np.testing.assert_allclose(v.output[r, c], padded[taps[:, 0], taps[:, 1]].sum())
    assert v._span.get_width() == d * (k - 1) + 1
    # output cells up to the step are filled, the rest blank
    labels = v._g_out.labels[:g, :g]
    order = np.arange(g * g).reshape(g, g)
    if g <= 13:
        assert all(labels[order <= step] != "") and all(labels[order > step] == "")
        assert labels[r, c] == format_number(v.output[r, c])
    # the readout: equation (3) with the numbers, equal to the drawn grid
    expected = (f"G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = "
                f"⌊({i} + {top + bottom} − {d * (k - 1)} − 1)/{s}⌋ + 1 = {g}")
    assert v.equation == expected
    text = v.readout_text
    assert expected in text  # verbatim, as the notes write it
    assert f"Output: {g} × {g}" in text


def test_defaults(viz):
    assert viz.output_shape == (3, 3)
    assert viz.error == ""
    assert set(viz.controls) == {"input_size", "kernel_size", "stride", "padding", "pad",
                                 "dilation", "step", "play"}
    assert viz.controls["pad"].disabled
    _check(viz)
    assert "slides' equation (3)" in viz.readout_text
    assert "⌊(5 − 3)/1⌋ + 1 = 3" in viz.readout_text


def test_the_spec_example():
    v = StridePaddingExplorer(5, 3, stride=2)
    try:
        assert v.equation == "G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = ⌊(5 + 0 − 2 − 1)/2⌋ + 1 = 2"
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize("padding", ["valid", "same", "full", "number"])
def test_every_control_through_its_range(viz, padding, artist_guard):
    with artist_guard(viz):
        viz.controls["padding"].value = padding
        assert viz.controls["pad"].disabled == (padding != "number")
        for name, (lo, hi) in (("input_size", INPUT_SIZES), ("kernel_size", KERNEL_SIZES),
                               ("stride", STRIDES), ("dilation", DILATIONS), ("pad", PADS)):
            for value in range(lo, hi + 1):
                viz.controls[name].value = value
                if viz.error:  # a kernel larger than the padded input: the core's message
                    with pytest.raises(ValueError) as info:
                        i, k, s, p, d = _expected_args(viz)
                        arithmetic.output_size(i, k, stride=s, padding=p, dilation=d)
                    assert viz.error == str(info.value)
                else:
                    _check(viz)
            viz.controls[name].value = {"input_size": 7, "kernel_size": 3, "stride": 2,
                                        "dilation": 1, "pad": 1}[name]
            assert viz.error == ""
        for step in range(viz.controls["step"].max + 1):
            viz.controls["step"].value = step
            _check(viz)


def _expected_args(v):
    c = v.controls
    return (c["input_size"].value, c["kernel_size"].value, c["stride"].value, _padding(v),
            c["dilation"].value)


@pytest.mark.parametrize("i, k, s, p, d", [
    (5, 3, 1, "same", 1), (5, 4, 2, "same", 1), (6, 3, 2, "full", 2), (4, 3, 1, 2, 1),
    (7, 3, 3, "valid", 2), (2, 1, 1, "valid", 1), (9, 5, 4, 4, 3), (9, 5, 1, "full", 3),
])
def test_arguments_and_steps(i, k, s, p, d, artist_guard):
    v = StridePaddingExplorer(i, k, stride=s, padding=p, dilation=d)
    try:
        assert v.controls["padding"].value == (p if isinstance(p, str) else "number")
        with artist_guard(v):
            for step in range(v.controls["step"].max + 1):
                v.controls["play"].value = step
                _check(v)
    finally:
        v.close()


def test_same_padding_keeps_the_size_and_full_grows_it(viz):
    viz.controls["padding"].value = "same"
    for i, s in itertools.product(range(2, 10), range(1, 5)):
        viz.controls["input_size"].value = i
        viz.controls["stride"].value = s
        assert viz.output_shape[0] == -(-i // s)
    viz.controls["stride"].value = 1
    viz.controls["padding"].value = "full"
    viz.controls["input_size"].value = 5
    assert viz.output_shape == (7, 7)


def test_invalid_combination_shows_the_core_message_and_keeps_the_drawing(viz, artist_guard):
    viz.controls["input_size"].value = 4
    viz.controls["kernel_size"].value = 3
    viz.controls["step"].value = 2
    shape, taps, padded = viz.output_shape, viz.taps, viz.padded
    with artist_guard(viz):
        viz.controls["kernel_size"].value = 5
    assert viz.error == "kernel_size=5 is larger than the padded input (4) for padding='valid'"
    assert viz.output_shape == shape
    np.testing.assert_array_equal(viz.taps, taps)
    np.testing.assert_array_equal(viz.padded, padded)
    viz.controls["dilation"].value = 2
    assert "with dilation=2 (effective size 9)" in viz.error
    viz.controls["padding"].value = "full"  # full padding always fits
    assert viz.error == ""
    _check(viz)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(input_size=10), ValueError, "between 2 and 9"),
    (dict(kernel_size=0), ValueError, "between 1 and 5"),
    (dict(stride=2.0), TypeError, "`stride` must be an int"),
    (dict(padding="half"), ValueError, "'valid', 'same', 'full' or an int"),
    (dict(padding=-1), ValueError, "between 0 and 4"),
    (dict(dilation=True), TypeError, "`dilation` must be an int"),
    (dict(input_size=3, kernel_size=5), ValueError, "larger than the padded input"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        StridePaddingExplorer(**kwargs)

def test_hold_changes_several_controls_with_one_redraw(viz, monkeypatch):
    calls = []
    original = viz._update
    monkeypatch.setattr(viz, "_update", lambda: (calls.append(1), original())[1])
    with viz.hold():
        viz.controls["input_size"].value = 8
        viz.controls["stride"].value = 3
        viz.controls["padding"].value = "same"
        assert calls == [] and viz.output_shape == (3, 3)  # nothing redrawn yet
    assert calls == [1]
    assert viz.output_shape == (3, 3) == (-(-8 // 3),) * 2
    _check(viz)
