"""Volumes: a multi-channel input, kernels as deep as the input, a stack of feature maps.

:class:`VolumeExplorer` shows an input of depth ``l_d = 3`` as its three
channels (an RGB photo, or a small 3-channel array with its numbers), one
kernel of shape ``K_w x K_h x K_d`` with ``K_d = I_d`` (equation (2)) as its
three slices, and the feature map: one output per kernel, stacked, so that
its depth ``G_d`` is the number of kernels.  The readout writes the three
shapes in the slides' notation.

Every number comes from :func:`meia_cnn.explain.volume.volume_state`; this
module binds the controls to it and turns it into the scene that
:file:`js/volume.js` draws (the photo's channels and the maps as PNG).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic
from .. import data as _data
from .._validation import as_float_array
from ..explain.volume import KERNEL_RECIPES, KERNEL_SIZES, MAX_KERNELS, VolumeState, make_kernels, volume_state
from ..explain._render import encode_png, sample_colour_map
from ..i18n import TranslatedText, labelled_options, option_label
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import slider
from ._explorer import Explorer, View, colours, format_number, png_bytes
from ._messages import Refusal
from ._photo import PhotoSource

__all__ = ["VolumeExplorer", "KERNEL_RECIPES", "make_kernels", "DEFAULT_ARRAY"]

#: Longest side of the photo the kernels run over.
PHOTO_SIZE = 128
SOURCES = ("photo", "array")
MAX_ARRAY = 9
#: Largest side of a card in the deck of feature maps, in map pixels.
DECK_CARD = 64

#: A 6x6x3 array of small numbers: a bright stripe in R, a bar in G, a corner in B.
DEFAULT_ARRAY = np.stack([
    np.array([[0, 0, 4, 4, 0, 0]] * 6, dtype=float),
    np.array([[0] * 6, [0] * 6, [3] * 6, [3] * 6, [0] * 6, [0] * 6], dtype=float),
    np.triu(np.full((6, 6), 2.0))[::-1],
], axis=-1) + np.array([[(r + c) % 2 for c in range(6)] for r in range(6)], dtype=float)[..., None]

_CHANNEL_CMAPS = ("Reds", "Greens", "Blues")
_CHANNEL_NAMES = ("R", "G", "B")
_CHANNEL_INK = ("#B2182B", "#009E73", "#0072B2")

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText({
    "title": N_("Volumes: the input's three channels, one kernel's three slices and the stack of feature maps"),
    "choose_source": N_("Choose the photo or the small array as the input."),
    "choose_filters": N_("The number of kernels F must be a whole number from 1 to {most}."),
    "choose_size": N_("The kernel size K must be 1, 3 or 5."),
    "choose_kernel": N_("Choose which kernel to show: a whole number from 0 to {last}."),
    "no_fit": N_("A {k}×{k} kernel does not fit in the {h}×{w} input. Choose a smaller kernel or a larger "
               "picture."),
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
    "your_image": N_("your image"),
    "input_photo": N_("<div>Input, the photo ({name}): l_w × l_h × l_d = <b>{w} × {h} × {d}</b></div>"),
    "input_array": N_("<div>Input, a small 3-channel array: l_w × l_h × l_d = <b>{w} × {h} × {d}</b></div>"),
    "kernels_one": N_("<div>Each kernel: K_w × K_h × K_d = <b>{k} × {k} × {d}</b>, with K_d = I_d = {d} "
                    "(equation (2)); 1 kernel, {params} parameters ({k}·{k}·{d}·1 weights + 1 bias).</div>"),
    "kernels_many": N_("<div>Each kernel: K_w × K_h × K_d = <b>{k} × {k} × {d}</b>, with K_d = I_d = {d} "
                     "(equation (2)); {f} kernels, {params} parameters ({k}·{k}·{d}·{f} weights + {f} "
                     "biases).</div>"),
    "map_line": N_("<div>Feature map: G_w × G_h × G_d = <b>{gw} × {gh} × {gd}</b>: G_w = {w} − {k} + 1 = {gw} "
                 "(equation (3), s = 1) and G_d = {gd}, the number of kernels. Each kernel sums over all "
                 "{d} channels, so it gives one 2-D map; kernel {n} gives the map G[:, :, {n}].</div>"),
    "too_small": N_("{name} is {h}×{w} pixels: every kernel needs a picture of at least {least}×{least} pixels. "
                  "The previous picture stays."),
})


def _as_rgb(image: ArrayLike, name: str) -> NDArray[np.float64]:
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
    gh, gw = shape[:2]
    thin = -(-max(gh, gw) // DECK_CARD)
    ch, cw = -(-gh // thin), -(-gw // thin)
    return thin, ch, cw, max(1, round(max(ch, cw) * 0.16))


def _deck_png(fmap: NDArray[np.float64]) -> bytes:
    """The maps as a deck of cards (PNG): map 0 in front, each next one up and to the right."""
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
        canvas[y0:y0 + ch, x0:x0 + cw] = card
    return encode_png(canvas)


class VolumeView(View):
    """The drawing of :class:`VolumeExplorer`; the photo's channels and the maps travel as PNG."""

    _esm = esm("volume.js")
    ch0 = traitlets.Bytes(b"").tag(sync=True)
    ch1 = traitlets.Bytes(b"").tag(sync=True)
    ch2 = traitlets.Bytes(b"").tag(sync=True)
    #: every kernel's feature map (the photo): the page shows the one chosen
    fmaps = traitlets.List(traitlets.Bytes()).tag(sync=True)
    deck = traitlets.Bytes(b"").tag(sync=True)


class VolumeExplorer(Explorer):
    """A 3-channel input, kernels with ``K_d = I_d`` and the stacked feature map.

    Parameters
    ----------
    image : (H, W[, 3]) array, optional
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
    >>> viz.input_shape, viz.state.kernels.shape, viz.state.feature_map.shape
    ((6, 6, 3), (3, 3, 3, 3), (4, 4, 3))
    >>> viz.controls["filters"].value = 8
    >>> viz.state.feature_map.shape
    (4, 4, 8)
    >>> viz.close()
    """

    view_class = VolumeView
    title = TEXT.english("title")

    def __init__(self, image: ArrayLike | None = None, *, filters: int = 3, kernel_size: int = 3,
                 source: str = "photo") -> None:
        if source not in SOURCES:
            raise ValueError(f"`source` must be 'photo' or 'array', got {source!r}")
        make_kernels(filters, kernel_size)  # validates both
        if image is None:
            photo = _data.sample_image("astronaut", size=PHOTO_SIZE)
            name: str | None = "astronaut"
        else:
            photo = _as_rgb(image, "image")
            name = None  # shown as TEXT["your_image"]
        start = photo if source == "photo" else DEFAULT_ARRAY
        arithmetic.feature_map_shape(start.shape, filters, kernel_size)  # the core checks the fit
        super().__init__()
        self._photo, self._photo_name = photo, name
        self._photo_id = 0
        self._key: tuple[Any, ...] = ()

        c = self.controls
        c["source"] = widgets.ToggleButtons(options=labelled_options(SOURCES), value=source, description=_("Input"),
                                            style={"button_width": "auto"})
        c["filters"] = slider(int(filters), 1, MAX_KERNELS, _("Kernels F"), width="260px")
        c["kernel_size"] = widgets.ToggleButtons(options=list(KERNEL_SIZES), value=kernel_size,
                                                 description="K", style={"button_width": "40px"})
        c["kernel"] = slider(0, 0, int(filters) - 1, _("Show kernel #"), width="260px")
        self.photo_source = PhotoSource(self, accept=self._accept_photo, load=dict(size=PHOTO_SIZE))
        c["upload"] = self.photo_source.upload
        # the kernel shown is chosen in the page: every kernel's numbers are in the scene
        self._links.append(widgets.jslink((c["kernel"], "value"), (self.view, "step")))
        c["kernel"].observe(self._guard(self._on_kernel), names="value")
        self._layout(
            widgets.HBox([c["source"], c["upload"]]),
            widgets.HBox([c["filters"], c["kernel_size"], c["kernel"]]),
        )
        self._listen(["source", "filters", "kernel_size"])

    def _accept_photo(self, name: str, image: NDArray[np.float64]) -> None:
        image = _as_rgb(image, "upload")
        least = max(KERNEL_SIZES)
        if min(image.shape[:2]) < least:  # refused up front: every kernel must fit the photo
            h, w = image.shape[:2]
            raise Refusal(TEXT["too_small"].format(name=name, h=h, w=w, least=least))
        self._photo, self._photo_name, self._photo_id = image, name, self._photo_id + 1
        self._set_quietly(self.controls["source"], value="photo")

    def _photo_label(self) -> str:
        """The photo's name as the menus show it: a sample's translated label, an upload's file name."""
        return TEXT["your_image"] if self._photo_name is None else option_label(self._photo_name)

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> VolumeState:
        c = self.controls
        source, f, k = c["source"].value, c["filters"].value, c["kernel_size"].value
        if source not in SOURCES:
            raise Refusal(TEXT["choose_source"])
        if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 1 <= f <= MAX_KERNELS:
            raise Refusal(TEXT["choose_filters"].format(most=MAX_KERNELS))
        if isinstance(k, bool) or k not in KERNEL_SIZES:
            raise Refusal(TEXT["choose_size"])
        f, k = int(f), int(k)
        x = self._photo if source == "photo" else DEFAULT_ARRAY
        h, w = x.shape[:2]
        if k > min(h, w):
            raise Refusal(TEXT["no_fit"].format(k=k, h=h, w=w))
        key = (source, self._photo_id if source == "photo" else -1, f, k)
        self._key = key
        return self._memo("state", key, lambda: volume_state(x, f, k), maxsize=12)  # about 1.5 MB a photo's state

    # -- the kernel shown: every choice is in the scene, the page picks one --------------
    def _on_kernel(self, change: Any) -> None:
        """The kernel slider moved (in Python: a notebook, a test); the page follows it by itself."""
        if self._quiet:
            return
        n, f = change["new"], len(self.view.scene.get("steps") or ()) or 1
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n < f:
            raise Refusal(TEXT["choose_kernel"].format(last=f - 1))
        if self.view.step != int(n):
            self.view.step = int(n)

    def _publish(self, scene: dict, *, step: int | None = None, **pictures: Any) -> None:
        n = self.controls["kernel"].value
        n = min(max(int(n), 0), len(scene["steps"]) - 1) if isinstance(n, (int, np.integer)) else 0
        super()._publish(scene, step=n if step is None else step, **pictures)

    def _after_publish(self) -> None:
        # after the drawing is sent: the slider's range follows F (its value clamped to the step just sent)
        last = self.state.filters - 1
        if self.controls["kernel"].max != last:
            self._set_quietly(self.controls["kernel"], max=last)

    # -- state -> scene --------------------------------------------------------------
    def _png(self, key: Any, make: Any) -> bytes:
        return self._memo("png", key, make, maxsize=64)

    def _kernel_choice(self, state: VolumeState, n: int, numbers: bool) -> dict:
        """What changes with the kernel shown: its slices, its map, the deck's frame, the map's line."""
        (w, h, d), (k, _k, _d), (gw, gh, gd) = state.shapes["input"], state.shapes["kernel"], \
            state.shapes["feature_map"]
        one = state.per_kernel[n]
        lim = float(np.abs(state.kernels).max()) or 1.0
        meaning = _(one.meaning)
        note = [TEXT["kernel_note"].format(n=n, k=k, d=d), meaning]
        if k == 1:
            note.append(TEXT["one_by_one_note"])
        fmap_part: dict[str, Any] = {"title": TEXT["map_title"].format(n=n, gw=gw, gh=gh),
                                     "label": TEXT["map_label"].format(n=n, gw=gw, gh=gh)}
        if numbers:
            out = one.feature_map
            olim = float(np.abs(out).max()) or 1.0
            fmap_part["colours"] = colours(out, cmap="PuOr_r", vmin=-olim, vmax=olim)
            fmap_part["labels"] = [[format_number(v) for v in row] for row in out]
        return {
            "kernel": {
                "note": note,
                "label": TEXT["kernel_label"].format(n=n, k=k, d=d, meaning=meaning),
                "slices": [{"title": TEXT["slice_title"].format(c=_CHANNEL_NAMES[ch]),
                            "colours": colours(one.weights[:, :, ch], cmap="PuOr_r", vmin=-lim, vmax=lim),
                            "labels": [[format_number(v) for v in row] for row in one.weights[:, :, ch]]}
                           for ch in range(3)],
            },
            "map": fmap_part,
            "deck_label": TEXT["deck_label"].format(gd=gd, n=n),
            "readout": TEXT["map_line"].format(gw=gw, gh=gh, gd=gd, w=w, k=k, d=d, n=n),
        }

    def _scene(self, state: VolumeState) -> tuple[dict, dict]:
        x, fmap = state.input, state.feature_map
        (w, h, d), (k, _k, _d), (gw, gh, gd) = state.shapes["input"], state.shapes["kernel"], \
            state.shapes["feature_map"]
        f = state.filters
        numbers = self.controls["source"].value == "array"
        lo, hi = float(x.min()), float(x.max())
        hi = hi if hi > lo else lo + 1.0
        channels: dict[str, Any] = {"numbers": numbers, "rows": h, "cols": w,
                                    "label": TEXT["channels_label"].format(h=h, w=w), "grids": []}
        for ch in range(3):
            grid: dict[str, Any] = {"title": TEXT["channel_title"].format(c=_CHANNEL_NAMES[ch]),
                                    "ink": _CHANNEL_INK[ch]}
            if numbers:
                grid["colours"] = colours(x[:, :, ch], cmap=_CHANNEL_CMAPS[ch], vmin=lo, vmax=hi)
                grid["labels"] = [[format_number(v) for v in row] for row in x[:, :, ch]]
            channels["grids"].append(grid)
        _, card_h, card_w, off = deck_geometry(fmap.shape)
        head = TEXT["head_one" if f == 1 else "head_many"].format(w=w, h=h, d=d, f=f, k=k, gw=gw, gh=gh, gd=gd)
        source_line = (TEXT["input_array"].format(w=w, h=h, d=d) if numbers else
                       TEXT["input_photo"].format(name=html.escape(self._photo_label()), w=w, h=h, d=d))
        scene = {
            "head": head,
            "channels": channels,
            "kernel": {"size": k},
            "map": {"numbers": numbers, "rows": gh, "cols": gw},
            "deck": {"rows": card_h + (gd - 1) * off, "cols": card_w + (gd - 1) * off, "card": [card_h, card_w],
                     "offset": off, "count": gd, "title": TEXT["deck_title"].format(gd=gd)},
            # one entry per kernel, the page shows the one the "kernel" slider picks
            "steps": [self._kernel_choice(state, n, numbers) for n in range(f)],
            "readout": (
                source_line
                + TEXT["kernels_one" if f == 1 else "kernels_many"].format(k=k, d=d, f=f, params=state.params)
            ),
        }
        # keyed by what each picture depends on: the input, the kernel size, the number of kernels
        source_key = self._key[:2]
        pictures: dict[str, Any] = {"deck": self._png(("deck", *source_key, k, f), lambda: _deck_png(fmap))}
        if not numbers:
            for ch in range(3):
                pictures[f"ch{ch}"] = self._png(("ch", *source_key, ch), lambda ch=ch: png_bytes(
                    x[:, :, ch], cmap=_CHANNEL_CMAPS[ch], vmin=lo, vmax=hi))
            maps = []
            for one in state.per_kernel:  # every kernel's map (kernel n's does not depend on F)
                out = one.feature_map
                olim = float(np.abs(out).max()) or 1.0
                maps.append(self._png(("fmap", *source_key, k, one.index),
                                      lambda out=out, olim=olim: png_bytes(out, cmap="PuOr_r", vmin=-olim, vmax=olim)))
            pictures["fmaps"] = maps
        return scene, pictures

    # -- numbers, for instructors, notebooks and tests ---------------------------------
    @property
    def input_shape(self) -> tuple[int, int, int]:
        """``(l_h, l_w, l_d)``."""
        h, w, d = self.state.input.shape
        return (int(h), int(w), int(d))

    @property
    def kernel(self) -> NDArray[np.float64]:
        """The kernel drawn, ``(K_h, K_w, K_d)``."""
        return self.state.per_kernel[self.shown].weights.copy()

    @property
    def shown(self) -> int:
        """The number of the kernel drawn (the page's choice, ``view.step``, linked to the "kernel" slider)."""
        return min(max(int(self.view.step), 0), self.state.filters - 1)

    @property
    def shapes(self) -> dict[str, tuple[int, int, int]]:
        """``{"input": (l_w, l_h, l_d), "kernel": (K_w, K_h, K_d), "feature_map": (G_w, G_h, G_d)}``.

        Width first, as the slides write them.
        """
        return dict(self.state.shapes)

    deck_geometry = staticmethod(deck_geometry)
