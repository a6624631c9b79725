"""Convolution arithmetic: output sizes, padding, receptive fields and costs.

Plain integers in, plain integers out.  The formulas are the lecture's:

* equation (3), the output width of a convolution with stride ``s``::

      G_w = floor((I_w - K_w) / s) + 1

* equation (4), the output width of pooling with window ``W_w``::

      O_w = floor((I_w - W_w) / s) + 1

generalised, as in Dumoulin & Visin (2016), to padding ``p`` and dilation
``d``: ``floor((I + p_total - d (K - 1) - 1) / s) + 1``.

Sizes given as one int mean square; when any size argument is a pair
``(h, w)`` the answer is a pair too.
"""

from __future__ import annotations

from ._validation import as_int, as_pair, check_padding, is_int, is_pair

__all__ = [
    "output_size",
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


# ---------------------------------------------------------------------------
# padding and output sizes
# ---------------------------------------------------------------------------
def _pad_1d(size, k_eff, stride, mode, axis):
    """Padding (before, after) along one axis for a validated padding."""
    if mode == "valid":
        return (0, 0)
    if mode == "full":
        return (k_eff - 1, k_eff - 1)
    if mode == "same":
        out = -(-size // stride)  # ceil(I / s), the Keras/TensorFlow rule
        total = max((out - 1) * stride + k_eff - size, 0)
        return (total // 2, total - total // 2)
    return mode[axis]


def _resolve(input_size, kernel_size, stride, padding, dilation, *, kernel_name="kernel_size"):
    """Validate everything once; return per-axis tuples and the padding pairs."""
    size = as_pair(input_size, "input_size")
    kernel = as_pair(kernel_size, kernel_name)
    step = as_pair(stride, "stride")
    dil = as_pair(dilation, "dilation")
    mode = check_padding(padding)
    k_eff = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dil))
    pads = tuple(_pad_1d(size[a], k_eff[a], step[a], mode, a) for a in range(2))
    for a in range(2):
        padded = size[a] + sum(pads[a])
        if k_eff[a] > padded:
            what = f"{kernel_name}={kernel[a]}"
            if dil[a] > 1:
                what += f" with dilation={dil[a]} (effective size {k_eff[a]})"
            pad_text = padding if isinstance(padding, str) else pads[a]
            raise ValueError(
                f"{what} is larger than the padded input ({padded}) for padding={pad_text!r}"
            )
    return size, kernel, step, dil, k_eff, pads


def _any_pair(*values):
    return any(is_pair(v) for v in values)


def _pad_is_asymmetric(padding):
    return not isinstance(padding, str) and not is_int(padding)


def output_size(input_size, kernel_size, *, stride=1, padding="valid", dilation=1):
    """Output size of a convolution (the slides' equation (3)).

    Parameters
    ----------
    input_size : int or (int, int)
        ``I``, the input's height and width (one int means square).
    kernel_size : int or (int, int)
        ``K``.
    stride : int or (int, int), optional
        ``s`` >= 1.
    padding : {'valid', 'same', 'full'}, int or ((int, int), (int, int)), optional
        ``'same'`` follows Keras/TensorFlow: output = ceil(I / s).
    dilation : int or (int, int), optional
        ``d`` >= 1; the kernel then covers ``d (K - 1) + 1`` pixels.

    Returns
    -------
    int or (int, int)
        ``floor((I + p_total - d (K - 1) - 1) / s) + 1``; a pair when any
        size argument (or the padding) is given per axis.

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
    """
    size, kernel, step, dil, k_eff, pads = _resolve(input_size, kernel_size, stride, padding, dilation)
    out = tuple(
        (size[a] + sum(pads[a]) - k_eff[a]) // step[a] + 1 for a in range(2)
    )
    if _any_pair(input_size, kernel_size, stride, dilation) or _pad_is_asymmetric(padding):
        return out
    return out[0]


def pool_output_size(input_size, size, *, stride=None, padding="valid"):
    """Output size of pooling with a ``size`` window (the slides' equation (4)).

    ``stride`` defaults to ``size`` (non-overlapping windows).

    >>> pool_output_size(26, 2)
    13
    >>> pool_output_size(7, 3, stride=2)
    3
    """
    if stride is None:
        stride = size
    try:
        return output_size(input_size, size, stride=stride, padding=padding)
    except ValueError as exc:
        raise ValueError(str(exc).replace("kernel_size=", "size=")) from None


def padding_amounts(input_size, kernel_size, *, stride=1, padding="valid", dilation=1):
    """Zeros added on each side: ``((top, bottom), (left, right))``.

    ``'same'`` puts the extra row/column, if any, at the bottom/right.

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


def feature_map_shape(input_shape, filters, kernel_size, *, stride=1, padding="valid", dilation=1):
    """Shape ``(G_h, G_w, G_d)`` of the feature map of a convolution layer.

    The depth ``G_d`` equals the number of kernels; each kernel has the
    input's depth (equation (2), ``K_d = I_d``).

    Parameters
    ----------
    input_shape : (int, int) or (int, int, int)
        ``(H, W)`` or ``(H, W, C)``.
    filters : int
        Number of filters ``F``.

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
    h, w = _shape_hw(input_shape)
    f = as_int(filters, "filters")
    oh, ow = output_size((h, w), kernel_size, stride=stride, padding=padding, dilation=dilation)
    return (oh, ow, f)


def _shape_hw(input_shape, *, need_channels=False):
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) not in (2, 3):
        raise ValueError(
            f"`input_shape` must be (H, W) or (H, W, C), got {input_shape!r}"
        )
    if need_channels and len(input_shape) != 3:
        raise ValueError(f"`input_shape` must be (H, W, C), got {input_shape!r}")
    dims = [as_int(v, "input_shape") for v in input_shape]
    return tuple(dims) if need_channels else (dims[0], dims[1])


# ---------------------------------------------------------------------------
# receptive field
# ---------------------------------------------------------------------------
def receptive_field(layers):
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
def conv_params(in_channels, filters, kernel_size, *, bias=True):
    """Trainable parameters of a convolution layer: ``K_h K_w C F (+ F)``.

    >>> conv_params(3, 8, 3)
    224
    >>> conv_params(3, 8, 3, bias=False)
    216
    """
    c = as_int(in_channels, "in_channels")
    f = as_int(filters, "filters")
    kh, kw = as_pair(kernel_size, "kernel_size")
    return kh * kw * c * f + (f if bias else 0)


def conv_macs(input_shape, filters, kernel_size, *, stride=1, padding="valid", dilation=1):
    """Multiply-adds of a convolution layer: ``H' W' F K_h K_w C``.

    >>> conv_macs((28, 28, 3), 8, 3)
    146016
    """
    h, w, c = _shape_hw(input_shape, need_channels=True)
    f = as_int(filters, "filters")
    kh, kw = as_pair(kernel_size, "kernel_size")
    oh, ow = output_size((h, w), (kh, kw), stride=stride, padding=padding, dilation=dilation)
    return oh * ow * f * kh * kw * c


def conv1x1_params(in_channels, filters, *, bias=True):
    """Parameters of a 1x1 convolution: ``C F (+ F)``.

    >>> conv1x1_params(192, 64)
    12352
    """
    return conv_params(in_channels, filters, 1, bias=bias)


def conv1x1_macs(input_shape, filters):
    """Multiply-adds of a 1x1 convolution: ``H W C F``.

    >>> conv1x1_macs((28, 28, 192), 16)
    2408448
    """
    return conv_macs(input_shape, filters, 1)


def pool_params(*args, **kwargs):
    """Parameters of a pooling layer: always 0 ("weights free", as the slides say).

    >>> pool_params()
    0
    """
    return 0


def pool_macs(*args, **kwargs):
    """Multiply-adds of max pooling: 0 (it compares; see :func:`pool_comparisons`).

    >>> pool_macs()
    0
    """
    return 0


def pool_comparisons(input_shape, size, *, stride=None, padding="valid"):
    """Comparisons made by max pooling: ``H' W' C (W_h W_w - 1)``.

    >>> pool_comparisons((26, 26, 8), 2)
    4056
    """
    h, w, c = _shape_hw(input_shape, need_channels=True)
    kh, kw = as_pair(size, "size")
    oh, ow = pool_output_size((h, w), (kh, kw), stride=stride, padding=padding)
    return oh * ow * c * (kh * kw - 1)


def dense_params(in_features, out_features, *, bias=True):
    """Parameters of a fully connected layer: ``n_in n_out (+ n_out)``.

    >>> dense_params(400, 120)
    48120
    """
    n_in = as_int(in_features, "in_features")
    n_out = as_int(out_features, "out_features")
    return n_in * n_out + (n_out if bias else 0)


def dense_macs(in_features, out_features):
    """Multiply-adds of a fully connected layer: ``n_in n_out``.

    >>> dense_macs(400, 120)
    48000
    """
    return as_int(in_features, "in_features") * as_int(out_features, "out_features")


# ---------------------------------------------------------------------------
# the inception module
# ---------------------------------------------------------------------------
def inception_cost(input_shape, n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj, *, reduce=True):
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
    h, w, c = _shape_hw(input_shape, need_channels=True)
    counts = dict(n1x1=n1x1, n3x3_reduce=n3x3_reduce, n3x3=n3x3,
                  n5x5_reduce=n5x5_reduce, n5x5=n5x5, pool_proj=pool_proj)
    for name, value in counts.items():
        as_int(value, name)
    shape = (h, w, c)

    def conv(cin, f, k):
        return conv_params(cin, f, k), conv_macs((h, w, cin), f, k, padding="same")

    branches = []
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

