"""Volumes: a multi-channel input, kernels as deep as the input, a stack of feature maps.

:class:`VolumeExplorer` shows an input of depth ``l_d = 3`` as its three
channels (an RGB photo, or a small 3-channel array with its numbers), one
kernel of shape ``K_w x K_h x K_d`` with ``K_d = I_d`` (equation (2)) as its
three slices, and the feature map: one output per kernel, stacked, so that
its depth ``G_d`` is the number of kernels.  The readout writes the three
shapes in the slides' notation.

The feature maps come from :func:`meia_cnn.ops.conv2d` with kernels of
shape ``(K_h, K_w, 3, F)``; the shapes from
:func:`meia_cnn.arithmetic.feature_map_shape` and the parameter count from
:func:`meia_cnn.arithmetic.conv_params`.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib
import numpy as np
from matplotlib.patches import Rectangle

from .. import arithmetic, ops
from .. import data as _data
from .._validation import as_float_array
from ._base import (
    CMAP_SIGNED,
    FONT,
    PALETTE,
    Explorer,
    NumberGrid,
    PathText,
    format_number,
    plain_axes,
    set_title,
)
from .convolution import kernel_preset

__all__ = ["VolumeExplorer", "KERNEL_RECIPES", "make_kernels", "DEFAULT_ARRAY"]

MAX_KERNELS = 8
KERNEL_SIZES = (1, 3, 5)
#: Longest side of the photo the kernels run over.
PHOTO_SIZE = 128
SOURCES = ("photo", "array")
MAX_ARRAY = 9
#: Largest side of a card in the deck of feature maps, in map pixels.
DECK_CARD = 64

_ALL = (1.0, 1.0, 1.0)

#: The kernels, in order: an integer spatial pattern times an integer weight
#: per channel, ``K[:, :, c] = pattern * weights[c]`` (integers keep the
#: numbers legible; each feature map is drawn on its own colour scale).
KERNEL_RECIPES = (
    ("sobel_x", _ALL, "vertical edges, all channels"),
    ("sobel_y", _ALL, "horizontal edges, all channels"),
    ("gaussian", (1.0, -1.0, 0.0), "red minus green, smoothed"),
    ("gaussian", (0.0, 0.0, 1.0), "blue channel, smoothed"),
    ("laplacian", (1.0, 2.0, 1.0), "spots and lines (R + 2G + B)"),
    ("sobel_x", (1.0, 0.0, 0.0), "vertical edges in red only"),
    ("emboss", _ALL, "relief (emboss), all channels"),
    ("gaussian", (1.0, 1.0, -2.0), "yellow minus blue, smoothed"),
)

#: A 6x6x3 array of small numbers: a bright stripe in R, a bar in G, a corner in B.
DEFAULT_ARRAY = np.stack([
    np.array([[0, 0, 4, 4, 0, 0]] * 6, dtype=float),
    np.array([[0] * 6, [0] * 6, [3] * 6, [3] * 6, [0] * 6, [0] * 6], dtype=float),
    np.triu(np.full((6, 6), 2.0))[::-1],
], axis=-1) + np.array([[(r + c) % 2 for c in range(6)] for r in range(6)], dtype=float)[..., None]

_CHANNEL_CMAPS = ("Reds", "Greens", "Blues")
_CHANNEL_NAMES = ("R", "G", "B")


def make_kernels(filters=3, kernel_size=3):
    """The first ``filters`` kernels of :data:`KERNEL_RECIPES`, each of depth 3.

    Returns
    -------
    ndarray of shape (kernel_size, kernel_size, 3, filters)
        Ready for :func:`meia_cnn.ops.conv2d`.  With ``kernel_size=1`` each
        kernel only mixes the channels.

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
    if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) \
            or not 1 <= filters <= MAX_KERNELS:
        raise ValueError(f"`filters` must be an int from 1 to {MAX_KERNELS}, got {filters!r}")
    if kernel_size not in KERNEL_SIZES:
        raise ValueError(f"`kernel_size` must be 1, 3 or 5, got {kernel_size!r}")
    out = np.empty((kernel_size, kernel_size, 3, filters))
    for f, (pattern, weights, _) in enumerate(KERNEL_RECIPES[:filters]):
        if kernel_size == 1:
            spatial = np.ones((1, 1))
        else:
            spatial = kernel_preset(pattern, kernel_size)
            spatial = spatial / np.abs(spatial[spatial != 0]).min()  # smallest weight 1: integers
        out[:, :, :, f] = spatial[:, :, None] * np.asarray(weights)[None, None, :]
    return out


def _as_rgb(image, name):
    """An (H, W) or (H, W, 3) array as (H, W, 3); large images thinned to PHOTO_SIZE by striding."""
    arr = as_float_array(image, name, ndim=(2, 3))
    if arr.ndim == 3 and arr.shape[-1] != 3:
        raise ValueError(f"`{name}` must have 3 channels (H, W, 3) or be grey (H, W), got shape {arr.shape}")
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    step = -(-max(arr.shape[:2]) // PHOTO_SIZE)
    if step > 1:  # thin to about PHOTO_SIZE for display speed (not a resampling: no new values)
        arr = arr[::step, ::step]
    return np.array(arr, dtype=float)


class VolumeExplorer(Explorer):
    """A 3-channel input, kernels with ``K_d = I_d`` and the stacked feature map.

    Parameters
    ----------
    image : array_like of shape (H, W, 3) or (H, W), optional
        Your own photo (a grey one becomes three equal channels); default
        scikit-image's astronaut at 128 pixels.
    filters : int
        1 to 8 kernels; the feature map's depth ``G_d``.
    kernel_size : {1, 3, 5}
    source : {'photo', 'array'}
        The photo, or a small 6x6x3 array whose numbers are written.

    Attributes
    ----------
    controls : dict
        ``"source"``, ``"filters"``, ``"kernel_size"``, ``"kernel"`` (which
        kernel is drawn), ``"upload"``.

    Examples
    --------
    >>> viz = VolumeExplorer(source="array")
    >>> viz.input_shape, viz.kernels.shape, viz.feature_map.shape
    ((6, 6, 3), (3, 3, 3, 3), (4, 4, 3))
    >>> viz.controls["filters"].value = 8
    >>> viz.feature_map.shape
    (4, 4, 8)
    >>> viz.close()
    """

    def __init__(self, image=None, *, filters=3, kernel_size=3, source="photo"):
        super().__init__()
        if source not in SOURCES:
            raise ValueError(f"`source` must be 'photo' or 'array', got {source!r}")
        make_kernels(filters, kernel_size)  # validates both
        if image is None:
            self._photo = _data.sample_image("astronaut", size=PHOTO_SIZE)
            self._photo_name = "astronaut"
        else:
            self._photo = _as_rgb(image, "image")
            self._photo_name = "your image"
        self._array = DEFAULT_ARRAY.copy()
        self._caches = {}  # id(input) -> (input, maps per kernel size, decks)
        self._maps_cache = {}
        self._deck_cache = {}
        start = self._photo if source == "photo" else self._array
        arithmetic.feature_map_shape(start.shape, filters, kernel_size)  # the core checks the fit

        c = self.controls
        c["source"] = widgets.ToggleButtons(options=list(SOURCES), value=source, description="Input")
        c["filters"] = self._int_slider(int(filters), 1, MAX_KERNELS, "Kernels F")
        c["kernel_size"] = widgets.ToggleButtons(options=list(KERNEL_SIZES), value=kernel_size,
                                                 description="K", style={"button_width": "40px"})
        c["kernel"] = self._int_slider(0, 0, int(filters) - 1, "Show kernel #")
        c["upload"] = self._make_upload(self._on_upload, size=PHOTO_SIZE)
        self._build_figure()
        self._layout(
            widgets.HBox([c["source"], c["upload"]]),
            widgets.HBox([c["filters"], c["kernel_size"], c["kernel"]]),
        )
        self._connect(["source", "filters", "kernel_size", "kernel"])

    # -- figure ----------------------------------------------------------------
    def _build_figure(self):
        fig = self._make_figure((13, 4.5))
        self._ax_ch, self._g_ch, self._im_ch, self._t_ch = [], [], [], []
        for k in range(3):
            ax = plain_axes(fig.add_axes([0.005 + 0.098 * k, 0.30, 0.092, 0.50]))
            self._im_ch.append(ax.imshow(np.zeros((2, 2)), cmap=_CHANNEL_CMAPS[k], vmin=0, vmax=1,
                                         interpolation="nearest"))
            self._g_ch.append(NumberGrid(ax, (MAX_ARRAY, MAX_ARRAY), cmap=_CHANNEL_CMAPS[k],
                                         fmt=format_number, fontsize=10))
            self._t_ch.append(set_title(ax, "", fontsize=FONT["label"], loc="left",
                                           color=("#B2182B", PALETTE["green"], PALETTE["blue"])[k]))
            self._ax_ch.append(ax)
        self._ax_k = []
        self._g_k = []
        for k in range(3):
            ax = fig.add_axes([0.305 + 0.073 * k, 0.33, 0.068, 0.44])
            self._g_k.append(NumberGrid(ax, (5, 5), cmap=CMAP_SIGNED, fmt=format_number, fontsize=10,
                                        symmetric=True))
            set_title(ax, f"K[:, :, {_CHANNEL_NAMES[k]}]", fontsize=FONT["label"] - 2, loc="left")
            self._ax_k.append(ax)
        self._kernel_note = PathText(fig, 0.305, 0.24, "", fontsize=FONT["label"] - 1, va="top")
        self._ax_out = plain_axes(fig.add_axes([0.53, 0.10, 0.20, 0.70]))
        self._im_out = self._ax_out.imshow(np.zeros((2, 2)), cmap=CMAP_SIGNED, interpolation="nearest")
        self._g_out = NumberGrid(self._ax_out, (MAX_ARRAY, MAX_ARRAY), cmap=CMAP_SIGNED,
                                 fmt=format_number, symmetric=True)
        self._t_out = set_title(self._ax_out, "", fontsize=FONT["label"], loc="left")
        # the stack: the maps drawn as cards, one behind the other, composed into one image
        self._ax_deck = fig.add_axes([0.75, 0.02, 0.245, 0.82])
        self._ax_deck.set_axis_off()
        self._deck = self._ax_deck.imshow(np.zeros((2, 2, 4)), interpolation="nearest")
        self._deck_frame = Rectangle((0, 0), 1, 1, fill=False, edgecolor=PALETTE["orange"],
                                     linewidth=3, zorder=20)
        self._ax_deck.add_patch(self._deck_frame)
        self._cmap_signed = matplotlib.colormaps[CMAP_SIGNED]
        self._t_deck = set_title(self._ax_deck, "", fontsize=FONT["label"], loc="left")
        self._head = PathText(fig, 0.005, 0.93, "", fontsize=FONT["label"], va="center")

    def _on_upload(self, image, name):
        self._photo = _as_rgb(image, "upload")
        self._photo_name = name
        if self.controls["source"].value != "photo":
            self._set_quietly(self.controls["source"], value="photo")

    # -- numbers from the core ----------------------------------------------------
    @property
    def input(self):
        """The input volume ``(l_h, l_w, l_d)`` in use."""
        return self._state["x"].copy()

    @property
    def input_shape(self):
        """``(l_h, l_w, l_d)``."""
        return tuple(self._state["x"].shape)

    @property
    def kernels(self):
        """All kernels, ``(K_h, K_w, K_d, F)`` with ``K_d = l_d``."""
        return self._state["kernels"].copy()

    @property
    def kernel(self):
        """The kernel drawn, ``(K_h, K_w, K_d)``."""
        return self._state["kernels"][..., self._state["shown"]].copy()

    @property
    def feature_map(self):
        """The stacked outputs ``(G_h, G_w, G_d)`` from the core."""
        return self._state["feature_map"].copy()

    @property
    def shapes(self):
        """``{"input": (l_w, l_h, l_d), "kernel": (K_w, K_h, K_d), "feature_map": (G_w, G_h, G_d)}``.

        Width first, as the slides write them.
        """
        return self._state["shapes"]

    def _update(self):
        c = self.controls
        source, f_count = c["source"].value, c["filters"].value
        k = c["kernel_size"].value
        self._set_quietly(c["kernel"], max=f_count - 1)
        shown = min(c["kernel"].value, f_count - 1)
        x = self._photo if source == "photo" else self._array
        h, w, d = x.shape
        # numbers first: an error leaves the drawing as it was
        kernels = make_kernels(f_count, k)
        gh, gw, gd = arithmetic.feature_map_shape(x.shape, f_count, k)
        fmap = self._feature_maps(x, k)[:, :, :f_count]
        if fmap.shape != (gh, gw, gd):  # pragma: no cover - the core's two answers agree
            raise ValueError(f"feature map {fmap.shape} disagrees with {(gh, gw, gd)}")
        shapes = {"input": (w, h, d), "kernel": (k, k, kernels.shape[2]), "feature_map": (gw, gh, gd)}
        self._state = dict(x=x, kernels=kernels, feature_map=fmap, shown=shown, shapes=shapes)

        # drawing: the input's channels
        is_array = source == "array"
        lo, hi = float(x.min()), float(x.max())
        hi = hi if hi > lo else lo + 1.0
        for ch in range(3):
            self._im_ch[ch].set_visible(not is_array)
            self._g_ch[ch].set_visible(is_array)
            if is_array:
                self._g_ch[ch].set(x[:, :, ch])
            else:
                self._im_ch[ch].set_data(x[:, :, ch])
                self._im_ch[ch].set_clim(lo, hi)
                self._im_ch[ch].set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
                self._ax_ch[ch].set_xlim(-0.5, w - 0.5)
                self._ax_ch[ch].set_ylim(h - 0.5, -0.5)
            self._t_ch[ch].set_text(f"I[:, :, {_CHANNEL_NAMES[ch]}]")
        # the kernel drawn, slice by slice
        kernel = kernels[..., shown]
        lim = float(np.abs(kernels).max()) or 1.0
        for ch in range(3):
            self._g_k[ch].set(kernel[:, :, ch])
            self._g_k[ch].image.set_clim(-lim, lim)
        pattern, weights, meaning = KERNEL_RECIPES[shown]
        self._kernel_note.set_text(
            f"kernel {shown}: {k}×{k}×{kernels.shape[2]}\n{meaning}"
            + ("" if k > 1 else "\n(1×1: it only mixes channels)"))
        # its output, and the stack
        out = fmap[:, :, shown]
        olim = float(np.abs(out).max()) or 1.0
        self._im_out.set_visible(not is_array)
        self._g_out.set_visible(is_array)
        if is_array:
            self._g_out.set(out)
        else:
            self._im_out.set_data(out)
            self._im_out.set_clim(-olim, olim)
            self._im_out.set_extent((-0.5, gw - 0.5, gh - 0.5, -0.5))
            self._ax_out.set_xlim(-0.5, gw - 0.5)
            self._ax_out.set_ylim(gh - 0.5, -0.5)
        self._t_out.set_text(f"G[:, :, {shown}]  ({gw}×{gh})")
        self._draw_deck(fmap, shown)
        self._head.set_text(f"{w}×{h}×{d}  ∗  {gd} kernel{'s' * (gd > 1)} {k}×{k}×{d}  →  {gw}×{gh}×{gd}")
        self._write_readout(shapes, f_count, shown)

    def _feature_maps(self, x, k):
        """All eight maps for this input and kernel size (cached per size: the first F are shown)."""
        entry = self._caches.get(id(x))
        if entry is None:  # the entry keeps x alive, so its id cannot be reused meanwhile
            if len(self._caches) >= 2:  # the photo and the array: drop the older ones
                self._caches.pop(next(iter(self._caches)))
            entry = self._caches[id(x)] = (x, {}, {})
        self._maps_cache, self._deck_cache = entry[1], entry[2]
        if k not in self._maps_cache:
            self._maps_cache[k] = ops.conv2d(x, make_kernels(MAX_KERNELS, k))
        return self._maps_cache[k]

    @staticmethod
    def deck_geometry(shape):
        """``(thin, card_h, card_w, offset)`` of the deck drawn for feature maps of ``shape``.

        Each card shows its map thinned to at most :data:`DECK_CARD` pixels a
        side (a thumbnail: the map itself is drawn beside it at full size), and
        sits ``offset`` pixels up and to the right of the one before.
        """
        gh, gw = shape[:2]
        thin = -(-max(gh, gw) // DECK_CARD)
        ch, cw = -(-gh // thin), -(-gw // thin)
        return thin, ch, cw, max(1, round(max(ch, cw) * 0.16))

    def _deck_image(self, fmap, k):
        """The maps as a deck of cards: map 0 in front, each next one up and to the right."""
        key = (k, fmap.shape)
        if key in self._deck_cache:
            return self._deck_cache[key]
        gd = fmap.shape[2]
        thin, ch, cw, off = self.deck_geometry(fmap.shape)
        canvas = np.zeros((ch + (gd - 1) * off, cw + (gd - 1) * off, 4), dtype=np.uint8)
        cmap = self._cmap_signed
        border = min(ch, cw) >= 16
        for f in range(gd - 1, -1, -1):  # back to front
            m = fmap[::thin, ::thin, f]
            lim = float(np.abs(m).max()) or 1.0
            card = cmap(0.5 + 0.5 * m / lim, bytes=True)
            if border:
                card[[0, -1], :, :3] = 77
                card[:, [0, -1], :3] = 77
            y0, x0 = (gd - 1 - f) * off, f * off
            canvas[y0:y0 + ch, x0:x0 + cw] = card
        self._deck_cache[key] = canvas
        return canvas

    def _draw_deck(self, fmap, shown):
        gd = fmap.shape[2]
        _, ch, cw, off = self.deck_geometry(fmap.shape)
        canvas = self._deck_image(fmap, self.controls["kernel_size"].value)
        self._deck.set_data(canvas)
        h, w = canvas.shape[:2]
        self._deck.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        self._ax_deck.set_xlim(-0.5, w - 0.5)
        self._ax_deck.set_ylim(h - 0.5, -0.5)
        self._deck_frame.set_xy((shown * off - 0.5, (gd - 1 - shown) * off - 0.5))
        self._deck_frame.set_width(cw)
        self._deck_frame.set_height(ch)
        self._t_deck.set_text(f"feature map: G_d = {gd}")

    def _write_readout(self, shapes, f_count, shown):
        (w, h, d), (kw, kh, kd), (gw, gh, gd) = shapes["input"], shapes["kernel"], shapes["feature_map"]
        params = arithmetic.conv_params(d, f_count, kw)
        source = self.controls["source"].value
        what = f"the photo ({self._photo_name})" if source == "photo" else "a small 3-channel array"
        self.readout.value = (
            f"<div>Input, {what}: l_w × l_h × l_d = <b>{w} × {h} × {d}</b></div>"
            f"<div>Each kernel: K_w × K_h × K_d = <b>{kw} × {kh} × {kd}</b>, "
            f"with K_d = I_d = {d} (equation (2)); {f_count} kernel{'s' * (f_count > 1)}, "
            f"{params} parameters ({kw}·{kh}·{kd}·{f_count} weights + {f_count} biases).</div>"
            f"<div>Feature map: G_w × G_h × G_d = <b>{gw} × {gh} × {gd}</b>: "
            f"G_w = {w} − {kw} + 1 = {gw} (equation (3), s = 1) and "
            f"G_d = {gd}, the number of kernels. Each kernel sums over all {d} channels, "
            f"so it gives one 2-D map; kernel {shown} gives the map G[:, :, {shown}].</div>"
        )
