"""The transposed-convolution explorer's numbers, checked against the core and by hand."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal

from meia_cnn import ops
from meia_cnn.explain.transposed import (
    INPUT_PIXEL,
    INSERTED_ZERO,
    OUTPUT_PADDING_ZERO,
    PADDING_ZERO,
    input_values,
    kernel_values,
    transposed_conv_problem,
    transposed_conv_state,
)
from meia_cnn.ops import conv_transpose2d


def test_guide_figure_4_5_by_hand():
    # i' = 2, k = 3, s = 2: the 2x2 input spread to 3x3, two zeros around: 7x7, output 5x5.
    state = transposed_conv_state(2, 3, stride=2)
    assert state.output_shape == (5, 5) and state.stretched_size == 7 and state.border == 2
    expected_kinds = np.zeros((7, 7), int)
    expected_kinds[2:5, 2:5] = INSERTED_ZERO
    expected_kinds[2:5:2, 2:5:2] = INPUT_PIXEL
    np.testing.assert_array_equal(state.kinds, expected_kinds)
    np.testing.assert_array_equal(state.stretched[2:5:2, 2:5:2], [[1, 2], [3, 4]])
    # stride 1 of the direct convolution: step n's top-left tap is at the output cell itself
    assert state.steps[7].position == (1, 2)
    np.testing.assert_array_equal(state.steps[7].taps[0], [1, 2])
    np.testing.assert_array_equal(state.steps[7].taps[-1], [3, 4])
    assert "o = s·(i − 1) + d·(k − 1) + 1 − 2p + a = 2·(2 − 1) + 1·(3 − 1) + 1 − 2·0 + 0 = 5" == state.formula


def test_values_and_text_of_a_step_by_hand():
    # 2x2 input [[1, 2], [3, 4]], kernel [[1, 2], [3, 1]], flipped [[1, 3], [2, 1]]:
    # y[1, 1] = 1·1 + 3·2 + 2·3 + 1·4 = 17, all four stamps overlap there.
    state = transposed_conv_state(2, 2)
    np.testing.assert_array_equal(state.kernel, [[1, 2], [3, 1]])
    np.testing.assert_array_equal(state.flipped_kernel, [[1, 3], [2, 1]])
    step = state.steps[4]
    assert step.value == 17 == 1 * 1 + 3 * 2 + 2 * 3 + 1 * 4
    assert step.text.endswith("= 1·1 + 3·2 + 2·3 + 1·4 = 17.")
    assert step.text.startswith("Step 5 of 9: output y[1, 1]")
    # a corner: only one tap on the input
    assert state.steps[0].text.endswith("= 1·1 = 1.")
    # with stride 1 the transposed convolution is the full true convolution (scipy)
    np.testing.assert_array_equal(state.output, signal.convolve2d(state.input, state.kernel, mode="full"))


def test_a_step_over_zeros_only():
    # stride 3, kernel 1: the output cells between the spread pixels see only zeros
    state = transposed_conv_state(2, 1, stride=3)
    step = state.steps[1]
    assert step.value == 0 and not step.on_input.any()
    assert step.text == "Step 2 of 16: output y[0, 1]: the flipped kernel covers only zeros here, so y[0, 1] = 0."


def test_output_padding_cells_and_cropping():
    state = transposed_conv_state(3, 3, stride=2, padding=1, output_padding=1)
    assert state.output_size == 6 and state.stretched_size == 8
    assert (state.kinds[-1] == OUTPUT_PADDING_ZERO).all() and (state.kinds[:, -1] == OUTPUT_PADDING_ZERO).all()
    assert (state.kinds[0, :-1] == PADDING_ZERO).all()
    # padding larger than d (k - 1) cuts the spread input: a 4x4 input, k = 2, p = 2 keeps its middle 2x2
    cut = transposed_conv_state(4, 2, padding=2)
    assert cut.border == -1
    np.testing.assert_array_equal(cut.stretched, input_values(4)[1:3, 1:3])
    assert (cut.kinds == INPUT_PIXEL).all()


@st.composite
def settings_(draw):
    return dict(
        input_size=draw(st.integers(1, 5)),
        kernel_size=draw(st.integers(1, 4)),
        stride=draw(st.integers(1, 3)),
        padding=draw(st.integers(0, 3)),
        output_padding=draw(st.integers(0, 2)),
        dilation=draw(st.integers(1, 3)),
    )


@settings(max_examples=120, deadline=None)
@given(settings_())
def test_every_setting_agrees_with_the_core(kw):
    problem = transposed_conv_problem(**kw)
    i, k = kw.pop("input_size"), kw.pop("kernel_size")
    if problem is not None:
        with pytest.raises(ValueError):
            transposed_conv_state(i, k, **kw)
        return
    state = transposed_conv_state(i, k, **kw)
    np.testing.assert_array_equal(state.input, input_values(i))
    np.testing.assert_array_equal(state.output, conv_transpose2d(input_values(i), kernel_values(k), **kw))
    # the stretched input slid over by the flipped kernel, stride 1, is the output (the guide's view)
    direct = ops.conv2d(state.stretched, state.flipped_kernel, dilation=kw["dilation"])
    np.testing.assert_allclose(direct, state.output)
    assert len(state.steps) == state.output_size**2
    # each step: its products add up to the output value, and its taps read the stretched input
    for step in state.steps[:: max(1, len(state.steps) // 7)]:
        r, c = step.position
        assert step.value == state.output[r, c]
        assert step.products.sum() == pytest.approx(step.value)
        under = state.stretched[step.taps[:, 0], step.taps[:, 1]]
        np.testing.assert_array_equal(under * state.flipped_kernel.ravel(), step.products)
        np.testing.assert_array_equal(step.on_input, state.kinds[step.taps[:, 0], step.taps[:, 1]] == INPUT_PIXEL)
    # the input pixels that are drawn all appear once, with their values
    shown = state.stretched[state.kinds == INPUT_PIXEL]
    if state.border >= 0:
        assert shown.size == i * i and shown.sum() == state.input.sum()
    assert (state.stretched[state.kinds != INPUT_PIXEL] == 0).all()


def test_problems_in_a_students_words():
    assert transposed_conv_problem(3, 3, stride=2, output_padding=1) is None
    assert transposed_conv_problem(3, 3, stride=1, dilation=2, output_padding=1) is None
    assert "smaller than the stride or the dilation (here at most 0)" in transposed_conv_problem(3, 3, output_padding=1)
    assert "removes 6 rows (and columns) from an output of only 3" in transposed_conv_problem(1, 3, padding=3)
    with pytest.raises(ValueError, match=r"`output_padding` must be smaller than max\(stride, dilation\)"):
        transposed_conv_state(3, 3, output_padding=1)
    with pytest.raises(ValueError, match=r"`stride` must be >= 1, got 0"):
        transposed_conv_problem(3, 3, stride=0)


def test_state_is_read_only():
    state = transposed_conv_state(3, 2, stride=2)
    for array in (state.input, state.kernel, state.stretched, state.kinds, state.output, state.steps[0].taps):
        with pytest.raises(ValueError, match="read-only"):
            array[0] = 0
    with pytest.raises(AttributeError):
        state.stride = 3
