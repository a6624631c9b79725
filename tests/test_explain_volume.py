"""volume_state and make_kernels against scipy, the core's arithmetic and the convolution presets."""

import numpy as np
import pytest
from scipy import signal

from meia_cnn import arithmetic
from meia_cnn.explain.volume import KERNEL_RECIPES, MAX_KERNELS, make_kernels, volume_state


def _hand_feature_map(x, kernels):
    """Each map is the sum over channels of a 2-D cross-correlation (scipy), one per kernel."""
    return np.stack([
        sum(signal.correlate2d(x[:, :, c], kernels[:, :, c, f], mode="valid") for c in range(x.shape[2]))
        for f in range(kernels.shape[3])
    ], axis=-1)


#: The integer patterns by hand (Sobel, binomial Gaussian, Laplacian, emboss), independent of the core.
_HAND = {
    ("sobel_x", 3): np.outer([1, 2, 1], [-1, 0, 1]),
    ("sobel_y", 3): np.outer([-1, 0, 1], [1, 2, 1]),
    ("gaussian", 3): np.outer([1, 2, 1], [1, 2, 1]),
    ("laplacian", 3): np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    ("emboss", 3): np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    ("sobel_x", 5): np.outer([1, 4, 6, 4, 1], [-1, -2, 0, 2, 1]),
    ("sobel_y", 5): np.outer([-1, -2, 0, 2, 1], [1, 4, 6, 4, 1]),
    ("gaussian", 5): np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]),
}


def _preset(name, k):
    if (name, k) in _HAND:
        return _HAND[name, k]
    from meia_cnn.kernels import kernel_preset

    p = kernel_preset(name, k)
    return p / np.abs(p[p != 0]).min()


@pytest.mark.parametrize("k", [3, 5])
def test_kernels_are_the_presets_times_channel_weights(k):
    kernels = make_kernels(MAX_KERNELS, k)
    for f, (pattern, weights, _) in enumerate(KERNEL_RECIPES):
        for c in range(3):
            np.testing.assert_allclose(kernels[:, :, c, f], _preset(pattern, k) * weights[c])
    assert np.array_equal(kernels, np.round(kernels))  # integers: legible numbers


def test_one_by_one_kernels_only_mix_channels():
    kernels = make_kernels(MAX_KERNELS, 1)
    np.testing.assert_array_equal(kernels[0, 0].T, [w for _, w, _ in KERNEL_RECIPES])


@pytest.mark.parametrize("f, k", [(1, 1), (3, 3), (8, 5), (5, 3)])
def test_feature_map_against_scipy(f, k):
    x = np.random.default_rng(4).random((9, 7, 3))
    state = volume_state(x, f, k)
    np.testing.assert_allclose(state.feature_map, _hand_feature_map(x, make_kernels(f, k)), atol=1e-12)
    gh, gw, gd = arithmetic.feature_map_shape(x.shape, f, k)
    assert state.shapes == {"input": (7, 9, 3), "kernel": (k, k, 3), "feature_map": (gw, gh, gd)}
    assert gd == f == state.filters and state.kernel_size == k
    assert state.params == k * k * 3 * f + f  # weights + biases, by hand
    assert len(state.meanings) == f and not state.feature_map.flags.writeable


@pytest.mark.parametrize("call, match", [
    (lambda: make_kernels(0), "from 1 to 8"),
    (lambda: make_kernels(9), "from 1 to 8"),
    (lambda: make_kernels(2, 4), "1, 3 or 5"),
    (lambda: volume_state(np.ones((4, 4, 2)), 1, 1), "3 channels"),
    (lambda: volume_state(np.ones((4, 4, 3)), 1, 5), "larger than"),
])
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("f, k", [(1, 1), (3, 3), (8, 5)])
def test_every_kernel_shown_with_its_own_map(f, k):
    """per_kernel[n]: kernel n as make_kernels gives it and its map, a channel sum of scipy's correlations."""
    x = np.random.default_rng(5).random((8, 9, 3))
    state = volume_state(x, f, k)
    kernels = make_kernels(f, k)
    assert [one.index for one in state.per_kernel] == list(range(f))
    for n, one in enumerate(state.per_kernel):
        np.testing.assert_array_equal(one.weights, kernels[..., n])
        by_hand = sum(signal.correlate2d(x[:, :, c], kernels[:, :, c, n], mode="valid") for c in range(3))
        np.testing.assert_allclose(one.feature_map, by_hand, atol=1e-12)
        assert one.meaning == KERNEL_RECIPES[n][2]
        assert not one.weights.flags.writeable and not one.feature_map.flags.writeable
