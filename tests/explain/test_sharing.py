"""meia_cnn.explain.sharing: counts by hand and the convolution matrix against conv2d."""

import numpy as np
import pytest

from meia_cnn import ops
from meia_cnn.explain.sharing import PICTURE_OUTPUT, parameter_sharing_state


@pytest.mark.parametrize(
    "i, c, k, f, padding",
    [
        (32, 3, 3, 16, "valid"),
        (28, 1, 5, 6, "same"),
        (224, 64, 11, 128, "valid"),
        (1, 1, 1, 1, "valid"),
        (7, 2, 7, 3, "valid"),
        (5, 4, 9, 2, "same"),
    ],
)
def test_counts_by_hand(i, c, k, f, padding):
    s = parameter_sharing_state(i, c, k, f, padding=padding)
    g = i - k + 1 if padding == "valid" else i
    assert s.output_shape == (g, g, f)
    assert s.conv_params == k * k * c * f + f
    assert s.dense_params == (i * i * c) * (g * g * f) + g * g * f
    assert s.conv_macs == g * g * f * k * k * c
    assert s.dense_macs == (i * i * c) * (g * g * f)
    assert s.ratio == s.dense_params / s.conv_params
    assert (s.n_in, s.n_out) == (i * i * c, g * g * f)


def test_the_lectures_numbers():
    s = parameter_sharing_state(32, 3, 3, 16)
    assert (s.conv_params, s.dense_params) == (448, 44_251_200)


@pytest.mark.parametrize("k", range(1, 12))
def test_conv_matrix_reuses_the_same_weights_in_every_row(k):
    s = parameter_sharing_state(20, 1, k, 1)
    n = k + PICTURE_OUTPUT - 1
    m = s.conv_matrix
    assert s.picture_input == n and m.shape == (PICTURE_OUTPUT**2, n * n) == s.dense_matrix.shape
    for row in m:
        assert sorted(row[row != 0]) == list(range(1, k * k + 1))
    x = np.random.default_rng(k).random((n, n))
    kernel = np.arange(1, k * k + 1, dtype=float).reshape(k, k)
    np.testing.assert_allclose(m @ x.ravel(), ops.conv2d(x, kernel).ravel())
    assert not m.flags.writeable
    assert np.all(s.dense_matrix > 0)  # every dense entry a weight


def test_refusals():
    with pytest.raises(ValueError, match="larger than the padded input"):
        parameter_sharing_state(2, 1, 3, 1)
    with pytest.raises(ValueError, match="`padding` must be 'valid' or 'same'"):
        parameter_sharing_state(5, 1, 3, 1, padding="full")
    with pytest.raises(TypeError, match="`filters`"):
        parameter_sharing_state(5, 1, 3, 2.0)
