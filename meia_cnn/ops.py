"""Convolution, transposed convolution, padding and pooling on numpy arrays, channels last.

Every operation is one vectorised pass: the input's windows are built as a
read-only *view* (the one :func:`numpy.lib.stride_tricks.sliding_window_view`
gives, no copy), then reduced by one BLAS contraction (convolution) or one numpy
reduction (pooling).  No Python loop runs over pixels.

Shapes follow the slides (width x height x depth, channels last):
an image is ``(H, W)`` or ``(H, W, C)``, a batch ``(N, H, W, C)``, kernels
``(Kh, Kw)``, ``(Kh, Kw, C)`` or ``(Kh, Kw, C, F)``.

Memory is bounded by design: every result and every intermediate (a padded
copy, the im2col matrix, the output) is sized *before* it is allocated and
refused with a ``ValueError`` naming the parameter responsible when it
would exceed :data:`MAX_ELEMENTS` elements; inputs larger than that are
refused too.  Shapes are checked before values are scanned for NaN.

A convolution maps a large input to a smaller output; its *transpose*
(:func:`conv_transpose2d`, the second half of Dumoulin & Visin's guide) goes
the other way, from the output's shape back to the input's: what a network
uses to upsample, and exactly the gradient of a convolution with respect to
its input.  Three equivalent views of it:

* **the transpose of the convolution matrix**: where ``C`` is the matrix of
  a convolution (:func:`conv_as_matrix`), the transposed convolution
  multiplies by ``C.T``;
* **every input pixel stamps the kernel on the output**: input pixel
  ``(i, j)`` adds ``x[i, j] * kernel`` to the output at ``(s i - p, s j - p)``,
  the kernel's taps ``d`` apart; overlapping stamps add up.  This is how
  :func:`conv_transpose2d` computes;
* **a direct convolution of a stretched input** (the guide's animations):
  spread the input's pixels ``s - 1`` zeros apart (:func:`zero_insert`),
  pad it with ``d (k - 1) - p`` zeros on each side (plus the output padding
  at the bottom and the right; :func:`stretched_input`) and slide the
  kernel, flipped, over it with stride 1.

Its output size is :func:`meia_cnn.arithmetic.conv_transpose_output_size`.
"""

from __future__ import annotations

import math
from typing import Any, Literal, overload

import numpy as np
from numpy.lib.stride_tricks import as_strided
from numpy.typing import ArrayLike, NDArray

from . import arithmetic
from ._validation import (
    MAX_ELEMENTS,
    IntOrPair,
    Padding,
    as_bool,
    as_float_array,
    as_pair,
    as_real_array,
    check_elements,
    check_fill_value,
    check_padding,
    to_float_array,
)

__all__ = [
    "MAX_ELEMENTS",
    "pad",
    "sliding_windows",
    "convolve2d",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "conv1x1",
    "conv_as_matrix",
    "conv_transpose2d",
    "zero_insert",
    "stretched_input",
]

Pair = tuple[int, int]
Pads = tuple[tuple[int, int], tuple[int, int]]
FloatArray = NDArray[np.floating]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _padding_pairs(shape_hw: Pair, padding: Any, kernel_size: Any, stride: Any, dilation: Any) -> Pads:
    """Resolve ``padding`` to ((top, bottom), (left, right)) for an (H, W)."""
    mode = check_padding(padding)
    if isinstance(mode, str) and mode != "valid" and kernel_size is None:
        raise ValueError(f"`kernel_size` is needed to compute padding={padding!r}")
    if kernel_size is None:
        return mode if not isinstance(mode, str) else ((0, 0), (0, 0))
    return arithmetic.padding_amounts(shape_hw, kernel_size, stride=stride, padding=padding, dilation=dilation)


def _padded_shape(shape4: tuple[int, ...], pads: Pads) -> tuple[int, int, int, int]:
    n, h, w, c = shape4
    (t, b), (l, r) = pads
    return (n, h + t + b, w + l + r, c)


def _pad_hw(x: np.ndarray, pads: Pads, value: float) -> np.ndarray:
    """Pad axes H and W of a 4-D (N, H, W, C) array (its size checked by the caller)."""
    (t, b), (l, r) = pads
    if not (t or b or l or r):
        return x
    n, h, w, c = x.shape
    out = np.full(_padded_shape(x.shape, pads), value, dtype=x.dtype)
    out[:, t : t + h, l : l + w, :] = x
    return out


def _out_hw(h: int, w: int, kernel: Pair, stride: Pair, dilation: Pair) -> Pair:
    """Output height and width of a valid sliding window (equation (3), p = 0)."""
    return (
        (h - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1,
        (w - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1,
    )


def _windows4(x: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair) -> np.ndarray:
    """Read-only view ``(N, H', W', Kh, Kw, C)`` of a 4-D array (no copy).

    The view ``sliding_window_view`` would give, strided by ``stride`` and
    ``dilation``, built directly from ``x``'s strides (a few microseconds
    instead of about fifteen: this runs for every layer of every batch).
    Steps are clamped to the axis length, so a stride of 10**18 is just one
    window and never overflows a byte stride; so is a dilation, which only a
    kernel of one tap along that axis can carry that far (it never steps).
    """
    n, h, w, c = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh, ow = _out_hw(h, w, kernel, stride, dilation)
    s0, s1, s2, s3 = x.strides
    return as_strided(
        x,
        (n, oh, ow, kh, kw, c),
        (s0, s1 * min(sh, h), s2 * min(sw, w), s1 * min(dh, h), s2 * min(dw, w), s3),
        writeable=False,
    )


def _to4(arr: np.ndarray) -> np.ndarray:
    """A 4-D view (N, H, W, C) of an image, a multi-channel image or a batch."""
    if arr.ndim == 2:
        return arr[None, :, :, None]
    if arr.ndim == 3:
        return arr[None]
    return arr


def _from4(y: np.ndarray, ndim: int) -> np.ndarray:
    if ndim == 2:
        return y[0, :, :, 0]
    if ndim == 3:
        return y[0]
    return y


def _value_text(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


# ---------------------------------------------------------------------------
# padding and windows
# ---------------------------------------------------------------------------
def pad(
    x: ArrayLike,
    padding: Padding,
    *,
    kernel_size: IntOrPair | None = None,
    stride: IntOrPair = 1,
    dilation: IntOrPair = 1,
    value: float = 0.0,
) -> FloatArray:
    """Pad an image or a batch with ``value`` over height and width only.

    Parameters
    ----------
    x : (H, W), (H, W, C) or (N, H, W, C) array
        An image, a multi-channel image or a batch.
    padding : {'valid', 'same', 'full'}, int, (int, int) or ((int, int), (int, int))
        ``'same'`` and ``'full'`` depend on the kernel: give ``kernel_size``
        (and ``stride``, ``dilation`` for ``'same'``).
    kernel_size, stride, dilation : int or (int, int), optional
        The convolution the padding is for (only with a mode string).
    value : float, optional
        The fill value (zeros, as the slides' "same padding adds zeros");
        a real number that fits ``x``'s float dtype.

    Returns
    -------
    (H + top + bottom, W + left + right[, C]) array
        With ``x``'s float dtype; batches keep their ``N``.  Always a new array.

    Raises
    ------
    ValueError
        An unknown padding, or a padded array of more than :data:`MAX_ELEMENTS`
        elements (the message names ``padding``).
    TypeError
        ``value`` is not a real number.

    Examples
    --------
    >>> pad(np.ones((2, 2)), 1)
    array([[0., 0., 0., 0.],
           [0., 1., 1., 0.],
           [0., 1., 1., 0.],
           [0., 0., 0., 0.]])
    >>> pad(np.ones((28, 28, 3)), "same", kernel_size=3).shape
    (30, 30, 3)
    """
    arr = as_real_array(x, "x", ndim=(2, 3, 4))
    fill = check_fill_value(value)
    x4 = _to4(arr)
    pads = _padding_pairs(x4.shape[1:3], padding, kernel_size, stride, dilation)
    check_elements(
        _from4_shape(_padded_shape(x4.shape, pads), arr.ndim),
        name="padding",
        what=f"the padded input for padding={_value_text(padding)}",
    )
    x4 = to_float_array(x4, "x")
    if np.isfinite(fill) and abs(fill) > float(np.finfo(x4.dtype).max):
        raise ValueError(f"`value` must fit in {x4.dtype.name}, got {value!r}")
    out = _pad_hw(x4, pads, fill)
    if out is x4:
        out = x4.copy()
    return _from4(out, arr.ndim)


def _from4_shape(shape4: tuple[int, ...], ndim: int) -> tuple[int, ...]:
    if ndim == 2:
        return shape4[1:3]
    if ndim == 3:
        return shape4[1:]
    return shape4


def sliding_windows(
    x: ArrayLike, kernel_size: IntOrPair, *, stride: IntOrPair = 1, dilation: IntOrPair = 1
) -> FloatArray:
    """Read-only view of every window a kernel visits (no padding, no copy).

    Parameters
    ----------
    x : (H, W), (H, W, C) or (N, H, W, C) array
        An image, a multi-channel image or a batch (float32 and float64
        arrays are viewed as they are; other dtypes are first converted to
        float64).
    kernel_size, stride, dilation : int or (int, int)
        The window, its step and the spacing of its taps.

    Returns
    -------
    (H', W', Kh, Kw), (H', W', Kh, Kw, C) or (N, H', W', Kh, Kw, C) array
        A read-only view, with ``H'`` from equation (3); window ``[i, j]``
        starts at row ``i * sh``, column ``j * sw`` of ``x``.

    Notes
    -----
    A view costs no memory, but anything that copies it (``np.ascontiguousarray``,
    a reshape) costs ``H' W' Kh Kw C`` elements: the im2col matrix.

    Examples
    --------
    >>> w = sliding_windows(np.arange(16.0).reshape(4, 4), 3)
    >>> w.shape
    (2, 2, 3, 3)
    >>> w[1, 0]
    array([[ 4.,  5.,  6.],
           [ 8.,  9., 10.],
           [12., 13., 14.]])
    >>> sliding_windows(np.arange(16.0).reshape(4, 4), 2, stride=2, dilation=2).shape
    (1, 1, 2, 2)
    """
    arr = as_real_array(x, "x", ndim=(2, 3, 4))
    kernel = as_pair(kernel_size, "kernel_size")
    step = as_pair(stride, "stride")
    dil = as_pair(dilation, "dilation")
    x4 = _to4(arr)
    arithmetic.output_size(x4.shape[1:3], kernel, stride=step, padding="valid", dilation=dil)  # validates sizes
    win = _windows4(to_float_array(x4, "x"), kernel, step, dil)
    if arr.ndim == 2:
        return win[0, ..., 0]
    if arr.ndim == 3:
        return win[0]
    return win


# ---------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------
def _correlate(
    x4: np.ndarray, k4: np.ndarray, step: Pair, dil: Pair, pads: Pads, *, names: tuple[str, str, str], padding: Any
) -> np.ndarray:
    """Cross-correlate a checked 4-D input with ``(Kh, Kw, C, F)`` kernels.

    Every allocation is sized first; ``names`` are the caller's parameters
    for the input, the kernels and the padding (named in the messages).
    Values are converted and checked for NaN only after every size is known.
    """
    x_name, k_name, pad_name = names
    n, h, w, c = x4.shape
    kh, kw, _, f = k4.shape
    _, hp, wp, _ = padded = _padded_shape(x4.shape, pads)
    if padded != x4.shape:
        check_elements(padded, name=pad_name, what=f"the padded input for {pad_name}={_value_text(padding)}")
    oh, ow = _out_hw(hp, wp, (kh, kw), step, dil)
    check_elements(
        (n * oh * ow, kh * kw * c),
        name=k_name,
        what=f"the im2col matrix of `{x_name}` {x4.shape[1:3]} and `{k_name}` {(kh, kw)}",
    )
    check_elements((n, oh, ow, f), name=k_name, what="the output")
    xf = to_float_array(x4, x_name)
    kf = to_float_array(k4, k_name)
    dtype = np.result_type(xf.dtype, kf.dtype)
    xp = _pad_hw(xf.astype(dtype, copy=False), pads, 0.0)
    cols = _im2col(_windows4(xp, (kh, kw), step, dil))  # the one copy
    out = cols @ kf.astype(dtype, copy=False).reshape(kh * kw * c, f)
    return out.reshape(n, oh, ow, f)


def _im2col(win: np.ndarray) -> np.ndarray:
    """The im2col matrix ``(N H' W', Kh Kw C)`` of a window view ``(N, H', W', Kh, Kw, C)``: one copy.

    Rows are the windows in ``(n, i, j)`` order, columns their cells in
    ``(u, v, c)`` order.  The copy runs along the longer stretch of the
    input that it can read in one go: a window's row of ``Kw C`` values (a
    row-major matrix) or, with few channels (a grey image: ``C = 1``), an
    image row of ``W'`` values (a column-major matrix, several times faster
    to copy there).  BLAS multiplies either layout.
    """
    n, oh, ow, kh, kw, c = win.shape
    if ow > kw * c:
        return win.transpose(3, 4, 5, 0, 1, 2).reshape(kh * kw * c, n * oh * ow).T
    return win.reshape(n * oh * ow, kh * kw * c)


def convolve2d(image: ArrayLike, kernel: ArrayLike, *, mode: str = "valid") -> FloatArray:
    """True 2-D convolution, the slides' equation (1).

    .. math:: G[i, j] = \\sum_{u=-k}^{k} \\sum_{v=-k}^{k} K[u, v]\\, I[i - u, j - v]

    The kernel is flipped (that is what the minus signs do); this is what
    ``scipy.signal.convolve2d`` computes.  CNN layers compute the
    cross-correlation instead (:func:`conv2d`): the same sum without the flip.

    Parameters
    ----------
    image : (H, W) array
        One grey image.
    kernel : (Kh, Kw) array
        One kernel.
    mode : {'valid', 'same', 'full'}, optional
        As in ``scipy.signal.convolve2d``: ``'same'`` returns an ``(H, W)``
        output centred on the full one (for an even kernel the extra padding
        row/column is at the top/left, scipy's convention).

    Returns
    -------
    (H - Kh + 1, W - Kw + 1), (H, W) or (H + Kh - 1, W + Kw - 1) array
        For ``'valid'``, ``'same'`` and ``'full'``.

    Raises
    ------
    ValueError
        A kernel larger than the image for ``'valid'``, an unknown mode, or an
        intermediate of more than :data:`MAX_ELEMENTS` elements (the message
        names ``mode`` or ``kernel``).

    Examples
    --------
    A delta convolved with a kernel returns the kernel itself:

    >>> delta = np.zeros((3, 3)); delta[1, 1] = 1
    >>> convolve2d(delta, np.arange(9.0).reshape(3, 3), mode="same")
    array([[0., 1., 2.],
           [3., 4., 5.],
           [6., 7., 8.]])
    """
    img = as_real_array(image, "image", ndim=2)
    ker = as_real_array(kernel, "kernel", ndim=2)
    if not isinstance(mode, str) or mode not in ("valid", "same", "full"):
        raise ValueError(f"`mode` must be 'valid', 'same' or 'full', got {mode!r}")
    kh, kw = ker.shape
    padding: Any = mode
    if mode == "same":  # scipy's centring: same = full[(K-1)//2 : (K-1)//2 + I]
        padding = ((kh // 2, (kh - 1) // 2), (kw // 2, (kw - 1) // 2))
    pads = arithmetic.padding_amounts(img.shape, (kh, kw), padding=padding)
    out = _correlate(
        img[None, :, :, None],
        ker[::-1, ::-1, None, None],
        (1, 1),
        (1, 1),
        pads,
        names=("image", "kernel", "mode"),
        padding=mode,
    )
    return out[0, :, :, 0]


def conv2d(
    x: ArrayLike,
    kernels: ArrayLike,
    bias: ArrayLike | None = None,
    *,
    stride: IntOrPair = 1,
    padding: Padding = "valid",
    dilation: IntOrPair = 1,
) -> FloatArray:
    """What a convolution layer computes: cross-correlation summed over depth.

    Parameters
    ----------
    x : (H, W), (H, W, C) or (N, H, W, C) array
        An image, a multi-channel image or a batch.
    kernels : (Kh, Kw), (Kh, Kw, C) or (Kh, Kw, C, F) array
        One kernel, one kernel with the input's depth (``K_d = I_d``,
        equation (2)), or ``F`` such kernels.
    bias : (F,) array, optional
        One bias per filter (a scalar or ``(1,)`` for a single kernel).
    stride : int or (int, int), optional
        ``s`` >= 1.
    padding : {'valid', 'same', 'full'}, int, (int, int) or ((int, int), (int, int)), optional
        ``'same'`` follows Keras: output ``ceil(I / s)``, extra zeros at the
        bottom/right.
    dilation : int or (int, int), optional
        ``d`` >= 1: the kernel's taps are ``d`` pixels apart.

    Returns
    -------
    (H', W'), (H', W', F) or (N, H', W', F) array
        ``(H, W)`` + ``(Kh, Kw)`` -> ``(H', W')``;
        ``(H, W, C)`` + ``(Kh, Kw, C)`` -> ``(H', W')``;
        ``(H, W, C)`` + ``(Kh, Kw, C, F)`` -> ``(H', W', F)``;
        ``(N, H, W, C)`` + ``(Kh, Kw, C, F)`` -> ``(N, H', W', F)``;
        with ``H'`` from equation (3).  The depth of the feature map is the
        number of filters.

    Raises
    ------
    ValueError
        Mismatched depths, a kernel larger than the padded input, NaN or
        infinity in ``x`` or ``kernels``, or an intermediate of more than
        :data:`MAX_ELEMENTS` elements (the message names ``padding`` or
        ``kernels``).
    TypeError
        Non-numeric arrays or sizes.

    Notes
    -----
    The windows are a view; copying them into the im2col matrix
    (``N H' W'`` rows of ``Kh Kw C`` values) is the only extra memory, and one
    matrix product with the ``(Kh Kw C, F)`` kernel matrix does all the
    multiply-adds.

    Examples
    --------
    >>> x = np.arange(25.0).reshape(5, 5)
    >>> conv2d(x, np.ones((3, 3)))
    array([[ 54.,  63.,  72.],
           [ 99., 108., 117.],
           [144., 153., 162.]])
    >>> conv2d(np.zeros((28, 28, 3)), np.zeros((3, 3, 3, 8)), stride=2).shape
    (13, 13, 8)
    """
    arr = as_real_array(x, "x", ndim=(2, 3, 4))
    k = as_real_array(kernels, "kernels", ndim=(2, 3, 4))
    xdim = arr.ndim
    x4 = _to4(arr)
    n, h, w, c = x4.shape
    if k.ndim == 2:
        k4 = k[:, :, None, None]
        single = True
    elif k.ndim == 3:
        k4 = k[:, :, :, None]
        single = True
    else:
        k4 = k
        single = False
    kh, kw, kc, f = k4.shape
    if kc != c:
        raise ValueError(
            f"kernel depth K_d={kc} must equal the input depth I_d={c} "
            f"(equation (2)); got x of shape {arr.shape} and kernels of shape {k.shape}"
        )
    if xdim == 4 and k.ndim == 2:
        raise ValueError(f"`kernels` for a batch must be (Kh, Kw, C) or (Kh, Kw, C, F), got shape {k.shape}")
    step = as_pair(stride, "stride")
    dil = as_pair(dilation, "dilation")
    pads = _padding_pairs((h, w), padding, (kh, kw), step, dil)  # validates: the kernel fits
    b = None
    if bias is not None:
        b = as_float_array(bias, "bias", ndim=(0, 1)).reshape(-1)
        if b.shape != (f,):
            rule = "a scalar or shape (1,)" if single else f"shape (F,) = ({f},)"
            raise ValueError(f"`bias` must have {rule}, got shape {np.shape(bias)}")
    out = _correlate(x4, k4, step, dil, pads, names=("x", "kernels", "padding"), padding=padding)
    if b is not None:
        out += b.astype(out.dtype, copy=False)
    if single:
        out = out[..., 0]
        return out[0] if xdim in (2, 3) else out
    if xdim == 2:
        return out[0]
    return _from4(out, 4 if xdim == 4 else 3)


def conv1x1(x: ArrayLike, weights: ArrayLike, bias: ArrayLike | None = None) -> FloatArray:
    """A 1x1 convolution: every pixel's ``C`` values mixed into ``F`` channels.

    Parameters
    ----------
    x : (H, W, C) or (N, H, W, C) array
        A multi-channel image or a batch.
    weights : (C, F) or (1, 1, C, F) array
        One column of ``C`` weights per filter.
    bias : (F,) array, optional
        One bias per filter.

    Returns
    -------
    (H, W, F) or (N, H, W, F) array
        Height and width unchanged: the structure is kept, only depth changes.

    Examples
    --------
    >>> x = np.ones((2, 2, 3))
    >>> conv1x1(x, np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0]]))[0, 0]
    array([3., 1.])
    """
    arr = as_real_array(x, "x", ndim=(3, 4))
    wts = as_real_array(weights, "weights", ndim=(2, 4))
    if wts.ndim == 4:
        if wts.shape[:2] != (1, 1):
            raise ValueError(f"`weights` of a 1x1 convolution must be (1, 1, C, F), got shape {wts.shape}")
        wts = wts[0, 0]
    c, f = wts.shape
    if arr.shape[-1] != c:
        raise ValueError(
            f"`weights` must have one row per input channel: x has C={arr.shape[-1]}, weights has shape {wts.shape}"
        )
    check_elements(arr.shape[:-1] + (f,), name="weights", what="the output")
    xf = to_float_array(arr, "x")
    wf = to_float_array(wts, "weights")
    dtype = np.result_type(xf.dtype, wf.dtype)
    out = xf.astype(dtype, copy=False) @ wf.astype(dtype, copy=False)
    if bias is not None:
        b = as_float_array(bias, "bias", ndim=1)
        if b.shape != (f,):
            raise ValueError(f"`bias` must have shape (F,) = ({f},), got shape {b.shape}")
        out += b.astype(dtype, copy=False)
    return out


def conv_as_matrix(
    input_size: IntOrPair,
    kernel: ArrayLike,
    *,
    stride: IntOrPair = 1,
    padding: Padding = "valid",
    dilation: IntOrPair = 1,
) -> FloatArray:
    """A single-channel convolution written as the matrix of a dense layer.

    A convolution is linear in its input: flatten the ``H x W`` input
    (row-major) and the output, and it is one matrix product.  Row ``o``
    of the matrix holds the weights that output position ``o`` gives to
    every input pixel: the same kernel weights in every row, shifted, and
    zeros elsewhere (parameter sharing and local connectivity, seen at a
    glance).  Column ``j`` is :func:`conv2d` applied to the ``j``-th basis
    image (a single 1 at pixel ``j``).

    Parameters
    ----------
    input_size : int or (int, int)
        Side ``I`` of a square input, or its ``(H, W)``.
    kernel : (Kh, Kw) array
        One single-channel kernel.
    stride, padding, dilation : optional
        As in :func:`conv2d` (zero padding keeps the map linear).

    Returns
    -------
    (H' * W', H * W) array
        With ``H'``, ``W'`` from equation (3) (``I - K + 1`` for a 'valid'
        convolution of stride 1), such that
        ``conv_as_matrix(x.shape, k) @ x.ravel() == conv2d(x, k).ravel()``.
        It has ``H' W' H W`` entries: meant for small inputs (the ``H W``
        basis images are refused beyond :data:`MAX_ELEMENTS` elements).

    Examples
    --------
    >>> conv_as_matrix(3, np.array([[1.0, 2.0], [3.0, 4.0]]))
    array([[1., 2., 0., 3., 4., 0., 0., 0., 0.],
           [0., 1., 2., 0., 3., 4., 0., 0., 0.],
           [0., 0., 0., 1., 2., 0., 3., 4., 0.],
           [0., 0., 0., 0., 1., 2., 0., 3., 4.]])
    >>> x = np.arange(16.0).reshape(4, 4)
    >>> k = np.array([[1.0, 0.0], [0.0, -1.0]])
    >>> m = conv_as_matrix(x.shape, k, stride=2)
    >>> m.shape
    (4, 16)
    >>> bool(np.allclose(m @ x.ravel(), conv2d(x, k, stride=2).ravel()))
    True
    """
    h, w = as_pair(input_size, "input_size")
    ker = as_real_array(kernel, "kernel", ndim=2)
    arithmetic.output_size((h, w), ker.shape, stride=stride, padding=padding, dilation=dilation)
    check_elements((h * w, h * w), name="input_size", what="the basis images")
    kf = to_float_array(ker, "kernel")
    basis = np.eye(h * w, dtype=kf.dtype).reshape(h * w, h, w, 1)
    maps = conv2d(basis, kf[:, :, None, None], stride=stride, padding=padding, dilation=dilation)  # (H * W, H', W', 1)
    return maps.reshape(h * w, -1).T


# ---------------------------------------------------------------------------
# transposed convolution
# ---------------------------------------------------------------------------
def _refuse_growth(shape: tuple[int, ...], stages: list[tuple[str, int, int]], n: int, depth: int, what: str) -> None:
    """Refuse ``shape`` beyond :data:`MAX_ELEMENTS`, naming the parameter whose growth crossed it.

    ``stages`` are ``(name, height, width)``: the size the array would have
    as each parameter takes its value in turn, growing along the list.
    """
    if math.prod(shape) <= MAX_ELEMENTS:
        return
    name = next((name for name, h, w in stages if n * h * w * depth > MAX_ELEMENTS), stages[-1][0])
    check_elements(shape, name=name, what=what)


def _zero_insert4(x4: np.ndarray, step: Pair) -> np.ndarray:
    """A 4-D array's pixels ``step - 1`` zeros apart (its size checked by the caller)."""
    n, h, w, c = x4.shape
    sh, sw = step
    out = np.zeros((n, sh * (h - 1) + 1, sw * (w - 1) + 1, c), dtype=x4.dtype)
    out[:, ::sh, ::sw, :] = x4
    return out


def zero_insert(x: ArrayLike, stride: IntOrPair) -> FloatArray:
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

    Raises
    ------
    ValueError
        A result of more than :data:`MAX_ELEMENTS` elements (the message
        names ``stride``).

    Examples
    --------
    >>> zero_insert(np.array([[1, 2], [3, 4]]), 2)
    array([[1., 0., 2.],
           [0., 0., 0.],
           [3., 0., 4.]])
    >>> zero_insert(np.ones((3, 4, 5)), (3, 1)).shape
    (7, 4, 5)
    """
    arr = as_real_array(x, "x", ndim=(2, 3, 4))
    step = as_pair(stride, "stride")
    x4 = _to4(arr)
    n, h, w, c = x4.shape
    shape = (n, step[0] * (h - 1) + 1, step[1] * (w - 1) + 1, c)
    check_elements(
        _from4_shape(shape, arr.ndim), name="stride", what=f"the input spread for stride={_value_text(stride)}"
    )
    return _from4(_zero_insert4(to_float_array(x4, "x"), step), arr.ndim)


def stretched_input(
    x: ArrayLike,
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> FloatArray:
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
        With ``o`` from :func:`meia_cnn.arithmetic.conv_transpose_output_size`;
        ``x``'s float dtype.

    Raises
    ------
    ValueError
        Sizes that leave no output, or an array of more than
        :data:`MAX_ELEMENTS` elements (the message names the parameter
        that makes it so large: ``stride``, ``kernel_size``, ``dilation``
        or ``output_padding``).

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

    >>> x, k = np.array([[1.0, 2.0], [3.0, 4.0]]), np.arange(9.0).reshape(3, 3)
    >>> direct = conv2d(stretched_input(x, 3, stride=2), k[::-1, ::-1])
    >>> bool(np.allclose(direct, conv_transpose2d(x, k, stride=2)))
    True
    """
    arr = as_real_array(x, "x", ndim=(2, 3, 4))
    x4 = _to4(arr)
    n, h, w, c = x4.shape
    _, kernel, step, pads, extra, dil, out_hw = arithmetic._transpose_geometry(
        (h, w), kernel_size, stride, padding, output_padding, dilation
    )
    spread = (step[0] * (h - 1) + 1, step[1] * (w - 1) + 1)
    check_elements(
        _from4_shape((n,) + spread + (c,), arr.ndim),
        name="stride",
        what=f"the input spread for stride={_value_text(stride)}",
    )
    border = [dil[a] * (kernel[a] - 1) - pads[a] for a in range(2)]
    shape = (n, out_hw[0] + dil[0] * (kernel[0] - 1), out_hw[1] + dil[1] * (kernel[1] - 1), c)
    grown = [spread[a] + 2 * (kernel[a] - 1) for a in range(2)]
    dilated = [spread[a] + 2 * dil[a] * (kernel[a] - 1) for a in range(2)]
    _refuse_growth(
        _from4_shape(shape, arr.ndim),
        [
            ("kernel_size", grown[0], grown[1]),
            ("dilation", dilated[0], dilated[1]),
            ("output_padding", dilated[0] + extra[0], dilated[1] + extra[1]),
        ],
        n,
        c,
        what="the stretched input",
    )
    stretched = _zero_insert4(to_float_array(x4, "x"), step)
    # Negative borders cut rows off: crop first, then pad what is left.
    crop = [(max(-border[a], 0), max(-border[a] - extra[a], 0)) for a in range(2)]
    kept = stretched[:, crop[0][0] : spread[0] - crop[0][1], crop[1][0] : spread[1] - crop[1][1], :]
    widths = (
        (0, 0),
        (max(border[0], 0), max(border[0] + extra[0], 0)),
        (max(border[1], 0), max(border[1] + extra[1], 0)),
        (0, 0),
    )
    return _from4(np.pad(kept, widths), arr.ndim)


def conv_transpose2d(
    x: ArrayLike,
    kernel: ArrayLike,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> FloatArray:
    """Transposed convolution, as PyTorch's ``ConvTranspose2d`` (no bias).

    Every input pixel stamps the kernel, scaled by its value, on the output;
    input pixel ``(i, j)`` lands at ``(s i - p, s j - p)`` and the kernel's
    taps are ``d`` apart; overlapping stamps add up and stamps falling in
    the ``p`` removed rows and columns are dropped:

    .. math:: y[m, n, f] = \\sum_{i, j, u, v, c \\,:\\, s i - p + d u = m,\\;
              s j - p + d v = n} x[i, j, c]\\, K[u, v, c, f]

    It is the transpose of a convolution: where ``C`` is the matrix of
    ``conv2d`` with the same kernel, stride, padding and dilation
    (:func:`conv_as_matrix`), ``conv_transpose2d`` multiplies by ``C.T``.
    In a network it is the gradient of that convolution with respect to its
    input, used forwards to upsample.

    Parameters
    ----------
    x : (H, W[, C_in]) or (N, H, W, C_in) array
        An image, a multi-channel image or a batch.
    kernel : (Kh, Kw) or (Kh, Kw, C_in, F) array
        One single-channel kernel (``x`` then must be ``(H, W)``), or the
        kernels mapping ``C_in`` input channels to ``F`` output channels
        (``C_in = 1`` for an ``(H, W)`` input).  The same numbers as
        PyTorch's ``ConvTranspose2d`` weight of shape ``(C_in, F, Kh, Kw)``,
        axes moved.
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
        (:func:`meia_cnn.arithmetic.conv_transpose_output_size`).  float32
        when both inputs are float32, float64 otherwise.

    Raises
    ------
    ValueError
        Mismatched depths, sizes that leave no output, NaN or infinity in
        ``x`` or ``kernel``, or an intermediate of more than
        :data:`MAX_ELEMENTS` elements (the message names the parameter
        that makes it so large: ``kernel``, ``stride``, ``dilation`` or
        ``output_padding``).

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
    arr = as_real_array(x, "x", ndim=(2, 3, 4))
    k = as_real_array(kernel, "kernel", ndim=(2, 4))
    if k.ndim == 2 and arr.ndim != 2:
        raise ValueError(
            f"a 2-D `kernel` (Kh, Kw) needs a 2-D `x` (H, W); for x of shape {arr.shape} "
            f"give the kernel as (Kh, Kw, C_in, F), got kernel of shape {k.shape}"
        )
    x4 = _to4(arr)
    k4 = k[:, :, None, None] if k.ndim == 2 else k
    n, h, w, c = x4.shape
    kh, kw, kc, f = k4.shape
    if kc != c:
        raise ValueError(
            f"the kernel's input depth C_in={kc} must equal the input depth {c}; got x of shape "
            f"{arr.shape} and kernel of shape {k.shape} (Kh, Kw, C_in, F)"
        )
    _, _, (sh, sw), (ph, pw), _, (dh, dw), (oh, ow) = arithmetic._transpose_geometry(
        (h, w), (kh, kw), stride, padding, output_padding, dilation
    )
    check_elements((n * h * w, kh * kw * f), name="kernel", what=f"the stamps of `x` {(h, w)} and `kernel` {(kh, kw)}")
    # The full (unpadded) output, large enough for the output padding.
    full_h = max(sh * (h - 1) + dh * (kh - 1) + 1, ph + oh)
    full_w = max(sw * (w - 1) + dw * (kw - 1) + 1, pw + ow)
    _refuse_growth(
        (n, full_h, full_w, f),
        [
            ("kernel", h + kh - 1, w + kw - 1),
            ("stride", sh * (h - 1) + kh, sw * (w - 1) + kw),
            ("dilation", sh * (h - 1) + dh * (kh - 1) + 1, sw * (w - 1) + dw * (kw - 1) + 1),
            ("output_padding", full_h, full_w),
        ],
        n,
        f,
        what="the output before its padding is removed",
    )
    xf = to_float_array(x4, "x")
    kf = to_float_array(k4, "kernel")
    dtype = np.result_type(xf.dtype, kf.dtype)
    # Every stamp at once: (N H W, C) @ (C, Kh Kw F).
    stamps = xf.reshape(n * h * w, c).astype(dtype, copy=False) @ (
        kf.astype(dtype, copy=False).transpose(2, 0, 1, 3).reshape(c, kh * kw * f)
    )
    stamps = stamps.reshape(n, h, w, kh, kw, f)
    full = np.zeros((n, full_h, full_w, f), dtype=dtype)
    rows, cols = sh * (h - 1) + 1, sw * (w - 1) + 1
    for u in range(kh):
        for v in range(kw):
            full[:, u * dh : u * dh + rows : sh, v * dw : v * dw + cols : sw, :] += stamps[:, :, :, u, v, :]
    out = full[:, ph : ph + oh, pw : pw + ow, :]
    if k.ndim == 2:
        return np.ascontiguousarray(out[0, :, :, 0])
    return np.ascontiguousarray(out[0] if arr.ndim in (2, 3) else out)


# ---------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------
def _pool_setup(x: ArrayLike, size: Any, stride: Any, padding: Any) -> tuple[np.ndarray, int, Pair, Pair, Pads, Pair]:
    arr = as_real_array(x, "x", ndim=(2, 3, 4))
    x4 = _to4(arr)
    window = as_pair(size, "size")
    step = window if stride is None else as_pair(stride, "stride")
    h, w = x4.shape[1:3]
    try:
        pads = _padding_pairs((h, w), padding, window, step, 1)
    except ValueError as exc:
        raise ValueError(str(exc).replace("kernel_size=", "size=")) from None
    (t, b), (l, r) = pads
    if max(t, b) >= window[0] or max(l, r) >= window[1]:
        # A window lying wholly in the padding would pool nothing at all.
        raise ValueError(
            f"`padding` must be smaller than the pooling window on every side, "
            f"got padding {pads} for size={window[0] if window[0] == window[1] else window}"
        )
    padded = _padded_shape(x4.shape, pads)
    if padded != x4.shape:
        check_elements(padded, name="padding", what=f"the padded input for padding={_value_text(padding)}")
    out_hw = _out_hw(padded[1], padded[2], window, step, (1, 1))
    return to_float_array(x4, "x"), arr.ndim, window, step, pads, out_hw


@overload
def max_pool2d(
    x: ArrayLike,
    size: IntOrPair = ...,
    *,
    stride: IntOrPair | None = ...,
    padding: Padding = ...,
    return_indices: Literal[False] = ...,
) -> FloatArray: ...
@overload
def max_pool2d(
    x: ArrayLike,
    size: IntOrPair = ...,
    *,
    stride: IntOrPair | None = ...,
    padding: Padding = ...,
    return_indices: Literal[True],
) -> tuple[FloatArray, NDArray[np.intp]]: ...
@overload
def max_pool2d(
    x: ArrayLike,
    size: IntOrPair = ...,
    *,
    stride: IntOrPair | None = ...,
    padding: Padding = ...,
    return_indices: bool = ...,
) -> FloatArray | tuple[FloatArray, NDArray[np.intp]]: ...
def max_pool2d(
    x: ArrayLike,
    size: IntOrPair = 2,
    *,
    stride: IntOrPair | None = None,
    padding: Padding = "valid",
    return_indices: bool = False,
) -> FloatArray | tuple[FloatArray, NDArray[np.intp]]:
    """Max pooling, per channel (the slides' "Max Pooling", equation (4)).

    Parameters
    ----------
    x : (H, W), (H, W, C) or (N, H, W, C) array
        An image, a multi-channel image or a batch.
    size : int or (int, int), optional
        The window ``W_w``.
    stride : int or (int, int), optional
        Defaults to ``size`` (non-overlapping windows).
    padding : {'valid', 'same'}, int, (int, int) or ((int, int), (int, int)), optional
        Padded cells never win: they count as minus infinity.
    return_indices : bool, optional
        Also return where each window's maximum is.

    Returns
    -------
    out : (O_h, O_w), (O_h, O_w, C) or (N, O_h, O_w, C) array
        ``O`` from equation (4), with ``x``'s float dtype.
    indices : out.shape + (2,) array of int
        Only with ``return_indices``: ``(row, col)`` of each maximum in the
        coordinates of the unpadded input (the first one on ties).

    Examples
    --------
    >>> x = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 2], [2, 6, 1, 1]])
    >>> max_pool2d(x)
    array([[4., 5.],
           [6., 3.]])
    >>> max_pool2d(x, return_indices=True)[1][1, 0]
    array([3, 1])
    """
    x4, ndim, window, step, pads, (oh, ow) = _pool_setup(x, size, stride, padding)
    return_indices = as_bool(return_indices, "return_indices")
    n, _, _, c = x4.shape
    kh, kw = window
    if return_indices:  # the windows are copied once to find each argmax
        check_elements((n, oh, ow, kh * kw, c), name="size", what="the copied windows")
    xp = _pad_hw(x4, pads, -np.inf)
    win = _windows4(xp, window, step, (1, 1))
    if not return_indices:
        return _from4(win.max(axis=(3, 4)), ndim)
    flat = win.reshape(n, oh, ow, kh * kw, c)
    arg = flat.argmax(axis=3)
    out = np.take_along_axis(flat, arg[:, :, :, None, :], axis=3)[:, :, :, 0, :]
    # window i starts at row i * sh of the padded input (a step past the input
    # means one window: clamped, it stays a small int)
    sh, sw = min(step[0], xp.shape[1]), min(step[1], xp.shape[2])
    rows = (np.arange(oh) * sh - pads[0][0])[None, :, None, None] + arg // kw
    cols = (np.arange(ow) * sw - pads[1][0])[None, None, :, None] + arg % kw
    idx = np.stack([rows, cols], axis=-1)
    return _from4(out, ndim), _from4_idx(idx, ndim)


def _from4_idx(idx: np.ndarray, ndim: int) -> np.ndarray:
    if ndim == 2:
        return idx[0, :, :, 0, :]
    if ndim == 3:
        return idx[0]
    return idx


def avg_pool2d(
    x: ArrayLike, size: IntOrPair = 2, *, stride: IntOrPair | None = None, padding: Padding = "valid"
) -> FloatArray:
    """Average pooling, per channel.

    With padding, each window averages only its real (unpadded) cells, as
    Keras does.

    Parameters
    ----------
    x : (H, W), (H, W, C) or (N, H, W, C) array
        An image, a multi-channel image or a batch.
    size : int or (int, int), optional
        The window ``W_w``.
    stride : int or (int, int), optional
        Defaults to ``size`` (non-overlapping windows).
    padding : {'valid', 'same'}, int, (int, int) or ((int, int), (int, int)), optional
        Padded cells are left out of each average.

    Returns
    -------
    (O_h, O_w), (O_h, O_w, C) or (N, O_h, O_w, C) array
        ``O`` from equation (4), with ``x``'s float dtype.

    Examples
    --------
    >>> avg_pool2d(np.arange(16.0).reshape(4, 4))
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    x4, ndim, window, step, pads, _ = _pool_setup(x, size, stride, padding)
    xp = _pad_hw(x4, pads, 0.0)
    # the sums accumulate in float64, so float32 values near its maximum average
    # without overflowing; float64 values that large are scaled by a power of two
    # (exact) so that the sum of a window stays finite
    cells = window[0] * window[1]
    big = float(np.finfo(np.float64).max) / cells
    huge = xp.dtype == np.float64 and xp.size and float(np.abs(xp).max()) > big
    scale = 2.0 ** -math.ceil(math.log2(cells)) if huge else 1.0
    windows = _windows4(xp if scale == 1.0 else xp * scale, window, step, (1, 1))
    total = windows.sum(axis=(3, 4), dtype=np.float64)
    count: Any
    if any(p for pair in pads for p in pair):
        ones = _pad_hw(np.ones((1,) + x4.shape[1:3] + (1,), dtype=x4.dtype), pads, 0.0)
        count = _windows4(ones, window, step, (1, 1)).sum(axis=(3, 4))
    else:
        count = cells
    return _from4((total / count / scale).astype(x4.dtype, copy=False), ndim)
