"""meia_cnn.explain.stride_padding: equation (3) and every tap, without widgets."""

import numpy as np
import pytest

from meia_cnn import arithmetic
from meia_cnn.explain.stride_padding import input_values, stride_padding_state


@pytest.mark.parametrize(
    "i, k, s, p, d",
    [
        (5, 3, 2, "valid", 1),
        (4, 3, 1, "same", 2),
        (6, 2, 3, 1, 1),
        (2, 1, 1, "full", 1),
        (9, 5, 4, 4, 3),
        (7, 4, 2, "same", 1),
    ],
)
def test_state_is_equation_3_and_the_taps_sum(i, k, s, p, d):
    st = stride_padding_state(i, k, stride=s, padding=p, dilation=d)
    pads = arithmetic.padding_amounts(i, k, stride=s, padding=p, dilation=d)
    assert st.pads == pads
    p_total = sum(pads[0])
    assert st.output_size == (i + p_total - d * (k - 1) - 1) // s + 1  # equation (3) by hand
    assert st.output_size == arithmetic.output_size(i, k, stride=s, padding=p, dilation=d)
    assert st.effective_kernel == d * (k - 1) + 1
    np.testing.assert_array_equal(st.input, input_values(i))
    assert len(st.steps) == st.output_size**2
    for n, step in enumerate(st.steps):
        r, c = divmod(n, st.output_size)
        assert step.position == (r, c) and step.origin == (r * s, c * s)
        rows = r * s + d * np.arange(k)
        cols = c * s + d * np.arange(k)
        assert sorted(map(tuple, step.taps.tolist())) == sorted((a, b) for a in rows for b in cols)
        assert step.value == pytest.approx(st.padded[np.ix_(rows, cols)].sum())
        assert step.value == pytest.approx(st.output[r, c])
    assert not st.output.flags.writeable and not st.padded.flags.writeable


def test_too_large_kernel_is_the_cores_error():
    with pytest.raises(ValueError, match="larger than the padded input"):
        stride_padding_state(3, 5)
