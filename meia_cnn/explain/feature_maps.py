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
:func:`tile_channels` lays a layer's channels out side by side for a picture;
:func:`feature_map_scene` turns a state into what the explorer draws and
writes, and :func:`feature_map_pictures` into its pictures (PNG).
"""

from __future__ import annotations

import functools
import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic
from .._validation import as_float_array, as_int, check_elements, shape_text
from ..i18n import TranslatedText, register_option_labels
from ..i18n import gettext_noop as N_
from ..nn.layers import AvgPool2D, Conv2D, Dense, Dropout, Flatten, MaxPool2D, ReLU
from ..nn.losses import _check_labels, softmax
from ..nn.model import Sequential
from ..nn.reference import digits_split
from ._frozen import frozen
from ._render import PALETTE, colours, encode_png, format_number, sample_colour_map

__all__ = [
    "DENSE_SHOWN",
    "TEST_IMAGES",
    "VECTOR_ROW",
    "built_shapes",
    "checked_images",
    "FeatureMapScene",
    "FeatureMapState",
    "NetworkState",
    "UnitDetail",
    "feature_map_pictures",
    "feature_map_scene",
    "feature_map_state",
    "layer_kind",
    "layer_scales",
    "mosaic_shape",
    "network_state",
    "picked_unit",
    "tile_channels",
    "tile_layout",
    "unit_detail",
    "unit_limits",
    "upload_input",
]

#: Values per row when a vector (Flatten, Dense) is drawn as a strip.
VECTOR_ROW = 16
#: Products listed for a dense unit (the largest in size).
DENSE_SHOWN = 6
#: The explorer's image menu: the test images (an upload joins them).
TEST_IMAGES = "test images"
# What the explorer's image menu shows for the digits' test split.
register_option_labels({TEST_IMAGES: N_("test images")})

_KINDS = (
    (Conv2D, "conv"),
    (ReLU, "relu"),
    (MaxPool2D, "maxpool"),
    (AvgPool2D, "avgpool"),
    (Flatten, "flatten"),
    (Dense, "dense"),
    (Dropout, "dropout"),
)


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
        image=frozen(batch[0], dtype=batch.dtype.type),
        outputs=tuple(frozen(o, dtype=o.dtype.type) for o in outs),
        names=tuple(str(layer.name) for layer in model.layers),
        kinds=tuple(layer_kind(layer) for layer in model.layers),
        logits=frozen(logits),
        probabilities=frozen(softmax(logits[None])[0]),
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


def _geometry(
    layer: object, h: int, w: int
) -> tuple[tuple[int, int], tuple[int, int], tuple[tuple[int, int], tuple[int, int]]]:
    """Window, stride and pads of a convolution or pooling layer on an ``h x w`` input."""
    window = layer.kernel_size if isinstance(layer, Conv2D) else layer.size  # type: ignore[attr-defined]
    stride = layer.stride  # type: ignore[attr-defined]
    pads = arithmetic.padding_amounts((h, w), window, stride=stride, padding=layer.padding)  # type: ignore[attr-defined]
    return (
        (int(window[0]), int(window[1])),
        (int(stride[0]), int(stride[1])),
        ((int(pads[0][0]), int(pads[0][1])), (int(pads[1][0]), int(pads[1][1]))),
    )


def _check_unit(unit: tuple[int, ...], shape: tuple[int, ...], name: str) -> tuple[int, ...]:
    if len(unit) != len(shape):
        raise ValueError(
            f"`unit` must have {len(shape)} indices for {name}'s output of shape {shape}, got {tuple(unit)}"
        )
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


def _field(
    model: Sequential, layer: int, unit: tuple[int, ...], image_shape: tuple[int, ...]
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


def _check_layer(model: Sequential, layer: int) -> int:
    n = len(model.layers)
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < n:
        raise ValueError(f"`layer` must be an int in 0..{n - 1}, got {layer!r}")
    return int(layer)


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
    L = _check_layer(model, layer)
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
        layer=L,
        name=name,
        kind=kind,
        unit=u,
        value=value,
        window=window,
        inputs=frozen(inputs),
        weights=None if weights is None else frozen(weights),
        products=None if products is None else frozen(products),
        channel_sums=None if channel_sums is None else frozen(channel_sums),
        total=total,
        bias=bias,
        count=count,
        source=source,
        field=field,
        logits=state.logits if last else None,
        probabilities=state.probabilities if last else None,
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


def feature_map_state(
    model: Sequential, image: ArrayLike, layer: int, unit: tuple[int, ...], *, network: NetworkState | None = None
) -> FeatureMapState:
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


def mosaic_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(rows, cols)`` of :func:`tile_channels` for maps of ``shape`` (with its gap of 1), from the shape alone.

    Parameters
    ----------
    shape : tuple of int
        ``(H, W, C)`` or ``(K,)``.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> mosaic_shape((8, 8, 8)), tile_channels(np.zeros((8, 8, 8))).shape
    ((17, 35), (17, 35))
    >>> mosaic_shape((64,))
    (4, 16)
    """
    rows, cols = tile_layout(shape)
    if len(shape) == 1:
        return rows, cols
    return rows * (int(shape[0]) + 1) - 1, cols * (int(shape[1]) + 1) - 1


# -- what the explorer draws and writes ---------------------------------------------------
SCENE_TEXT = TranslatedText(
    {
        "input_title": N_("input #{i}"),
        "input_title_label": N_("input #{i} · label {y}"),
        "input_title_upload": N_("your image"),
        "input_label": N_("The input image, {h} by {w}; the selected unit's receptive field is framed in orange."),
        "layer_title": "{name}: {shape}",
        "layer_label": N_(
            "Output of {name}, {shape}, one small picture per channel; click a unit to see how it was computed."
        ),
        "probs_title": N_("predicted {guess}: {p} %"),
        "probs_label": N_("Predicted probability of each class; the largest is {guess}."),
        "unit_map": N_("{name}, channel {ch}, row {r}, col {c}"),
        "unit_vector": N_("{name}, unit {k}"),
        "conv_title": N_("How {unit} was computed: a {kh}×{kw} window of the input, times the kernel, summed"),
        "window_grid": N_("input window (channel {d} of {C})"),
        "kernel_grid": N_("kernel {f}, channel {d}"),
        "products_grid": N_("products"),
        "conv_depth": N_("Sum over channel {d}: {s}."),
        "conv_sums": N_("Sum over the {C} input channels: {sums} = {total}."),
        "conv_equation": N_("Sum of the products {total} + bias {b} = {value}"),
        "relu_title": N_("How {unit} was computed: ReLU keeps positive values and puts 0 for negative ones"),
        "relu_equation": N_("max(0, {x}) = {value}"),
        "max_title": N_("How {unit} was computed: the largest value of its {kh}×{kw} window (the winner is framed)"),
        "max_grid": N_("window of channel {ch}"),
        "max_equation": N_("max of the window = {value}, at row {r}, col {c} of the layer's input"),
        "avg_title": N_("How {unit} was computed: the mean of its {kh}×{kw} window"),
        "avg_equation": "({total}) / {n} = {value}",
        "flatten_title": N_("How {unit} was computed: Flatten copies one cell of the maps into a vector"),
        "flatten_equation": N_("unit {k} = input row {r}, col {c}, channel {ch} = {value}"),
        "dropout_title": N_("How {unit} was computed: at prediction, Dropout passes every value unchanged"),
        "dropout_equation": N_("output = input = {value}"),
        "dense_title": N_("How {unit} was computed: every input times its weight, summed, plus the bias"),
        "dense_product": "x[{j}] · w[{j}] = {x} · {w} = {p}",
        "dense_more": N_("… and {n} more products (the {shown} largest in size are listed)."),
        "dense_equation": N_("Sum of the {n} products {total} + bias {b} = {value}"),
        "softmax_title": N_("The output: logits z and the softmax p = e^z / Σ e^z"),
        "softmax_bar": "z = {z} → p = {p}",
        "softmax_equation": ("p[{k}] = e^{z} / (e^{z0} + … + e^{zn}) = {num} / {den} = {p}"),
        "other_title": N_("{unit}: this kind of layer is shown without its arithmetic"),
        "image_line": N_("<div>Image {i} of {n}: predicted <b>{guess}</b> with probability {p} %{verdict}.</div>"),
        "upload_line": N_("<div>Your image {name}: predicted <b>{guess}</b> with probability {p} %.</div>"),
        "right": N_(", right"),
        "wrong": N_(", wrong (the label is {y}, probability {py} %)"),
        "accuracy": N_("<div>The model gets {acc} of these {n} images right{listed}.</div>"),
        "misclassified": N_("; misclassified: {items}"),
        "unit_line": N_(
            "<div>Selected: <b>{unit} = {value}</b> (receptive field on the input: rows {r0}–{r1}, "
            "cols {c0}–{c1}).</div>"
        ),
        "detail_line": "<div>{equation}</div>",
        "shapes": N_(
            "<div>Feature maps: input {input} → {shapes}; the depth of each map is the number of filters.</div>"
        ),
    }
)


class FeatureMapScene(TypedDict):
    """The JSON the page draws and writes (:file:`widgets/js/feature_maps.js`).

    Parameters
    ----------
    input : dict[str, Any]
        The input image's size, title and the selected unit's receptive field.
    layers : list[dict[str, Any]]
        Every layer's mosaic of channels (its picture is ``maps[i]``).
    selected : dict[str, Any]
        ``{"layer": i, "unit": [...]}``.
    detail : dict[str, Any]
        How the selected unit was computed: title, grids, lines, equation, bars.
    probs : dict[str, Any]
        The predicted probabilities as bars.
    readout : str

    Examples
    --------
    >>> "detail" in FeatureMapScene.__annotations__
    True
    """

    input: dict[str, Any]
    layers: list[dict[str, Any]]
    selected: dict[str, Any]
    detail: dict[str, Any]
    probs: dict[str, Any]
    readout: str


def _n(v: float) -> str:
    return format_number(v, 3)


def _sum_text(values: Iterable[Any]) -> str:
    """``0.5 − 0.25 + 1``: a sum written with its signs."""
    text = ""
    for i, v in enumerate(values):
        v = float(v)
        if i == 0:
            text = _n(v)
        else:
            text += f" − {_n(-v)}" if v < 0 else f" + {_n(v)}"
    return text


def _unit_name(d: UnitDetail) -> str:
    if len(d.unit) == 3:
        r, c, ch = d.unit
        return SCENE_TEXT["unit_map"].format(name=d.name, ch=ch, r=r, c=c)
    return SCENE_TEXT["unit_vector"].format(name=d.name, k=d.unit[0])


def _grid(values: NDArray, title: str, *, signed: bool = True, mark: list[int] | None = None) -> dict[str, Any]:
    arr = np.asarray(values, dtype=float)
    return {
        "title": title,
        "rows": int(arr.shape[0]),
        "cols": int(arr.shape[1]),
        "labels": [["" if not np.isfinite(v) else _n(v) for v in row] for row in arr],
        "colours": colours(arr, cmap="PuOr_r", symmetric=True) if signed else colours(arr),
        "mark": mark,
    }


def _detail(d: UnitDetail, depth: int) -> dict[str, Any]:
    """How the unit of ``d`` was computed, as the page draws it (the window of input channel ``depth``)."""
    unit = _unit_name(d)
    value = _n(d.value)
    grids: list[dict[str, Any]] = []
    lines: list[str] = []
    bars = None
    T = SCENE_TEXT
    if d.kind == "conv":
        assert d.weights is not None and d.products is not None and d.channel_sums is not None
        kh, kw, C = d.inputs.shape
        dep = min(int(depth), C - 1)
        title = T["conv_title"].format(unit=unit, kh=kh, kw=kw)
        grids = [
            _grid(d.inputs[:, :, dep], T["window_grid"].format(d=dep, C=C)),
            _grid(d.weights[:, :, dep], T["kernel_grid"].format(f=d.unit[2], d=dep)),
            _grid(d.products[:, :, dep], T["products_grid"]),
        ]
        if C > 1:
            lines.append(T["conv_depth"].format(d=dep, s=_n(d.channel_sums[dep])))
            sums = _sum_text(d.channel_sums) if C <= 16 else f"{C} sums"
            lines.append(T["conv_sums"].format(C=C, sums=sums, total=_n(d.total or 0.0)))
        equation = T["conv_equation"].format(total=_n(d.total or 0.0), b=_n(d.bias or 0.0), value=value)
    elif d.kind == "relu":
        title = T["relu_title"].format(unit=unit)
        equation = T["relu_equation"].format(x=_n(d.inputs[0]), value=value)
    elif d.kind in ("maxpool", "avgpool"):
        kh, kw = d.inputs.shape
        assert d.window is not None
        if d.kind == "maxpool":
            assert d.source is not None
            (r0, _), (c0, _) = d.window
            title = T["max_title"].format(unit=unit, kh=kh, kw=kw)
            grids = [
                _grid(
                    d.inputs,
                    T["max_grid"].format(ch=d.unit[2]),
                    signed=False,
                    mark=[d.source[0] - r0, d.source[1] - c0],
                )
            ]
            equation = T["max_equation"].format(value=value, r=d.source[0], c=d.source[1])
        else:
            title = T["avg_title"].format(unit=unit, kh=kh, kw=kw)
            grids = [_grid(d.inputs, T["max_grid"].format(ch=d.unit[2]), signed=False)]
            cells = _sum_text([v for v in d.inputs.ravel() if np.isfinite(v)])
            equation = T["avg_equation"].format(total=cells, n=d.count, value=value)
    elif d.kind == "flatten":
        assert d.source is not None
        title = T["flatten_title"].format(unit=unit)
        r, c, ch = d.source if len(d.source) == 3 else (0, 0, d.source[-1])
        equation = T["flatten_equation"].format(k=d.unit[0], r=r, c=c, ch=ch, value=value)
    elif d.kind == "dropout":
        title = T["dropout_title"].format(unit=unit)
        equation = T["dropout_equation"].format(value=value)
    elif d.kind == "dense":
        assert d.weights is not None and d.products is not None
        title = T["dense_title"].format(unit=unit)
        order = np.argsort(-np.abs(d.products), kind="stable")[:DENSE_SHOWN]
        for j in order:
            lines.append(
                T["dense_product"].format(j=int(j), x=_n(d.inputs[j]), w=_n(d.weights[j]), p=_n(d.products[j]))
            )
        if len(d.products) > DENSE_SHOWN:
            lines.append(T["dense_more"].format(n=len(d.products) - DENSE_SHOWN, shown=DENSE_SHOWN))
        equation = T["dense_equation"].format(
            n=len(d.products), total=_n(d.total or 0.0), b=_n(d.bias or 0.0), value=value
        )
    else:
        title = T["other_title"].format(unit=unit)
        equation = f"{unit} = {value}"
    if d.logits is not None and d.probabilities is not None:
        z, p = d.logits, d.probabilities
        k = d.unit[0]
        den = float(np.exp(z).sum())
        bars = {
            "title": T["softmax_title"],
            "labels": [str(j) for j in range(len(p))],
            "values": [float(v) for v in p],
            "texts": [T["softmax_bar"].format(z=_n(zj), p=f"{pj:.3f}") for zj, pj in zip(z, p)],
            "selected": int(k),
        }
        lines.append(
            T["softmax_equation"].format(
                k=k, z=_n(z[k]), z0=_n(z[0]), zn=_n(z[-1]), num=_n(float(np.exp(z[k]))), den=_n(den), p=f"{p[k]:.3f}"
            )
        )
    return {"kind": d.kind, "title": title, "grids": grids, "lines": lines, "equation": equation, "bars": bars}


def _readout(
    state: FeatureMapState, image: int | str, count: int, label: int | None, wrong: Sequence[int] | None, equation: str
) -> str:
    net, d = state.network, state.detail
    p = net.probabilities
    guess = net.prediction
    T = SCENE_TEXT
    if isinstance(image, str):
        parts = [T["upload_line"].format(name=html.escape(image), guess=guess, p=f"{100 * p[guess]:.1f}")]
    else:
        verdict = (
            ""
            if label is None
            else T["right"]
            if label == guess
            else T["wrong"].format(y=label, py=f"{100 * p[label]:.1f}")
        )
        parts = [T["image_line"].format(i=image, n=count, guess=guess, p=f"{100 * p[guess]:.1f}", verdict=verdict)]
    if wrong is not None:
        items = ", ".join(str(j) for j in wrong[:12]) + (" …" if len(wrong) > 12 else "")
        parts.append(
            T["accuracy"].format(
                acc=f"{100 * (1 - len(wrong) / count):.1f} %",
                n=count,
                listed=T["misclassified"].format(items=items) if len(wrong) else "",
            )
        )
    (r0, r1), (c0, c1) = d.field
    parts.append(
        T["unit_line"].format(unit=html.escape(_unit_name(d)), value=_n(d.value), r0=r0, r1=r1 - 1, c0=c0, c1=c1 - 1)
    )
    parts.append(T["detail_line"].format(equation=html.escape(equation)))
    shapes = " → ".join(f"{name} {shape_text(o.shape)}" for name, o in zip(net.names, net.outputs))
    parts.append(T["shapes"].format(input=shape_text(net.image.shape), shapes=html.escape(shapes)))
    return "".join(parts)


def feature_map_scene(
    state: FeatureMapState,
    *,
    image: int | str,
    count: int,
    label: int | None = None,
    wrong: Sequence[int] | None = None,
    depth: int = 0,
) -> FeatureMapScene:
    """What the feature-map explorer draws and writes for ``state`` (JSON; see :class:`FeatureMapScene`).

    Parameters
    ----------
    state : FeatureMapState
    image : int or str
        The test image's index, or the name of the uploaded picture.
    count : int
        How many test images there are.
    label : int, optional
        The test image's label (None without labels, and for an upload).
    wrong : sequence of int, optional
        The test images the model gets wrong (None without labels).
    depth : int
        The input channel whose window a convolution unit shows.

    Returns
    -------
    FeatureMapScene

    Examples
    --------
    >>> from meia_cnn.nn import digits_split, load_reference
    >>> state = feature_map_state(load_reference(), digits_split()[1][0], 2, (1, 2, 0))
    >>> scene = feature_map_scene(state, image=0, count=450, label=int(digits_split()[3][0]))
    >>> scene["input"]["title"], scene["layers"][2]["title"], scene["input"]["field"]
    ('input #0 · label 2', 'maxpool2d_1: 4×4×8', [1, 5, 3, 7])
    >>> scene["detail"]["kind"], scene["detail"]["equation"].startswith("max of the window =")
    ('maxpool', True)
    """
    net, d = state.network, state.detail
    upload = isinstance(image, str)
    h, w = net.image.shape[:2]
    if upload:
        input_title = SCENE_TEXT["input_title_upload"]
    elif label is not None:
        input_title = SCENE_TEXT["input_title_label"].format(i=image, y=label)
    else:
        input_title = SCENE_TEXT["input_title"].format(i=image)
    layers = []
    for out, name in zip(net.outputs, net.names):
        shape = tuple(int(s) for s in out.shape)
        rows, cols = mosaic_shape(shape)
        layers.append(
            {
                "name": name,
                "title": SCENE_TEXT["layer_title"].format(name=name, shape=shape_text(shape)),
                "vector": len(shape) == 1,
                "tile": [shape[0], shape[1]] if len(shape) == 3 else [1, 1],
                "tiles": list(tile_layout(shape)),
                "rows": rows,
                "cols": cols,
                "label": SCENE_TEXT["layer_label"].format(name=name, shape=shape_text(shape)),
            }
        )
    p = net.probabilities
    guess = net.prediction
    bar_colours = []
    for k in range(len(p)):
        if k == guess:
            bar_colours.append(PALETTE["green"] if label is None or label == guess else PALETTE["vermillion"])
        elif label is not None and k == label:
            bar_colours.append(PALETTE["blue"])
        else:
            bar_colours.append(PALETTE["grey"])
    (fr0, fr1), (fc0, fc1) = d.field
    detail = _detail(d, depth)
    return {
        "input": {
            "rows": h,
            "cols": w,
            "title": input_title,
            "field": [fr0, fr1, fc0, fc1],
            "label": SCENE_TEXT["input_label"].format(h=h, w=w),
        },
        "layers": layers,
        "selected": {"layer": d.layer, "unit": list(d.unit)},
        "detail": detail,
        "probs": {
            "title": SCENE_TEXT["probs_title"].format(guess=guess, p=f"{100 * p[guess]:.1f}"),
            "label": SCENE_TEXT["probs_label"].format(guess=guess),
            "labels": [str(k) for k in range(len(p))],
            "values": [float(v) for v in p],
            "texts": [f"{v:.3f}" for v in p],
            "colours": bar_colours,
        },
        "readout": _readout(state, image, count, label, wrong, detail["equation"]),
    }


@functools.lru_cache(maxsize=4)
def _palette(name: str) -> bytes:
    """255 colours of a colour map, then white (index 255: the gaps between tiles), as a PNG palette."""
    rgb = sample_colour_map(name, np.linspace(0.0, 1.0, 255))
    return np.vstack([rgb, [[255, 255, 255]]]).astype(np.uint8).tobytes()


def _map_png(values: NDArray, signed: bool, top: float) -> bytes:
    """A mosaic as a palette PNG (one byte a pixel), NaN (the gaps between tiles) white."""
    lo, hi = (-top, top) if signed else (0.0, top)
    with np.errstate(invalid="ignore"):
        scaled = np.clip((values - lo) / (hi - lo or 1.0), 0.0, 1.0)
    index = (np.nan_to_num(scaled) * 254 + 0.5).astype(np.uint8)
    index[~np.isfinite(values)] = 255
    return encode_png(index, _palette("PuOr_r" if signed else "cividis"))


def _image_png(image: NDArray, lo: float, hi: float) -> bytes:
    scaled = np.clip((np.asarray(image, dtype=float) - lo) / (hi - lo or 1.0), 0.0, 1.0)
    if scaled.shape[-1] == 1:
        scaled = np.repeat(scaled, 3, axis=-1)
    elif scaled.shape[-1] != 3:
        scaled = np.repeat(scaled[..., :1], 3, axis=-1)
    return encode_png((scaled * 255 + 0.5).astype(np.uint8))


def feature_map_pictures(
    network: NetworkState, scales: Sequence[tuple[bool, float]], value_range: tuple[float, float]
) -> tuple[bytes, list[bytes]]:
    """The input image and every layer's mosaic of channels, as PNG.

    Parameters
    ----------
    network : NetworkState
    scales : sequence of (bool, float)
        Each layer's colour range, from :func:`layer_scales`.
    value_range : (float, float)
        The values drawn black and white in the input (those of the test images).

    Returns
    -------
    input_png : bytes
        The image in grey (or colour, with 3 channels).
    maps : list of bytes
        One mosaic a layer (:func:`tile_channels`): one pixel a value, the gaps white.

    Examples
    --------
    >>> from meia_cnn.nn import digits_split, load_reference
    >>> model, X = load_reference(), digits_split()[1]
    >>> image, maps = feature_map_pictures(network_state(model, X[0]), layer_scales(model, X), (0.0, 1.0))
    >>> image[:4], len(maps) == len(model.layers)
    (b'\\x89PNG', True)
    """
    lo, hi = value_range
    maps = [_map_png(tile_channels(out), signed, top) for out, (signed, top) in zip(network.outputs, scales)]
    return _image_png(network.image, lo, hi), maps


def checked_images(
    model: Sequential, X: ArrayLike | None = None, y: ArrayLike | None = None
) -> tuple[NDArray, NDArray | None]:
    """The images to run through ``model`` (a batch of its input shape) and their labels, checked.

    Parameters
    ----------
    model : Sequential
        A classifier ending in one score per class.
    X : (N, H, W[, C]) array, optional
        By default the digits' test split (for a model taking 8×8×1 images).
    y : (N,) array of int, optional
        By default the split's labels when ``X`` is the split; else none.

    Returns
    -------
    images : (N, H, W, C) array
    labels : (N,) array of int or None

    Examples
    --------
    >>> from meia_cnn.nn import load_reference
    >>> images, labels = checked_images(load_reference())
    >>> images.shape, labels.shape
    ((450, 8, 8, 1), (450,))
    >>> checked_images(load_reference(), np.zeros((0, 8, 8, 1)))
    Traceback (most recent call last):
    ...
    ValueError: `X` is empty: give at least one image
    """
    if not isinstance(model, Sequential):
        raise TypeError(f"`model` must be a meia_cnn.nn.Sequential, got {type(model).__name__}")
    if X is None:
        if model.input_shape != (8, 8, 1):
            raise ValueError(
                f"give `X`: the default digits (8×8×1) do not fit a model whose input is {model.input_shape}"
            )
        _train, X, _labels, y_default = digits_split()
        y = y_default if y is None else y
    images: NDArray = model._batch(as_float_array(X, "X"), "X")[0]
    if len(images) == 0:
        raise ValueError("`X` is empty: give at least one image")
    if model.n_classes is None:
        raise ValueError("`model` must end in one score per class (Flatten and Dense)")
    return images, None if y is None else _check_labels(y, len(images), model.n_classes)


def picked_unit(model: Sequential, pick: Any) -> tuple[int, int, int, int] | None:
    """A click on the drawing, ``[layer, row, col, channel]``, checked: the unit it names, or None.

    A vector layer's unit is picked as ``[layer, 0, 0, k]``.

    Parameters
    ----------
    model : Sequential
        A built model.
    pick : object
        What the page sent.

    Returns
    -------
    (layer, row, col, channel) or None
        None when ``pick`` is not a unit of one of the model's layers.

    Examples
    --------
    >>> from meia_cnn.nn import load_reference
    >>> picked_unit(load_reference(), [2, 1, 3, 6]), picked_unit(load_reference(), [7, 0, 0, 9])
    ((2, 1, 3, 6), (7, 0, 0, 9))
    >>> picked_unit(load_reference(), [0, 0, 0, 1000]) is None, picked_unit(load_reference(), "x") is None
    (True, True)
    """
    if not isinstance(pick, list) or len(pick) != 4 or not all(isinstance(v, int) for v in pick):
        return None
    layer, row, col, channel = pick
    if not 0 <= layer < len(model.layers):
        return None
    shape = built_shapes(model)[1][layer]
    unit = (row, col, channel) if len(shape) == 3 else (channel,)
    if (len(shape) == 1 and (row, col) != (0, 0)) or not all(0 <= u < n for u, n in zip(unit, shape)):
        return None
    return layer, row, col, channel


def unit_limits(model: Sequential, layer: int) -> dict[str, int]:
    """The largest ``row``, ``col`` and ``channel`` of a unit of ``layer``, and ``depth`` (a convolution's input).

    ``depth`` is the last input channel whose window a convolution unit
    shows (0 for other layers).  For a vector layer ``channel`` is the
    unit's index, and ``row`` and ``col`` are 0.

    Parameters
    ----------
    model : Sequential
        A built model.
    layer : int
        Index in ``model.layers``.

    Returns
    -------
    dict of str to int

    Examples
    --------
    >>> from meia_cnn.nn import load_reference
    >>> unit_limits(load_reference(), 3), unit_limits(load_reference(), 7)
    ({'row': 3, 'col': 3, 'channel': 15, 'depth': 7}, {'row': 0, 'col': 0, 'channel': 9, 'depth': 0})
    """
    layer = _check_layer(model, layer)
    shape, lay = built_shapes(model)[1][layer], model.layers[layer]
    rows, cols, channels = shape if len(shape) == 3 else (1, 1, shape[0])
    return {
        "row": rows - 1,
        "col": cols - 1,
        "channel": channels - 1,
        "depth": lay.in_channels - 1 if isinstance(lay, Conv2D) else 0,
    }


def upload_input(image: ArrayLike, value_range: tuple[float, float], *, dark: bool) -> tuple[NDArray[np.float32], bool]:
    """An uploaded picture (values in [0, 1]) on the scale of the test images, light on dark like them.

    Parameters
    ----------
    image : (H, W) or (H, W, C) array
        Values in [0, 1], of the model's input size.
    value_range : (float, float)
        The test images' smallest and largest value: 0 and 1 go there.
    dark : bool
        Whether the test images are light on dark: a picture mostly light is then inverted.

    Returns
    -------
    image : (H, W, C) array of float32
    inverted : bool

    Examples
    --------
    >>> image, inverted = upload_input(np.array([[0.75, 1.0]]), (0.0, 16.0), dark=True)
    >>> image[..., 0].tolist(), inverted
    ([[4.0, 0.0]], True)
    """
    picture = np.asarray(image, dtype=np.float32)
    picture = picture[:, :, None] if picture.ndim == 2 else picture
    inverted = float(picture.mean()) > 0.5 and dark
    picture = 1.0 - picture if inverted else picture
    lo, hi = value_range
    return (lo + (hi - lo) * picture).astype(np.float32), inverted
