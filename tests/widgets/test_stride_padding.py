"""StridePaddingExplorer: its state, its scene and equation (3) agree with the core."""

import itertools

import numpy as np
import pytest

from meia_cnn import arithmetic, ops
from meia_cnn.explain.stride_padding import MAX_NUMBERED, equation_text, input_values
from meia_cnn.widgets._explorer import PALETTE, format_number
from meia_cnn.widgets.stride_padding import (
    DILATIONS,
    INPUT_SIZES,
    KERNEL_SIZES,
    PADS,
    STRIDES,
    StridePaddingExplorer,
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
    """The state, the scene sent to the page and the readout, against the core and by hand."""
    i, k, s, d, p, g, pads = _expected(v)
    assert v.state.output_shape == (g, g) == (_hand_output_size(i, k, s, d, pads),) * 2
    assert v.state.pads == pads
    padded = v.state.padded
    np.testing.assert_array_equal(padded, ops.pad(input_values(i), pads))
    (top, bottom), (left, right) = pads
    assert padded.shape == (i + top + bottom, i + left + right)
    np.testing.assert_allclose(
        v.state.output, ops.conv2d(input_values(i), np.ones((k, k)), stride=s, padding=p, dilation=d)
    )
    # the steps: one per output cell, the slider counts them from 1
    slider = v.controls["step"]
    assert len(slider.options) == g * g == len(v.state.steps)
    step = slider.index
    assert v.view.step == step == v.step
    assert slider.label == f"{step + 1} of {g * g}"
    r, c = divmod(step, g)
    assert v.state.steps[step].position == (r, c)
    taps = v.state.steps[step].taps
    assert len(taps) == k * k
    assert taps[:, 0].min() == r * s and taps[:, 1].min() == c * s
    assert sorted(set(np.diff(sorted(set(taps[:, 0]))))) in ([], [d])
    np.testing.assert_allclose(v.state.output[r, c], padded[taps[:, 0], taps[:, 1]].sum())
    # the scene the page draws
    scene = v.view.scene
    h = padded.shape[0]
    assert (scene["input"]["rows"], scene["input"]["cols"]) == padded.shape
    cells = np.array(scene["input"]["colours"])
    assert (cells == PALETTE["sky"]).sum() == i * i  # every other cell is a padding zero
    assert (cells[top : top + i, left : left + i] == PALETTE["sky"]).all()
    if h <= MAX_NUMBERED:
        assert scene["input"]["labels"] == [[format_number(x) for x in row] for row in padded]
    else:
        assert scene["input"]["labels"] is None
    assert (scene["output"]["rows"], scene["output"]["cols"]) == (g, g)
    if g <= MAX_NUMBERED:
        assert scene["output"]["labels"][r][c] == format_number(v.state.output[r, c])
    assert scene["kernel"]["span"] == d * (k - 1) + 1
    here = scene["steps"][step]
    assert here["cell"] == [r, c]
    offsets = np.array(scene["kernel"]["offsets"])
    np.testing.assert_array_equal(offsets + here["origin"], taps)
    # the readout: equation (3) with the numbers, equal to the drawn grid
    expected = (
        f"G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = ⌊({i} + {top + bottom} − {d * (k - 1)} − 1)/{s}⌋ + 1 = {g}"
    )
    assert equation_text(v.state) == expected
    text = v.readout_text
    assert expected in text  # verbatim, as the notes write it
    assert f"Output: {g} × {g}" in text
    assert f"Step {step + 1} of {g * g}: output G[{r}, {c}]" in text
    assert f"G[{r}, {c}] = {format_number(v.state.output[r, c])}, the sum" in text


def test_defaults(viz):
    assert viz.state.output_shape == (3, 3)
    assert viz.error == ""
    assert set(viz.controls) == {"input_size", "kernel_size", "stride", "padding", "pad", "dilation", "step", "play"}
    assert viz.controls["pad"].disabled
    _check(viz)
    assert "slides' equation (3)" in viz.readout_text
    assert "⌊(5 − 3)/1⌋ + 1 = 3" in viz.readout_text
    assert viz.view.label and viz.view.version >= 1


def test_the_spec_example():
    v = StridePaddingExplorer(5, 3, stride=2)
    try:
        assert equation_text(v.state) == "G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = ⌊(5 + 0 − 2 − 1)/2⌋ + 1 = 2"
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize("padding", ["valid", "same", "full", "number"])
def test_every_control_through_its_range(viz, padding):
    viz.controls["padding"].value = padding
    assert viz.controls["pad"].disabled == (padding != "number")
    for name, (lo, hi) in (
        ("input_size", INPUT_SIZES),
        ("kernel_size", KERNEL_SIZES),
        ("stride", STRIDES),
        ("dilation", DILATIONS),
        ("pad", PADS),
    ):
        for value in range(lo, hi + 1):
            version, changed = viz.view.version, viz.controls[name].value != value
            viz.controls[name].value = value
            assert viz.view.version == version + changed  # one bump per change
            if viz.error:  # a kernel larger than the padded input: the core agrees it is impossible
                with pytest.raises(ValueError, match="larger than the padded input"):
                    i, k, s, p, d = _expected_args(viz)
                    arithmetic.output_size(i, k, stride=s, padding=p, dilation=d)
                assert viz.error.startswith("The kernel does not fit")
                assert viz.view.notice == viz.error  # shown in place of the drawing
            else:
                assert viz.view.notice == ""
                _check(viz)
        viz.controls[name].value = {"input_size": 7, "kernel_size": 3, "stride": 2, "dilation": 1, "pad": 1}[name]
        assert viz.error == ""
    version = viz.view.version
    for step in range(len(viz.controls["step"].options)):
        viz.controls["step"].value = step
        _check(viz)
    assert viz.view.version == version  # stepping is resolved in the browser: no new scene


def _expected_args(v):
    c = v.controls
    return (c["input_size"].value, c["kernel_size"].value, c["stride"].value, _padding(v), c["dilation"].value)


@pytest.mark.parametrize(
    "i, k, s, p, d",
    [
        (5, 3, 1, "same", 1),
        (5, 4, 2, "same", 1),
        (6, 3, 2, "full", 2),
        (4, 3, 1, 2, 1),
        (7, 3, 3, "valid", 2),
        (2, 1, 1, "valid", 1),
        (9, 5, 4, 4, 3),
        (9, 5, 1, "full", 3),
    ],
)
def test_arguments_and_steps(i, k, s, p, d):
    v = StridePaddingExplorer(i, k, stride=s, padding=p, dilation=d)
    try:
        assert v.controls["padding"].value == (p if isinstance(p, str) else "number")
        for step in range(len(v.controls["step"].options)):
            v.controls["play"].value = step
            assert v.controls["step"].index == step
            _check(v)
    finally:
        v.close()


def test_same_padding_keeps_the_size_and_full_grows_it(viz):
    viz.controls["padding"].value = "same"
    for i, s in itertools.product(range(2, 10), range(1, 5)):
        viz.controls["input_size"].value = i
        viz.controls["stride"].value = s
        assert viz.state.output_shape[0] == -(-i // s)
    viz.controls["stride"].value = 1
    viz.controls["padding"].value = "full"
    viz.controls["input_size"].value = 5
    assert viz.state.output_shape == (7, 7)


def test_impossible_combination_in_a_students_words_and_the_last_good_state(viz):
    viz.controls["input_size"].value = 4
    viz.controls["kernel_size"].value = 3
    viz.controls["step"].value = 2
    shape, taps, padded = viz.state.output_shape, viz.state.steps[viz.step].taps, viz.state.padded
    viz.controls["kernel_size"].value = 5
    assert viz.error == (
        "The kernel does not fit: a 5×5 kernel is larger than the 4×4 padded input. "
        "Choose a smaller kernel, a larger input, or add zeros with the padding."
    )
    assert "kernel_size=" not in viz.error and "padding='valid'" not in viz.error
    assert viz.view.notice == viz.error
    assert viz.state.output_shape == shape
    np.testing.assert_array_equal(viz.state.steps[viz.step].taps, taps)
    np.testing.assert_array_equal(viz.state.padded, padded)
    viz.controls["kernel_size"].value = 3
    viz.controls["dilation"].value = 2
    assert viz.error.startswith("The kernel does not fit: 3×3 taps 2 cells apart span 5 cells")
    viz.controls["padding"].value = "full"  # full padding always fits
    assert viz.error == "" and viz.view.notice == ""
    _check(viz)


def test_input_one_kernel_too_large_then_back():
    v = StridePaddingExplorer(2, 1)
    try:
        v.controls["kernel_size"].value = 5
        assert "does not fit" in v.error
        v.controls["padding"].value = "number"
        v.controls["pad"].value = 2
        assert v.error == ""
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize(
    "name, value",
    [
        ("padding", None),
        ("input_size", None),
        ("stride", 99),
        ("dilation", -1),
    ],
)
def test_values_outside_the_controls_never_raise(viz, name, value):
    """Values a control should never hold (set from code) give a message, not an exception."""
    shape = viz.state.output_shape
    control = viz.controls[name]
    try:
        control.value = value
    except Exception:  # noqa: BLE001 - the control itself may refuse the value: fine
        pass
    if viz.error:
        assert viz.state.output_shape == shape
    viz.controls["padding"].value = "valid"
    viz.controls["input_size"].value = 5
    viz.controls["stride"].value = 1
    viz.controls["dilation"].value = 1
    assert viz.error == ""
    _check(viz)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(input_size=10), ValueError, "between 2 and 9"),
        (dict(kernel_size=0), ValueError, "between 1 and 5"),
        (dict(stride=2.0), TypeError, "`stride` must be an int"),
        (dict(padding="half"), ValueError, "'valid', 'same', 'full' or an int"),
        (dict(padding=-1), ValueError, "between 0 and 4"),
        (dict(dilation=True), TypeError, "`dilation` must be an int"),
        (dict(input_size=3, kernel_size=5), ValueError, "larger than the padded input"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        StridePaddingExplorer(**kwargs)


def test_hold_changes_several_controls_with_one_update(viz, monkeypatch):
    calls = []
    original = viz._compute
    monkeypatch.setattr(viz, "_compute", lambda: (calls.append(1), original())[1])
    version = viz.view.version
    with viz.hold():
        viz.controls["input_size"].value = 8
        viz.controls["stride"].value = 3
        viz.controls["padding"].value = "same"
        assert calls == [] and viz.state.output_shape == (3, 3)  # nothing recomputed yet
    assert calls == [1] and viz.view.version == version + 1
    assert viz.state.output_shape == (3, 3) == (-(-8 // 3),) * 2
    _check(viz)


def test_the_greyed_zeros_slider_shows_the_padding_in_use():
    from meia_cnn.widgets import StridePaddingExplorer

    sp = StridePaddingExplorer(input_size=5, kernel_size=5)
    pad = sp.controls["pad"]
    try:
        shown = {}
        for mode in ("valid", "same", "full"):
            sp.controls["padding"].value = mode
            shown[mode] = (pad.value, pad.disabled, sp.state.pads[1][0])
        assert shown == {"valid": (0, True, 0), "same": (2, True, 2), "full": (4, True, 4)}
        sp.controls["dilation"].value = 3  # full: K_eff - 1 = 12 zeros, beyond the slider's range
        assert (pad.value, sp.state.pads[1][0]) == (12, 12)
        sp.controls["padding"].value = "number"  # back to a chosen number: within the range again
        assert not pad.disabled and pad.max == 4 and pad.value == 4 and sp.state.pads[1][0] == 4
    finally:
        sp.close()
