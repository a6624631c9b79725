"""Volumes: a 3-channel input, kernels as deep as the input, a stack of feature maps.

:func:`volume_state` gives every number the volume explorer shows: the
kernels (``K_d = I_d``, the slides' equation (2)), the feature map (one 2-D
map per kernel, stacked: ``G_d`` is the number of kernels, from
:func:`meia_cnn.ops.conv2d`), the shapes in the slides' width-first notation
(:func:`meia_cnn.arithmetic.feature_map_shape`) and the parameter count
(:func:`meia_cnn.arithmetic.conv_params`).  :func:`make_kernels` builds the
kernels from :data:`KERNEL_RECIPES` and the presets of :mod:`meia_cnn.kernels`.
:func:`volume_scene` turns a state into what the explorer draws and writes;
:func:`channel_pngs`, :func:`map_png` and :func:`deck_png` into its pictures.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic, ops
from .._validation import as_float_array, as_int
from ..i18n import TranslatedText, register_option_labels
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..kernels import kernel_preset
from ._frozen import frozen
from ._render import colours, encode_png, format_number, png_bytes, sample_colour_map

__all__ = [
    "DECK_CARD",
    "DEFAULT_ARRAY",
    "KERNEL_RECIPES",
    "KERNEL_SIZES",
    "MAX_KERNELS",
    "PHOTO_SIZE",
    "SOURCES",
    "VolumeKernel",
    "VolumeScene",
    "VolumeState",
    "as_photo",
    "channel_pngs",
    "deck_geometry",
    "deck_png",
    "make_kernels",
    "map_png",
    "volume_scene",
    "volume_state",
]

#: The most kernels the explorer stacks.
MAX_KERNELS = 8
#: The kernel sizes offered.
KERNEL_SIZES = (1, 3, 5)
#: Longest side of the photo the kernels run over.
PHOTO_SIZE = 128
#: Largest side of a card in the deck of feature maps, in map pixels.
DECK_CARD = 64

#: A 6x6x3 array of small numbers: a bright stripe in R, a bar in G, a corner in B.
DEFAULT_ARRAY = (
    np.stack(
        [
            np.array([[0, 0, 4, 4, 0, 0]] * 6, dtype=float),
            np.array([[0] * 6, [0] * 6, [3] * 6, [3] * 6, [0] * 6, [0] * 6], dtype=float),
            np.triu(np.full((6, 6), 2.0))[::-1],
        ],
        axis=-1,
    )
    + np.array([[(r + c) % 2 for c in range(6)] for r in range(6)], dtype=float)[..., None]
)

_CHANNEL_CMAPS = ("Reds", "Greens", "Blues")
_CHANNEL_NAMES = ("R", "G", "B")
_CHANNEL_INK = ("#B2182B", "#009E73", "#0072B2")

#: The explorer's inputs: a photo, or the small array of numbers (:data:`DEFAULT_ARRAY`).
SOURCES = ("photo", "array")
# What the explorer's input buttons show.
register_option_labels({"photo": N_("photo"), "array": N_("array")})

_ALL = (1.0, 1.0, 1.0)


def _pattern(name: str, k: int) -> NDArray[np.float64]:
    """A preset of :mod:`meia_cnn.kernels`, scaled so that its smallest weight is 1 (integers)."""
    preset = kernel_preset(name, k)
    scaled: NDArray[np.float64] = preset / np.abs(preset[preset != 0]).min()
    return scaled


#: The kernels, in order: an integer spatial pattern times an integer weight
#: per channel, ``K[:, :, c] = pattern * weights[c]`` (integers keep the
#: numbers legible), and what the kernel picks out (in English here: the
#: explorer shows it in the learner's language).
KERNEL_RECIPES = (
    ("sobel_x", _ALL, N_("vertical edges, all channels")),
    ("sobel_y", _ALL, N_("horizontal edges, all channels")),
    ("gaussian", (1.0, -1.0, 0.0), N_("red minus green, smoothed")),
    ("gaussian", (0.0, 0.0, 1.0), N_("blue channel, smoothed")),
    ("laplacian", (1.0, 2.0, 1.0), N_("spots and lines (R + 2G + B)")),
    ("sobel_x", (1.0, 0.0, 0.0), N_("vertical edges in red only")),
    ("emboss", _ALL, N_("relief (emboss), all channels")),
    ("gaussian", (1.0, 1.0, -2.0), N_("yellow minus blue, smoothed")),
)


def make_kernels(filters: int = 3, kernel_size: int = 3) -> NDArray[np.float64]:
    """The first ``filters`` kernels of :data:`KERNEL_RECIPES`, each of depth 3.

    Parameters
    ----------
    filters : int
        1 to :data:`MAX_KERNELS`.
    kernel_size : {1, 3, 5}
        With 1 each kernel only mixes the channels.

    Returns
    -------
    (kernel_size, kernel_size, 3, filters) array
        Ready for :func:`meia_cnn.ops.conv2d`.

    Examples
    --------
    >>> make_kernels(4, 3).shape
    (3, 3, 3, 4)
    >>> make_kernels(1, 1)[0, 0, :, 0]
    array([1., 1., 1.])
    >>> make_kernels(3, 3)[:, :, 0, 2]  # a Gaussian on red, minus the same on green
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or not 1 <= filters <= MAX_KERNELS:
        raise ValueError(f"`filters` must be an int from 1 to {MAX_KERNELS}, got {filters!r}")
    if kernel_size not in KERNEL_SIZES or isinstance(kernel_size, bool):
        raise ValueError(f"`kernel_size` must be 1, 3 or 5, got {kernel_size!r}")
    k = int(kernel_size)
    out = np.empty((k, k, 3, int(filters)))
    for f, (pattern, weights, _name) in enumerate(KERNEL_RECIPES[:filters]):
        spatial = np.ones((1, 1)) if k == 1 else _pattern(pattern, k)
        out[:, :, :, f] = spatial[:, :, None] * np.asarray(weights)[None, None, :]
    return out


@dataclass(frozen=True, eq=False)
class VolumeKernel:
    """One kernel of a :class:`VolumeState` and the feature map it gives: what "kernel shown" picks.

    Attributes
    ----------
    index : int
        ``n``: the kernel ``kernels[..., n]`` and the map ``G[:, :, n]``.
    weights : (K, K, 3) array
        The kernel, as deep as the input.
    feature_map : (G_h, G_w) array
        Its 2-D map: the sum over the input's channels of the cross-correlations.
    meaning : str
        What the kernel picks out.

    Examples
    --------
    >>> state = volume_state(np.ones((5, 5, 3)), 2, 3)
    >>> one = state.per_kernel[1]
    >>> one.index, one.weights.shape, one.feature_map.shape, one.meaning
    (1, (3, 3, 3), (3, 3), 'horizontal edges, all channels')
    """

    index: int
    weights: NDArray[np.float64]
    feature_map: NDArray[np.float64]
    meaning: str


@dataclass(frozen=True, eq=False)
class VolumeState:
    """A volume, its kernels and the stacked feature map.

    Attributes
    ----------
    input : (l_h, l_w, 3) array
    kernels : (K, K, 3, F) array
        ``K_d = l_d``: each kernel is as deep as the input.
    feature_map : (G_h, G_w, F) array
        One map per kernel: ``G_d = F``.
    shapes : dict
        ``{"input": (l_w, l_h, l_d), "kernel": (K_w, K_h, K_d), "feature_map": (G_w, G_h, G_d)}``,
        width first as the slides write them.
    params : int
        Weights and biases of the layer.
    meanings : tuple of str
        What each kernel picks out.
    per_kernel : tuple of VolumeKernel
        Every kernel with its own map, ``per_kernel[n]`` for kernel ``n``:
        all the choices of the kernel shown, computed at once.

    Examples
    --------
    >>> state = volume_state(np.ones((6, 6, 3)), 2, 3)
    >>> state.shapes["feature_map"], state.params
    ((4, 4, 2), 56)
    """

    input: NDArray[np.float64]
    kernels: NDArray[np.float64]
    feature_map: NDArray[np.float64]
    shapes: dict[str, tuple[int, int, int]]
    params: int
    meanings: tuple[str, ...]
    per_kernel: tuple[VolumeKernel, ...]

    @property
    def filters(self) -> int:
        """``F``, the number of kernels."""
        return int(self.kernels.shape[3])

    @property
    def kernel_size(self) -> int:
        """``K``."""
        return int(self.kernels.shape[0])


def volume_state(x: ArrayLike, filters: int = 3, kernel_size: int = 3) -> VolumeState:
    """A 3-channel input ``x`` through ``filters`` kernels of :func:`make_kernels`.

    Parameters
    ----------
    x : (l_h, l_w, 3) array
    filters : int
        1 to :data:`MAX_KERNELS`.
    kernel_size : {1, 3, 5}

    Returns
    -------
    VolumeState

    Raises
    ------
    ValueError
        From the core, when the kernel is larger than the input.

    Examples
    --------
    >>> x = np.arange(5 * 5 * 3, dtype=float).reshape(5, 5, 3)
    >>> state = volume_state(x, 3, 3)
    >>> state.shapes
    {'input': (5, 5, 3), 'kernel': (3, 3, 3), 'feature_map': (3, 3, 3)}
    >>> float(state.feature_map[0, 0, 3 - 3]) == float((x[:3, :3] * state.kernels[..., 0]).sum())
    True
    """
    arr = as_float_array(x, "x", ndim=3)
    if arr.shape[2] != 3:
        raise ValueError(f"`x` must have 3 channels (H, W, 3), got shape {arr.shape}")
    kernels = make_kernels(filters, kernel_size)
    gh, gw, gd = arithmetic.feature_map_shape(arr.shape, filters, kernel_size)
    fmap = ops.conv2d(arr, kernels)
    h, w, d = arr.shape
    k = int(kernel_size)
    shapes = {"input": (w, h, d), "kernel": (k, k, d), "feature_map": (int(gw), int(gh), int(gd))}
    meanings = tuple(m for _, _, m in KERNEL_RECIPES[:filters])
    weights: NDArray[np.float64] = frozen(kernels)
    maps: NDArray[np.float64] = frozen(fmap)
    per_kernel = tuple(
        VolumeKernel(index=n, weights=weights[..., n], feature_map=maps[:, :, n], meaning=meanings[n])
        for n in range(weights.shape[3])
    )
    return VolumeState(
        input=frozen(arr),
        kernels=weights,
        feature_map=maps,
        shapes=shapes,
        params=int(arithmetic.conv_params(d, filters, k)),
        meanings=meanings,
        per_kernel=per_kernel,
    )


def as_photo(image: ArrayLike, name: str = "image", size: int = PHOTO_SIZE) -> NDArray[np.float64]:
    """An ``(H, W)`` or ``(H, W, 3)`` picture as ``(H, W, 3)``, thinned to about ``size`` pixels a side.

    Large pictures are thinned by striding (every ``n``-th pixel: no new
    values), so the kernels run over a picture the page draws quickly.

    Parameters
    ----------
    image : (H, W) or (H, W, 3) array
        A grey picture becomes three equal channels.
    name : str
        The argument's name, for the error.
    size : int
        The longest side wanted.

    Returns
    -------
    (H', W', 3) array of float64

    Examples
    --------
    >>> as_photo(np.zeros((300, 200))).shape
    (100, 67, 3)
    >>> as_photo(np.zeros((4, 4, 2)))
    Traceback (most recent call last):
    ...
    ValueError: `image` must have 3 channels (H, W, 3) or be grey (H, W), got shape (4, 4, 2)
    """
    size = as_int(size, "size")
    arr = as_float_array(image, name, ndim=(2, 3))
    if arr.ndim == 3 and arr.shape[-1] != 3:
        raise ValueError(f"`{name}` must have 3 channels (H, W, 3) or be grey (H, W), got shape {arr.shape}")
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    step = -(-max(arr.shape[:2]) // size)
    if step > 1:  # thin to about `size` for display speed (not a resampling: no new values)
        arr = arr[::step, ::step]
    return np.array(arr, dtype=float)


def deck_geometry(shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """``(thin, card_h, card_w, offset)`` of the deck drawn for feature maps of ``shape``.

    Each card shows its map thinned to at most :data:`DECK_CARD` pixels a
    side (a thumbnail: the map itself is drawn beside it at full size), and
    sits ``offset`` pixels up and to the right of the one before.

    Parameters
    ----------
    shape : tuple of int
        ``(G_h, G_w[, G_d])``.

    Returns
    -------
    (int, int, int, int)

    Examples
    --------
    >>> deck_geometry((126, 126, 3))
    (2, 63, 63, 10)
    """
    if len(shape) not in (2, 3):
        raise ValueError(f"`shape` must be (G_h, G_w) or (G_h, G_w, G_d), got {shape!r}")
    gh, gw = (as_int(v, "shape") for v in shape[:2])
    thin = -(-max(gh, gw) // DECK_CARD)
    ch, cw = -(-gh // thin), -(-gw // thin)
    return thin, ch, cw, max(1, round(max(ch, cw) * 0.16))


# -- what the explorer draws and writes ---------------------------------------------------
SCENE_TEXT = TranslatedText(
    {
        "head_one": N_("{w}×{h}×{d}  ∗  1 kernel {k}×{k}×{d}  →  {gw}×{gh}×{gd}"),
        "head_many": N_("{w}×{h}×{d}  ∗  {f} kernels {k}×{k}×{d}  →  {gw}×{gh}×{gd}"),
        "channel_title": "I[:, :, {c}]",
        "channels_label": N_("The input's three channels, red, green and blue, each {h} by {w}."),
        "slice_title": "K[:, :, {c}]",
        "kernel_note": N_("kernel {n}: {k}×{k}×{d}"),
        "one_by_one_note": N_("(1×1: it only mixes channels)"),
        "kernel_label": N_("Kernel {n}, {k} by {k} by {d}, drawn slice by slice with its weights: {meaning}."),
        "map_title": "G[:, :, {n}]  ({gw}×{gh})",
        "map_label": N_("Feature map {n} of kernel {n}, {gh} by {gw}."),
        "deck_title": N_("feature map: G_d = {gd}"),
        "deck_label": N_("The {gd} feature maps stacked as cards, map 0 in front; map {n} framed in orange."),
        "input_photo": N_("<div>Input, the photo ({name}): l_w × l_h × l_d = <b>{w} × {h} × {d}</b></div>"),
        "input_array": N_("<div>Input, a small 3-channel array: l_w × l_h × l_d = <b>{w} × {h} × {d}</b></div>"),
        "kernels_one": N_(
            "<div>Each kernel: K_w × K_h × K_d = <b>{k} × {k} × {d}</b>, with K_d = I_d = {d} "
            "(equation (2)); 1 kernel, {params} parameters ({k}·{k}·{d}·1 weights + 1 bias).</div>"
        ),
        "kernels_many": N_(
            "<div>Each kernel: K_w × K_h × K_d = <b>{k} × {k} × {d}</b>, with K_d = I_d = {d} "
            "(equation (2)); {f} kernels, {params} parameters ({k}·{k}·{d}·{f} weights + {f} "
            "biases).</div>"
        ),
        "map_line": N_(
            "<div>Feature map: G_w × G_h × G_d = <b>{gw} × {gh} × {gd}</b>: G_w = {w} − {k} + 1 = {gw} "
            "(equation (3), s = 1) and G_d = {gd}, the number of kernels. Each kernel sums over all "
            "{d} channels, so it gives one 2-D map; kernel {n} gives the map G[:, :, {n}].</div>"
        ),
    }
)


class VolumeScene(TypedDict):
    """The JSON the page draws and writes (:file:`widgets/js/volume.js`).

    Parameters
    ----------
    head : str
        The three shapes in one line.
    channels : dict[str, Any]
        The input's three channels (their numbers when ``numbers``).
    kernel : dict[str, Any]
    map : dict[str, Any]
    deck : dict[str, Any]
        The stack of feature maps drawn as cards.
    steps : list[dict[str, Any]]
        One per kernel (its slices, its map, its line of the readout): the page shows the one chosen.
    readout : str

    Examples
    --------
    >>> "steps" in VolumeScene.__annotations__
    True
    """

    head: str
    channels: dict[str, Any]
    kernel: dict[str, Any]
    map: dict[str, Any]
    deck: dict[str, Any]
    steps: list[dict[str, Any]]
    readout: str


def _channel_range(x: NDArray[np.float64]) -> tuple[float, float]:
    """The values at the two ends of the channels' colour maps: one scale for the three channels."""
    lo, hi = float(x.min()), float(x.max())
    return lo, hi if hi > lo else lo + 1.0


def _grid(values: NDArray[np.float64], cmap: str, lo: float, hi: float) -> dict[str, Any]:
    """A grid's cell colours and numbers as the page writes them."""
    return {
        "colours": colours(values, cmap=cmap, vmin=lo, vmax=hi),
        "labels": [[format_number(v) for v in row] for row in values],
    }


def _kernel_choice(state: VolumeState, n: int, numbers: bool) -> dict[str, Any]:
    """What changes with the kernel shown: its slices, its map, the deck's frame, the map's line."""
    (w, _h, d), (k, _k, _d), (gw, gh, gd) = (state.shapes[part] for part in ("input", "kernel", "feature_map"))
    one = state.per_kernel[n]
    lim = float(np.abs(state.kernels).max()) or 1.0
    meaning = _(one.meaning)
    note = [SCENE_TEXT["kernel_note"].format(n=n, k=k, d=d), meaning]
    if k == 1:
        note.append(SCENE_TEXT["one_by_one_note"])
    fmap: dict[str, Any] = {
        "title": SCENE_TEXT["map_title"].format(n=n, gw=gw, gh=gh),
        "label": SCENE_TEXT["map_label"].format(n=n, gw=gw, gh=gh),
    }
    if numbers:
        olim = float(np.abs(one.feature_map).max()) or 1.0
        fmap.update(_grid(one.feature_map, "PuOr_r", -olim, olim))
    return {
        "kernel": {
            "note": note,
            "label": SCENE_TEXT["kernel_label"].format(n=n, k=k, d=d, meaning=meaning),
            "slices": [
                {
                    "title": SCENE_TEXT["slice_title"].format(c=_CHANNEL_NAMES[ch]),
                    **_grid(one.weights[:, :, ch], "PuOr_r", -lim, lim),
                }
                for ch in range(3)
            ],
        },
        "map": fmap,
        "deck_label": SCENE_TEXT["deck_label"].format(gd=gd, n=n),
        "readout": SCENE_TEXT["map_line"].format(gw=gw, gh=gh, gd=gd, w=w, k=k, d=d, n=n),
    }


def volume_scene(state: VolumeState, photo_name: str | None = None) -> VolumeScene:
    """What the volume explorer draws and writes for ``state`` (JSON; see :class:`VolumeScene`).

    Parameters
    ----------
    state : VolumeState
    photo_name : str, optional
        The photo's name as shown; None when the input is the small array,
        whose numbers are written in its cells.

    Returns
    -------
    VolumeScene

    Examples
    --------
    >>> scene = volume_scene(volume_state(DEFAULT_ARRAY, 2, 3))
    >>> scene["head"], scene["deck"]["title"]
    ('6×6×3  ∗  2 kernels 3×3×3  →  4×4×2', 'feature map: G_d = 2')
    >>> scene["channels"]["grids"][0]["labels"][0]
    ['0', '1', '4', '5', '0', '1']
    >>> scene["steps"][1]["kernel"]["note"]
    ['kernel 1: 3×3×3', 'horizontal edges, all channels']
    """
    x = state.input
    (w, h, d), (k, _k, _d), (gw, gh, gd) = (state.shapes[part] for part in ("input", "kernel", "feature_map"))
    f = state.filters
    numbers = photo_name is None
    lo, hi = _channel_range(x)
    grids = [
        {
            "title": SCENE_TEXT["channel_title"].format(c=_CHANNEL_NAMES[ch]),
            "ink": _CHANNEL_INK[ch],
            **(_grid(x[:, :, ch], _CHANNEL_CMAPS[ch], lo, hi) if numbers else {}),
        }
        for ch in range(3)
    ]
    _thin, card_h, card_w, off = deck_geometry(state.feature_map.shape)
    source_line = (
        SCENE_TEXT["input_array"].format(w=w, h=h, d=d)
        if photo_name is None
        else SCENE_TEXT["input_photo"].format(name=html.escape(photo_name), w=w, h=h, d=d)
    )
    return {
        "head": SCENE_TEXT["head_one" if f == 1 else "head_many"].format(w=w, h=h, d=d, f=f, k=k, gw=gw, gh=gh, gd=gd),
        "channels": {
            "numbers": numbers,
            "rows": h,
            "cols": w,
            "label": SCENE_TEXT["channels_label"].format(h=h, w=w),
            "grids": grids,
        },
        "kernel": {"size": k},
        "map": {"numbers": numbers, "rows": gh, "cols": gw},
        "deck": {
            "rows": card_h + (gd - 1) * off,
            "cols": card_w + (gd - 1) * off,
            "card": [card_h, card_w],
            "offset": off,
            "count": gd,
            "title": SCENE_TEXT["deck_title"].format(gd=gd),
        },
        # one entry per kernel, the page shows the one the "kernel" slider picks
        "steps": [_kernel_choice(state, n, numbers) for n in range(f)],
        "readout": source_line
        + SCENE_TEXT["kernels_one" if f == 1 else "kernels_many"].format(k=k, d=d, f=f, params=state.params),
    }


def channel_pngs(x: NDArray[np.float64]) -> tuple[bytes, bytes, bytes]:
    """The input's three channels as PNG, each through its colour (reds, greens, blues), on one scale.

    Parameters
    ----------
    x : (H, W, 3) array

    Returns
    -------
    (bytes, bytes, bytes)

    Examples
    --------
    >>> [png[:4] for png in channel_pngs(DEFAULT_ARRAY)]
    [b'\\x89PNG', b'\\x89PNG', b'\\x89PNG']
    """
    lo, hi = _channel_range(x)
    red, green, blue = (png_bytes(x[:, :, ch], cmap=_CHANNEL_CMAPS[ch], vmin=lo, vmax=hi) for ch in range(3))
    return red, green, blue


def map_png(fmap: NDArray[np.float64]) -> bytes:
    """One feature map as PNG, its colours symmetric about 0 (purple negative, orange positive).

    Parameters
    ----------
    fmap : (G_h, G_w) array

    Returns
    -------
    bytes

    Examples
    --------
    >>> map_png(np.array([[-1.0, 2.0]]))[:4]
    b'\\x89PNG'
    """
    lim = float(np.abs(fmap).max()) or 1.0
    return png_bytes(fmap, cmap="PuOr_r", vmin=-lim, vmax=lim)


def deck_png(fmap: NDArray[np.float64]) -> bytes:
    """The feature maps as a deck of cards (PNG): map 0 in front, each next one up and to the right.

    Parameters
    ----------
    fmap : (G_h, G_w, G_d) array

    Returns
    -------
    bytes
        An RGBA picture of :func:`deck_geometry`'s size (transparent around the cards).

    Examples
    --------
    >>> deck_png(np.ones((4, 4, 3)))[:4]
    b'\\x89PNG'
    """
    gd = fmap.shape[2]
    thin, ch, cw, off = deck_geometry(fmap.shape)
    canvas = np.full((ch + (gd - 1) * off, cw + (gd - 1) * off, 4), 0, dtype=np.uint8)
    border = min(ch, cw) >= 16
    for f in range(gd - 1, -1, -1):  # back to front
        m = fmap[::thin, ::thin, f]
        lim = float(np.abs(m).max()) or 1.0
        card = np.full((*m.shape, 4), 255, dtype=np.uint8)
        card[..., :3] = sample_colour_map("PuOr_r", 0.5 + 0.5 * m / lim)
        if border:
            card[[0, -1], :, :3] = 77
            card[:, [0, -1], :3] = 77
        y0, x0 = (gd - 1 - f) * off, f * off
        canvas[y0 : y0 + ch, x0 : x0 + cw] = card
    return encode_png(canvas)
