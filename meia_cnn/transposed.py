"""Transposed convolution: the second half of Dumoulin & Visin's guide.

A convolution maps a large input to a smaller output; its *transpose* goes
the other way, from the output's shape back to the input's.  It is what a
network uses to upsample (decoders, segmentation, generators), and it is
exactly the backward pass of a convolution with respect to its input.

Three equivalent views, all in this module:

* **the transpose of the convolution matrix.**  A convolution is one matrix
  product ``y = C x`` (:func:`meia_cnn.ops.conv_as_matrix` builds ``C``);
  the transposed convolution multiplies by ``C.T``.
* **every input pixel stamps the kernel on the output.**  Input pixel
  ``(i, j)`` adds ``x[i, j] * kernel`` to the output at
  ``(s i - p, s j - p)``, the kernel's taps ``d`` apart; overlapping stamps
  add up.  This is how :func:`conv_transpose2d` computes.
* **a direct convolution of a stretched input** (the guide's animations):
  spread the input's pixels ``s - 1`` zeros apart (:func:`zero_insert`),
  pad it with ``d (k - 1) - p`` zeros on each side (plus the output
  padding at the bottom and the right; :func:`stretched_input`) and slide
  the kernel, flipped, over it with stride 1.

The output size, from the guide's section 4 (with PyTorch's
``output_padding`` ``a`` and a dilation ``d``)::

    o = s (i - 1) + d (k - 1) + 1 - 2 p + a

Shapes are channels last, as everywhere in the kit: ``x`` is ``(H, W)``,
``(H, W, C_in)`` or ``(N, H, W, C_in)``; the kernel ``(Kh, Kw)`` or
``(Kh, Kw, C_in, F)`` (the same numbers as PyTorch's ``ConvTranspose2d``
weight of shape ``(C_in, F, Kh, Kw)``, axes moved).
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._validation import as_float_array, is_int, is_pair, pair_text

__all__ = [
    "conv_transpose2d",
    "conv_transpose_output_size",
    "zero_insert",
    "stretched_input",
]

IntOrPair = Union[int, tuple[int, int]]


# ---------------------------------------------------------------------------
# argument checking
# ---------------------------------------------------------------------------
def _pair(value: Any, name: str, minimum: int) -> tuple[int, int]:
    """``value`` (an int or a pair of ints >= ``minimum``) as ``(h, w)``."""
    pair: tuple[Any, ...]
    if is_int(value):
        pair = (value, value)
    elif is_pair(value):
        pair = tuple(value)
    else:
        raise TypeError(f"`{name}` must be an int or a pair of ints (h, w), got {value!r}")
    if not all(is_int(v) for v in pair):
        raise TypeError(f"`{name}` must be an int or a pair of ints (h, w), got {value!r}")
    if any(v < minimum for v in pair):
        shown = pair_text(pair)
        raise ValueError(f"`{name}` must be >= {minimum}, got {shown}")
    return (int(pair[0]), int(pair[1]))


def _resolve(
    input_size: object,
    kernel_size: object,
    stride: object,
    padding: object,
    output_padding: object,
    dilation: object,
) -> tuple[tuple[int, int], ...]:
    """Validate the sizes once; return (i, k, s, p, a, d, o) as pairs."""
    size = _pair(input_size, "input_size", 1)
    kernel = _pair(kernel_size, "kernel_size", 1)
    step = _pair(stride, "stride", 1)
    if isinstance(padding, str):
        raise TypeError(
            "`padding` of a transposed convolution must be an int or a pair of ints (h, w): "
            f"the rows and columns removed from each side of the output, got {padding!r}"
        )
    pads = _pair(padding, "padding", 0)
    extra = _pair(output_padding, "output_padding", 0)
    dil = _pair(dilation, "dilation", 1)
    for a in range(2):
        limit = max(step[a], dil[a])
        if extra[a] >= limit:
            raise ValueError(
                f"`output_padding` must be smaller than max(stride, dilation) = {limit}, "
                f"got {pair_text(extra)}"
            )
    out = tuple(
        step[a] * (size[a] - 1) + dil[a] * (kernel[a] - 1) + 1 - 2 * pads[a] + extra[a]
        for a in range(2)
    )
    for a in range(2):
        if out[a] < 1:
            full = step[a] * (size[a] - 1) + dil[a] * (kernel[a] - 1) + 1 + extra[a]
            raise ValueError(
                f"`padding`={pair_text(pads)} removes {2 * pads[a]} rows or columns from an "
                f"output of {full}, leaving {out[a]}: the output would be empty"
            )
    return size, kernel, step, pads, extra, dil, (out[0], out[1])


# ---------------------------------------------------------------------------
# output size
# ---------------------------------------------------------------------------
def conv_transpose_output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> IntOrPair:
    """Output size of a transposed convolution.

    ``o = s (i - 1) + d (k - 1) + 1 - 2 p + a``: each of the ``i`` input
    pixels sits ``s`` apart on the output, the last one stamps a kernel
    ``d (k - 1) + 1`` wide, ``p`` rows are removed from each side and the
    output padding ``a`` adds rows at the bottom (columns at the right).  It
    undoes the size change of a convolution with the same ``k``, ``s``,
    ``p``, ``d`` (Dumoulin & Visin, section 4); ``a`` picks
    among the sizes that such a convolution maps to the same ``i``.

    Parameters
    ----------
    input_size : int or (int, int)
        ``i``, the height and width of the input (one int means square).
    kernel_size : int or (int, int)
        ``k``.
    stride : int or (int, int), optional
        ``s`` >= 1: how far apart the input pixels land on the output.
    padding : int or (int, int), optional
        ``p`` >= 0: rows (columns) removed from each side of the output.
    output_padding : int or (int, int), optional
        ``a`` >= 0, smaller than ``max(s, d)``: rows (columns) added at the
        bottom (right).
    dilation : int or (int, int), optional
        ``d`` >= 1: the distance between the kernel's taps.

    Returns
    -------
    int or (int, int)
        ``o``; a pair when any argument is given as a pair.

    Examples
    --------
    The guide's figure 4.1 (``i' = 2``, ``k = 3``) and figure 4.5 (stride 2):

    >>> conv_transpose_output_size(2, 3)
    4
    >>> conv_transpose_output_size(2, 3, stride=2)
    5

    A convolution of stride 2 maps sizes 5 and 6 to 3; the output padding
    picks which one comes back (the guide's figures 4.6 and 4.7):

    >>> conv_transpose_output_size(3, 3, stride=2, padding=1)
    5
    >>> conv_transpose_output_size(3, 3, stride=2, padding=1, output_padding=1)
    6
    >>> conv_transpose_output_size((2, 3), 3, stride=(1, 2))
    (4, 7)
    """
    out = _resolve(input_size, kernel_size, stride, padding, output_padding, dilation)[-1]
    if any(is_pair(v) for v in (input_size, kernel_size, stride, padding, output_padding, dilation)):
        return out
    return out[0]


# ---------------------------------------------------------------------------
# the guide's view: a direct convolution of a stretched input
# ---------------------------------------------------------------------------
def _to4(x: NDArray[np.floating], ndim: int) -> NDArray[np.floating]:
    if ndim == 2:
        return x[None, :, :, None]
    if ndim == 3:
        return x[None]
    return x


def _from4(y: NDArray[np.floating], ndim: int) -> NDArray[np.floating]:
    if ndim == 2:
        return y[0, :, :, 0]
    if ndim == 3:
        return y[0]
    return y


def zero_insert(x: ArrayLike, stride: IntOrPair) -> NDArray[np.floating]:
    """Spread the input's pixels ``stride - 1`` zeros apart.

    The first step of the guide's picture of a transposed convolution with
    stride ``s`` > 1 (its figures 4.5 to 4.7): the input's pixels keep their
    order, with ``s - 1`` rows and columns of zeros between neighbours.

    Parameters
    ----------
    x : (H, W[, C]) or (N, H, W, C) array
        An image, a multi-channel image or a batch.
    stride : int or (int, int)
        ``s`` >= 1 (1 returns a copy of ``x``).

    Returns
    -------
    (s_h (H - 1) + 1, s_w (W - 1) + 1[, C]) array
        With the batch axis first for a batch; ``x``'s float dtype (float32
        stays float32, other types become float64).

    Examples
    --------
    >>> zero_insert(np.array([[1, 2], [3, 4]]), 2)
    array([[1., 0., 2.],
           [0., 0., 0.],
           [3., 0., 4.]])
    >>> zero_insert(np.ones((3, 4, 5)), (3, 1)).shape
    (7, 4, 5)
    """
    arr = as_float_array(x, "x", ndim=(2, 3, 4))
    sh, sw = _pair(stride, "stride", 1)
    x4 = _to4(arr, arr.ndim)
    n, h, w, c = x4.shape
    out = np.zeros((n, sh * (h - 1) + 1, sw * (w - 1) + 1, c), dtype=arr.dtype)
    out[:, ::sh, ::sw, :] = x4
    return _from4(out, arr.ndim)


def stretched_input(
    x: ArrayLike,
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> NDArray[np.floating]:
    """The input a direct convolution slides over to compute the transpose.

    The guide's animations: the input's pixels spread ``s - 1`` zeros apart
    (:func:`zero_insert`), then ``d (k - 1) - p`` zeros on every side and the
    output padding ``a`` more at the bottom and the right.  When ``p`` is
    larger than ``d (k - 1)``, that many rows and columns are cut off
    instead.  Sliding the kernel *flipped* over this, stride 1, dilation
    ``d``, gives :func:`conv_transpose2d`.

    Parameters
    ----------
    x : (H, W[, C]) or (N, H, W, C) array
    kernel_size : int or (int, int)
        ``k``.
    stride, padding, output_padding, dilation : int or (int, int), optional
        As in :func:`conv_transpose2d`.

    Returns
    -------
    (o_h + d_h (k_h - 1), o_w + d_w (k_w - 1)[, C]) array
        With ``o`` from :func:`conv_transpose_output_size`; ``x``'s float
        dtype.

    Examples
    --------
    The guide's figure 4.5: a 2x2 input, a 3x3 kernel, stride 2; the input
    is spread to 3x3 and padded with ``k - 1 = 2`` zeros:

    >>> stretched_input(np.array([[1, 2], [3, 4]]), 3, stride=2)
    array([[0., 0., 0., 0., 0., 0., 0.],
           [0., 0., 0., 0., 0., 0., 0.],
           [0., 0., 1., 0., 2., 0., 0.],
           [0., 0., 0., 0., 0., 0., 0.],
           [0., 0., 3., 0., 4., 0., 0.],
           [0., 0., 0., 0., 0., 0., 0.],
           [0., 0., 0., 0., 0., 0., 0.]])

    A flipped kernel slid over it gives the transposed convolution:

    >>> from meia_cnn.ops import conv2d
    >>> x, k = np.array([[1.0, 2.0], [3.0, 4.0]]), np.arange(9.0).reshape(3, 3)
    >>> direct = conv2d(stretched_input(x, 3, stride=2), k[::-1, ::-1])
    >>> bool(np.allclose(direct, conv_transpose2d(x, k, stride=2)))
    True
    """
    arr = as_float_array(x, "x", ndim=(2, 3, 4))
    size = arr.shape[1:3] if arr.ndim == 4 else arr.shape[:2]
    _, kernel, step, pads, extra, dil, _ = _resolve(
        size, kernel_size, stride, padding, output_padding, dilation
    )
    spread = _to4(zero_insert(arr, step), arr.ndim)
    borders = [(dil[a] * (kernel[a] - 1) - pads[a], dil[a] * (kernel[a] - 1) - pads[a] + extra[a])
               for a in range(2)]
    # Negative borders cut rows off: crop first, then pad what is left.
    crop = [(max(-b, 0), max(-e, 0)) for b, e in borders]
    n, h, w, c = spread.shape
    kept = spread[:, crop[0][0]:h - crop[0][1], crop[1][0]:w - crop[1][1], :]
    widths = ((0, 0), (max(borders[0][0], 0), max(borders[0][1], 0)),
              (max(borders[1][0], 0), max(borders[1][1], 0)), (0, 0))
    out = np.pad(kept, widths)
    return _from4(out, arr.ndim)


# ---------------------------------------------------------------------------
# transposed convolution
# ---------------------------------------------------------------------------
def conv_transpose2d(
    x: ArrayLike,
    kernel: ArrayLike,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> NDArray[np.floating]:
    """Transposed convolution, as PyTorch's ``ConvTranspose2d`` (no bias).

    Every input pixel stamps the kernel, scaled by its value, on the output;
    input pixel ``(i, j)`` lands at ``(s i - p, s j - p)`` and the kernel's
    taps are ``d`` apart; overlapping stamps add up and stamps falling in
    the ``p`` removed rows and columns are dropped:

    .. math:: y[m, n, f] = \\sum_{i, j, u, v, c \\,:\\, s i - p + d u = m,\\;
              s j - p + d v = n} x[i, j, c]\\, K[u, v, c, f]

    It is the transpose of a convolution: where ``C`` is the matrix of
    ``conv2d`` with the same kernel, stride, padding and dilation
    (:func:`meia_cnn.ops.conv_as_matrix`), ``conv_transpose2d`` multiplies
    by ``C.T``.  In a network it is the gradient of that convolution with
    respect to its input, used forwards to upsample.

    Parameters
    ----------
    x : (H, W[, C_in]) or (N, H, W, C_in) array
        An image, a multi-channel image or a batch.
    kernel : (Kh, Kw) or (Kh, Kw, C_in, F) array
        One single-channel kernel (``x`` then must be ``(H, W)``), or the
        kernels mapping ``C_in`` input channels to ``F`` output channels
        (``C_in = 1`` for an ``(H, W)`` input).
    stride : int or (int, int), optional
        ``s`` >= 1: how far apart the input pixels land on the output.
    padding : int or (int, int), optional
        ``p`` >= 0: rows (columns) removed from each side of the output.
    output_padding : int or (int, int), optional
        ``a`` >= 0 and smaller than ``max(s, d)``: rows added at the bottom,
        columns at the right (a convolution of stride ``s`` maps ``s``
        input sizes to one output size; ``a`` picks which comes back).
    dilation : int or (int, int), optional
        ``d`` >= 1: the distance between the kernel's taps.

    Returns
    -------
    (O_h, O_w[, F]) or (N, O_h, O_w, F) array
        ``(H, W)`` + ``(Kh, Kw)`` -> ``(O_h, O_w)``; otherwise the output
        has ``F`` channels, a batch stays a batch.  ``O`` is
        ``s (I - 1) + d (K - 1) + 1 - 2 p + a``
        (:func:`conv_transpose_output_size`).  float32 when both inputs are
        float32, float64 otherwise.

    Notes
    -----
    One matrix product computes every stamp (``N H W`` rows of
    ``Kh Kw F`` values: the im2col matrix's size), then ``Kh Kw`` shifted,
    strided additions place them (col2im): no loop runs over pixels.

    Examples
    --------
    The guide's figure 4.1: a 2x2 input and a 3x3 kernel give a 4x4 output;
    with a kernel of ones each output counts the stamps covering it:

    >>> x = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> conv_transpose2d(x, np.ones((3, 3)))
    array([[ 1.,  3.,  3.,  2.],
           [ 4., 10., 10.,  6.],
           [ 4., 10., 10.,  6.],
           [ 3.,  7.,  7.,  4.]])

    Stride 2 spreads the stamps two pixels apart (the guide's figure 4.5):

    >>> conv_transpose2d(x, np.ones((3, 3)), stride=2)
    array([[ 1.,  1.,  3.,  2.,  2.],
           [ 1.,  1.,  3.,  2.,  2.],
           [ 4.,  4., 10.,  6.,  6.],
           [ 3.,  3.,  7.,  4.,  4.],
           [ 3.,  3.,  7.,  4.,  4.]])

    It multiplies by the transpose of the convolution matrix:

    >>> from meia_cnn.ops import conv_as_matrix
    >>> k = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, -1.0], [2.0, 0.0, 1.0]])
    >>> c = conv_as_matrix(5, k, stride=2, padding=1)   # 5x5 -> 3x3
    >>> c.shape
    (9, 25)
    >>> y = np.arange(9.0).reshape(3, 3)
    >>> bool(np.allclose(conv_transpose2d(y, k, stride=2, padding=1).ravel(), c.T @ y.ravel()))
    True

    Channels and batches, as a decoder layer uses it:

    >>> conv_transpose2d(np.zeros((8, 7, 7, 16)), np.zeros((4, 4, 16, 3)), stride=2, padding=1).shape
    (8, 14, 14, 3)
    """
    arr = as_float_array(x, "x", ndim=(2, 3, 4))
    k = as_float_array(kernel, "kernel", ndim=(2, 4))
    if k.ndim == 2 and arr.ndim != 2:
        raise ValueError(
            f"a 2-D `kernel` (Kh, Kw) needs a 2-D `x` (H, W); for x of shape {arr.shape} "
            f"give the kernel as (Kh, Kw, C_in, F), got kernel of shape {k.shape}"
        )
    x4 = _to4(arr, arr.ndim)
    k4 = k[:, :, None, None] if k.ndim == 2 else k
    n, h, w, c = x4.shape
    kh, kw, kc, f = k4.shape
    if kc != c:
        raise ValueError(
            f"the kernel's input depth C_in={kc} must equal the input depth {c}; got x of shape "
            f"{arr.shape} and kernel of shape {k.shape} (Kh, Kw, C_in, F)"
        )
    _, _, (sh, sw), (ph, pw), _, (dh, dw), (oh, ow) = _resolve(
        (h, w), (kh, kw), stride, padding, output_padding, dilation
    )
    dtype = np.result_type(x4.dtype, k4.dtype)
    # Every stamp at once: (N H W, C) @ (C, Kh Kw F).
    stamps = x4.reshape(n * h * w, c).astype(dtype, copy=False) @ (
        k4.astype(dtype, copy=False).transpose(2, 0, 1, 3).reshape(c, kh * kw * f)
    )
    stamps = stamps.reshape(n, h, w, kh, kw, f)
    # Place them on the full (unpadded) output, large enough for the output padding.
    full_h = max(sh * (h - 1) + dh * (kh - 1) + 1, ph + oh)
    full_w = max(sw * (w - 1) + dw * (kw - 1) + 1, pw + ow)
    full = np.zeros((n, full_h, full_w, f), dtype=dtype)
    rows, cols = sh * (h - 1) + 1, sw * (w - 1) + 1
    for u in range(kh):
        for v in range(kw):
            full[:, u * dh:u * dh + rows:sh, v * dw:v * dw + cols:sw, :] += stamps[:, :, :, u, v, :]
    out = full[:, ph:ph + oh, pw:pw + ow, :]
    if k.ndim == 2:
        return np.ascontiguousarray(out[0, :, :, 0])
    return np.ascontiguousarray(out[0] if arr.ndim in (2, 3) else out)
