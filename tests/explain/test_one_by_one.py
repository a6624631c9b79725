"""one_by_one_state against einsum, hand-written costs and the core's arithmetic; the explorer's inputs."""

import numpy as np
import pytest

from meia_cnn import arithmetic
from meia_cnn.explain.one_by_one import MAX_CHANNELS, MAX_FILTERS, one_by_one_inputs, one_by_one_state


@pytest.mark.parametrize("h, w, c, f", [(1, 1, 1, 1), (6, 6, 8, 3), (3, 5, 16, 8)])
def test_against_einsum_and_hand_counts(h, w, c, f):
    rng = np.random.default_rng(7)
    x = rng.integers(0, 10, size=(h, w, c)).astype(float)
    weights = rng.choice([-2.0, -1.0, 1.0, 2.0], size=(c, f))
    r, col, k = h - 1, w // 2, f - 1
    state = one_by_one_state(x, weights, row=r, col=col, kernel=k)
    np.testing.assert_allclose(state.output, np.einsum("hwc,cf->hwf", x, weights))
    assert state.output_shape == (h, w, f)
    np.testing.assert_array_equal(state.pixel, x[r, col])
    np.testing.assert_array_equal(state.kernel_weights, weights[:, k])
    np.testing.assert_allclose(state.products, x[r, col] * weights[:, k])
    assert state.value == pytest.approx(float(x[r, col] @ weights[:, k]))
    for size in (1, 3, 5):
        cost = state.costs[f"{size}x{size}"]
        assert cost["params"] == size * size * c * f + f == arithmetic.conv_params(c, f, size)
        assert cost["macs"] == h * w * f * size * size * c
    assert not state.output.flags.writeable


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(row=2), "`row` must be less than 2"),
        (dict(kernel=3), "`kernel` must be less than 3"),
        (dict(col=-1), "col"),
    ],
)
def test_errors_name_the_parameter(kwargs, match):
    with pytest.raises(ValueError, match=match):
        one_by_one_state(np.ones((2, 2, 4)), np.ones((4, 3)), **kwargs)


def test_weights_must_match_the_depth():
    with pytest.raises(ValueError, match="one row per input channel"):
        one_by_one_state(np.ones((2, 2, 4)), np.ones((3, 3)))


@pytest.mark.parametrize("h, w, c, f", [(1, 1, 1, 1), (6, 6, 8, 3), (3, 5, 16, 8)])
def test_every_pixel_is_computed_at_once(h, w, c, f):
    """pixels[r * W + col] is pixel (r, col)'s dot product with the kernel, as einsum gives it."""
    rng = np.random.default_rng(11)
    x = rng.integers(0, 10, size=(h, w, c)).astype(float)
    weights = rng.choice([-2.0, -1.0, 1.0, 2.0], size=(c, f))
    k = f - 1
    state = one_by_one_state(x, weights, kernel=k)
    expected = np.einsum("hwc,cf->hwf", x, weights)
    assert len(state.pixels) == h * w
    for r in range(h):
        for col in range(w):
            here = state.pixels[r * w + col]
            assert (here.row, here.col) == (r, col)
            np.testing.assert_array_equal(here.pixel, x[r, col])
            np.testing.assert_array_equal(here.products, x[r, col] * weights[:, k])
            assert here.value == pytest.approx(expected[r, col, k])
            assert not here.pixel.flags.writeable and not here.products.flags.writeable
            one = one_by_one_state(x, weights, row=r, col=col, kernel=k)  # the pixel asked for alone
            np.testing.assert_array_equal(one.products, here.products)
            assert one.value == here.value


def test_the_default_inputs_are_small_seeded_integers():
    x, w = one_by_one_inputs(3, 5, seed=4)
    rng = np.random.default_rng(4)  # drawn in this order: the volume, then the kernels
    np.testing.assert_array_equal(x, rng.integers(0, 10, size=(3, 5, MAX_CHANNELS)))
    np.testing.assert_array_equal(w, rng.choice([-2.0, -1.0, 1.0, 2.0], size=(MAX_CHANNELS, MAX_FILTERS)))
    assert x.dtype == w.dtype == np.float64


def test_ones_own_inputs_are_kept_and_a_1x1_kernel_array_is_read_as_a_matrix():
    x, w = np.arange(12.0).reshape(2, 2, 3), np.arange(6.0).reshape(1, 1, 3, 2)
    got_x, got_w = one_by_one_inputs(x=x, weights=w)
    np.testing.assert_array_equal(got_x, x)
    np.testing.assert_array_equal(got_w, w[0, 0])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(height=13), ValueError, r"`height` must be between 1 and 12 \(drawn cell by cell\), got 13"),
        (dict(x=np.ones((2, 2, 17))), ValueError, r"`x depth` must be between 1 and 16 \(one number per channel"),
        (
            dict(x=np.ones((2, 2, 3)), weights=np.ones((3, 9))),
            ValueError,
            r"`weights columns \(F\)` must be between 1 and 8",
        ),
        (dict(seed=-1), ValueError, "`seed` must be >= 0, got -1"),
        (dict(width=2.0), TypeError, "`width` must be an int"),
    ],
)
def test_bad_inputs_name_the_parameter(kwargs, error, match):
    with pytest.raises(error, match=match):
        one_by_one_inputs(**kwargs)
