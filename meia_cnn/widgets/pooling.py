"""Max and average pooling, window by window, and what it does to a photo.

:class:`PoolingExplorer` shows a small input with its numbers, every
window's maximum marked, the current window and the output grid filling in;
the readout writes the slides' equation (4) with the current numbers.
Beside it a photo and the same pooling applied to it, drawn at the same
size, so the lost resolution shows.

Every number comes from :func:`meia_cnn.explain.pooling.pooling_state`
(and :func:`~meia_cnn.explain.pooling.pool_image` for the photo); this
module binds the controls to it and turns it into the scene that
:file:`js/pooling.js` draws.  The steps are resolved in the browser.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray

from .. import data as _data
from .._validation import as_float_array
from ..explain.pooling import POOLINGS, PoolingState, pool_image, pooling_state
from ..i18n import TranslatedText, labelled_options, option_label
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import slider
from ._explorer import Explorer, View, colours, format_number, png_bytes
from ._messages import Refusal
from ._photo import UPLOAD_LABEL, PhotoSource

__all__ = ["PoolingExplorer", "DEFAULT_INPUT"]

MAX_GRID = 9
SIZES = (1, 4)
STRIDES = (1, 4)
PHOTO_SIZE = 256

#: An 8x8 feature map of small numbers (a seeded draw, fixed here so the slides can quote it).
DEFAULT_INPUT = np.array([
    [1, 3, 2, 0, 5, 1, 0, 2],
    [4, 2, 1, 5, 2, 3, 1, 1],
    [0, 1, 3, 2, 0, 1, 4, 2],
    [2, 6, 1, 1, 3, 2, 0, 1],
    [3, 1, 0, 2, 7, 1, 2, 0],
    [1, 2, 4, 1, 1, 0, 3, 5],
    [0, 5, 1, 3, 2, 4, 1, 0],
    [2, 1, 0, 2, 1, 3, 6, 2],
], dtype=float)

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText({
    "title": N_("Pooling: every window of the input, the pooled output, and a photo before and after"),
    "choose_pooling": N_("Choose max or average pooling."),
    "choose_size": N_("The window W must be a whole number from {lo} to {hi}."),
    "choose_stride": N_("The stride s must be a whole number from {lo} to {hi}."),
    "choose_photo": N_("Choose one of the photos in the list."),
    "no_fit": N_("The {size}×{size} window does not fit in the {h}×{w} input. "
               "Choose a window of at most {most}."),
    "input_title": N_("input {h}×{w}, window {size}×{size}, s = {stride}"),
    "input_label": N_("Input grid, {h} by {w} cells, with its numbers; the current {size} by {size} window "
                    "in red{maxima}."),
    "maxima_marks": N_(", every window's maximum framed in orange and the current one in yellow"),
    "output_title_max": N_("max pool {oh}×{ow}"),
    "output_title_average": N_("average pool {oh}×{ow}"),
    "output_label": N_("Output O, {oh} by {ow} cells, filled up to the current step."),
    "photo_title": "{name} {h}×{w}",
    "photo_label": N_("The photo {name}, {h} by {w} pixels."),
    "pooled_title_max": N_("max pooled {h}×{w}"),
    "pooled_title_average": N_("average pooled {h}×{w}"),
    "pooled_label": N_("The photo after pooling, {h} by {w} pixels, drawn at the same size."),
    "equation": "O_w = ⌊(I_w − W_w)/s⌋ + 1 = ⌊({w} − {size})/{stride}⌋ + 1 = {ow}",
    "equation_line": N_("<div><b>Equation (4)</b>: {equation}; O_h = ⌊({h} − {size})/{stride}⌋ + 1 = {oh}: "
                      "output <b>{oh} × {ow}</b>.</div>"),
    "photo_line": N_("<div>Photo: {ph} × {pw} → {qh} × {qw} ({ratio}× fewer pixels). "
                   "Pooling has no weights: {params} parameters.</div>"),
    "step_max": N_("<div>Step {n} of {total}: window rows {r0}…{r1}, columns {c0}…{c1}: "
                 "max({values}) = <b>{value}</b>, at row {r}, column {c} of the input → O[{i}, {j}].</div>"),
    "step_average": N_("<div>Step {n} of {total}: window rows {r0}…{r1}, columns {c0}…{c1}: "
                     "({values}) / {count} = <b>{value}</b> → O[{i}, {j}].</div>"),
    "too_small": N_("{name} is {h}×{w} pixels: every window needs a picture of at least {least}×{least} pixels. "
                  "The previous picture stays."),
})


def _check_grid(x: ArrayLike) -> NDArray[np.float64]:
    arr = as_float_array(x, "x", ndim=2)
    h, w = arr.shape
    if not (1 <= h <= MAX_GRID and 1 <= w <= MAX_GRID):
        raise ValueError(
            f"`x` must be at most {MAX_GRID}x{MAX_GRID} so its numbers can be read, got shape {arr.shape}; "
            "pool a larger image with `photo=` or an upload"
        )
    return np.array(arr, dtype=float)


def _whole(value: Any, lo: int, hi: int) -> bool:
    return bool(not isinstance(value, bool) and isinstance(value, (int, np.integer)) and lo <= value <= hi)


class PoolingView(View):
    """The drawing of :class:`PoolingExplorer`: the grids (SVG), the photo and the pooled photo (PNG)."""

    _esm = esm("pooling.js")
    photo = traitlets.Bytes(b"").tag(sync=True)
    pooled = traitlets.Bytes(b"").tag(sync=True)


class PoolingExplorer(Explorer):
    """Max or average pooling of a small grid and of a photo.

    Parameters
    ----------
    x : (H, W) array, optional
        At most 9x9 (default :data:`DEFAULT_INPUT`, 8x8).
    size : int
        The window ``W_w`` (1 to 4).
    stride : int, optional
        ``s`` (1 to 4); defaults to ``size``, non-overlapping windows.
    pooling : {'max', 'average'}
    photo : str
        A scikit-image sample (see :data:`meia_cnn.data.SAMPLE_NAMES`).

    Attributes
    ----------
    controls : dict
        ``"pooling"``, ``"size"``, ``"stride"``, ``"step"``, ``"play"``, ``"photo"``, ``"upload"``.

    Examples
    --------
    >>> viz = PoolingExplorer()
    >>> viz.output_shape
    (4, 4)
    >>> viz.controls["step"].value = 4
    >>> viz.position, viz.current_value, viz.current_argmax
    ((1, 0), 6.0, (3, 1))
    >>> print(viz.equation)
    O_w = ⌊(I_w − W_w)/s⌋ + 1 = ⌊(8 − 2)/2⌋ + 1 = 4
    >>> viz.close()
    """

    view_class = PoolingView
    title = TEXT.english("title")

    def __init__(self, x: ArrayLike | None = None, *, size: int = 2, stride: int | None = None,
                 pooling: str = "max", photo: str = "camera") -> None:
        grid = _check_grid(DEFAULT_INPUT if x is None else x)
        if pooling not in POOLINGS:
            raise ValueError(f"`pooling` must be 'max' or 'average', got {pooling!r}")
        stride = size if stride is None else stride
        for name, value, (lo, hi) in (("size", size, SIZES), ("stride", stride, STRIDES)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"`{name}` must be an int, got {value!r}")
            if not lo <= value <= hi:
                raise ValueError(f"`{name}` must be between {lo} and {hi} here, got {value}")
        if photo not in _data.SAMPLE_NAMES:
            raise ValueError(f"`photo` must be one of {', '.join(_data.SAMPLE_NAMES)}; got {photo!r}")
        pooling_state(grid, size, stride=stride, pooling=pooling)  # the core checks the fit
        super().__init__()
        self._grid = grid
        self._photo = _data.sample_image(photo, grey=True, size=PHOTO_SIZE)
        self._photo_name = photo
        self._photo_key: tuple[str, int] = (photo, 0)
        self._png: dict[Any, bytes] = {}
        self._pooled: tuple[Any, NDArray[np.floating]] | None = None

        c = self.controls
        c["pooling"] = widgets.ToggleButtons(options=labelled_options(POOLINGS), value=pooling, description=_("Pooling"),
                                             style={"button_width": "auto"})
        c["size"] = slider(int(size), *SIZES, _("Window W"), width="240px")
        c["stride"] = slider(int(stride), *STRIDES, _("Stride s"), width="240px")
        c["step"], c["play"] = self._step_controls(interval=700, width="300px")
        c["photo"] = widgets.Dropdown(options=labelled_options(_data.SAMPLE_NAMES), value=photo, description=_("Photo"),
                                      layout=widgets.Layout(width="auto"))
        self.photo_source = PhotoSource(self, menu=c["photo"], accept=self._accept_photo,
                                        load=dict(grey=True, size=PHOTO_SIZE))
        c["upload"] = self.photo_source.upload
        self._layout(
            widgets.HBox([c["pooling"], c["size"], c["stride"]]),
            widgets.HBox([c["play"], c["step"], c["photo"], c["upload"]]),
        )
        self._listen()

    # -- the photo ---------------------------------------------------------------------
    def _accept_photo(self, name: str, image: NDArray[np.float64]) -> None:
        if min(image.shape[:2]) < SIZES[1]:  # refused up front: every window must fit the photo
            h, w = image.shape[:2]
            raise Refusal(TEXT["too_small"].format(name=name, h=h, w=w, least=SIZES[1]))
        self._photo, self._photo_name = image, name
        self._photo_key = (UPLOAD_LABEL + name, self.photo_source.uploads + 1)

    def _choose_photo(self) -> None:
        choice = self.controls["photo"].value
        if not isinstance(choice, str):
            raise Refusal(TEXT["choose_photo"])
        if choice.startswith(UPLOAD_LABEL):
            if self._photo_key[0] != choice:
                raise Refusal(TEXT["choose_photo"])
            return
        if choice not in _data.SAMPLE_NAMES:
            raise Refusal(TEXT["choose_photo"])
        if self._photo_key[0] != choice:
            self._photo = _data.sample_image(choice, grey=True, size=PHOTO_SIZE)
            self._photo_name = choice
            self._photo_key = (choice, 0)

    def _pool_photo(self, state: PoolingState) -> NDArray[np.floating]:
        # keyed by everything it depends on: the photo, the window, the stride and the pooling
        key = (self._photo_key, state.size, state.stride, state.pooling)
        if self._pooled is None or self._pooled[0] != key:
            self._pooled = (key, pool_image(self._photo, state.size, stride=state.stride,
                                            pooling=state.pooling))
        return self._pooled[1]

    def _picture(self, key: Any, values: NDArray[np.floating]) -> bytes:
        if key not in self._png:
            if len(self._png) > 16:
                self._png.clear()
            self._png[key] = png_bytes(values, cmap="gray", vmin=0.0, vmax=1.0)
        return self._png[key]

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> PoolingState:
        c = self.controls
        pooling = c["pooling"].value
        if pooling not in POOLINGS:
            raise Refusal(TEXT["choose_pooling"])
        size, stride = c["size"].value, c["stride"].value
        if not _whole(size, *SIZES):
            raise Refusal(TEXT["choose_size"].format(lo=SIZES[0], hi=SIZES[1]))
        if not _whole(stride, *STRIDES):
            raise Refusal(TEXT["choose_stride"].format(lo=STRIDES[0], hi=STRIDES[1]))
        h, w = self._grid.shape
        if size > min(h, w):
            raise Refusal(TEXT["no_fit"].format(size=size, h=h, w=w, most=min(h, w)))
        self._choose_photo()
        return pooling_state(self._grid, int(size), stride=int(stride), pooling=pooling)

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: PoolingState) -> tuple[dict, dict]:
        x = state.input
        h, w = x.shape
        oh, ow = state.output_shape
        size, stride, is_max = state.size, state.stride, state.pooling == "max"
        lo, hi = float(x.min()), float(x.max())
        hi = hi if hi > lo else lo + 1.0  # one colour scale for both grids: a 6 looks like a 6
        pooled = self._pool_photo(state)
        ph, pw = self._photo.shape
        qh, qw = pooled.shape
        steps = []
        for n, st in enumerate(state.steps):
            r0, c0 = st.origin
            i, j = st.position
            fields = dict(n=n + 1, total=len(state.steps), r0=r0, r1=r0 + size - 1, c0=c0, c1=c0 + size - 1,
                          values=", ".join(format_number(v) for v in st.window.ravel()),
                          value=format_number(st.value), i=i, j=j, r=st.argmax[0], c=st.argmax[1],
                          count=st.window.size)
            steps.append({"origin": [r0, c0], "cell": [i, j], "best": list(st.argmax) if is_max else None,
                          "readout": TEXT["step_max" if is_max else "step_average"].format(**fields)})
        shown = option_label(self._photo_name) if self._photo_key[1] == 0 else self._photo_name  # a sample's name translated
        name = html.escape(shown[:18])
        scene = {
            "input": {
                "rows": h, "cols": w, "colours": colours(x, cmap="cividis", vmin=lo, vmax=hi),
                "labels": [[format_number(v) for v in row] for row in x],
                "title": TEXT["input_title"].format(h=h, w=w, size=size, stride=stride),
                "label": TEXT["input_label"].format(h=h, w=w, size=size,
                                                    maxima=TEXT["maxima_marks"] if is_max else ""),
            },
            "output": {
                "rows": oh, "cols": ow, "colours": colours(state.output, cmap="cividis", vmin=lo, vmax=hi),
                "labels": [[format_number(v) for v in row] for row in state.output],
                "title": TEXT[f"output_title_{state.pooling}"].format(oh=oh, ow=ow),
                "label": TEXT["output_label"].format(oh=oh, ow=ow),
            },
            "size": size,
            "maxima": state.indices.reshape(-1, 2).tolist() if is_max else [],
            "photo": {"rows": ph, "cols": pw, "title": TEXT["photo_title"].format(name=name, h=ph, w=pw),
                      "label": TEXT["photo_label"].format(name=name, h=ph, w=pw)},
            "pooled": {"rows": qh, "cols": qw,
                       "title": TEXT[f"pooled_title_{state.pooling}"].format(h=qh, w=qw),
                       "label": TEXT["pooled_label"].format(h=qh, w=qw)},
            "steps": steps,
            "readout": (
                TEXT["equation_line"].format(equation=_equation(state), h=h, size=size, stride=stride,
                                             oh=oh, ow=ow)
                + TEXT["photo_line"].format(ph=ph, pw=pw, qh=qh, qw=qw, ratio=f"{ph * pw / (qh * qw):.1f}",
                                            params=state.params)
            ),
        }
        pictures = {
            "photo": self._picture((self._photo_key, "photo"), self._photo),
            "pooled": self._picture((self._photo_key, size, stride, state.pooling), pooled),
        }
        return scene, pictures

    # -- numbers, for instructors, notebooks and tests ---------------------------------
    @property
    def image(self) -> NDArray[np.float64]:
        """The small input grid."""
        return self._grid.copy()

    @property
    def output(self) -> NDArray[np.float64]:
        """The pooled grid drawn."""
        return self.state.output.copy()

    @property
    def output_shape(self) -> tuple[int, int]:
        """``(O_h, O_w)`` of the drawn output (equation (4))."""
        return self.state.output_shape

    @property
    def indices(self) -> NDArray[np.int64]:
        """``(O_h, O_w, 2)``: where each window's maximum is in the input (from the core)."""
        return self.state.indices.copy()

    def _current(self) -> Any:
        steps = self.state.steps
        return steps[min(self.step, len(steps) - 1)]

    @property
    def position(self) -> tuple[int, int]:
        """``(i, j)`` of the output cell at the current step."""
        return self._current().position

    @property
    def window(self) -> NDArray[np.float64]:
        """The input values in the current window."""
        return self._current().window.copy()

    @property
    def current_value(self) -> float:
        """The output at the current step (the window's max or average)."""
        return float(self._current().value)

    @property
    def current_argmax(self) -> tuple[int, int]:
        """``(row, col)`` in the input of the current window's maximum."""
        return self._current().argmax

    @property
    def photo(self) -> NDArray[np.float64]:
        """The grey photo."""
        return self._photo.copy()

    @property
    def photo_output(self) -> NDArray[np.float64]:
        """The pooled photo drawn."""
        return self._pool_photo(self.state).copy()

    @property
    def equation(self) -> str:
        """Equation (4) with the current numbers (width; the height is written in the readout)."""
        return _equation(self.state)


def _equation(state: PoolingState) -> str:
    return TEXT["equation"].format(w=state.input.shape[1], size=state.size, stride=state.stride,
                                   ow=state.output_shape[1])
