"""Template matching: move an object, and its peak moves with it (translation equivariance).

The lecture opens with template matching: slide a template over a picture
and score every position.  Move the object and the best score moves with it,
by exactly the same shift, and keeps exactly the same value: the score at a
position depends only on what is under the template there.  A convolution
layer does the same with a learned kernel shared by every position, so its
feature map is translation *equivariant*; invariance to the position comes
later, from pooling and the classifier.

The explorer pastes an object (a coin cut from scikit-image's ``coins``, or
a handwritten digit) into a picture, lets the student move it with the
sliders ``column`` and ``row``, and shows two maps: scikit-image's
:func:`skimage.feature.match_template` (normalised cross-correlation, 1 at
a perfect match) and the feature map of :func:`meia_cnn.ops.conv2d` with the
zero-mean template as its kernel.  Every number comes from
:mod:`meia_cnn.explain.template_matching`; :file:`js/template_matching.js`
draws the pictures (PNG) and the marks.

A student can upload a picture of their own object (control ``"upload"``):
it becomes a choice of the ``"template"`` dropdown (``"upload: <name>"``),
cut to the current template's shape, and its peak follows it in the same way.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray

from .._validation import as_int
from ..explain.template_matching import (
    PICTURE_SHAPE,
    TEMPLATES,
    TemplateMatchingState,
    TemplateScene,
    template_from_image,
    template_matching_pictures,
    template_matching_scene,
    template_matching_state,
    template_scene,
)
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control, build_controls, check_arguments, narrowed
from ._explorer import Explorer, View
from ._photo import UPLOAD_LABEL, PhotoSource

__all__ = ["TemplateMatchingExplorer", "PICTURE_SHAPE", "UPLOAD_SIZE", "template_from_image"]

#: Longest side an uploaded image is decoded at, before it is cut to the template's shape.
UPLOAD_SIZE = 128
#: Where the object starts, (row, col), unless told.
HOME = (10, 8)
#: Positions (and their pictures) kept, to come back to at once.
CACHE_SIZE = 64


class TemplateMatchingView(View):
    """The drawing of :class:`TemplateMatchingExplorer` (:file:`js/template_matching.js`)."""

    _esm = esm("template_matching.js")
    template_png = traitlets.Bytes(b"").tag(sync=True)
    picture_png = traitlets.Bytes(b"").tag(sync=True)
    response_png = traitlets.Bytes(b"").tag(sync=True)
    feature_png = traitlets.Bytes(b"").tag(sync=True)


class TemplateMatchingExplorer(Explorer):
    """Move an object in a picture; the matching peak moves with it, unchanged.

    Parameters
    ----------
    template : {'coin', 'digit'} or (h, w) array
        The object: a coin cut from scikit-image's ``coins`` photo (18x20
        pixels), a handwritten 3 from scikit-learn's digits (enlarged to
        16x16), or your own small grey array (3 to 24 pixels a side, not
        constant).
    column, row : int, optional
        Where the object's top-left corner starts (column, row).
    seed : int
        Seed of the picture's faint background texture.

    Attributes
    ----------
    controls : dict
        ``"column"`` and ``"row"`` (IntSliders: the object's position),
        ``"template"`` (Dropdown), ``"upload"`` (an image of your own
        becomes the template ``"upload: <name>"``, cut and resized to the
        current template's size).
    state : TemplateMatchingState
        The numbers drawn, from :func:`meia_cnn.explain.template_matching.template_matching_state`.

    Examples
    --------
    >>> viz = TemplateMatchingExplorer()
    >>> (row, col), value = viz.state.response_peak
    >>> (row, col) == (viz.controls["row"].value, viz.controls["column"].value), round(value, 6)
    (True, 1.0)
    >>> before = viz.state.feature_peak[1]
    >>> viz.controls["column"].value += 10
    >>> viz.state.feature_peak[0][1] == viz.controls["column"].value, viz.state.feature_peak[1] == before
    (True, True)
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = TemplateMatchingView
    title: ClassVar[str] = N_("Template matching: an object in a picture, its matching map and its feature map")
    #: The object's position: its sliders end where the current template's room ends.
    spec = (
        Control(
            "template",
            "menu",
            N_("Template"),
            options=TEMPLATES,
            width="220px",
            refusal=N_("Choose a template in the list."),
        ),
        Control("column", "int", N_("Object column"), range=(0, PICTURE_SHAPE[1]), width="300px"),
        Control("row", "int", N_("Object row"), range=(0, PICTURE_SHAPE[0]), width="300px"),
    )

    def __init__(
        self, template: str | ArrayLike = "coin", *, column: int | None = None, row: int | None = None, seed: int = 0
    ) -> None:
        self._seed = as_int(seed, "seed", minimum=0)
        self._scenes: dict[str, TemplateScene] = {}
        menu, column_row, row_row = self.spec
        if isinstance(template, str):
            start = self._check(template=template)["template"]
        else:
            start = "custom"
            self._scenes[start] = template_scene(start, template, seed=self._seed)
            menu = replace(menu, options=(*TEMPLATES, start))
        rows, cols = self._get_scene(start).room  # this template's room: where the object may start
        here = narrowed((menu, column_row, row_row), column=(0, cols), row=(0, rows))
        given = check_arguments(
            here,
            {
                "template": start,
                "column": HOME[1] if column is None else column,
                "row": HOME[0] if row is None else row,
            },
        )
        self._home = (given["row"], given["column"])
        super().__init__()
        self.controls.update(build_controls(here, given))
        c = self.controls
        c["template"].style.description_width = "initial"
        self.photo_source = PhotoSource(
            self,
            menu=c["template"],
            accept=self._accept_photo,
            load=dict(grey=True, size=UPLOAD_SIZE),
            description=N_("Upload template"),
        )
        c["upload"] = self.photo_source.upload
        self._layout(widgets.HBox([c["template"], c["upload"]]), widgets.HBox([c["column"], c["row"]]))
        self._listen()

    def _get_scene(self, name: str) -> TemplateScene:
        if name not in self._scenes:
            self._scenes[name] = template_scene(name, seed=self._seed)
        return self._scenes[name]

    # -- upload ------------------------------------------------------------------
    def _accept_photo(self, name: str, image: NDArray[np.float64]) -> None:
        template = template_from_image(image, self.state.template.shape)
        label = f"{UPLOAD_LABEL}{name}"
        for key in [k for k in self._scenes if k.startswith(UPLOAD_LABEL)]:
            del self._scenes[key]  # one upload at a time, as in the menu
        self._scenes[label] = template_scene(label, template, seed=self._seed)
        self._forget("png", "state")

    # -- controls -> state -----------------------------------------------------------
    def _compute(self) -> TemplateMatchingState:
        c = self.controls
        scene = self._get_scene(self.spec[0].read(c["template"]))
        rows, cols = scene.room
        for key, hi in (("column", cols), ("row", rows)):
            if c[key].max != hi:  # the object stays inside: a larger template has less room
                self._set_quietly(c[key], max=hi)
        v = self._read()
        return self._memo(
            "state",
            (v["template"], id(scene), v["row"], v["column"]),  # positions seen are kept
            lambda: template_matching_state(scene, column=v["column"], row=v["row"], home=self._home),
            maxsize=CACHE_SIZE,
        )

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: TemplateMatchingState) -> tuple[dict, dict]:
        pictures = self._memo(
            "png", (state.scene.name, *state.position), lambda: template_matching_pictures(state), maxsize=CACHE_SIZE
        )
        return dict(template_matching_scene(state)), pictures
