"""meia_cnn.explain.convolution: every step against scipy and by hand, without widgets."""

import numpy as np
import pytest
from scipy import signal

from meia_cnn.explain.convolution import convolution_state, convolution_steps, filter_photo


@pytest.mark.parametrize("flip", [True, False])
@pytest.mark.parametrize("shape, k", [((7, 7), 3), ((4, 6), 3), ((9, 5), 5), ((3, 3), 3)])
def test_every_step_against_scipy(flip, shape, k):
    rng = np.random.default_rng(7)
    grid = rng.integers(-5, 10, shape).astype(float)
    kernel = rng.integers(-3, 4, (k, k)).astype(float)
    s = convolution_steps(grid, kernel, flip=flip)
    expected = (signal.convolve2d if flip else signal.correlate2d)(grid, kernel, mode="valid")
    np.testing.assert_allclose(s.output, expected)
    np.testing.assert_array_equal(s.applied, kernel[::-1, ::-1] if flip else kernel)
    assert len(s.steps) == expected.size
    for n, step in enumerate(s.steps):
        i, j = divmod(n, expected.shape[1])
        assert step.position == (i, j)
        np.testing.assert_array_equal(step.window, grid[i : i + k, j : j + k])
        np.testing.assert_allclose(step.products, grid[i : i + k, j : j + k] * s.applied)
        assert step.sum == pytest.approx(expected[i, j])
        so_far = s.so_far(n)
        assert np.isnan(so_far.ravel()[n + 1 :]).all()
        np.testing.assert_allclose(so_far.ravel()[: n + 1], expected.ravel()[: n + 1])


def test_by_hand():
    """The slides' example: a horizontal difference kernel over a ramp."""
    grid = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[0.0, 0, 0], [1, 0, -1], [0, 0, 0]])
    conv = convolution_steps(grid, kernel)  # flipped: +1 right, -1 left: I[j+1] - I[j-1] = 2
    corr = convolution_steps(grid, kernel, flip=False)  # as is: I[j-1] - I[j+1] = -2
    assert conv.output.tolist() == [[2.0, 2.0], [2.0, 2.0]]
    assert corr.output.tolist() == [[-2.0, -2.0], [-2.0, -2.0]]
    assert not conv.symmetric
    assert not conv.output.flags.writeable and not conv.steps[0].products.flags.writeable


def test_filtered_photo_is_same_size():
    rng = np.random.default_rng(3)
    photo = rng.random((20, 30))
    kernel = rng.normal(size=(5, 5))
    np.testing.assert_allclose(filter_photo(photo, kernel), signal.convolve2d(photo, kernel, mode="same"))
    np.testing.assert_allclose(filter_photo(photo, kernel, flip=False), signal.correlate2d(photo, kernel, mode="same"))
    state = convolution_state(np.ones((5, 5)), kernel, photo, flip=False)
    np.testing.assert_allclose(state.filtered, signal.correlate2d(photo, kernel, mode="same"))


@pytest.mark.parametrize(
    "image, kernel, match",
    [
        (np.ones((3, 3)), np.ones((5, 5)), "larger than the padded input"),
        (np.ones((3, 3)), [[1, np.nan, 1]] * 3, "kernel"),
        (np.ones(3), np.ones((3, 3)), "image"),
    ],
)
def test_the_core_refuses_the_impossible(image, kernel, match):
    with pytest.raises(ValueError, match=match):
        convolution_steps(image, kernel)
