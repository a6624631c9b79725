"""Inside a CNN: every layer's feature maps, and how any one unit was computed.

:func:`network_state` runs one image through a :class:`meia_cnn.nn.Sequential`
(:meth:`~meia_cnn.nn.Sequential.forward_all`) and keeps every layer's output,
the logits and the softmax probabilities.  :func:`unit_detail` says what
produced one unit of one layer, in the layer's own arithmetic:

* a convolution unit: its window of the layer's input, the kernel, their
  products, the sum over every input channel, plus the bias;
* ReLU: the value before and after, ``max(0, x)``;
* max pooling: the window and the winner; average pooling: the window and its mean;
* Flatten: which cell of the maps it copies; Dropout (at prediction): the same value;
* a dense unit: the inputs, the weights, their products, the sum plus the bias;
  for the last layer also the logits and the softmax.

Each detail also gives the unit's receptive field on the network's input.
:func:`tile_channels` lays a layer's channels out side by side for a picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic
from .._validation import as_float_array, as_int, check_elements
from ..i18n import gettext_noop as N_
from ..i18n import register_option_labels
from ..nn.layers import AvgPool2D, Conv2D, Dense, Dropout, Flatten, MaxPool2D, ReLU
from ..nn.losses import softmax
from ..nn.model import Sequential
from ._frozen import frozen

__all__ = [
    "VECTOR_ROW",
    "built_shapes",
    "FeatureMapState",
    "NetworkState",
    "UnitDetail",
    "feature_map_state",
    "layer_kind",
    "layer_scales",
    "network_state",
    "tile_channels",
    "tile_layout",
    "unit_detail",
]

#: Values per row when a vector (Flatten, Dense) is drawn as a strip.
VECTOR_ROW = 16
# What the explorer's image menu shows for the digits' test split.
register_option_labels({"test images": N_("test images")})

_KINDS = ((Conv2D, "conv"), (ReLU, "relu"), (MaxPool2D, "maxpool"), (AvgPool2D, "avgpool"),
          (Flatten, "flatten"), (Dense, "dense"), (Dropout, "dropout"))


def layer_kind(layer: object) -> str:
    """``'conv'``, ``'relu'``, ``'maxpool'``, ``'avgpool'``, ``'flatten'``, ``'dense'``, ``'dropout'`` or ``'other'``.

    Parameters
    ----------
    layer : Layer

    Returns
    -------
    str

    Examples
    --------
    >>> layer_kind(ReLU())
    'relu'
    """
    for cls, kind in _KINDS:
        if isinstance(layer, cls):
            return kind
    return "other"


def tile_layout(shape: tuple[int, ...], ncols: int | None = None) -> tuple[int, int]:
    """``(rows, cols)`` of tiles for maps of ``shape`` (``(H, W, C)``), or of values for a vector ``(K,)``.

    4 tiles a row up to 16 channels (2x4, 4x4), 8 beyond; a vector is laid in
    rows of :data:`VECTOR_ROW` values.

    Parameters
    ----------
    shape : tuple of int
    ncols : int, optional

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> tile_layout((8, 8, 8)), tile_layout((4, 4, 16)), tile_layout((64,)), tile_layout((3, 3, 3))
    ((2, 4), (4, 4), (4, 16), (1, 3))
    """
    shape = tuple(as_int(v, "shape", minimum=0) for v in shape)
    ncols = None if ncols is None else as_int(ncols, "ncols")
    if len(shape) == 1:
        k = int(shape[0])
        width = max(1, min(k, VECTOR_ROW))
        return (math.ceil(k / width), width)
    c = int(shape[-1])
    default = c if c < 4 else (4 if c <= 16 else 8)
    cols = max(1, min(ncols or default, c))
    return (math.ceil(c / cols), cols)


def tile_channels(maps: ArrayLike, ncols: int | None = None, gap: int = 1) -> NDArray[np.float64]:
    """Lay the channels of ``(H, W, C)`` maps side by side, ``ncols`` per row.

    Channel ``c`` sits in tile row ``c // ncols``, tile column ``c % ncols``
    (by default 4 per row up to 16 channels, 8 beyond); tiles are separated
    by ``gap`` rows/columns of NaN.  A vector ``(K,)`` becomes rows of
    :data:`VECTOR_ROW` values, NaN-padded.

    Parameters
    ----------
    maps : (H, W, C) or (K,) array
    ncols : int, optional
    gap : int

    Returns
    -------
    (rows (H + gap) - gap, cols (W + gap) - gap) array of float64

    Examples
    --------
    >>> maps = np.stack([[[0.0, 2.0], [4.0, 6.0]], [[1.0, 3.0], [5.0, 7.0]]], axis=-1)
    >>> tile_channels(maps, ncols=2)
    array([[ 0.,  2., nan,  1.,  3.],
           [ 4.,  6., nan,  5.,  7.]])
    >>> tile_channels(np.arange(3.0), ncols=2).shape
    (1, 3)
    """
    arr = as_float_array(maps, "maps", allow_nan=True).astype(np.float64, copy=False)
    gap = as_int(gap, "gap", minimum=0)
    if arr.ndim == 3:
        rows, cols = tile_layout(arr.shape, ncols)
        h, w = arr.shape[0] + gap, arr.shape[1] + gap
        check_elements((rows * h, cols * w), name="gap" if gap > max(arr.shape[:2]) else "maps", what="the tiles")
    if arr.ndim == 1:
        rows, width = tile_layout(arr.shape)
        out = np.full(rows * width, np.nan)
        out[: arr.shape[0]] = arr
        return out.reshape(rows, width)
    if arr.ndim != 3:
        raise ValueError(f"`maps` must be (H, W, C) or (K,), got shape {arr.shape}")
    h, w, c = arr.shape
    nrows, ncols = tile_layout(arr.shape, ncols)
    padded = np.full((nrows * ncols, h + gap, w + gap), np.nan)
    padded[:c, :h, :w] = np.moveaxis(arr, -1, 0)
    tiles = padded.reshape(nrows, ncols, h + gap, w + gap).transpose(0, 2, 1, 3)
    grid: NDArray[np.float64] = tiles.reshape(nrows * (h + gap), ncols * (w + gap))
    return grid[: grid.shape[0] - gap, : grid.shape[1] - gap]


@dataclass(frozen=True, eq=False)
class NetworkState:
    """One image through the network.

    Attributes
    ----------
    image : (H, W, C) array
        The input, as the model takes it.
    outputs : tuple of arrays
        ``outputs[i]`` is the output of ``model.layers[i]`` (no batch axis).
    names, kinds : tuple of str
        Each layer's name and :func:`layer_kind`.
    logits, probabilities : (classes,) arrays
        The last output and its softmax.

    Examples
    --------
    >>> from meia_cnn.nn import digits_split, load_reference
    >>> state = network_state(load_reference(), digits_split()[1][0])
    >>> state.image.shape, state.logits.shape, len(state.outputs) == len(state.names)
    ((8, 8, 1), (10,), True)
    >>> state.kinds[:3]
    ('conv', 'relu', 'maxpool')
    >>> state.prediction == int(np.argmax(state.logits))
    True
    """

    image: NDArray
    outputs: tuple[NDArray, ...]
    names: tuple[str, ...]
    kinds: tuple[str, ...]
    logits: NDArray
    probabilities: NDArray

    @property
    def prediction(self) -> int:
        """The most probable class."""
        return int(np.argmax(self.probabilities))


def network_state(model: Sequential, image: ArrayLike) -> NetworkState:
    """Every layer's output for one ``image``, the logits and the probabilities.

    Parameters
    ----------
    model : Sequential
        A model ending in one score per class.
    image : (H, W[, C]) array
        One sample of ``model.input_shape``.

    Returns
    -------
    NetworkState

    Examples
    --------
    >>> from meia_cnn.nn import digits_split, load_reference
    >>> model = load_reference()
    >>> state = network_state(model, digits_split()[1][0])
    >>> [o.shape for o in state.outputs][:3], round(float(state.probabilities.sum()), 5)
    ([(8, 8, 8), (8, 8, 8), (4, 4, 8)], 1.0)
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"`model` must be a meia_cnn.nn.Sequential, got {type(model).__name__}")
    batch, _ = model._batch(image, "image")
    if len(batch) != 1:
        raise ValueError(f"`image` must be one sample of shape {model.input_shape}, got a batch of {len(batch)}")
    outs = model.forward_all(batch[0])
    logits = np.asarray(outs[-1], dtype=np.float64)
    if logits.ndim != 1:
        raise ValueError("`model` must end in one score per class (Flatten and Dense)")
    return NetworkState(
        image=frozen(batch[0], dtype=batch.dtype.type), outputs=tuple(frozen(o, dtype=o.dtype.type) for o in outs),
        names=tuple(str(layer.name) for layer in model.layers),
        kinds=tuple(layer_kind(layer) for layer in model.layers),
        logits=frozen(logits), probabilities=frozen(softmax(logits[None])[0]),
    )


@dataclass(frozen=True, eq=False)
class UnitDetail:
    """What produced one unit of one layer.

    Attributes
    ----------
    layer : int
        Index in ``model.layers``.
    name, kind : str
    unit : tuple of int
        ``(row, col, channel)`` for maps, ``(k,)`` for vectors.
    value : float
        The layer's output at the unit (from ``forward_all``).
    window : ((int, int), (int, int)) or None
        Rows ``[start, stop)`` and columns of the layer's input the unit sees
        (in the input's coordinates: outside ``0 .. H`` is padding).
    inputs : array
        conv: the window ``(Kh, Kw, C)`` (padding as 0); pooling: the window
        ``(kh, kw)`` of the unit's channel (padding as NaN); dense: the input
        vector; ReLU, Dropout, Flatten: the one input value.
    weights, products : arrays or None
        conv: the kernel ``(Kh, Kw, C)`` and ``inputs * weights``; dense: the
        weight column and the products.
    channel_sums : (C,) array or None
        conv: the sum of the products over each input channel.
    total : float or None
        conv/dense: the sum of every product; average pooling: the window's sum.
    bias : float or None
    count : int or None
        Average pooling: the real cells averaged.
    source : tuple of int or None
        The input cell the value comes from: ReLU, Dropout (the same place),
        Flatten (the cell it copies), max pooling (the winner).
    field : ((int, int), (int, int))
        The receptive field on the network's input: rows ``[start, stop)``,
        columns, clipped to the image.
    logits, probabilities : arrays or None
        For the last layer: the scores and their softmax.

    Examples
    --------
    >>> from meia_cnn.nn import digits_split, load_reference
    >>> model = load_reference()
    >>> detail = unit_detail(model, network_state(model, digits_split()[1][0]), 2, (1, 2, 0))
    >>> detail.kind, detail.window, detail.inputs.shape
    ('maxpool', ((2, 4), (4, 6)), (2, 2))
    >>> detail.value == float(np.nanmax(detail.inputs))
    True
    """

    layer: int
    name: str
    kind: str
    unit: tuple[int, ...]
    value: float
    window: tuple[tuple[int, int], tuple[int, int]] | None
    inputs: NDArray
    weights: NDArray | None
    products: NDArray | None
    channel_sums: NDArray | None
    total: float | None
    bias: float | None
    count: int | None
    source: tuple[int, ...] | None
    field: tuple[tuple[int, int], tuple[int, int]]
    logits: NDArray | None
    probabilities: NDArray | None


def _geometry(layer: object, h: int, w: int) -> tuple[tuple[int, int], tuple[int, int],
                                                       tuple[tuple[int, int], tuple[int, int]]]:
    """Window, stride and pads of a convolution or pooling layer on an ``h x w`` input."""
    window = layer.kernel_size if isinstance(layer, Conv2D) else layer.size  # type: ignore[attr-defined]
    stride = layer.stride  # type: ignore[attr-defined]
    pads = arithmetic.padding_amounts((h, w), window, stride=stride, padding=layer.padding)  # type: ignore[attr-defined]
    return (int(window[0]), int(window[1])), (int(stride[0]), int(stride[1])), (
        (int(pads[0][0]), int(pads[0][1])), (int(pads[1][0]), int(pads[1][1])))


def _check_unit(unit: tuple[int, ...], shape: tuple[int, ...], name: str) -> tuple[int, ...]:
    if len(unit) != len(shape):
        raise ValueError(f"`unit` must have {len(shape)} indices for {name}'s output of shape {shape}, "
                         f"got {tuple(unit)}")
    out = []
    for i, (u, n) in enumerate(zip(unit, shape)):
        if isinstance(u, bool) or not isinstance(u, (int, np.integer)):
            raise TypeError(f"`unit` must hold ints, got {u!r}")
        if not 0 <= u < n:
            raise ValueError(f"`unit`[{i}] must be in 0..{n - 1} for {name}'s output of shape {shape}, got {u}")
        out.append(int(u))
    return tuple(out)


def built_shapes(model: Sequential) -> tuple[tuple[int, ...], list[tuple[int, ...]]]:
    """The input shape and every layer's output shape of a built model.

    Parameters
    ----------
    model : meia_cnn.nn.Sequential
        A model built with an ``input_shape``.

    Returns
    -------
    input_shape : tuple of int
    output_shapes : list of tuple of int
        One per layer.

    Raises
    ------
    ValueError
        When the model has not been built.

    Examples
    --------
    >>> from meia_cnn import nn
    >>> built_shapes(nn.Sequential([nn.Flatten()], input_shape=(2, 2, 1)))
    ((2, 2, 1), [(4,)])
    """
    if model.input_shape is None or model.output_shapes is None:
        raise ValueError("the model must be built: give it an `input_shape`")
    return model.input_shape, model.output_shapes


def _field(model: Sequential, layer: int, unit: tuple[int, ...], image_shape: tuple[int, ...]
           ) -> tuple[tuple[int, int], tuple[int, int]]:
    """The unit's receptive field on the input: walk back from ``layer`` to the image."""
    H, W = int(image_shape[0]), int(image_shape[1])
    shapes = [tuple(image_shape)] + [tuple(s) for s in built_shapes(model)[1]]
    if len(unit) == 1:
        rows = cols = None
    else:
        rows, cols = [unit[0], unit[0]], [unit[1], unit[1]]
    for j in range(layer, -1, -1):
        lay = model.layers[j]
        kind = layer_kind(lay)
        in_shape = shapes[j]
        if kind in ("conv", "maxpool", "avgpool") and rows is not None and cols is not None:
            (kh, kw), (sh, sw), ((top, _), (left, _)) = _geometry(lay, in_shape[0], in_shape[1])
            rows = [rows[0] * sh - top, rows[1] * sh - top + kh - 1]
            cols = [cols[0] * sw - left, cols[1] * sw - left + kw - 1]
        elif kind == "flatten" and rows is None and j == layer and len(in_shape) == 3:
            r, c, _ = np.unravel_index(unit[0], in_shape)
            rows, cols = [int(r), int(r)], [int(c), int(c)]
        elif kind in ("dense", "flatten", "other"):
            rows = cols = None  # every input value feeds a dense unit
    if rows is None or cols is None:
        return ((0, H), (0, W))
    return ((max(0, rows[0]), min(H, rows[1] + 1)), (max(0, cols[0]), min(W, cols[1] + 1)))


def unit_detail(model: Sequential, state: NetworkState, layer: int, unit: tuple[int, ...]) -> UnitDetail:
    """How unit ``unit`` of layer ``layer`` was computed, for the image of ``state``.

    Parameters
    ----------
    model : Sequential
        The model ``state`` was computed with.
    state : NetworkState
        From :func:`network_state`.
    layer : int
        Index in ``model.layers``.
    unit : tuple of int
        ``(row, col, channel)`` of a map, ``(k,)`` of a vector.

    Returns
    -------
    UnitDetail

    Examples
    --------
    >>> from meia_cnn.nn import digits_split, load_reference
    >>> model = load_reference()
    >>> state = network_state(model, digits_split()[1][0])
    >>> d = unit_detail(model, state, 0, (3, 4, 1))
    >>> d.kind, d.window, d.field
    ('conv', ((2, 5), (3, 6)), ((2, 5), (3, 6)))
    >>> bool(np.isclose(d.total + d.bias, d.value, atol=1e-5))
    True
    >>> unit_detail(model, state, 3, (0, 0, 0)).field  # two convolutions and a pooling deep
    ((0, 5), (0, 5))
    """
    n = len(model.layers)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < n:
        raise ValueError(f"`layer` must be an int in 0..{n - 1}, got {layer!r}")
    L = int(layer)
    lay = model.layers[L]
    kind = layer_kind(lay)
    out = state.outputs[L]
    name = state.names[L]
    u = _check_unit(tuple(unit), out.shape, name)
    value = float(out[u])
    x = state.image if L == 0 else state.outputs[L - 1]
    x = np.asarray(x, dtype=np.float64)
    field = _field(model, L, u, state.image.shape)
    window = None
    weights = products = channel_sums = None
    total = bias = None
    count = None
    source: tuple[int, ...] | None = None
    if kind in ("conv", "maxpool", "avgpool"):
        r, c, ch = u
        (kh, kw), (sh, sw), ((top, _), (left, _)) = _geometry(lay, x.shape[0], x.shape[1])
        r0, c0 = r * sh - top, c * sw - left
        window = ((r0, r0 + kh), (c0, c0 + kw))
        rows = np.arange(r0, r0 + kh)
        cols = np.arange(c0, c0 + kw)
        inside = ((rows >= 0) & (rows < x.shape[0]))[:, None] & ((cols >= 0) & (cols < x.shape[1]))[None, :]
        rr, cc = np.clip(rows, 0, x.shape[0] - 1), np.clip(cols, 0, x.shape[1] - 1)
        patch = x[np.ix_(rr, cc)]  # (kh, kw, C)
        if kind == "conv":
            inputs = np.where(inside[:, :, None], patch, 0.0)
            weights = np.asarray(lay.params["W"][:, :, :, ch], dtype=np.float64)
            products = inputs * weights
            channel_sums = products.sum(axis=(0, 1))
            total = float(products.sum())
            bias = float(lay.params["b"][ch])
        else:
            inputs = np.where(inside, patch[:, :, ch], np.nan)
            if kind == "maxpool":
                k = int(np.nanargmax(inputs))
                source = (int(rows[k // kw]), int(cols[k % kw]), ch)
            else:
                count = int(inside.sum())
                total = float(np.nansum(inputs))
    elif kind in ("relu", "dropout"):
        inputs = np.array([x[u]])
        source = u
    elif kind == "flatten":
        idx = np.unravel_index(u[0], x.shape)
        source = tuple(int(i) for i in idx)
        inputs = np.array([x[source]])
    elif kind == "dense":
        inputs = x.reshape(-1)
        weights = np.asarray(lay.params["W"][:, u[0]], dtype=np.float64)
        products = inputs * weights
        total = float(products.sum())
        bias = float(lay.params["b"][u[0]])
    else:
        inputs = np.array([np.nan])
    last = L == n - 1
    return UnitDetail(
        layer=L, name=name, kind=kind, unit=u, value=value, window=window, inputs=frozen(inputs),
        weights=None if weights is None else frozen(weights),
        products=None if products is None else frozen(products),
        channel_sums=None if channel_sums is None else frozen(channel_sums),
        total=total, bias=bias, count=count, source=source, field=field,
        logits=state.logits if last else None, probabilities=state.probabilities if last else None,
    )


@dataclass(frozen=True, eq=False)
class FeatureMapState:
    """One image through the network and the detail of one chosen unit.

    Attributes
    ----------
    network : NetworkState
    detail : UnitDetail

    Examples
    --------
    >>> from meia_cnn.nn import digits_split, load_reference
    >>> state = feature_map_state(load_reference(), digits_split()[1][0], 0, (0, 0, 0))
    >>> state.detail.kind, state.detail.unit, state.network.names[0] == state.detail.name
    ('conv', (0, 0, 0), True)
    """

    network: NetworkState
    detail: UnitDetail


def feature_map_state(model: Sequential, image: ArrayLike, layer: int, unit: tuple[int, ...], *,
                      network: NetworkState | None = None) -> FeatureMapState:
    """:func:`network_state` and :func:`unit_detail` together.

    Parameters
    ----------
    model : Sequential
    image : (H, W[, C]) array
    layer : int
    unit : tuple of int
    network : NetworkState, optional
        Already computed for ``image`` (it is reused).

    Returns
    -------
    FeatureMapState

    Examples
    --------
    >>> from meia_cnn.nn import digits_split, load_reference
    >>> state = feature_map_state(load_reference(), digits_split()[1][0], 7, (3,))
    >>> state.detail.kind, state.detail.probabilities is not None
    ('dense', True)
    """
    net = network_state(model, image) if network is None else network
    return FeatureMapState(network=net, detail=unit_detail(model, net, layer, unit))


def layer_scales(model: Sequential, X: ArrayLike, *, sample: int = 256) -> tuple[tuple[bool, float], ...]:
    """Each layer's colour range over (a sample of) ``X``: ``(signed, top)``, fixed so pictures compare.

    ``top`` is the 99.5th percentile of the absolute values (a few extreme
    values should not wash out the rest); ``signed`` says the layer has
    negative values (a map centred on 0).

    Parameters
    ----------
    model : Sequential
    X : (N, H, W[, C]) array
    sample : int
        The first ``sample`` images are used.

    Returns
    -------
    tuple of (bool, float)

    Examples
    --------
    >>> from meia_cnn.nn import digits_split, load_reference
    >>> scales = layer_scales(load_reference(), digits_split()[1])
    >>> [signed for signed, _ in scales][:3]
    [True, False, False]
    """
    batch, _ = model._batch(X, "X")
    sample = as_int(sample, "sample")
    out = []
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            outputs = model.forward_all(batch[:sample])
        except ValueError as exc:  # a layer refused what the one before it gave
            if "finite" not in str(exc):
                raise
            raise ValueError("the values of `X` are too large: the network's values are no longer finite") from None
    for values in outputs:
        a = np.abs(np.asarray(values, dtype=np.float64))
        top = float(np.percentile(a, 99.5)) or float(a.max()) or 1.0
        out.append((bool(np.min(values) < 0), top))
    return tuple(out)
