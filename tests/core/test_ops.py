"""Convolution, padding and pooling against scipy, scikit-image and worked examples."""

import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import ndimage, signal
from skimage.measure import block_reduce

from meia_cnn import arithmetic as ar
from meia_cnn import ops


# -- references written straight from the formulas -----------------------------
def equation_1(image, kernel):
    """The slides' equation (1), summed literally, valid positions only."""
    kh, kw = kernel.shape
    h, w = image.shape
    out = np.zeros((h - kh + 1, w - kw + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            # output (i, j) sits at input centre (i + kh - 1, j + kw - 1) of the full
            # convolution; sum K[u, v] I[i - u, j - v] over the kernel's support
            ci, cj = i + kh - 1, j + kw - 1
            out[i, j] = sum(kernel[u, v] * image[ci - u, cj - v] for u in range(kh) for v in range(kw))
    return out


def dilate(kernel, d):
    kh, kw = kernel.shape[:2]
    out = np.zeros(((kh - 1) * d + 1, (kw - 1) * d + 1) + kernel.shape[2:], kernel.dtype)
    out[::d, ::d] = kernel
    return out


def reference_conv2d(x, k, stride, padding, dilation):
    """Multi-channel, multi-filter cross-correlation from scipy.signal.correlate2d."""
    (t, b), (l, r) = ar.padding_amounts(x.shape[:2], k.shape[:2], stride=stride, padding=padding, dilation=dilation)
    xp = np.pad(x, ((t, b), (l, r), (0, 0)))
    kd = dilate(k, dilation)
    out = np.stack(
        [
            sum(signal.correlate2d(xp[:, :, c], kd[:, :, c, f], mode="valid") for c in range(x.shape[2]))
            for f in range(k.shape[3])
        ],
        axis=-1,
    )
    return out[::stride, ::stride]


# -- hand-worked examples ---------------------------------------------------------
# Dumoulin & Visin (2016), Figure 1.1: a 5x5 input and a 3x3 kernel, stride 1, no padding.
GUIDE_INPUT = np.array([[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]])
GUIDE_KERNEL = np.array([[0, 1, 2], [2, 2, 0], [0, 1, 2]])
GUIDE_OUTPUT = np.array([[12, 12, 17], [10, 17, 19], [9, 6, 14]])


def test_hand_worked_cross_correlation():
    np.testing.assert_array_equal(ops.conv2d(GUIDE_INPUT, GUIDE_KERNEL), GUIDE_OUTPUT)


def test_hand_worked_convolution_flips_the_kernel():
    # First output by hand with equation (1): the kernel flipped, laid on the top-left 3x3.
    flipped = GUIDE_KERNEL[::-1, ::-1]
    assert (flipped * GUIDE_INPUT[:3, :3]).sum() == 2 * 3 + 1 * 3 + 0 + 0 + 2 * 0 + 2 * 1 + 2 * 3 + 1 * 1 + 0 == 18
    out = ops.convolve2d(GUIDE_INPUT, GUIDE_KERNEL)
    assert out[0, 0] == 18
    np.testing.assert_array_equal(out, equation_1(GUIDE_INPUT.astype(float), GUIDE_KERNEL.astype(float)))
    np.testing.assert_array_equal(out, ops.conv2d(GUIDE_INPUT, flipped))


def test_hand_worked_stride_and_padding():
    # Dumoulin & Visin Figure 2.7 setting: 5x5 input, 3x3 kernel, stride 2, padding 1 -> 3x3
    out = ops.conv2d(GUIDE_INPUT, GUIDE_KERNEL, stride=2, padding=1)
    assert out.shape == (3, 3)
    xp = np.pad(GUIDE_INPUT, 1)
    assert out[0, 0] == (xp[:3, :3] * GUIDE_KERNEL).sum()
    assert out[2, 1] == (xp[4:7, 2:5] * GUIDE_KERNEL).sum()


def test_hand_worked_max_pool():
    x = np.array([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]])
    np.testing.assert_array_equal(ops.max_pool2d(x), [[6, 8], [3, 4]])
    np.testing.assert_array_equal(ops.avg_pool2d(x), [[13 / 4, 21 / 4], [2, 2]])


def test_exercise_table_shapes_by_computation():
    x = np.zeros((28, 28, 3))
    k = np.zeros((3, 3, 3, 8))
    assert ops.conv2d(x, k).shape == (26, 26, 8)
    assert ops.conv2d(x, k, padding="same").shape == (28, 28, 8)
    assert ops.conv2d(x, k, stride=2).shape == (13, 13, 8)


# -- agreement with scipy on random cases -------------------------------------------
@pytest.mark.parametrize("mode", ["valid", "same", "full"])
@pytest.mark.parametrize("kshape", [(3, 3), (2, 2), (4, 3), (1, 5), (5, 5)])
def test_convolve2d_matches_scipy(mode, kshape):
    rng = np.random.default_rng(zlib.crc32(f"{mode} {kshape}".encode()))  # stable across processes
    image = rng.standard_normal((9, 11))
    kernel = rng.standard_normal(kshape)
    np.testing.assert_allclose(
        ops.convolve2d(image, kernel, mode=mode), signal.convolve2d(image, kernel, mode), atol=1e-12
    )


@pytest.mark.parametrize("mode", ["valid", "same", "full"])
def test_conv2d_2d_matches_correlate2d(mode):
    rng = np.random.default_rng(1)
    image = rng.standard_normal((10, 8))
    kernel = rng.standard_normal((3, 3))
    np.testing.assert_allclose(
        ops.conv2d(image, kernel, padding=mode), signal.correlate2d(image, kernel, mode), atol=1e-12
    )


@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("padding", ["valid", "same", "full", 1, 2])
@pytest.mark.parametrize("dilation", [1, 2])
def test_conv2d_multichannel_matches_scipy(stride, padding, dilation):
    rng = np.random.default_rng(stride * 100 + dilation)
    x = rng.standard_normal((13, 11, 3))
    k = rng.standard_normal((3, 3, 3, 4))
    expected = reference_conv2d(x, k, stride, padding, dilation)
    got = ops.conv2d(x, k, stride=stride, padding=padding, dilation=dilation)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-10)


def test_conv2d_asymmetric_padding_pairs_and_stride_pairs():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((9, 10, 2))
    k = rng.standard_normal((3, 2, 2, 3))
    got = ops.conv2d(x, k, stride=(2, 1), padding=((1, 0), (2, 1)))
    xp = np.pad(x, ((1, 0), (2, 1), (0, 0)))
    full = np.stack(
        [sum(signal.correlate2d(xp[..., c], k[:, :, c, f], "valid") for c in range(2)) for f in range(3)], -1
    )
    np.testing.assert_allclose(got, full[::2, ::1], atol=1e-12)


def test_conv2d_batch_bias_and_single_kernel_shapes():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 8, 8, 2))
    k = rng.standard_normal((3, 3, 2, 5))
    b = rng.standard_normal(5)
    out = ops.conv2d(x, k, b, padding="same")
    assert out.shape == (4, 8, 8, 5)
    for n in range(4):
        np.testing.assert_allclose(out[n], reference_conv2d(x[n], k, 1, "same", 1) + b, atol=1e-12)
    assert ops.conv2d(x[0], k[..., 0]).shape == (6, 6)  # (H,W,C) + (Kh,Kw,C)
    assert ops.conv2d(x, k[..., 0]).shape == (4, 6, 6)  # batch + one kernel
    assert ops.conv2d(x[0, :, :, 0], k[:, :, :1, :]).shape == (6, 6, 5)  # grey image + F filters
    np.testing.assert_allclose(
        ops.conv2d(x[0, ..., 0], k[..., 0, 0], bias=2.0), signal.correlate2d(x[0, ..., 0], k[..., 0, 0], "valid") + 2.0
    )


def test_pad_matches_numpy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 5, 6, 3))
    np.testing.assert_array_equal(ops.pad(x, ((1, 2), (0, 3))), np.pad(x, ((0, 0), (1, 2), (0, 3), (0, 0))))
    np.testing.assert_array_equal(
        ops.pad(x[0], 2, value=-1), np.pad(x[0], ((2, 2), (2, 2), (0, 0)), constant_values=-1)
    )
    assert ops.pad(x[0, ..., 0], "same", kernel_size=4).shape == (8, 9)
    assert ops.pad(x[0, ..., 0], "full", kernel_size=3).shape == (9, 10)
    y = ops.pad(x, "valid")
    assert y is not x and np.shares_memory(y, x) is False


def test_sliding_windows_is_a_view():
    x = np.arange(36.0).reshape(6, 6)
    w = ops.sliding_windows(x, 3, stride=2, dilation=1)
    assert w.shape == (2, 2, 3, 3) and np.shares_memory(w, x)
    np.testing.assert_array_equal(w[1, 1], x[2:5, 2:5])
    wd = ops.sliding_windows(x, 2, dilation=2)
    np.testing.assert_array_equal(wd[0, 0], x[0:3:2, 0:3:2])


@pytest.mark.parametrize("size, stride", [(2, None), (3, 1), (3, 2), (2, 1), ((2, 3), (1, 2))])
def test_pools_match_ndimage(size, stride):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((11, 12, 3))
    kh, kw = (size, size) if isinstance(size, int) else size
    sh, sw = (kh, kw) if stride is None else ((stride, stride) if isinstance(stride, int) else stride)
    oh, ow = ar.pool_output_size((11, 12), (kh, kw), stride=(sh, sw))
    origin = (-(kh // 2), -(kw // 2), 0)
    mx = ndimage.maximum_filter(x, size=(kh, kw, 1), origin=origin)[::sh, ::sw][:oh, :ow]
    av = ndimage.uniform_filter(x, size=(kh, kw, 1), origin=origin)[::sh, ::sw][:oh, :ow]
    np.testing.assert_allclose(ops.max_pool2d(x, size, stride=stride), mx)
    np.testing.assert_allclose(ops.avg_pool2d(x, size, stride=stride), av, atol=1e-12)


def test_pools_match_block_reduce():
    x = np.random.default_rng(2).random((3, 8, 12, 4))
    np.testing.assert_allclose(ops.max_pool2d(x, 2), block_reduce(x, (1, 2, 2, 1), np.max))
    np.testing.assert_allclose(ops.avg_pool2d(x, (2, 3)), block_reduce(x, (1, 2, 3, 1), np.mean))


def test_max_pool_indices_point_at_the_maxima():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 7, 9, 3))
    for padding in ["valid", "same", 1]:
        out, idx = ops.max_pool2d(x, 3, stride=2, padding=padding, return_indices=True)
        assert idx.shape == out.shape + (2,)
        n, i, j, c = np.indices(out.shape)
        np.testing.assert_array_equal(x[n, idx[..., 0], idx[..., 1], c], out)
    out2, idx2 = ops.max_pool2d(x[0, :, :, 0], 2, return_indices=True)
    assert idx2.shape == out2.shape + (2,)
    np.testing.assert_array_equal(x[0, idx2[..., 0], idx2[..., 1], 0], out2)


def test_pool_padding_never_wins_and_avg_excludes_padding():
    x = -np.ones((3, 3))
    np.testing.assert_array_equal(ops.max_pool2d(x, 2, padding="same"), -np.ones((2, 2)))
    np.testing.assert_array_equal(ops.avg_pool2d(x, 2, padding="same"), -np.ones((2, 2)))


def test_conv1x1_is_a_1x1_conv2d():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 6, 7))
    w = rng.standard_normal((7, 3))
    b = rng.standard_normal(3)
    np.testing.assert_allclose(ops.conv1x1(x, w, b), ops.conv2d(x, w[None, None], b), atol=1e-12)
    assert ops.conv1x1(x[None], w[None, None]).shape == (1, 5, 6, 3)


@pytest.mark.parametrize("n, k", [(4, 1), (6, 3), (7, 2), (5, 5)])
def test_conv_as_matrix_is_the_layer(n, k):
    rng = np.random.default_rng(n * 10 + k)
    kernel = rng.standard_normal((k, k))
    x = rng.standard_normal((n, n))
    m = ops.conv_as_matrix(n, kernel)
    assert m.shape == ((n - k + 1) ** 2, n * n)
    np.testing.assert_allclose(m @ x.ravel(), ops.conv2d(x, kernel).ravel())
    np.testing.assert_allclose(m @ x.ravel(), signal.correlate2d(x, kernel, mode="valid").ravel())
    # built by hand: output (r, c) sees input (r + u, c + v) with weight kernel[u, v]
    g = n - k + 1
    hand = np.zeros((g * g, n * n))
    for r in range(g):
        for c in range(g):
            for u in range(k):
                for v in range(k):
                    hand[r * g + c, (r + u) * n + (c + v)] = kernel[u, v]
    np.testing.assert_allclose(m, hand)


@pytest.mark.parametrize(
    "shape, kshape, kwargs",
    [
        ((5, 7), (2, 3), {}),
        ((6, 6), (3, 3), dict(stride=2, padding="same")),
        ((7, 5), (3, 2), dict(padding=1, dilation=2)),
        ((4, 4), (3, 3), dict(padding="full")),
    ],
)
def test_conv_as_matrix_matches_conv2d_with_stride_padding_dilation(shape, kshape, kwargs):
    rng = np.random.default_rng(7)
    kernel = rng.standard_normal(kshape)
    x = rng.standard_normal(shape)
    y = ops.conv2d(x, kernel, **kwargs)
    m = ops.conv_as_matrix(shape, kernel, **kwargs)
    assert m.shape == (y.size, x.size)
    np.testing.assert_allclose(m @ x.ravel(), y.ravel(), atol=1e-12)


def test_conv_as_matrix_errors():
    with pytest.raises(ValueError, match="kernel_size=3 is larger than the padded input"):
        ops.conv_as_matrix(2, np.ones((3, 3)))
    with pytest.raises(ValueError, match="`kernel`"):
        ops.conv_as_matrix(4, np.ones((2, 2, 1)))
    with pytest.raises(TypeError, match="`input_size` must be an int or a pair"):
        ops.conv_as_matrix(4.0, np.ones((2, 2)))


# -- dtypes ----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_kept(dtype):
    x = np.ones((6, 6, 2), dtype)
    k = np.ones((3, 3, 2, 4), dtype)
    assert ops.conv2d(x, k).dtype == dtype
    assert ops.max_pool2d(x).dtype == dtype
    assert ops.avg_pool2d(x).dtype == dtype
    assert ops.pad(x, 1).dtype == dtype
    assert ops.convolve2d(x[..., 0], k[..., 0, 0]).dtype == dtype
    assert ops.conv1x1(x, k[0, 0]).dtype == dtype


@pytest.mark.parametrize("dtype", [np.uint8, np.int32, bool, np.float16])
def test_other_dtypes_compute_in_float64(dtype):
    x = np.ones((5, 5), dtype)
    assert ops.conv2d(x, np.ones((3, 3), dtype)).dtype == np.float64
    assert ops.max_pool2d(x).dtype == np.float64


def test_inputs_are_never_modified():
    x = np.arange(25.0).reshape(5, 5)
    k = np.ones((3, 3))
    x0, k0 = x.copy(), k.copy()
    ops.conv2d(x, k, padding="same", bias=1.0)
    ops.convolve2d(x, k, mode="full")
    ops.max_pool2d(x, return_indices=True)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(k, k0)


# -- properties ----------------------------------------------------------------------
conv_cases = st.fixed_dictionaries(
    {
        "h": st.integers(1, 12),
        "w": st.integers(1, 12),
        "c": st.integers(1, 3),
        "f": st.integers(1, 3),
        "k": st.integers(1, 4),
        "s": st.integers(1, 3),
        "d": st.integers(1, 2),
        "padding": st.sampled_from(["valid", "same", "full", 0, 1, 2]),
        "seed": st.integers(0, 2**16),
    }
)


def _case(p):
    rng = np.random.default_rng(p["seed"])
    x = rng.standard_normal((p["h"], p["w"], p["c"]))
    k = rng.standard_normal((p["k"], p["k"], p["c"], p["f"]))
    return rng, x, k


def _fits(p):
    try:
        ar.output_size((p["h"], p["w"]), p["k"], stride=p["s"], padding=p["padding"], dilation=p["d"])
    except ValueError:
        return False
    return True


@settings(max_examples=150, deadline=None)
@given(conv_cases)
def test_shape_always_equals_output_size(p):
    _, x, k = _case(p)
    if not _fits(p):
        with pytest.raises(ValueError, match="is larger than the padded input"):
            ops.conv2d(x, k, stride=p["s"], padding=p["padding"], dilation=p["d"])
        return
    out = ops.conv2d(x, k, stride=p["s"], padding=p["padding"], dilation=p["d"])
    assert out.shape == ar.feature_map_shape(
        x.shape, p["f"], p["k"], stride=p["s"], padding=p["padding"], dilation=p["d"]
    )


@settings(max_examples=100, deadline=None)
@given(conv_cases, st.floats(-3, 3), st.floats(-3, 3))
def test_conv2d_is_linear_in_input_and_kernel(p, a, b):
    if not _fits(p):
        return
    rng, x, k = _case(p)
    y = rng.standard_normal(x.shape)
    k2 = rng.standard_normal(k.shape)
    kw = dict(stride=p["s"], padding=p["padding"], dilation=p["d"])
    np.testing.assert_allclose(
        ops.conv2d(a * x + b * y, k, **kw), a * ops.conv2d(x, k, **kw) + b * ops.conv2d(y, k, **kw), atol=1e-9
    )
    np.testing.assert_allclose(
        ops.conv2d(x, a * k + b * k2, **kw), a * ops.conv2d(x, k, **kw) + b * ops.conv2d(x, k2, **kw), atol=1e-9
    )


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**16))
def test_convolving_a_delta_returns_the_kernel(kh, kw, seed):
    kernel = np.random.default_rng(seed).standard_normal((kh, kw))
    delta = np.zeros((2 * kh - 1, 2 * kw - 1))
    delta[kh - 1, kw - 1] = 1.0
    # true convolution (equation (1)) reproduces the kernel; the cross-correlation a CNN
    # layer computes returns the kernel flipped
    np.testing.assert_allclose(ops.convolve2d(delta, kernel, mode="valid"), kernel)
    np.testing.assert_allclose(ops.convolve2d(np.ones((1, 1)), kernel, mode="full"), kernel)
    np.testing.assert_allclose(ops.conv2d(delta, kernel), kernel[::-1, ::-1])


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 10), st.integers(1, 10), st.integers(1, 3), st.integers(1, 3), st.integers(0, 2**16))
def test_max_pool_is_at_least_avg_pool(h, w, size, stride, seed):
    if size > min(h, w):
        return
    x = np.random.default_rng(seed).standard_normal((h, w, 2))
    assert np.all(ops.max_pool2d(x, size, stride=stride) >= ops.avg_pool2d(x, size, stride=stride) - 1e-12)


@settings(max_examples=50, deadline=None)
@given(conv_cases)
def test_float32_in_float32_out(p):
    if not _fits(p):
        return
    _, x, k = _case(p)
    out = ops.conv2d(x.astype(np.float32), k.astype(np.float32), stride=p["s"], padding=p["padding"], dilation=p["d"])
    assert out.dtype == np.float32


# -- bad input: one test per rule -------------------------------------------------------
def test_error_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"kernel_size=7 is larger than the padded input \(5\) for padding='valid'"):
        ops.conv2d(np.ones((5, 5)), np.ones((7, 7)))


def test_error_stride_zero():
    with pytest.raises(ValueError, match="`stride` must be >= 1, got 0"):
        ops.conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=0)


def test_error_stride_not_int():
    with pytest.raises(TypeError, match=r"`stride` must be an int or a pair of ints \(h, w\), got 1.5"):
        ops.conv2d(np.ones((5, 5)), np.ones((3, 3)), stride=1.5)


def test_error_dilation_below_one():
    with pytest.raises(ValueError, match="`dilation` must be >= 1, got 0"):
        ops.conv2d(np.ones((5, 5)), np.ones((3, 3)), dilation=0)


def test_error_unknown_padding():
    with pytest.raises(ValueError, match="`padding` must be 'valid', 'same', 'full'.*got 'half'"):
        ops.conv2d(np.ones((5, 5)), np.ones((3, 3)), padding="half")


def test_error_kernel_depth():
    with pytest.raises(ValueError, match=r"kernel depth K_d=2 must equal the input depth I_d=3 \(equation \(2\)\)"):
        ops.conv2d(np.ones((5, 5, 3)), np.ones((3, 3, 2, 4)))


def test_error_input_ndim():
    with pytest.raises(ValueError, match=r"`x` must be 2-D \(H, W\), 3-D \(H, W, C\) or 4-D \(N, H, W, C\), got 5-D"):
        ops.conv2d(np.ones((1, 2, 5, 5, 3)), np.ones((3, 3, 3, 1)))
    with pytest.raises(ValueError, match="`x` must be .* got 1-D"):
        ops.max_pool2d(np.ones(5))


def test_error_kernel_ndim():
    with pytest.raises(ValueError, match="`kernels` must be .* got 1-D"):
        ops.conv2d(np.ones((5, 5)), np.ones(3))


def test_error_convolve2d_needs_2d():
    with pytest.raises(ValueError, match=r"`image` must be 2-D \(H, W\), got 3-D"):
        ops.convolve2d(np.ones((5, 5, 3)), np.ones((3, 3)))


def test_error_convolve2d_mode():
    with pytest.raises(ValueError, match="`mode` must be 'valid', 'same' or 'full', got 'circular'"):
        ops.convolve2d(np.ones((5, 5)), np.ones((3, 3)), mode="circular")


def test_error_non_numeric():
    with pytest.raises(TypeError, match="`x` must hold numbers, got dtype <U1"):
        ops.conv2d(np.array([["a", "b"], ["c", "d"]]), np.ones((1, 1)))
    with pytest.raises(TypeError, match="`kernels` must hold numbers"):
        ops.conv2d(np.ones((3, 3)), [[None, "x"], [1, 2]])
    with pytest.raises(TypeError, match="`x` must hold real numbers, got dtype complex128"):
        ops.conv2d(np.ones((3, 3), complex), np.ones((1, 1)))


def test_error_ragged_input():
    with pytest.raises(TypeError, match="`x` must be an array of numbers"):
        ops.conv2d([[1, 2], [3]], np.ones((1, 1)))


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_error_nan_input(bad):
    x = np.ones((5, 5))
    x[2, 2] = bad
    with pytest.raises(ValueError, match="`x` must be finite: it contains NaN or infinity"):
        ops.conv2d(x, np.ones((3, 3)))
    with pytest.raises(ValueError, match="`kernels` must be finite"):
        ops.conv2d(np.ones((5, 5)), np.full((3, 3), bad))


def test_error_bias_length():
    with pytest.raises(ValueError, match=r"`bias` must have shape \(F,\) = \(4,\), got shape \(3,\)"):
        ops.conv2d(np.ones((5, 5, 2)), np.ones((3, 3, 2, 4)), bias=np.ones(3))
    with pytest.raises(ValueError, match=r"`bias` must have a scalar or shape \(1,\)"):
        ops.conv2d(np.ones((5, 5)), np.ones((3, 3)), bias=[1.0, 2.0])


def test_error_pool_window_larger_than_input():
    with pytest.raises(ValueError, match=r"size=3 is larger than the padded input \(2\)"):
        ops.max_pool2d(np.ones((2, 2)), 3)
    with pytest.raises(ValueError, match=r"size=3 is larger than the padded input \(2\)"):
        ops.avg_pool2d(np.ones((2, 2)), 3)


def test_error_pool_stride_zero():
    with pytest.raises(ValueError, match="`stride` must be >= 1, got 0"):
        ops.max_pool2d(np.ones((4, 4)), 2, stride=0)


def test_error_pad_needs_kernel_for_same():
    with pytest.raises(ValueError, match=r"`kernel_size` is needed to compute padding='same'"):
        ops.pad(np.ones((4, 4)), "same")


def test_error_conv1x1_channels():
    with pytest.raises(ValueError, match="`weights` must have one row per input channel: x has C=3"):
        ops.conv1x1(np.ones((4, 4, 3)), np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"`weights` of a 1x1 convolution must be \(1, 1, C, F\)"):
        ops.conv1x1(np.ones((4, 4, 3)), np.ones((3, 3, 3, 5)))


def test_error_pool_padding_not_smaller_than_window():
    with pytest.raises(ValueError, match=r"`padding` must be smaller than the pooling window.*size=2"):
        ops.max_pool2d(np.ones((4, 4)), 2, padding=2)
    with pytest.raises(ValueError, match=r"`padding` must be smaller than the pooling window"):
        ops.avg_pool2d(np.ones((4, 4)), 1, padding=1)


# -- sliding_windows: its documented semantics, against windows cut by hand ----------------
@pytest.mark.parametrize("shape", [(7, 9), (7, 9, 2), (2, 7, 9, 3)])
@pytest.mark.parametrize("kernel, stride, dilation", [(3, 1, 1), ((2, 3), (2, 1), 1), (2, (1, 3), (2, 1)), (1, 4, 5)])
def test_sliding_windows_are_the_windows_cut_by_hand(shape, kernel, stride, dilation):
    rng = np.random.default_rng(11)
    x = rng.standard_normal(shape)
    (kh, kw), (sh, sw), (dh, dw) = ((v, v) if isinstance(v, int) else v for v in (kernel, stride, dilation))
    win = ops.sliding_windows(x, kernel, stride=stride, dilation=dilation)
    h, w = shape[1:3] if len(shape) == 4 else shape[:2]
    oh, ow = ar.output_size((h, w), (kh, kw), stride=(sh, sw), dilation=(dh, dw))
    x4 = x[None, ..., None] if x.ndim == 2 else x[None] if x.ndim == 3 else x
    expected = np.empty((x4.shape[0], oh, ow, kh, kw, x4.shape[3]))
    for i in range(oh):
        for j in range(ow):
            expected[:, i, j] = x4[
                :, i * sh : i * sh + dh * (kh - 1) + 1 : dh, j * sw : j * sw + dw * (kw - 1) + 1 : dw, :
            ]
    expected = expected[0, ..., 0] if x.ndim == 2 else expected[0] if x.ndim == 3 else expected
    assert win.shape == expected.shape and np.shares_memory(win, x) and not win.flags.writeable
    np.testing.assert_array_equal(win, expected)
