"""Convolution arithmetic: output sizes, padding, receptive fields and costs.

Plain integers in, plain integers out.  The formulas are the lecture's:

* equation (3), the output width of a convolution with stride ``s``::

      G_w = floor((I_w - K_w) / s) + 1

* equation (4), the output width of pooling with window ``W_w``::

      O_w = floor((I_w - W_w) / s) + 1

generalised, as in Dumoulin & Visin (2016), to padding ``p`` and dilation
``d``: ``floor((I + p_total - d (K - 1) - 1) / s) + 1``; and the guide's
section 4, the output width of a transposed convolution (with PyTorch's
``output_padding`` ``a``)::

      o = s (i - 1) + d (K - 1) + 1 - 2 p + a

Sizes given as one int mean square.  The return rule of
:func:`output_size`, :func:`pool_output_size`: **an int when every size
argument is an int and padding is a string or an int; a pair ``(h, w)``
as soon as any size argument is a pair or padding is given per axis.**
Numpy integers and 0-d integer arrays count as ints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, overload

from ._validation import IntOrPair, Padding, as_bool, as_int, as_pair, check_padding, is_int, is_pair, pair_text

__all__ = [
    "output_size",
    "conv_transpose_output_size",
    "pool_output_size",
    "padding_amounts",
    "feature_map_shape",
    "receptive_field",
    "conv_params",
    "conv_macs",
    "conv1x1_params",
    "conv1x1_macs",
    "pool_params",
    "pool_macs",
    "pool_comparisons",
    "dense_params",
    "dense_macs",
    "inception_cost",
]

Pads = tuple[tuple[int, int], tuple[int, int]]


# ---------------------------------------------------------------------------
# padding and output sizes
# ---------------------------------------------------------------------------
def _pad_1d(size: int, k_eff: int, stride: int, mode: Any, axis: int) -> tuple[int, int]:
    """Padding (before, after) along one axis for a validated padding."""
    if mode == "valid":
        return (0, 0)
    if mode == "full":
        return (k_eff - 1, k_eff - 1)
    if mode == "same":
        out = -(-size // stride)  # ceil(I / s), the Keras/TensorFlow rule
        total = max((out - 1) * stride + k_eff - size, 0)
        return (total // 2, total - total // 2)
    return (int(mode[axis][0]), int(mode[axis][1]))


def _resolve(
    input_size: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any, *, kernel_name: str = "kernel_size"
) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int], Pads]:
    """Validate everything once; return per-axis tuples and the padding pairs."""
    size = as_pair(input_size, "input_size")
    kernel = as_pair(kernel_size, kernel_name)
    step = as_pair(stride, "stride")
    dil = as_pair(dilation, "dilation")
    mode = check_padding(padding)
    k_eff = (dil[0] * (kernel[0] - 1) + 1, dil[1] * (kernel[1] - 1) + 1)
    pads = (_pad_1d(size[0], k_eff[0], step[0], mode, 0), _pad_1d(size[1], k_eff[1], step[1], mode, 1))
    for a in range(2):
        padded = size[a] + sum(pads[a])
        if k_eff[a] > padded:
            what = f"{kernel_name}={kernel[a]}"
            if dil[a] > 1:
                what += f" with dilation={dil[a]} (effective size {k_eff[a]})"
            pad_text = padding if isinstance(padding, str) else pads[a]
            raise ValueError(f"{what} is larger than the padded input ({padded}) for padding={pad_text!r}")
    return size, kernel, step, dil, k_eff, pads


def _wants_pair(*values: Any, padding: Any) -> bool:
    """The return rule: a pair as soon as a size argument is a pair or padding is per axis."""
    return any(is_pair(v) for v in values) or not (isinstance(padding, str) or is_int(padding))


@overload
def output_size(
    input_size: int, kernel_size: int, *, stride: int = ..., padding: str | int = ..., dilation: int = ...
) -> int: ...
@overload
def output_size(
    input_size: Sequence[int],
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = ...,
    padding: Padding = ...,
    dilation: IntOrPair = ...,
) -> tuple[int, int]: ...
@overload
def output_size(
    input_size: IntOrPair,
    kernel_size: Sequence[int],
    *,
    stride: IntOrPair = ...,
    padding: Padding = ...,
    dilation: IntOrPair = ...,
) -> tuple[int, int]: ...
@overload
def output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    *,
    stride: Sequence[int],
    padding: Padding = ...,
    dilation: IntOrPair = ...,
) -> tuple[int, int]: ...
@overload
def output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = ...,
    padding: Sequence[int] | Sequence[Sequence[int]],
    dilation: IntOrPair = ...,
) -> tuple[int, int]: ...
@overload
def output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = ...,
    padding: Padding = ...,
    dilation: Sequence[int],
) -> tuple[int, int]: ...
@overload
def output_size(
    input_size: Any, kernel_size: Any, *, stride: Any = ..., padding: Any = ..., dilation: Any = ...
) -> int | tuple[int, int]: ...
def output_size(
    input_size: Any, kernel_size: Any, *, stride: Any = 1, padding: Any = "valid", dilation: Any = 1
) -> int | tuple[int, int]:
    """Output size of a convolution (the slides' equation (3)).

    Parameters
    ----------
    input_size : int or (int, int)
        ``I``, the input's height and width (one int means square).
    kernel_size : int or (int, int)
        ``K``.
    stride : int or (int, int), optional
        ``s`` >= 1.
    padding : {'valid', 'same', 'full'}, int, (int, int) or ((int, int), (int, int)), optional
        ``'same'`` follows Keras/TensorFlow: output = ceil(I / s).
    dilation : int or (int, int), optional
        ``d`` >= 1; the kernel then covers ``d (K - 1) + 1`` pixels.

    Returns
    -------
    int or (int, int)
        ``floor((I + p_total - d (K - 1) - 1) / s) + 1``.  One rule: an int
        when every size argument is an int and ``padding`` is a string or an
        int; the pair ``(H', W')`` as soon as any of ``input_size``,
        ``kernel_size``, ``stride``, ``dilation`` is a pair or ``padding`` is
        given per axis.

    Raises
    ------
    ValueError
        A size below 1, an unknown padding, or a kernel larger than the padded input.
    TypeError
        A size that is not an int or a pair of ints.

    Examples
    --------
    The slides' exercise, a 28-pixel input and a 3x3 kernel:

    >>> output_size(28, 3)
    26
    >>> output_size(28, 3, padding="same")
    28
    >>> output_size(28, 3, stride=2)
    13
    >>> output_size((5, 7), 3, padding=1)
    (5, 7)
    >>> output_size(5, 3, padding=((1, 0), (0, 0)))
    (4, 3)
    """
    size, kernel, step, dil, k_eff, pads = _resolve(input_size, kernel_size, stride, padding, dilation)
    out = (
        (size[0] + sum(pads[0]) - k_eff[0]) // step[0] + 1,
        (size[1] + sum(pads[1]) - k_eff[1]) // step[1] + 1,
    )
    if _wants_pair(input_size, kernel_size, stride, dilation, padding=padding):
        return out
    return out[0]


@overload
def pool_output_size(input_size: int, size: int, *, stride: int | None = ..., padding: str | int = ...) -> int: ...
@overload
def pool_output_size(
    input_size: Sequence[int], size: IntOrPair, *, stride: IntOrPair | None = ..., padding: Padding = ...
) -> tuple[int, int]: ...
@overload
def pool_output_size(
    input_size: IntOrPair, size: Sequence[int], *, stride: IntOrPair | None = ..., padding: Padding = ...
) -> tuple[int, int]: ...
@overload
def pool_output_size(input_size: Any, size: Any, *, stride: Any = ..., padding: Any = ...) -> int | tuple[int, int]: ...
def pool_output_size(
    input_size: Any, size: Any, *, stride: Any = None, padding: Any = "valid"
) -> int | tuple[int, int]:
    """Output size of pooling with a ``size`` window (the slides' equation (4)).

    Parameters
    ----------
    input_size : int or (int, int)
        ``I``, the input's height and width.
    size : int or (int, int)
        The window ``W``.
    stride : int or (int, int), optional
        Defaults to ``size`` (non-overlapping windows).
    padding : {'valid', 'same', 'full'}, int, (int, int) or ((int, int), (int, int)), optional
        As in :func:`output_size`.

    Returns
    -------
    int or (int, int)
        ``floor((I + p_total - W) / s) + 1``; an int or a pair by the rule
        of :func:`output_size`.

    Examples
    --------
    >>> pool_output_size(26, 2)
    13
    >>> pool_output_size(7, 3, stride=2)
    3
    >>> pool_output_size((26, 13), 2)
    (13, 6)
    """
    if stride is None:
        stride = size
    try:
        return output_size(input_size, size, stride=stride, padding=padding)
    except ValueError as exc:
        raise ValueError(str(exc).replace("kernel_size=", "size=")) from None


def _transpose_geometry(
    input_size: Any, kernel_size: Any, stride: Any, padding: Any, output_padding: Any, dilation: Any
) -> tuple[tuple[int, int], ...]:
    """Validate a transposed convolution's sizes once; return ``(i, k, s, p, a, d, o)`` as pairs."""
    size = as_pair(input_size, "input_size")
    kernel = as_pair(kernel_size, "kernel_size")
    step = as_pair(stride, "stride")
    if isinstance(padding, str):
        raise TypeError(
            "`padding` of a transposed convolution must be an int or a pair of ints (h, w): "
            f"the rows and columns removed from each side of the output, got {padding!r}"
        )
    pads = as_pair(padding, "padding", minimum=0)
    extra = as_pair(output_padding, "output_padding", minimum=0)
    dil = as_pair(dilation, "dilation")
    for a in range(2):
        limit = max(step[a], dil[a])
        if extra[a] >= limit:
            raise ValueError(
                f"`output_padding` must be smaller than max(stride, dilation) = {limit}, got {pair_text(extra)}"
            )
    full = tuple(step[a] * (size[a] - 1) + dil[a] * (kernel[a] - 1) + 1 + extra[a] for a in range(2))
    out = (full[0] - 2 * pads[0], full[1] - 2 * pads[1])
    for a in range(2):
        if out[a] < 1:
            raise ValueError(
                f"`padding`={pair_text(pads)} removes {2 * pads[a]} rows or columns from an "
                f"output of {full[a]}, leaving {out[a]}: the output would be empty"
            )
    return size, kernel, step, pads, extra, dil, out


def conv_transpose_output_size(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    output_padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> int | tuple[int, int]:
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
    out = _transpose_geometry(input_size, kernel_size, stride, padding, output_padding, dilation)[-1]
    if any(is_pair(v) for v in (input_size, kernel_size, stride, padding, output_padding, dilation)):
        return out
    return out[0]


def padding_amounts(
    input_size: IntOrPair,
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: Padding = "valid",
    dilation: IntOrPair = 1,
) -> Pads:
    """Zeros added on each side: ``((top, bottom), (left, right))``.

    ``'same'`` puts the extra row/column, if any, at the bottom/right.

    Parameters
    ----------
    input_size, kernel_size, stride, padding, dilation
        As in :func:`output_size`.

    Returns
    -------
    ((int, int), (int, int))
        ``((top, bottom), (left, right))``, always a pair of pairs.

    Examples
    --------
    >>> padding_amounts(28, 3, padding="same")
    ((1, 1), (1, 1))
    >>> padding_amounts(28, 4, padding="same")
    ((1, 2), (1, 2))
    >>> padding_amounts(5, 3, stride=2, padding="same")
    ((1, 1), (1, 1))
    >>> padding_amounts(5, 3, padding="full")
    ((2, 2), (2, 2))
    """
    return _resolve(input_size, kernel_size, stride, padding, dilation)[5]


def _output_hw(
    size: tuple[int, int], kernel_size: IntOrPair, *, stride: IntOrPair, padding: Padding, dilation: IntOrPair = 1
) -> tuple[int, int]:
    """:func:`output_size` for an ``(H, W)``: always a pair."""
    out = output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    assert isinstance(out, tuple)
    return out


def feature_map_shape(
    input_shape: Sequence[int],
    filters: int,
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: Padding = "valid",
    dilation: IntOrPair = 1,
) -> tuple[int, int, int]:
    """Shape ``(G_h, G_w, G_d)`` of the feature map of a convolution layer.

    The depth ``G_d`` equals the number of kernels; each kernel has the
    input's depth (equation (2), ``K_d = I_d``).

    Parameters
    ----------
    input_shape : (int, int) or (int, int, int)
        ``(H, W)`` or ``(H, W, C)``.
    filters : int
        Number of filters ``F``.
    kernel_size : int or (int, int)
        ``K``.
    stride, padding, dilation
        As in :func:`output_size`.

    Returns
    -------
    (int, int, int)
        ``(H', W', F)`` with ``H'``, ``W'`` from equation (3).

    Examples
    --------
    The slides' exercise table: a 28x28x3 input and 8 kernels 3x3:

    >>> feature_map_shape((28, 28, 3), 8, 3)
    (26, 26, 8)
    >>> feature_map_shape((28, 28, 3), 8, 3, padding="same")
    (28, 28, 8)
    >>> feature_map_shape((28, 28, 3), 8, 3, stride=2)
    (13, 13, 8)
    """
    hw = _shape_hw(input_shape)
    f = as_int(filters, "filters")
    oh, ow = _output_hw(hw, kernel_size, stride=stride, padding=padding, dilation=dilation)
    return (oh, ow, f)


def _shape_hw(input_shape: Any) -> tuple[int, int]:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) not in (2, 3):
        raise ValueError(f"`input_shape` must be (H, W) or (H, W, C), got {input_shape!r}")
    dims = [as_int(v, "input_shape") for v in input_shape]
    return (dims[0], dims[1])


def _shape_hwc(input_shape: Any) -> tuple[int, int, int]:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"`input_shape` must be (H, W, C), got {input_shape!r}")
    h, w, c = (as_int(v, "input_shape") for v in input_shape)
    return (h, w, c)


# ---------------------------------------------------------------------------
# receptive field
# ---------------------------------------------------------------------------
def receptive_field(layers: Iterable[Sequence[int]]) -> int:
    """Receptive field, in input pixels, of one unit after a stack of layers.

    Parameters
    ----------
    layers : sequence of (kernel_size, stride) or (kernel_size, stride, dilation)
        Convolution and pooling layers from input to output (square).

    Returns
    -------
    int
        ``r_L = 1 + sum_l d_l (K_l - 1) * prod_{i<l} s_i``.

    Examples
    --------
    Two 3x3 convolutions see as much as one 5x5 (VGG's argument):

    >>> receptive_field([(3, 1), (3, 1)])
    5
    >>> receptive_field([(3, 1), (3, 1), (3, 1)])
    7
    >>> receptive_field([(5, 1), (2, 2), (5, 1), (2, 2)])  # LeNet-5 C1 S2 C3 S4
    16
    """
    if isinstance(layers, (str, bytes)) or not hasattr(layers, "__iter__"):
        raise TypeError(f"`layers` must be a sequence of (kernel_size, stride[, dilation]), got {layers!r}")
    field, jump = 1, 1
    for i, layer in enumerate(layers):
        if not isinstance(layer, (tuple, list)) or len(layer) not in (2, 3):
            raise ValueError(
                f"`layers[{i}]` must be (kernel_size, stride) or (kernel_size, stride, dilation), got {layer!r}"
            )
        k = as_int(layer[0], f"layers[{i}] kernel_size")
        s = as_int(layer[1], f"layers[{i}] stride")
        d = as_int(layer[2], f"layers[{i}] dilation") if len(layer) == 3 else 1
        field += d * (k - 1) * jump
        jump *= s
    return field


# ---------------------------------------------------------------------------
# parameters and multiply-adds
# ---------------------------------------------------------------------------
def conv_params(in_channels: int, filters: int, kernel_size: IntOrPair, *, bias: bool = True) -> int:
    """Trainable parameters of a convolution layer: ``K_h K_w C F (+ F)``.

    Parameters
    ----------
    in_channels : int
        The input depth ``C`` (each kernel has it, equation (2)).
    filters : int
        Number of filters ``F``.
    kernel_size : int or (int, int)
        ``(K_h, K_w)``.
    bias : bool, optional
        Count one bias per filter.

    Returns
    -------
    int

    Examples
    --------
    >>> conv_params(3, 8, 3)
    224
    >>> conv_params(3, 8, 3, bias=False)
    216
    """
    c = as_int(in_channels, "in_channels")
    f = as_int(filters, "filters")
    kh, kw = as_pair(kernel_size, "kernel_size")
    return kh * kw * c * f + (f if as_bool(bias, "bias") else 0)


def conv_macs(
    input_shape: Sequence[int],
    filters: int,
    kernel_size: IntOrPair,
    *,
    stride: IntOrPair = 1,
    padding: Padding = "valid",
    dilation: IntOrPair = 1,
) -> int:
    """Multiply-adds of a convolution layer: ``H' W' F K_h K_w C``.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)``.
    filters : int
        Number of filters ``F``.
    kernel_size : int or (int, int)
        ``(K_h, K_w)``.
    stride, padding, dilation
        As in :func:`output_size`.

    Returns
    -------
    int

    Examples
    --------
    >>> conv_macs((28, 28, 3), 8, 3)
    146016
    """
    h, w, c = _shape_hwc(input_shape)
    f = as_int(filters, "filters")
    kh, kw = as_pair(kernel_size, "kernel_size")
    oh, ow = _output_hw((h, w), (kh, kw), stride=stride, padding=padding, dilation=dilation)
    return oh * ow * f * kh * kw * c


def conv1x1_params(in_channels: int, filters: int, *, bias: bool = True) -> int:
    """Parameters of a 1x1 convolution: ``C F (+ F)``.

    Parameters
    ----------
    in_channels : int
        The input depth ``C``.
    filters : int
        Number of filters ``F``.
    bias : bool, optional
        Count one bias per filter.

    Returns
    -------
    int

    Examples
    --------
    >>> conv1x1_params(192, 64)
    12352
    """
    return conv_params(in_channels, filters, 1, bias=bias)


def conv1x1_macs(input_shape: Sequence[int], filters: int) -> int:
    """Multiply-adds of a 1x1 convolution: ``H W C F``.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)``.
    filters : int
        Number of filters ``F``.

    Returns
    -------
    int

    Examples
    --------
    >>> conv1x1_macs((28, 28, 192), 16)
    2408448
    """
    return conv_macs(input_shape, filters, 1)


def pool_params(size: IntOrPair = 2) -> int:
    """Parameters of a pooling layer: always 0 ("weights free", as the slides say).

    Parameters
    ----------
    size : int or (int, int), optional
        The window ``W`` (checked, though it changes nothing).

    Returns
    -------
    int
        0.

    Examples
    --------
    >>> pool_params(2)
    0
    """
    as_pair(size, "size")
    return 0


def pool_macs(
    input_shape: Sequence[int], size: IntOrPair = 2, *, stride: IntOrPair | None = None, padding: Padding = "valid"
) -> int:
    """Multiply-adds of max pooling: 0 (it compares; see :func:`pool_comparisons`).

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)``.
    size : int or (int, int), optional
        The window ``W``.
    stride, padding
        As in :func:`pool_output_size`.

    Returns
    -------
    int
        0, once the arguments are checked to describe a pooling that exists.

    Examples
    --------
    >>> pool_macs((26, 26, 8), 2)
    0
    """
    h, w, _ = _shape_hwc(input_shape)
    pool_output_size((h, w), size, stride=stride, padding=padding)
    return 0


def pool_comparisons(
    input_shape: Sequence[int], size: IntOrPair, *, stride: IntOrPair | None = None, padding: Padding = "valid"
) -> int:
    """Comparisons made by max pooling: ``H' W' C (W_h W_w - 1)``.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)``.
    size : int or (int, int)
        The window ``W``.
    stride, padding
        As in :func:`pool_output_size`.

    Returns
    -------
    int

    Examples
    --------
    >>> pool_comparisons((26, 26, 8), 2)
    4056
    """
    h, w, c = _shape_hwc(input_shape)
    kh, kw = as_pair(size, "size")
    oh, ow = pool_output_size((h, w), (kh, kw), stride=stride, padding=padding)
    return oh * ow * c * (kh * kw - 1)


def dense_params(in_features: int, out_features: int, *, bias: bool = True) -> int:
    """Parameters of a fully connected layer: ``n_in n_out (+ n_out)``.

    Parameters
    ----------
    in_features, out_features : int
        ``n_in`` and ``n_out``.
    bias : bool, optional
        Count one bias per output.

    Returns
    -------
    int

    Examples
    --------
    >>> dense_params(400, 120)
    48120
    """
    n_in = as_int(in_features, "in_features")
    n_out = as_int(out_features, "out_features")
    return n_in * n_out + (n_out if as_bool(bias, "bias") else 0)


def dense_macs(in_features: int, out_features: int) -> int:
    """Multiply-adds of a fully connected layer: ``n_in n_out``.

    Parameters
    ----------
    in_features, out_features : int
        ``n_in`` and ``n_out``.

    Returns
    -------
    int

    Examples
    --------
    >>> dense_macs(400, 120)
    48000
    """
    return as_int(in_features, "in_features") * as_int(out_features, "out_features")


# ---------------------------------------------------------------------------
# the inception module
# ---------------------------------------------------------------------------
def inception_cost(
    input_shape: Sequence[int],
    n1x1: int,
    n3x3_reduce: int,
    n3x3: int,
    n5x5_reduce: int,
    n5x5: int,
    pool_proj: int,
    *,
    reduce: bool = True,
) -> dict[str, Any]:
    """Shapes, parameters and multiply-adds of an inception module.

    The four branches of Szegedy et al. (2014), Figure 2(b), all with
    ``'same'`` padding and stride 1 so that they concatenate along depth:

    1. 1x1 convolution (``n1x1`` filters);
    2. 1x1 reduction (``n3x3_reduce``) then 3x3 convolution (``n3x3``);
    3. 1x1 reduction (``n5x5_reduce``) then 5x5 convolution (``n5x5``);
    4. 3x3 max pooling then 1x1 projection (``pool_proj``).

    With ``reduce=False`` the naive module of Figure 2(a) is costed: the 3x3
    and 5x5 convolutions see the whole input and the pooling branch is not
    projected (its depth is the input depth).

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)``.
    n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj : int
        The filters of each convolution, Table 1's columns.
    reduce : bool, optional
        ``False`` costs the naive module (no 1x1 reductions).

    Returns
    -------
    dict
        ``"branches"`` (a list of dicts with ``name``, ``output_shape``,
        ``params``, ``macs``), ``"output_shape"``, ``"params"``, ``"macs"``.

    Examples
    --------
    GoogLeNet's inception (3a) on 28x28x192:

    >>> cost = inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32)
    >>> cost["output_shape"]
    (28, 28, 256)
    >>> cost["params"], cost["macs"]
    (163696, 128049152)
    >>> naive = inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32, reduce=False)
    >>> naive["output_shape"], naive["params"]
    ((28, 28, 416), 387296)
    """
    h, w, c = _shape_hwc(input_shape)
    # numpy integers become Python ints here, so no count wraps around (np.uint64)
    n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj = (
        as_int(value, name)
        for name, value in (
            ("n1x1", n1x1),
            ("n3x3_reduce", n3x3_reduce),
            ("n3x3", n3x3),
            ("n5x5_reduce", n5x5_reduce),
            ("n5x5", n5x5),
            ("pool_proj", pool_proj),
        )
    )
    reduce = as_bool(reduce, "reduce")
    shape = (h, w, c)

    def conv(cin: int, f: int, k: int) -> tuple[int, int]:
        return conv_params(cin, f, k), conv_macs((h, w, cin), f, k, padding="same")

    branches: list[dict[str, Any]] = []
    p, m = conv(c, n1x1, 1)
    branches.append(dict(name="1x1", output_shape=(h, w, n1x1), params=p, macs=m))
    for name, red, n, k in (("3x3", n3x3_reduce, n3x3, 3), ("5x5", n5x5_reduce, n5x5, 5)):
        if reduce:
            p1, m1 = conv(c, red, 1)
            p2, m2 = conv(red, n, k)
            p, m = p1 + p2, m1 + m2
            name = f"1x1 -> {name}"
        else:
            p, m = conv(c, n, k)
        branches.append(dict(name=name, output_shape=(h, w, n), params=p, macs=m))
    if reduce:
        p, m = conv(c, pool_proj, 1)
        branches.append(dict(name="3x3 max pool -> 1x1", output_shape=(h, w, pool_proj), params=p, macs=m))
    else:
        branches.append(dict(name="3x3 max pool", output_shape=shape, params=0, macs=0))
    depth = sum(b["output_shape"][2] for b in branches)
    return dict(
        branches=branches,
        output_shape=(h, w, depth),
        params=sum(b["params"] for b in branches),
        macs=sum(b["macs"] for b in branches),
    )
