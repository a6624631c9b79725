"""Convolution, padding and pooling on numpy arrays, channels last.

Every operation is one vectorised pass: the input's windows are built as a
strided *view* (no copy), then reduced by one BLAS contraction (convolution)
or one numpy reduction (pooling).  No Python loop runs over pixels.

Shapes follow the slides (width x height x depth, channels last):
an image is ``(H, W)`` or ``(H, W, C)``, a batch ``(N, H, W, C)``, kernels
``(Kh, Kw)``, ``(Kh, Kw, C)`` or ``(Kh, Kw, C, F)``.
"""

from __future__ import annotations

import numpy as np

from . import arithmetic
from ._validation import as_float_array, as_pair, check_padding

__all__ = [
    "pad",
    "sliding_windows",
    "convolve2d",
    "conv2d",
    "max_pool2d",
    "avg_pool2d",
    "conv1x1",
    "conv_as_matrix",
]


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _padding_pairs(shape_hw, padding, kernel_size, stride, dilation):
    """Resolve ``padding`` to ((top, bottom), (left, right)) for an (H, W)."""
    mode = check_padding(padding)
    if isinstance(mode, str) and mode != "valid" and kernel_size is None:
        raise ValueError(f"`kernel_size` is needed to compute padding={padding!r}")
    if kernel_size is None:
        return mode if not isinstance(mode, str) else ((0, 0), (0, 0))
    return arithmetic.padding_amounts(shape_hw, kernel_size, stride=stride, padding=padding, dilation=dilation)


def _pad_hw(x, pads, value):
    """Pad axes H and W of a 4-D (N, H, W, C) array."""
    (t, b), (l, r) = pads
    if not (t or b or l or r):
        return x
    n, h, w, c = x.shape
    out = np.full((n, h + t + b, w + l + r, c), value, dtype=x.dtype)
    out[:, t:t + h, l:l + w, :] = x
    return out


def _windows4(x, kernel, stride, dilation):
    """Strided view ``(N, H', W', Kh, Kw, C)`` of a 4-D array (no copy)."""
    n, h, w, c = x.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    s0, s1, s2, s3 = x.strides
    return np.lib.stride_tricks.as_strided(
        x,
        shape=(n, oh, ow, kh, kw, c),
        strides=(s0, s1 * sh, s2 * sw, s1 * dh, s2 * dw, s3),
        writeable=False,
    )


def _to4(x, name):
    """Return (4-D view, ndim) of an image, a multi-channel image or a batch."""
    x = as_float_array(x, name, ndim=(2, 3, 4))
    if x.ndim == 2:
        return x[None, :, :, None], 2
    if x.ndim == 3:
        return x[None], 3
    return x, 4


def _from4(y, ndim):
    if ndim == 2:
        return y[0, :, :, 0]
    if ndim == 3:
        return y[0]
    return y


# ---------------------------------------------------------------------------
# padding and windows
# ---------------------------------------------------------------------------
def pad(x, padding, *, kernel_size=None, stride=1, dilation=1, value=0.0):
    """Pad an image or a batch with ``value`` over height and width only.

    Parameters
    ----------
    x : ndarray of shape (H, W), (H, W, C) or (N, H, W, C)
    padding : {'valid', 'same', 'full'}, int or ((int, int), (int, int))
        ``'same'`` and ``'full'`` depend on the kernel: give ``kernel_size``
        (and ``stride``, ``dilation`` for ``'same'``).
    value : float, optional
        The fill value (zeros, as the slides' "same padding adds zeros").

    Returns
    -------
    ndarray of shape (H + top + bottom, W + left + right[, C]) with x's dtype

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
    x4, ndim = _to4(x, "x")
    pads = _padding_pairs(x4.shape[1:3], padding, kernel_size, stride, dilation)
    out = _pad_hw(x4, pads, value)
    if out is x4:
        out = x4.copy()
    return _from4(out, ndim)


def sliding_windows(x, kernel_size, *, stride=1, dilation=1):
    """Read-only view of every window a kernel visits (no padding, no copy).

    Parameters
    ----------
    x : ndarray of shape (H, W), (H, W, C) or (N, H, W, C)
    kernel_size, stride, dilation : int or (int, int)

    Returns
    -------
    ndarray view
        ``(H', W', Kh, Kw)``, ``(H', W', Kh, Kw, C)`` or
        ``(N, H', W', Kh, Kw, C)`` with ``H'`` from equation (3).

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
    """
    x4, ndim = _to4(x, "x")
    kernel = as_pair(kernel_size, "kernel_size")
    step = as_pair(stride, "stride")
    dil = as_pair(dilation, "dilation")
    arithmetic.output_size(x4.shape[1:3], kernel, stride=step, padding="valid", dilation=dil)  # validates sizes
    win = _windows4(x4, kernel, step, dil)
    if ndim == 2:
        return win[0, ..., 0]
    if ndim == 3:
        return win[0]
    return win


# ---------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------
def convolve2d(image, kernel, *, mode="valid"):
    """True 2-D convolution, the slides' equation (1).

    .. math:: G[i, j] = \\sum_{u=-k}^{k} \\sum_{v=-k}^{k} K[u, v]\\, I[i - u, j - v]

    The kernel is flipped (that is what the minus signs do); this is what
    ``scipy.signal.convolve2d`` computes.  CNN layers compute the
    cross-correlation instead (:func:`conv2d`): the same sum without the flip.

    Parameters
    ----------
    image : ndarray of shape (H, W)
    kernel : ndarray of shape (Kh, Kw)
    mode : {'valid', 'same', 'full'}
        As in ``scipy.signal.convolve2d``: ``'same'`` returns an ``(H, W)``
        output centred on the full one (for an even kernel the extra padding
        row/column is at the top/left, scipy's convention).

    Returns
    -------
    ndarray of shape (H - Kh + 1, W - Kw + 1) ('valid'), (H, W) ('same') or
    (H + Kh - 1, W + Kw - 1) ('full')

    Examples
    --------
    A delta convolved with a kernel returns the kernel itself:

    >>> delta = np.zeros((3, 3)); delta[1, 1] = 1
    >>> convolve2d(delta, np.arange(9.0).reshape(3, 3), mode="same")
    array([[0., 1., 2.],
           [3., 4., 5.],
           [6., 7., 8.]])
    """
    image = as_float_array(image, "image", ndim=2)
    kernel = as_float_array(kernel, "kernel", ndim=2)
    if not isinstance(mode, str) or mode not in ("valid", "same", "full"):
        raise ValueError(f"`mode` must be 'valid', 'same' or 'full', got {mode!r}")
    kh, kw = kernel.shape
    pads = mode
    if mode == "same":  # scipy's centring: same = full[(K-1)//2 : (K-1)//2 + I]
        pads = ((kh // 2, (kh - 1) // 2), (kw // 2, (kw - 1) // 2))
    return conv2d(image, kernel[::-1, ::-1], padding=pads)


def conv2d(x, kernels, bias=None, *, stride=1, padding="valid", dilation=1):
    """What a convolution layer computes: cross-correlation summed over depth.

    Parameters
    ----------
    x : ndarray of shape (H, W), (H, W, C) or (N, H, W, C)
        An image, a multi-channel image or a batch.
    kernels : ndarray of shape (Kh, Kw), (Kh, Kw, C) or (Kh, Kw, C, F)
        One kernel, one kernel with the input's depth (``K_d = I_d``,
        equation (2)), or ``F`` such kernels.
    bias : ndarray of shape (F,), optional
        One bias per filter (a scalar or ``(1,)`` for a single kernel).
    stride : int or (int, int)
    padding : {'valid', 'same', 'full'}, int or ((int, int), (int, int))
        ``'same'`` follows Keras: output ``ceil(I / s)``, extra zeros at the
        bottom/right.
    dilation : int or (int, int)

    Returns
    -------
    ndarray
        ``(H, W)`` + ``(Kh, Kw)`` -> ``(H', W')``;
        ``(H, W, C)`` + ``(Kh, Kw, C)`` -> ``(H', W')``;
        ``(H, W, C)`` + ``(Kh, Kw, C, F)`` -> ``(H', W', F)``;
        ``(N, H, W, C)`` + ``(Kh, Kw, C, F)`` -> ``(N, H', W', F)``;
        with ``H'`` from equation (3).  The depth of the feature map is the
        number of filters.

    Notes
    -----
    The windows are a strided view; copying them into the im2col matrix
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
    x4, xdim = _to4(x, "x")
    k = as_float_array(kernels, "kernels", ndim=(2, 3, 4))
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
            f"(equation (2)); got x of shape {np.shape(x)} and kernels of shape {k.shape}"
        )
    if xdim == 4 and k.ndim < 4 and k.ndim != 3:
        raise ValueError(
            f"`kernels` for a batch must be (Kh, Kw, C) or (Kh, Kw, C, F), got shape {k.shape}"
        )
    step = as_pair(stride, "stride")
    dil = as_pair(dilation, "dilation")
    pads = _padding_pairs((h, w), padding, (kh, kw), step, dil)
    arithmetic.output_size((h, w), (kh, kw), stride=step, padding=padding, dilation=dil)  # validates: kernel fits
    if bias is not None:
        b = as_float_array(bias, "bias", ndim=(0, 1))
        b = b.reshape(-1)
        if b.shape != (f,):
            rule = "a scalar or shape (1,)" if single else f"shape (F,) = ({f},)"
            raise ValueError(f"`bias` must have {rule}, got shape {np.shape(bias)}")
    dtype = np.result_type(x4.dtype, k4.dtype)
    xp = _pad_hw(x4.astype(dtype, copy=False), pads, 0)
    win = _windows4(xp, (kh, kw), step, dil)
    _, oh, ow = win.shape[:3]
    cols = win.reshape(n * oh * ow, kh * kw * c)  # the one copy: im2col
    out = cols @ k4.astype(dtype, copy=False).reshape(kh * kw * c, f)
    out = out.reshape(n, oh, ow, f)
    if bias is not None:
        out += b.astype(dtype, copy=False)
    if single:
        out = out[..., 0]
        return out[0] if xdim in (2, 3) else out
    if xdim == 2:
        return out[0]
    return _from4(out, 4 if xdim == 4 else 3)


def conv1x1(x, weights, bias=None):
    """A 1x1 convolution: every pixel's ``C`` values mixed into ``F`` channels.

    Parameters
    ----------
    x : ndarray of shape (..., C)
        ``(H, W, C)`` or ``(N, H, W, C)``.
    weights : ndarray of shape (C, F) or (1, 1, C, F)
    bias : ndarray of shape (F,), optional

    Returns
    -------
    ndarray of shape (..., F)
        Height and width unchanged: the structure is kept, only depth changes.

    Examples
    --------
    >>> x = np.ones((2, 2, 3))
    >>> conv1x1(x, np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 1.0]]))[0, 0]
    array([3., 1.])
    """
    x = as_float_array(x, "x", ndim=(3, 4))
    wts = as_float_array(weights, "weights", ndim=(2, 4))
    if wts.ndim == 4:
        if wts.shape[:2] != (1, 1):
            raise ValueError(f"`weights` of a 1x1 convolution must be (1, 1, C, F), got shape {wts.shape}")
        wts = wts[0, 0]
    c, f = wts.shape
    if x.shape[-1] != c:
        raise ValueError(
            f"`weights` must have one row per input channel: x has C={x.shape[-1]}, "
            f"weights has shape {wts.shape}"
        )
    dtype = np.result_type(x.dtype, wts.dtype)
    out = x.astype(dtype, copy=False) @ wts.astype(dtype, copy=False)
    if bias is not None:
        b = as_float_array(bias, "bias", ndim=1)
        if b.shape != (f,):
            raise ValueError(f"`bias` must have shape (F,) = ({f},), got shape {b.shape}")
        out += b.astype(dtype, copy=False)
    return out


def conv_as_matrix(input_size, kernel, *, stride=1, padding="valid", dilation=1):
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
    kernel : ndarray of shape (Kh, Kw)
        One single-channel kernel.
    stride, padding, dilation
        As in :func:`conv2d` (zero padding keeps the map linear).

    Returns
    -------
    ndarray of shape (H' * W', H * W)
        With ``H'``, ``W'`` from equation (3) (``I - K + 1`` for a 'valid'
        convolution of stride 1), such that
        ``conv_as_matrix(x.shape, k) @ x.ravel() == conv2d(x, k).ravel()``.
        It has ``H' W' H W`` entries: meant for small inputs.

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
    kernel = as_float_array(kernel, "kernel", ndim=2)
    basis = np.eye(h * w, dtype=kernel.dtype).reshape(h * w, h, w, 1)
    maps = conv2d(basis, kernel[:, :, None, None], stride=stride, padding=padding,
                  dilation=dilation)  # (H * W, H', W', 1)
    return maps.reshape(h * w, -1).T


# ---------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------
def _pool_setup(x, size, stride, padding):
    x4, ndim = _to4(x, "x")
    window = as_pair(size, "size")
    step = window if stride is None else as_pair(stride, "stride")
    h, w = x4.shape[1:3]
    pads = _padding_pairs((h, w), padding, window, step, 1)
    try:
        arithmetic.output_size((h, w), window, stride=step, padding=padding)
    except ValueError as exc:
        raise ValueError(str(exc).replace("kernel_size=", "size=")) from None
    (t, b), (l, r) = pads
    if max(t, b) >= window[0] or max(l, r) >= window[1]:
        # A window lying wholly in the padding would pool nothing at all.
        raise ValueError(
            f"`padding` must be smaller than the pooling window on every side, "
            f"got padding {pads} for size={window[0] if window[0] == window[1] else window}"
        )
    return x4, ndim, window, step, pads


def max_pool2d(x, size=2, *, stride=None, padding="valid", return_indices=False):
    """Max pooling, per channel (the slides' "Max Pooling", equation (4)).

    Parameters
    ----------
    x : ndarray of shape (H, W), (H, W, C) or (N, H, W, C)
    size : int or (int, int)
        The window ``W_w``.
    stride : int or (int, int), optional
        Defaults to ``size`` (non-overlapping windows).
    padding : {'valid', 'same'}, int or ((int, int), (int, int))
        Padded cells never win: they count as minus infinity.
    return_indices : bool
        Also return where each window's maximum is.

    Returns
    -------
    out : ndarray
        ``(O_h, O_w[, C])`` or ``(N, O_h, O_w, C)``, ``O`` from equation (4).
    indices : ndarray of int, shape out.shape + (2,)
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
    x4, ndim, window, step, pads = _pool_setup(x, size, stride, padding)
    xp = _pad_hw(x4, pads, -np.inf)
    win = _windows4(xp, window, step, (1, 1))
    if not return_indices:
        return _from4(win.max(axis=(3, 4)), ndim)
    n, oh, ow, kh, kw, c = win.shape
    flat = win.reshape(n, oh, ow, kh * kw, c)
    arg = flat.argmax(axis=3)
    out = np.take_along_axis(flat, arg[:, :, :, None, :], axis=3)[:, :, :, 0, :]
    rows = (np.arange(oh) * step[0] - pads[0][0])[None, :, None, None] + arg // kw
    cols = (np.arange(ow) * step[1] - pads[1][0])[None, None, :, None] + arg % kw
    idx = np.stack([rows, cols], axis=-1)
    return _from4(out, ndim), _from4_idx(idx, ndim)


def _from4_idx(idx, ndim):
    if ndim == 2:
        return idx[0, :, :, 0, :]
    if ndim == 3:
        return idx[0]
    return idx


def avg_pool2d(x, size=2, *, stride=None, padding="valid"):
    """Average pooling, per channel.

    Same shapes as :func:`max_pool2d`.  With padding, each window averages
    only its real (unpadded) cells, as Keras does.

    Examples
    --------
    >>> avg_pool2d(np.arange(16.0).reshape(4, 4))
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    x4, ndim, window, step, pads = _pool_setup(x, size, stride, padding)
    xp = _pad_hw(x4, pads, 0)
    total = _windows4(xp, window, step, (1, 1)).sum(axis=(3, 4))
    if any(p for pair in pads for p in pair):
        ones = _pad_hw(np.ones((1,) + x4.shape[1:3] + (1,), dtype=x4.dtype), pads, 0)
        count = _windows4(ones, window, step, (1, 1)).sum(axis=(3, 4))
    else:
        count = window[0] * window[1]
    return _from4((total / count).astype(x4.dtype, copy=False), ndim)
