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

from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray

from ..explain.template_matching import (
    PICTURE_SHAPE,
    TEMPLATES,
    TemplateMatchingState,
    TemplateScene,
    template_from_image,
    template_matching_scene,
    template_matching_state,
    template_scene,
)
from ..i18n import TranslatedText, labelled_options, option_values
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import slider
from ._explorer import Explorer, View, png_bytes
from ._messages import Refusal
from ._photo import UPLOAD_LABEL, PhotoSource

__all__ = ["TemplateMatchingExplorer", "PICTURE_SHAPE", "UPLOAD_SIZE", "template_from_image"]

#: Longest side an uploaded image is decoded at, before it is cut to the template's shape.
UPLOAD_SIZE = 128
#: Where the object starts, (row, col), unless told.
HOME = (10, 8)

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText({
    "title": N_("Template matching: an object in a picture, its matching map and its feature map"),
    "choose_template": N_("Choose a template in the list."),
    "position": N_("The object's {name} must be a whole number from 0 to {hi}."),
})


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
    title: ClassVar[str] = TEXT.english("title")

    def __init__(self, template: str | ArrayLike = "coin", *, column: int | None = None,
                 row: int | None = None, seed: int = 0) -> None:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"`seed` must be an int, got {seed!r}")
        self._seed = int(seed)
        self._scenes: dict[str, TemplateScene] = {}
        options = list(TEMPLATES)
        if isinstance(template, str):
            if template not in TEMPLATES:
                raise ValueError(f"`template` must be one of {', '.join(TEMPLATES)} or a 2-D array, "
                                 f"got {template!r}")
            start = template
        else:
            self._scenes["custom"] = template_scene("custom", template, seed=self._seed)
            options.append("custom")
            start = "custom"
        rows, cols = self._get_scene(start).room
        y = HOME[0] if row is None else row
        x = HOME[1] if column is None else column
        for value, name, hi in ((x, "column", cols), (y, "row", rows)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"`{name}` must be an int, got {value!r}")
            if not 0 <= value <= hi:
                raise ValueError(f"`{name}` must be between 0 and {hi} (the object must stay in the picture), "
                                 f"got {value}")
        self._home = (int(y), int(x))
        super().__init__()
        c = self.controls
        c["template"] = widgets.Dropdown(options=labelled_options(options), value=start, description=_("Template"),
                                         style={"description_width": "initial"},
                                         layout=widgets.Layout(width="220px", max_width="100%"))
        self.photo_source = PhotoSource(self, menu=c["template"], accept=self._accept_photo,
                                        load=dict(grey=True, size=UPLOAD_SIZE), description=N_("Upload template"))
        c["upload"] = self.photo_source.upload
        c["column"] = slider(int(x), 0, cols, _("Object column"), width="300px")
        c["row"] = slider(int(y), 0, rows, _("Object row"), width="300px")
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
        name = c["template"].value
        if not isinstance(name, str) or name not in option_values(c["template"].options):
            raise Refusal(TEXT["choose_template"])
        scene = self._get_scene(name)
        rows, cols = scene.room
        for key, hi in (("column", cols), ("row", rows)):
            if c[key].max != hi:  # the object stays inside: a larger template has less room
                self._set_quietly(c[key], max=hi)
        values = {}
        for key, hi in (("column", cols), ("row", rows)):
            v = c[key].value
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v <= hi:
                raise Refusal(TEXT["position"].format(name=key, hi=hi))
            values[key] = int(v)
        seen: tuple = (name, id(scene), values["row"], values["column"])
        return self._memo("state", seen, lambda: template_matching_state(  # positions seen are kept
            scene, column=values["column"], row=values["row"], home=self._home), maxsize=64)

    # -- state -> scene --------------------------------------------------------------
    def _png(self, key: tuple, values: NDArray, **kwargs: Any) -> bytes:
        return self._memo("png", key, lambda: png_bytes(values, **kwargs), maxsize=64)

    def _scene(self, state: TemplateMatchingState) -> tuple[dict, dict]:
        name, (y, x) = state.scene.name, state.position
        pos = (name, y, x)
        pictures = {
            "template_png": self._png(("t", name), state.template, vmin=0.0, vmax=1.0),
            "picture_png": self._png(("p", *pos), state.picture, vmin=0.0, vmax=1.0),
            "response_png": self._png(("r", *pos), state.response, cmap="PuOr_r", vmin=-1.0, vmax=1.0),
            "feature_png": self._png(("f", *pos), state.feature, cmap="PuOr_r", vmin=-state.best,
                                     vmax=state.best),
        }
        return dict(template_matching_scene(state)), pictures

    # -- what is drawn -----------------------------------------------------------