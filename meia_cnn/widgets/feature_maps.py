"""Seeing inside a trained CNN: every layer's feature maps, and how any unit was computed.

A classroom version of CNN Explainer's overview and detail views: a test image (or your upload),
the output of every layer (one small picture per channel: the feature maps of the slides), the
predicted probabilities, and any unit of any layer (clicked or picked with the controls) with what
produced it.  It works with your own :class:`meia_cnn.nn.Sequential` model and images; with no
arguments it shows the kit's reference CNN on the digits' test split.  Every number and word comes
from :mod:`meia_cnn.explain.feature_maps`; :file:`js/feature_maps.js` draws them.
"""

from __future__ import annotations

from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray

from ..explain.feature_maps import (
    TEST_IMAGES,
    FeatureMapState,
    built_shapes,
    checked_images,
    feature_map_pictures,
    feature_map_scene,
    feature_map_state,
    layer_scales,
    network_state,
    picked_unit,
    tile_channels,
    unit_limits,
    upload_input,
)
from ..i18n import TranslatedText
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..nn import Conv2D, Sequential, load_reference
from ._assets import esm
from ._controls import Control
from ._explorer import Explorer, View
from ._messages import Refusal
from ._photo import PhotoSource

__all__ = ["FeatureMapExplorer", "tile_channels"]

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText(
    {
        "title": N_("Inside the CNN: every layer's feature maps for one image, and how one unit was computed"),
        "wrong_channels": N_("{name}: the model takes {ch} channels, the image has {got}."),
        "inverted": N_("Showing {name}, inverted (light on dark, like the images the model was trained on)."),
    }
)


class FeatureMapView(View):
    """The drawing of :class:`FeatureMapExplorer`; a click on a unit sends ``{"pick": [layer, row, col, channel]}``."""

    _esm = esm("feature_maps.js")
    input_png = traitlets.Bytes(b"").tag(sync=True)
    maps = traitlets.List(traitlets.Bytes()).tag(sync=True)


class FeatureMapExplorer(Explorer):
    """The input, every layer's feature maps, the prediction, and how any one unit was computed.

    Parameters
    ----------
    model : Sequential, optional
        A classifier ending in one score per class (Conv2D, ReLU, MaxPool2D, AvgPool2D, Flatten, Dense,
        Dropout layers); by default the kit's reference CNN (:func:`meia_cnn.nn.load_reference`).
    X : (N, H, W[, C]) array, optional
        The images to pick from; by default the digits' test split.
    y : (N,) array of int, optional
        Their labels (shown beside the prediction); by default the split's.
    index : int, optional
        The image shown first.

    Attributes
    ----------
    controls : dict
        ``"index"`` (which image of ``X``), ``"source"`` (the test images or your upload), ``"upload"``,
        ``"layer"``, ``"channel"``, ``"row"``, ``"col"`` (the unit; for a vector layer ``"channel"`` is
        the unit's index), ``"depth"`` (the input channel whose window a convolution unit shows).
    state : FeatureMapState
        The numbers drawn, from :func:`meia_cnn.explain.feature_maps.feature_map_state`.

    Examples
    --------
    >>> viz = FeatureMapExplorer()
    >>> viz.controls["index"].value = 3
    >>> int(viz.state.network.prediction) == int(viz.label)
    True
    >>> viz.controls["layer"].value = 0
    >>> d = viz.state.detail
    >>> d.kind, bool(abs(d.total + d.bias - d.value) < 1e-5)
    ('conv', True)
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = FeatureMapView
    title: ClassVar[str] = TEXT.english("title")
    # the sliders' ends and the layers depend on the model and the images: set when built
    spec = (
        Control("index", "int", N_("Test image"), width="340px"),
        Control("source", "menu", N_("Image"), options=(TEST_IMAGES,), width="240px"),
        Control("layer", "menu", N_("Layer"), options=(), labelled=False, width="320px"),
        *(
            Control(name, "int", label, width="230px")
            for name, label in (
                ("channel", N_("Channel")),
                ("row", N_("Row")),
                ("col", N_("Column")),
                ("depth", N_("Input channel")),
            )
        ),
    )

    def __init__(
        self, model: Sequential | None = None, X: ArrayLike | None = None, y: ArrayLike | None = None, *, index: int = 0
    ) -> None:
        model = load_reference() if model is None else model
        images, self.y = checked_images(model, X, y)
        n = len(images)
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < n:
            raise ValueError(f"`index` must be an int in 0..{n - 1}, got {index!r}")
        self.model, self.X = model, images
        self._range, self._scales = (float(images.min()), float(images.max())), layer_scales(model, images)
        self._wrong = (
            None
            if self.y is None
            else tuple(int(j) for j in np.flatnonzero(model.predict(images).argmax(axis=1) != self.y))
        )
        self._upload: tuple[str, NDArray] | None = None
        self._uploaded = 0
        super().__init__()
        self._build(dict(index=int(index), source=TEST_IMAGES, layer=None, channel=0, row=0, col=0, depth=0))
        c = self.controls
        self._set_quietly(c["index"], max=n - 1, min=0)
        self._set_quietly(
            c["layer"], options=[(f"{lay.name}: {lay.describe()}", i) for i, lay in enumerate(model.layers)], value=0
        )
        c["source"].style.description_width = c["layer"].style.description_width = "initial"
        (h, w, ch), shapes = built_shapes(model)
        self.photo_source = PhotoSource(
            self, menu=c["source"], accept=self._accept_photo, load=dict(grey=ch == 1, size=(h, w))
        )
        c["upload"] = self.photo_source.upload
        self._fit_unit_controls(0)
        if len(shapes[0]) == 3:  # start in the middle of the first map, away from the zero border of a digit
            c["row"].value, c["col"].value = shapes[0][0] // 2, shapes[0][1] // 2
        # before the recompute (observers run in order), and inside hold(): the unit's ranges follow the layer
        c["layer"].observe(self._guard(self._on_layer), names="value")
        self.view.on_msg(self._guard(self._on_message))
        self._layout(
            widgets.HBox([c["index"], c["source"], c["upload"]]),
            widgets.HBox([c["layer"], c["channel"], c["row"], c["col"], c["depth"]]),
        )
        self._listen()

    # -- the unit's controls ------------------------------------------------------
    def _fit_unit_controls(self, layer: int) -> None:
        """Ranges of channel/row/col/depth for ``layer`` (values clamped, no recompute)."""
        vector = len(built_shapes(self.model)[1][layer]) == 1
        self._set_quietly(self.controls["channel"], description=_("Unit") if vector else _("Channel"))
        for name, hi in unit_limits(self.model, layer).items():
            self._set_quietly(self.controls[name], max=hi, disabled=hi == 0)

    def _on_layer(self, change: Any) -> None:
        if change["new"] in range(len(self.model.layers)) and not isinstance(change["new"], bool):
            self._fit_unit_controls(int(change["new"]))

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A click on a unit of the drawing: that unit is selected (anything else is ignored)."""
        picked = picked_unit(self.model, content.get("pick") if isinstance(content, dict) else None)
        if picked is None:
            return  # not a unit of this model: nothing changes
        with self.hold():
            for name, value in zip(("layer", "row", "col", "channel"), picked):
                self.controls[name].value = value

    # -- upload --------------------------------------------------------------------
    def _accept_photo(self, name: str, image: NDArray[np.float64]) -> str | None:
        ch, got = built_shapes(self.model)[0][2], image.shape[2] if image.ndim == 3 else 1
        if got != ch:
            raise Refusal(TEXT["wrong_channels"].format(name=name, ch=ch, got=got))
        picture, inverted = upload_input(image, self._range, dark=float(self.X.mean()) < 0.5)
        self._upload, self._uploaded = (name, picture), self._uploaded + 1  # a new key for the new upload
        return TEXT["inverted"].format(name=name) if inverted else None

    # -- controls -> state -> scene ----------------------------------------------------
    def _shown(self) -> tuple[int | str, NDArray]:
        """The image shown: ``(index, image)`` of a test image, or ``(file name, image)`` of the upload."""
        if self.controls["source"].value != TEST_IMAGES and self._upload is not None:
            return self._upload
        i = int(self.controls["index"].value)
        return i, self.X[i]

    def _compute(self) -> FeatureMapState:
        v = self._read()
        key, image = self._shown()
        vector = len(built_shapes(self.model)[1][v["layer"]]) == 1
        unit = (v["channel"],) if vector else (v["row"], v["col"], v["channel"])
        network = self._memo("network", (key, self._uploaded), lambda: network_state(self.model, image), maxsize=32)
        return feature_map_state(self.model, image, v["layer"], unit, network=network)

    def _scene(self, state: FeatureMapState) -> tuple[dict, dict]:
        key, _image = self._shown()
        input_png, maps = self._memo(
            "png",
            (key, self._uploaded),
            lambda: feature_map_pictures(state.network, self._scales, self._range),
            maxsize=32,
        )
        scene = feature_map_scene(
            state,
            image=key,
            count=len(self.X),
            label=self.label,
            wrong=self._wrong,
            depth=int(self.controls["depth"].value),
        )
        return dict(scene), {"input_png": input_png, "maps": maps}

    # -- what is drawn -------------------------------------------------------------
    @property
    def label(self) -> int | None:
        """The label of the image shown, or None without ``y`` (or for an upload)."""
        key, _image = self._shown()
        return None if self.y is None or isinstance(key, str) else int(self.y[key])

    @property
    def kernels(self) -> NDArray | None:
        """The first convolution's kernels ``(Kh, Kw, C, F)`` (None without one)."""
        conv = next((layer for layer in self.model.layers if isinstance(layer, Conv2D)), None)
        return None if conv is None else conv.params["W"].copy()
