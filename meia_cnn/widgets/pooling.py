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

from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray

from .. import data as _data
from ..explain.pooling import POOLINGS, PoolingState, pool_image, pooling_scene, pooling_state, readable_grid
from ..i18n import TranslatedText, option_label
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control
from ._explorer import Explorer, View, png_bytes
from ._messages import Refusal
from ._photo import UPLOAD_LABEL, PhotoSource

__all__ = ["PoolingExplorer", "DEFAULT_INPUT"]

SIZES = (1, 4)
STRIDES = (1, 4)
PHOTO_SIZE = 256

#: An 8x8 feature map of small numbers (a seeded draw, fixed here so the slides can quote it).
DEFAULT_INPUT = np.array(
    [
        [1, 3, 2, 0, 5, 1, 0, 2],
        [4, 2, 1, 5, 2, 3, 1, 1],
        [0, 1, 3, 2, 0, 1, 4, 2],
        [2, 6, 1, 1, 3, 2, 0, 1],
        [3, 1, 0, 2, 7, 1, 2, 0],
        [1, 2, 4, 1, 1, 0, 3, 5],
        [0, 5, 1, 3, 2, 4, 1, 0],
        [2, 1, 0, 2, 1, 3, 6, 2],
    ],
    dtype=float,
)

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText(
    {
        "title": N_("Pooling: every window of the input, the pooled output, and a photo before and after"),
        "choose_photo": N_("Choose one of the photos in the list."),
        "no_fit": N_("The {size}×{size} window does not fit in the {h}×{w} input. Choose a window of at most {most}."),
        "too_small": N_(
            "{name} is {h}×{w} pixels: every window needs a picture of at least {least}×{least} pixels. "
            "The previous picture stays."
        ),
    }
)


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
    >>> viz.state.output_shape
    (4, 4)
    >>> viz.controls["step"].value = 4
    >>> here = viz.state.steps[viz.step]
    >>> here.position, here.value, here.argmax
    ((1, 0), 6.0, (3, 1))
    >>> from meia_cnn.explain.pooling import equation_text
    >>> print(equation_text(viz.state))
    O_w = ⌊(I_w − W_w)/s⌋ + 1 = ⌊(8 − 2)/2⌋ + 1 = 4
    >>> viz.close()
    """

    view_class = PoolingView
    title = TEXT.english("title")
    spec = (
        Control("pooling", "toggle", N_("Pooling"), options=POOLINGS),
        Control("size", "int", N_("Window W"), range=SIZES, width="240px"),
        Control("stride", "int", N_("Stride s"), range=STRIDES, width="240px"),
        Control("photo", "menu", N_("Photo"), options=tuple(_data.SAMPLE_NAMES), refusal=TEXT.english("choose_photo")),
    )

    def __init__(
        self,
        x: ArrayLike | None = None,
        *,
        size: int = 2,
        stride: int | None = None,
        pooling: str = "max",
        photo: str = "camera",
    ) -> None:
        grid = readable_grid(DEFAULT_INPUT if x is None else x)
        stride = size if stride is None else stride
        given = self._check(pooling=pooling, size=size, stride=stride, photo=photo)
        pooling_state(grid, size, stride=stride, pooling=pooling)  # the core checks the fit
        super().__init__()
        self._grid = grid
        self._photo = _data.sample_image(photo, grey=True, size=PHOTO_SIZE)
        self._photo_name = photo
        self._photo_key: tuple[str, int] = (photo, 0)

        self._build(given)
        c = self.controls
        c["step"], c["play"] = self._step_controls(interval=700, width="300px")
        self.photo_source = PhotoSource(
            self, menu=c["photo"], accept=self._accept_photo, load=dict(grey=True, size=PHOTO_SIZE)
        )
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

    def _choose_photo(self, choice: str) -> None:
        if self._photo_key[0] == choice:
            return
        if choice.startswith(UPLOAD_LABEL):  # an upload is let go once another photo is chosen
            raise Refusal(TEXT["choose_photo"])
        self._photo = _data.sample_image(choice, grey=True, size=PHOTO_SIZE)
        self._photo_name = choice
        self._photo_key = (choice, 0)

    def _pool_photo(self, state: PoolingState) -> NDArray[np.floating]:
        key = (self._photo_key, state.size, state.stride, state.pooling)  # everything it depends on
        return self._memo(
            "pooled",
            key,
            lambda: pool_image(self._photo, state.size, stride=state.stride, pooling=state.pooling),
            maxsize=2,
        )

    def _picture(self, key: Any, values: NDArray[np.floating]) -> bytes:
        return self._memo("png", key, lambda: png_bytes(values, cmap="gray", vmin=0.0, vmax=1.0))

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> PoolingState:
        pooling, size, stride, choice = self._read().values()
        h, w = self._grid.shape
        if size > min(h, w):
            raise Refusal(TEXT["no_fit"].format(size=size, h=h, w=w, most=min(h, w)))
        self._choose_photo(choice)
        return pooling_state(self._grid, size, stride=stride, pooling=pooling)

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: PoolingState) -> tuple[dict, dict]:
        pooled = self._pool_photo(state)
        shown = option_label(self._photo_name) if self._photo_key[1] == 0 else self._photo_name  # a sample translated
        scene = pooling_scene(state, shown, self._photo.shape, pooled.shape)
        pictures = {
            "photo": self._picture((self._photo_key, "photo"), self._photo),
            "pooled": self._picture((self._photo_key, state.size, state.stride, state.pooling), pooled),
        }
        return dict(scene), pictures

    # -- the photo, for instructors, notebooks and tests (the grid's numbers: .state) --------------
    @property
    def photo(self) -> NDArray[np.float64]:
        """The grey photo."""
        return self._photo.copy()

    @property
    def photo_output(self) -> NDArray[np.float64]:
        """The pooled photo drawn."""
        return self._pool_photo(self.state).copy()
