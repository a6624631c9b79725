"""Transposed convolution against independent references.

The references: the gradient of ``conv2d`` with respect to its input (the
Jacobian built column by column from basis images: exact, the map is
linear), the transpose of ``conv_as_matrix``, a literal sum written from the
definition, and cases worked by hand from Dumoulin & Visin's section 4.
"""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from meia_cnn import ops
from meia_cnn.arithmetic import conv_transpose_output_size
from meia_cnn.ops import conv_transpose2d, stretched_input, zero_insert


# -- references ---------------------------------------------------------------------
def conv2d_input_gradient(y, kernel, out_hw, stride, padding, dilation):
    """d/dz <y, conv2d(z, K')> for z of shape (O_h, O_w, F), K' = kernel with C_in, F swapped.

    Built from the Jacobian of ``conv2d`` one basis image at a time, so it shares no
    code with ``conv_transpose2d``.  The convolution's output is cut to ``y``'s size
    (it can be larger when the output padding is >= the stride).
    """
    h, w, c = y.shape
    kh, kw, _, f = kernel.shape
    forward_kernel = kernel.transpose(0, 1, 3, 2)  # (Kh, Kw, F, C_in): maps F -> C_in
    size = out_hw[0] * out_hw[1] * f
    basis = np.eye(size).reshape(size, out_hw[0], out_hw[1], f)
    maps = ops.conv2d(basis, forward_kernel, stride=stride, padding=padding, dilation=dilation)
    jac = maps[:, :h, :w, :].reshape(size, -1)  # (inputs of the convolution, outputs)
    return (jac @ y.ravel()).reshape(out_hw[0], out_hw[1], f)


def literal_sum(x, kernel, stride, padding, output_padding, dilation):
    """The definition summed with Python loops: every input pixel stamps the kernel."""
    h, w, c = x.shape
    kh, kw, _, f = kernel.shape
    oh = stride * (h - 1) + dilation * (kh - 1) + 1 - 2 * padding + output_padding
    ow = stride * (w - 1) + dilation * (kw - 1) + 1 - 2 * padding + output_padding
    out = np.zeros((oh, ow, f))
    for i in range(h):
        for j in range(w):
            for u in range(kh):
                for v in range(kw):
                    m, n = stride * i - padding + dilation * u, stride * j - padding + dilation * v
                    if 0 <= m < oh and 0 <= n < ow:
                        out[m, n] += x[i, j] @ kernel[u, v]
    return out


# -- hand-worked, Dumoulin & Visin section 4 -----------------------------------------
X2 = np.array([[1.0, 2.0], [3.0, 4.0]])
K123 = np.arange(1.0, 10.0).reshape(3, 3)


@pytest.mark.parametrize(
    "i, k, s, p, a, expected",
    [
        (2, 3, 1, 0, 0, 4),  # figure 4.1: transpose of 4x4 -> 2x2
        (6, 4, 1, 2, 0, 5),  # figure 4.2: transpose of 5x5, k=4, p=2 -> 6x6
        (5, 3, 1, 1, 0, 5),  # figure 4.3: half padding keeps the size
        (7, 3, 1, 2, 0, 5),  # figure 4.4: full padding
        (2, 3, 2, 0, 0, 5),  # figure 4.5: stride 2
        (3, 3, 2, 1, 0, 5),  # figure 4.6: stride 2, padding 1
        (3, 3, 2, 1, 1, 6),  # figure 4.7: a = (6 + 2 - 3) mod 2 = 1
    ],
)
def test_output_size_of_the_guides_figures(i, k, s, p, a, expected):
    assert conv_transpose_output_size(i, k, stride=s, padding=p, output_padding=a) == expected
    out = conv_transpose2d(np.ones((i, i)), np.ones((k, k)), stride=s, padding=p, output_padding=a)
    assert out.shape == (expected, expected)
    # ... and the convolution it transposes maps that size back to i
    assert ops.conv2d(np.ones((expected, expected)), np.ones((k, k)), stride=s, padding=p).shape == (i, i)


def test_output_size_pairs_and_dilation():
    assert conv_transpose_output_size((2, 3), (3, 1), stride=(1, 2)) == (4, 5)
    assert conv_transpose_output_size(3, 3, dilation=2) == 7  # 2 + 2 * 2 + 1
    assert conv_transpose_output_size(3, 3, stride=1, dilation=2, output_padding=1) == 8
    assert conv_transpose_output_size(4, 3, padding=(0, 1)) == (6, 4)


def test_hand_worked_unit_stride_figure_4_1():
    # A 3x3 kernel of ones: each output counts the stamps covering it, weighted by x.
    expected = np.array([[1, 3, 3, 2], [4, 10, 10, 6], [4, 10, 10, 6], [3, 7, 7, 4]])
    np.testing.assert_array_equal(conv_transpose2d(X2, np.ones((3, 3))), expected)


def test_hand_worked_stride_two_figure_4_5():
    # Stamps 1K at (0, 0), 2K at (0, 2), 3K at (2, 0), 4K at (2, 2); they overlap on row/col 2.
    expected = np.array(
        [
            [1, 2, 3 + 2, 4, 6],
            [4, 5, 6 + 8, 10, 12],
            [7 + 3, 8 + 6, 9 + 14 + 9 + 4, 16 + 8, 18 + 12],
            [12, 15, 18 + 16, 20, 24],
            [21, 24, 27 + 28, 32, 36],
        ]
    )
    np.testing.assert_array_equal(conv_transpose2d(X2, K123, stride=2), expected)


def test_hand_worked_padding_removes_the_border_figure_4_6():
    full = conv_transpose2d(X2, K123, stride=2)
    np.testing.assert_array_equal(conv_transpose2d(X2, K123, stride=2, padding=1), full[1:-1, 1:-1])
    # output padding adds a row at the bottom and a column at the right, taken from the full output
    np.testing.assert_array_equal(conv_transpose2d(X2, K123, stride=2, padding=1, output_padding=1), full[1:, 1:])


def test_hand_worked_dilation():
    # Dilation 2: the taps of a 2x2 kernel land two pixels apart.
    out = conv_transpose2d(np.array([[5.0]]), np.array([[1.0, 2.0], [3.0, 4.0]]), dilation=2)
    np.testing.assert_array_equal(out, [[5, 0, 10], [0, 0, 0], [15, 0, 20]])


def test_zero_insert_spreads_the_input():
    np.testing.assert_array_equal(zero_insert(X2, 2), [[1, 0, 2], [0, 0, 0], [3, 0, 4]])
    np.testing.assert_array_equal(zero_insert(X2, (1, 3)), [[1, 0, 0, 2], [3, 0, 0, 4]])
    np.testing.assert_array_equal(zero_insert(X2, 1), X2)
    batch = np.arange(24.0).reshape(2, 3, 2, 2)
    spread = zero_insert(batch, 2)
    assert spread.shape == (2, 5, 3, 2)
    np.testing.assert_array_equal(spread[:, ::2, ::2], batch)
    assert spread.sum() == batch.sum()


def test_stretched_input_is_the_guides_picture():
    # Figure 4.5: 2x2 input, k = 3, s = 2: spread to 3x3, k - 1 = 2 zeros around.
    z = stretched_input(X2, 3, stride=2)
    assert z.shape == (7, 7)
    np.testing.assert_array_equal(z[2:5, 2:5], zero_insert(X2, 2))
    assert z.sum() == X2.sum()
    # Figure 4.6: padding 1 leaves k - p - 1 = 1 zero around; output padding one more at bottom/right.
    np.testing.assert_array_equal(stretched_input(X2, 3, stride=2, padding=1), np.pad(zero_insert(X2, 2), 1))
    np.testing.assert_array_equal(
        stretched_input(X2, 3, stride=2, padding=1, output_padding=1),
        np.pad(zero_insert(X2, 2), ((1, 2), (1, 2))),
    )
    # Padding larger than d (k - 1) cuts the spread input.
    np.testing.assert_array_equal(
        stretched_input(np.arange(16.0).reshape(4, 4), 2, padding=2), np.arange(16.0).reshape(4, 4)[1:3, 1:3]
    )


# -- the transpose of the convolution matrix -----------------------------------------
@pytest.mark.parametrize(
    "size, kshape, kwargs",
    [
        (4, (3, 3), {}),
        (5, (3, 3), {"stride": 2}),
        (5, (3, 3), {"stride": 2, "padding": 1}),
        ((6, 5), (2, 3), {"stride": (2, 1), "padding": (1, 0)}),
        (7, (3, 2), {"dilation": 2}),
        (8, (3, 3), {"stride": 3, "dilation": 2, "padding": 2}),
    ],
)
def test_is_the_transpose_of_the_convolution_matrix(size, kshape, kwargs):
    rng = np.random.default_rng(12)
    k = rng.standard_normal(kshape)
    c = ops.conv_as_matrix(size, k, **kwargs)
    out_hw = ops.conv2d(np.zeros(np.broadcast_to(size, 2)), k, **kwargs).shape
    y = rng.standard_normal(out_hw)
    h, w = np.broadcast_to(size, 2)
    # The output padding that gives back the convolution's input size exactly.
    s = np.broadcast_to(kwargs.get("stride", 1), 2)
    p = np.broadcast_to(kwargs.get("padding", 0), 2)
    d = np.broadcast_to(kwargs.get("dilation", 1), 2)
    a = tuple(int((n + 2 * pp - dd * (kk - 1) - 1) % ss) for n, pp, dd, kk, ss in zip((h, w), p, d, kshape, s))
    got = conv_transpose2d(y, k, output_padding=a, **kwargs)
    assert got.shape == (h, w)
    np.testing.assert_allclose(got.ravel(), c.T @ y.ravel(), atol=1e-12)


def test_adjoint_identity():
    # <conv(z), y> == <z, conv_transpose(y)>, the definition of the transpose.
    rng = np.random.default_rng(3)
    k = rng.standard_normal((3, 3, 2, 4))  # transposed: 2 -> 4 channels
    z = rng.standard_normal((2, 7, 7, 4))
    conv = ops.conv2d(z, k.transpose(0, 1, 3, 2), stride=2, padding=1)  # 4 -> 2 channels, 7x7 -> 4x4
    assert conv.shape == (2, 4, 4, 2)
    y4 = rng.standard_normal((2, 4, 4, 2))
    back = conv_transpose2d(y4, k, stride=2, padding=1)
    assert back.shape == z.shape
    np.testing.assert_allclose(np.vdot(conv, y4), np.vdot(z, back), rtol=1e-12)


# -- the gradient of conv2d ---------------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"stride": 2},
        {"stride": 2, "padding": 1, "output_padding": 1},
        {"stride": 3, "padding": 2, "dilation": 2},
        {"dilation": 3, "output_padding": 2},
    ],
)
def test_equals_the_input_gradient_of_conv2d(kwargs):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 4, 2))
    k = rng.standard_normal((3, 2, 2, 3))
    got = conv_transpose2d(x, k, **kwargs)
    ref = conv2d_input_gradient(
        x, k, got.shape[:2], kwargs.get("stride", 1), kwargs.get("padding", 0), kwargs.get("dilation", 1)
    )
    np.testing.assert_allclose(got, ref, atol=1e-12)


def test_equals_a_finite_difference_gradient_of_conv2d():
    # Central differences of L(z) = <y, conv2d(z, K')> along random directions.
    rng = np.random.default_rng(8)
    y = rng.standard_normal((3, 3, 2))
    k = rng.standard_normal((3, 3, 2, 2))
    grad = conv_transpose2d(y, k, stride=2, padding=1)
    z = rng.standard_normal(grad.shape)

    def loss(zz):
        return np.vdot(y, ops.conv2d(zz, k.transpose(0, 1, 3, 2), stride=2, padding=1))

    for _ in range(3):
        v = rng.standard_normal(z.shape)
        eps = 1e-4
        numeric = (loss(z + eps * v) - loss(z - eps * v)) / (2 * eps)
        assert numeric == pytest.approx(np.vdot(grad, v), rel=1e-7)


# -- the equivalent direct convolution ------------------------------------------------
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"stride": 2},
        {"stride": 2, "padding": 1},
        {"stride": 2, "padding": 1, "output_padding": 1},
        {"padding": 3},
        {"dilation": 2, "padding": 1},
        {"stride": (3, 1), "dilation": (1, 2), "padding": (0, 2)},
    ],
)
def test_direct_convolution_of_the_stretched_input_with_the_flipped_kernel(kwargs):
    rng = np.random.default_rng(21)
    x = rng.standard_normal((6, 7))
    k = rng.standard_normal((3, 3))
    z = stretched_input(x, k.shape, **kwargs)
    direct = ops.conv2d(z, k[::-1, ::-1], dilation=kwargs.get("dilation", 1))
    np.testing.assert_allclose(direct, conv_transpose2d(x, k, **kwargs), atol=1e-12)


def test_direct_convolution_with_channels():
    rng = np.random.default_rng(22)
    x = rng.standard_normal((2, 3, 3, 2))
    k = rng.standard_normal((2, 3, 2, 4))
    z = stretched_input(x, (2, 3), stride=2, padding=1, output_padding=1)
    direct = ops.conv2d(z, k[::-1, ::-1])
    np.testing.assert_allclose(direct, conv_transpose2d(x, k, stride=2, padding=1, output_padding=1), atol=1e-12)


# -- random cases -----------------------------------------------------------------------
@st.composite
def transposed_cases(draw):
    s = draw(st.integers(1, 3))
    d = draw(st.integers(1, 3))
    k = draw(st.integers(1, 4))
    i = draw(st.integers(1, 4))
    p = draw(st.integers(0, 3))
    a = draw(st.integers(0, max(s, d) - 1))
    c = draw(st.integers(1, 2))
    f = draw(st.integers(1, 2))
    seed = draw(st.integers(0, 2**16))
    return i, k, s, p, a, d, c, f, seed


@settings(max_examples=150, deadline=None)
@given(transposed_cases())
def test_random_cases_match_every_reference(case):
    i, k, s, p, a, d, c, f, seed = case
    o = s * (i - 1) + d * (k - 1) + 1 - 2 * p + a
    assume(o >= 1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((i, i + 1, c))
    kern = rng.standard_normal((k, k, c, f))
    got = conv_transpose2d(x, kern, stride=s, padding=p, output_padding=a, dilation=d)
    assert got.shape == (o, o + s, f)
    assert conv_transpose_output_size((i, i + 1), k, stride=s, padding=p, output_padding=a, dilation=d) == (o, o + s)
    np.testing.assert_allclose(got, literal_sum(x, kern, s, p, a, d), atol=1e-10)
    np.testing.assert_allclose(got, conv2d_input_gradient(x, kern, got.shape[:2], s, p, d), atol=1e-10)
    z = stretched_input(x, k, stride=s, padding=p, output_padding=a, dilation=d)
    np.testing.assert_allclose(got, ops.conv2d(z, kern[::-1, ::-1], dilation=d), atol=1e-10)


def test_matches_torch_when_installed():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(30)
    x = rng.standard_normal((2, 4, 5, 3))
    k = rng.standard_normal((3, 2, 3, 4))
    layer = torch.nn.functional.conv_transpose2d
    ref = (
        layer(
            torch.from_numpy(x.transpose(0, 3, 1, 2)),
            torch.from_numpy(k.transpose(2, 3, 0, 1)),
            stride=2,
            padding=1,
            output_padding=1,
            dilation=2,
        )
        .numpy()
        .transpose(0, 2, 3, 1)
    )
    got = conv_transpose2d(x, k, stride=2, padding=1, output_padding=1, dilation=2)
    np.testing.assert_allclose(got, ref, atol=1e-10)


# -- shapes and dtypes ------------------------------------------------------------------
def test_shapes():
    assert conv_transpose2d(np.ones((3, 3)), np.ones((2, 2))).shape == (4, 4)
    assert conv_transpose2d(np.ones((3, 3)), np.ones((2, 2, 1, 5))).shape == (4, 4, 5)
    assert conv_transpose2d(np.ones((3, 3, 2)), np.ones((2, 2, 2, 5))).shape == (4, 4, 5)
    assert conv_transpose2d(np.ones((6, 3, 3, 2)), np.ones((2, 2, 2, 5)), stride=2).shape == (6, 6, 6, 5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_kept(dtype):
    x = np.ones((3, 3, 2), dtype=dtype)
    k = np.ones((2, 2, 2, 1), dtype=dtype)
    assert conv_transpose2d(x, k, stride=2).dtype == dtype
    assert zero_insert(x, 2).dtype == dtype
    assert stretched_input(x, 2, stride=2).dtype == dtype


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, bool, np.float16])
def test_other_dtypes_compute_in_float64(dtype):
    out = conv_transpose2d(np.ones((2, 2), dtype=dtype), np.ones((2, 2), dtype=dtype))
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_inputs_are_never_modified():
    x, k = X2.copy(), K123.copy()
    conv_transpose2d(x, k, stride=2, padding=1)
    zero_insert(x, 2)
    stretched_input(x, 3, stride=2, padding=2)
    np.testing.assert_array_equal(x, X2)
    np.testing.assert_array_equal(k, K123)


# -- errors -----------------------------------------------------------------------------
def test_error_output_padding_not_below_stride_or_dilation():
    with pytest.raises(ValueError, match=r"`output_padding` must be smaller than max\(stride, dilation\) = 2, got 2"):
        conv_transpose2d(X2, K123, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"`output_padding` must be smaller than max\(stride, dilation\) = 1, got 1"):
        conv_transpose_output_size(3, 3, output_padding=1)
    assert conv_transpose_output_size(3, 3, dilation=3, output_padding=2) == 11  # 2 + 6 + 1 + 2


def test_error_padding_leaves_nothing():
    with pytest.raises(ValueError, match=r"`padding`=2 removes 4 rows or columns from an output of 3, leaving -1"):
        conv_transpose2d(np.ones((1, 1)), np.ones((3, 3)), padding=2)
    with pytest.raises(ValueError, match="the output would be empty"):
        conv_transpose_output_size(1, 3, padding=(0, 2))


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"stride": 0}, ValueError, r"`stride` must be >= 1, got 0"),
        ({"stride": 1.5}, TypeError, r"`stride` must be an int or a pair of ints"),
        ({"dilation": (1, 0)}, ValueError, r"`dilation` must be >= 1, got \(1, 0\)"),
        ({"padding": -1}, ValueError, r"`padding` must be >= 0, got -1"),
        ({"padding": "same"}, TypeError, r"`padding` of a transposed convolution must be an int or a pair"),
        ({"output_padding": -1}, ValueError, r"`output_padding` must be >= 0, got -1"),
        ({"stride": (1, 2, 3)}, TypeError, r"`stride` must be an int or a pair of ints \(h, w\), got \(1, 2, 3\)"),
        ({"padding": True}, TypeError, r"`padding` must be an int or a pair of ints"),
    ],
)
def test_error_bad_sizes(kwargs, error, message):
    with pytest.raises(error, match=message):
        conv_transpose2d(X2, K123, **kwargs)
    with pytest.raises(error, match=message):
        conv_transpose_output_size(2, 3, **kwargs)


def test_error_kernel_depth():
    with pytest.raises(ValueError, match=r"the kernel's input depth C_in=3 must equal the input depth 2"):
        conv_transpose2d(np.ones((3, 3, 2)), np.ones((2, 2, 3, 4)))


def test_error_kernel_shapes():
    with pytest.raises(ValueError, match=r"a 2-D `kernel` \(Kh, Kw\) needs a 2-D `x` \(H, W\)"):
        conv_transpose2d(np.ones((3, 3, 1)), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"`kernel` must be 2-D \(H, W\) or 4-D"):
        conv_transpose2d(np.ones((3, 3, 2)), np.ones((2, 2, 2)))


def test_error_input():
    with pytest.raises(ValueError, match=r"`x` must be 2-D \(H, W\), 3-D \(H, W, C\) or 4-D"):
        conv_transpose2d(np.ones(3), np.ones((2, 2)))
    with pytest.raises(TypeError, match=r"`x` must hold numbers"):
        conv_transpose2d(np.array([["a", "b"]]), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"`kernel` must be finite"):
        conv_transpose2d(X2, np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match=r"`x` must be 2-D"):
        zero_insert(np.ones(4), 2)
    with pytest.raises(ValueError, match=r"`stride` must be >= 1, got 0"):
        zero_insert(X2, 0)
