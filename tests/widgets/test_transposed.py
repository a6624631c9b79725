"""TransposedConvExplorer: every control through its range, the drawing's numbers against the core."""

import itertools

import numpy as np
import pytest

from meia_cnn.arithmetic import conv_transpose_output_size
from meia_cnn.explain.transposed import (
    INPUT_PIXEL,
    KIND_COLOURS,
    MAX_NUMBERED,
    OUTPUT_PADDING_ZERO,
    input_values,
    kernel_values,
    transposed_conv_problem,
    transposed_conv_state,
)
from meia_cnn.ops import conv_transpose2d
from meia_cnn.widgets import TransposedConvExplorer
from meia_cnn.widgets._explorer import format_number
from meia_cnn.widgets.transposed import (
    DILATIONS,
    INPUT_SIZES,
    KERNEL_SIZES,
    OUTPUT_PADS,
    PADS,
    STRIDES,
)

RANGES = {
    "input_size": INPUT_SIZES,
    "kernel_size": KERNEL_SIZES,
    "stride": STRIDES,
    "padding": PADS,
    "output_padding": OUTPUT_PADS,
    "dilation": DILATIONS,
}


@pytest.fixture
def viz():
    explorer = TransposedConvExplorer()
    yield explorer
    explorer.close()


def _settings(viz):
    return {name: viz.controls[name].value for name in RANGES}


def _check(viz):
    """Everything drawn equals what the core computes for the controls' values."""
    kw = _settings(viz)
    i, k = kw["input_size"], kw["kernel_size"]
    rest = {n: kw[n] for n in ("stride", "padding", "output_padding", "dilation")}
    state = viz.state
    o = conv_transpose_output_size(i, k, **rest)
    assert state.output_shape == (o, o) == viz.state.output_shape
    np.testing.assert_array_equal(state.output, conv_transpose2d(input_values(i), kernel_values(k), **rest))
    scene = viz.view.scene
    n = o + kw["dilation"] * (k - 1)
    assert scene["stretched"]["rows"] == scene["stretched"]["cols"] == n == state.stretched_size
    assert scene["output"]["rows"] == o
    # colours by kind, numbers as the core's
    assert scene["stretched"]["colours"] == [[KIND_COLOURS[int(v)] for v in row] for row in state.kinds]
    if n <= MAX_NUMBERED:
        assert scene["stretched"]["labels"] == [[format_number(v) for v in row] for row in state.stretched]
    if o <= MAX_NUMBERED:
        assert scene["output"]["labels"] == [[format_number(v) for v in row] for row in state.output]
    assert scene["kernel"]["labels"] == [[format_number(v) for v in row] for row in kernel_values(k)]
    assert scene["kernel"]["flipped_labels"] == [
        [format_number(v) for v in row] for row in kernel_values(k)[::-1, ::-1]
    ]
    d = kw["dilation"]
    assert scene["kernel"]["offsets"] == [[d * u, d * v] for u in range(k) for v in range(k)]
    # one step per output cell, the flipped kernel's top-left tap on the cell itself (stride 1)
    steps = scene["steps"]
    assert len(steps) == o * o == len(viz.controls["step"].options)
    assert steps[-1]["origin"] == [o - 1, o - 1]
    assert viz.view.step == viz.controls["step"].index == viz.step
    assert viz.controls["step"].label == f"{viz.step + 1} of {o * o}"
    text = viz.readout_text
    assert (
        f"o = s·(i − 1) + d·(k − 1) + 1 − 2p + a = {rest['stride']}·({i} − 1) + {d}·({k} − 1) + 1 − "
        f"2·{rest['padding']} + {rest['output_padding']} = {o}" in text
    )
    assert f"Step {viz.step + 1} of {o * o}: output y[" in text
    r, c = viz.state.steps[viz.step].position
    assert f"y[{r}, {c}]" in text and text.rstrip().endswith(f"{format_number(state.output[r, c]).replace('−', '-')}.")


def test_default_is_the_guides_stride_two_picture(viz):
    # 3x3 input, 3x3 kernel, stride 2: spread to 5x5, two zeros around: 9x9, output 7x7
    assert viz.state.output_shape == (7, 7)
    assert viz.state.stretched.shape == (9, 9)
    assert (viz.state.kinds == INPUT_PIXEL).sum() == 9
    np.testing.assert_array_equal(viz.state.stretched[2:7:2, 2:7:2], input_values(3))
    _check(viz)


@pytest.mark.parametrize("name", list(RANGES))
def test_every_control_through_its_range(viz, name):
    lo, hi = RANGES[name]
    start = viz.controls[name].value
    for value in list(range(lo, hi + 1)) + [start]:
        before_state, before_version = viz.state, viz.view.version
        changed = viz.controls[name].value != value
        viz.controls[name].value = value
        if changed:
            assert viz.view.version == before_version + 1, "one version bump per change"
        if viz.error:
            kw = _settings(viz)
            assert viz.error == transposed_conv_problem(**kw)
            assert "`" not in viz.error and "Error" not in viz.error
            assert viz.state is before_state, "the last good state stays"
        else:
            _check(viz)
    assert viz.error == ""


def test_every_combination_of_stride_padding_output_padding_dilation():
    viz = TransposedConvExplorer(input_size=2, kernel_size=2)
    try:
        for s, p, a, d in itertools.product(range(1, 4), range(0, 4), range(0, 3), range(1, 4)):
            with viz.hold():
                viz.controls["stride"].value = s
                viz.controls["padding"].value = p
                viz.controls["output_padding"].value = a
                viz.controls["dilation"].value = d
            problem = transposed_conv_problem(2, 2, stride=s, padding=p, output_padding=a, dilation=d)
            assert viz.error == (problem or "")
            if problem is None:
                _check(viz)
                assert (viz.state.kinds == OUTPUT_PADDING_ZERO).any() == (a > 0)
    finally:
        viz.close()


def test_stepping_is_resolved_without_python(viz):
    version = viz.view.version
    state = viz.state
    for index in range(len(viz.controls["step"].options)):
        viz.controls["step"].index = index
        assert viz.view.step == index and viz.step == index
        st = state.steps[index]
        assert st.text in viz.readout_text
    assert viz.view.version == version, "a step never recomputes"
    assert viz.state is state
    viz.controls["play"].value = 3
    assert viz.controls["step"].index == 3 == viz.view.step


def test_step_kept_when_it_still_exists_and_clamped_otherwise(viz):
    viz.controls["step"].index = 10
    viz.controls["padding"].value = 1  # 7x7 -> 5x5: 25 steps, step 10 still exists
    assert viz.step == 10 and viz.controls["step"].label == "11 of 25"
    viz.controls["input_size"].value = 1  # 1x1 input, k 3, s 2, p 1: 1x1 output
    assert viz.state.output_shape == (1, 1) and viz.step == 0
    _check(viz)


def test_impossible_combinations_in_a_students_words(viz):
    viz.controls["output_padding"].value = 2
    assert viz.error == (
        "The output padding a = 2 must be smaller than the stride or the dilation (here at most "
        "1): a larger one would add rows that no input pixel reaches."
    )
    assert viz.view.notice == viz.error
    viz.controls["output_padding"].value = 0
    assert viz.error == "" and viz.view.notice == ""
    with viz.hold():
        viz.controls["input_size"].value = 1
        viz.controls["kernel_size"].value = 1
        viz.controls["padding"].value = 1
    assert viz.error.startswith("Padding p = 1 removes 2 rows (and columns) from an output of only 1")


@pytest.mark.parametrize("bad", [None, -1, 10**9, "x", 2.5])
def test_values_from_code_outside_the_ranges_never_raise(viz, bad):
    for name in RANGES:
        try:
            viz.controls[name].value = bad
        except Exception:  # noqa: BLE001 - the slider itself refused it
            continue
        assert viz.error or viz.readout_text


def test_constructor_arguments():
    viz = TransposedConvExplorer(input_size=4, kernel_size=2, stride=3, padding=1, output_padding=2, dilation=1)
    try:
        assert viz.state.output_shape == (3 * 3 + 1 + 1 - 2 + 2,) * 2
        _check(viz)
    finally:
        viz.close()
    with pytest.raises(ValueError, match=r"`stride` must be between 1 and 3 here, got 4"):
        TransposedConvExplorer(stride=4)
    with pytest.raises(TypeError, match=r"`padding` must be an int, got 'same'"):
        TransposedConvExplorer(padding="same")
    with pytest.raises(ValueError, match=r"`output_padding` must be smaller than max\(stride, dilation\)"):
        TransposedConvExplorer(stride=1, output_padding=1)


def test_state_is_the_core_function(viz):
    kw = _settings(viz)
    expected = transposed_conv_state(**kw)
    np.testing.assert_array_equal(viz.state.stretched, expected.stretched)
    assert viz.state.formula == expected.formula


def test_close_frees_every_widget():
    viz = TransposedConvExplorer()
    owned = [viz.view, viz.message, *viz.controls.values()]
    viz.close()
    assert all(w.comm is None for w in owned) and viz.comm is None
