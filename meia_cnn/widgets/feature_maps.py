"""Seeing inside a trained CNN: every layer's feature maps, and how any unit was computed.

A classroom version of CNN Explainer's overview and detail views.  Pick a
test image (or upload your own) and see the input, the output of every layer
(one small picture per channel: the feature maps of the slides, whose depth
is the number of filters) and the predicted class probabilities.  Pick any
unit of any layer, by clicking it in the drawing or with the controls
``layer``, ``channel``, ``row`` and ``col``, and see what produced it:

* a convolution unit: its receptive field on the input and the kernel's
  products summed (window numbers, kernel numbers, products, sum + bias = value);
* ReLU: before and after; max pooling: the window and the winner;
  average pooling: the window and its mean; Flatten: the cell it copies;
* a dense unit: its largest products, the sum plus the bias; for the output,
  the logits and the softmax as a bar chart with the formula's numbers.

It works with your own :class:`meia_cnn.nn.Sequential` model and images, and
with no arguments shows the kit's reference CNN (shipped weights) on the
digits' test split.  Every number comes from :mod:`meia_cnn.explain.feature_maps`
(over :meth:`meia_cnn.nn.Sequential.forward_all`); :file:`js/feature_maps.js`
draws them.
"""

from __future__ import annotations

import functools
import html
from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray

from .._validation import as_float_array, shape_text
from ..explain.feature_maps import (
    built_shapes,
    FeatureMapState,
    NetworkState,
    UnitDetail,
    feature_map_state,
    layer_scales,
    network_state,
    tile_channels,
    tile_layout,
)
from ..explain._render import encode_png, sample_colour_map
from ..nn import Conv2D, Sequential, digits_split, load_reference
from ..nn.losses import _check_labels
from ..i18n import TranslatedText, labelled_options, option_values
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import slider
from ._explorer import PALETTE, Explorer, View, colours, format_number
from ._messages import Refusal
from ._photo import PhotoSource

__all__ = ["FeatureMapExplorer", "tile_channels"]

TEST_IMAGES = "test images"
#: Products listed for a dense unit (the largest in size).
DENSE_SHOWN = 6

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText({
    "title": N_("Inside the CNN: every layer's feature maps for one image, and how one unit was computed"),
    "index": N_("Test image must be a whole number from 0 to {hi}."),
    "choose_source": N_("Choose the image to show: the test images or your upload."),
    "choose_layer": N_("Choose a layer in the list."),
    "unit_range": N_("{name} must be a whole number from 0 to {hi} for this layer."),
    "wrong_channels": N_("{name}: the model takes {ch} channels, the image has {got}."),
    "inverted": N_("Showing {name}, inverted (light on dark, like the images the model was trained on)."),
    "input_title": N_("input #{i}"),
    "input_title_label": N_("input #{i} · label {y}"),
    "input_title_upload": N_("your image"),
    "input_label": N_("The input image, {h} by {w}; the selected unit's receptive field is framed in orange."),
    "layer_title": "{name}: {shape}",
    "layer_label": N_("Output of {name}, {shape}, one small picture per channel; click a unit to see how it was computed."),
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
    "unit_line": N_("<div>Selected: <b>{unit} = {value}</b> (receptive field on the input: rows {r0}–{r1}, "
                  "cols {c0}–{c1}).</div>"),
    "detail_line": "<div>{equation}</div>",
    "shapes": N_("<div>Feature maps: input {input} → {shapes}; the depth of each map is the number of "
               "filters.</div>"),
})


class FeatureMapView(View):
    """The drawing of :class:`FeatureMapExplorer` (:file:`js/feature_maps.js`).

    A click on a unit sends ``{"pick": [layer, row, col, channel]}`` (vectors: ``[layer, 0, 0, k]``).
    """

    _esm = esm("feature_maps.js")
    input_png = traitlets.Bytes(b"").tag(sync=True)
    maps = traitlets.List(traitlets.Bytes()).tag(sync=True)


@functools.lru_cache(maxsize=4)
def _palette(name: str) -> bytes:
    """255 colours of a colour map, then white (index 255: the gaps between tiles), as a PNG palette."""
    rgb = sample_colour_map(name, np.linspace(0.0, 1.0, 255))
    return np.vstack([rgb, [[255, 255, 255]]]).astype(np.uint8).tobytes()


@functools.lru_cache(maxsize=64)
def _mosaic_shape(shape: tuple[int, ...]) -> tuple[int, int]:
    """``(rows, cols)`` of :func:`tile_channels` for maps of ``shape`` (it depends on the shape alone)."""
    rows, cols = tile_channels(np.zeros(shape)).shape
    return int(rows), int(cols)


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


def _n(v: float) -> str:
    return format_number(v, 3)


def _sum_text(values: Any) -> str:
    """``0.5 − 0.25 + 1``: a sum written with its signs."""
    text = ""
    for i, v in enumerate(values):
        v = float(v)
        if i == 0:
            text = _n(v)
        else:
            text += f" − {_n(-v)}" if v < 0 else f" + {_n(v)}"
    return text


class FeatureMapExplorer(Explorer):
    """The input, every layer's feature maps, the prediction, and how any one unit was computed.

    Parameters
    ----------
    model : Sequential, optional
        A classifier ending in one score per class (Conv2D, ReLU, MaxPool2D,
        AvgPool2D, Flatten, Dense, Dropout layers); by default the kit's
        reference CNN with its shipped weights (:func:`meia_cnn.nn.load_reference`).
    X : (N, H, W[, C]) array, optional
        The images to pick from; by default the digits' test split.
    y : (N,) array of int, optional
        Their labels (shown beside the prediction); by default the split's.
    index : int, optional
        The image shown first.

    Attributes
    ----------
    controls : dict
        ``"index"`` (which image of ``X``), ``"source"`` (the test images or
        your upload), ``"upload"``, ``"layer"``, ``"channel"``, ``"row"``,
        ``"col"`` (the unit; for a vector layer ``"channel"`` is the unit's
        index) and ``"depth"`` (the input channel whose window a convolution
        unit shows).
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

    def __init__(self, model: Sequential | None = None, X: ArrayLike | None = None,
                 y: ArrayLike | None = None, *, index: int = 0) -> None:
        if model is None:
            model = load_reference()
        if not isinstance(model, Sequential):
            raise TypeError(f"`model` must be a meia_cnn.nn.Sequential, got {type(model).__name__}")
        if X is None:
            if model.input_shape != (8, 8, 1):
                raise ValueError(f"give `X`: the default digits (8×8×1) do not fit a model whose input is "
                                 f"{model.input_shape}")
            _train, X, _labels, y_default = digits_split()
            y = y_default if y is None else y
        images: NDArray = model._batch(as_float_array(X, "X"), "X")[0]
        if len(images) == 0:
            raise ValueError("`X` is empty: give at least one image")
        if model.n_classes is None:
            raise ValueError("`model` must end in one score per class (Flatten and Dense)")
        labels: NDArray | None = None if y is None else _check_labels(y, len(images), model.n_classes)
        n = len(images)
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not 0 <= index < n:
            raise ValueError(f"`index` must be an int in 0..{n - 1}, got {index!r}")
        self.model = model
        self.X: NDArray = images
        self.y: NDArray | None = labels
        self._range = (float(images.min()), float(images.max()))
        self._predicted_all = model.predict(images).argmax(axis=1)
        self._scales = layer_scales(model, images)
        self._upload: tuple[str, NDArray] | None = None
        self._uploaded = 0
        super().__init__()
        style = {"description_width": "initial"}
        c = self.controls
        c["index"] = widgets.IntSlider(value=int(index), min=0, max=n - 1, step=1, description=_("Test image"),
                                       continuous_update=True, style=style,
                                       layout=widgets.Layout(width="340px", max_width="100%"))
        c["source"] = widgets.Dropdown(options=labelled_options([TEST_IMAGES]), value=TEST_IMAGES, description=_("Image"),
                                       style=style, layout=widgets.Layout(width="240px", max_width="100%"))
        h, w, ch = built_shapes(model)[0]
        self.photo_source = PhotoSource(self, menu=c["source"], accept=self._accept_photo,
                                        load=dict(grey=ch == 1, size=(h, w)))
        c["upload"] = self.photo_source.upload
        c["layer"] = widgets.Dropdown(
            options=[(f"{layer.name}: {layer.describe()}", i) for i, layer in enumerate(model.layers)],
            value=0, description=_("Layer"), style=style, layout=widgets.Layout(width="320px", max_width="100%"))
        c["channel"] = slider(0, 0, 0, _("Channel"), width="230px")
        c["row"] = slider(0, 0, 0, _("Row"), width="230px")
        c["col"] = slider(0, 0, 0, _("Column"), width="230px")
        c["depth"] = slider(0, 0, 0, _("Input channel"), width="230px")
        self._fit_unit_controls(0)
        shape = built_shapes(model)[1][0]
        if len(shape) == 3:  # start in the middle of the first map, away from the zero border of a digit
            c["row"].value, c["col"].value = shape[0] // 2, shape[1] // 2
        # before the recompute (observers run in order), and inside hold(): the unit's ranges follow the layer
        c["layer"].observe(self._guard(self._on_layer), names="value")
        self.view.on_msg(self._guard(self._on_message))
        self._layout(widgets.HBox([c["index"], c["source"], c["upload"]]),
                     widgets.HBox([c["layer"], c["channel"], c["row"], c["col"], c["depth"]]))
        self._listen()

    # -- the unit's controls ------------------------------------------------------
    def _fit_unit_controls(self, layer: int) -> None:
        """Ranges of channel/row/col/depth for ``layer`` (values clamped, no recompute)."""
        c = self.controls
        shape = built_shapes(self.model)[1][layer]
        lay = self.model.layers[layer]
        if len(shape) == 3:
            limits = {"row": shape[0] - 1, "col": shape[1] - 1, "channel": shape[2] - 1}
            self._set_quietly(c["channel"], description=_("Channel"))
        else:
            limits = {"row": 0, "col": 0, "channel": shape[0] - 1}
            self._set_quietly(c["channel"], description=_("Unit"))
        limits["depth"] = lay.in_channels - 1 if isinstance(lay, Conv2D) else 0
        for name, hi in limits.items():
            control = c[name]
            if control.max != hi:
                self._set_quietly(control, max=hi)
            self._set_quietly(control, disabled=hi == 0)

    def _on_layer(self, change: Any) -> None:
        layer = change["new"]
        if isinstance(layer, (int, np.integer)) and not isinstance(layer, bool) and 0 <= layer < len(
                self.model.layers):
            self._fit_unit_controls(int(layer))

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        pick = content.get("pick") if isinstance(content, dict) else None
        if not isinstance(pick, list) or len(pick) != 4 or not all(isinstance(v, int) for v in pick):
            return
        layer, row, col, channel = pick
        if not 0 <= layer < len(self.model.layers):
            return
        shape = built_shapes(self.model)[1][layer]
        unit = (row, col, channel) if len(shape) == 3 else (channel,)
        if len(shape) == 1 and (row, col) != (0, 0):
            return
        if not all(0 <= u < n for u, n in zip(unit, shape)):
            return  # not a unit of this layer: nothing changes
        c = self.controls
        with self.hold():
            c["layer"].value = layer
            for name, value in (("row", row), ("col", col), ("channel", channel)):
                c[name].value = value

    # -- upload --------------------------------------------------------------------
    def _accept_photo(self, name: str, image: NDArray[np.float64]) -> str | None:
        ch = built_shapes(self.model)[0][2]
        image = np.asarray(image, dtype=np.float32)
        if image.ndim == 2:
            image = image[:, :, None]
        if image.shape[-1] != ch:
            raise Refusal(TEXT["wrong_channels"].format(name=name, ch=ch, got=image.shape[-1]))
        lo, hi = self._range
        inverted = float(image.mean()) > 0.5 and float(self.X.mean()) < 0.5
        if inverted:
            image = 1.0 - image
        self._upload = (name, (lo + (hi - lo) * image).astype(np.float32))
        self._uploaded += 1  # a new key for the pictures and numbers of the new upload
        return TEXT["inverted"].format(name=name) if inverted else None

    # -- controls -> state -----------------------------------------------------------
    def _image_key(self) -> tuple[Any, NDArray]:
        c = self.controls
        source = c["source"].value
        if source not in option_values(c["source"].options):
            raise Refusal(TEXT["choose_source"])
        if source != TEST_IMAGES and self._upload is not None:
            return "upload", self._upload[1]
        i = c["index"].value
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)) or not 0 <= i < len(self.X):
            raise Refusal(TEXT["index"].format(hi=len(self.X) - 1))
        return int(i), self.X[int(i)]

    def _compute(self) -> FeatureMapState:
        c = self.controls
        key, image = self._image_key()
        layer = c["layer"].value
        if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= layer < len(
                self.model.layers):
            raise Refusal(TEXT["choose_layer"])
        layer = int(layer)
        self._fit_unit_controls(layer)
        values = {}
        for name in ("channel", "row", "col", "depth"):
            v, hi = c[name].value, c[name].max
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v <= hi:
                raise Refusal(TEXT["unit_range"].format(name=c[name].description, hi=hi))
            values[name] = int(v)
        shape = built_shapes(self.model)[1][layer]
        unit = ((values["row"], values["col"], values["channel"]) if len(shape) == 3 else (values["channel"],))
        network = self._memo("network", (key, self._uploaded), lambda: network_state(self.model, image), maxsize=32)
        return feature_map_state(self.model, image, layer, unit, network=network)

    # -- state -> scene ----------------------------------------------------------------
    def _pictures(self, key: Any, net: NetworkState) -> tuple[bytes, list[bytes]]:
        def make() -> tuple[bytes, list[bytes]]:
            lo, hi = self._range
            maps = [_map_png(tile_channels(out), signed, top) for out, (signed, top) in zip(net.outputs, self._scales)]
            return _image_png(net.image, lo, hi), maps

        return self._memo("png", (key, self._uploaded), make, maxsize=32)

    def _unit_name(self, d: UnitDetail) -> str:
        if len(d.unit) == 3:
            r, c, ch = d.unit
            return TEXT["unit_map"].format(name=d.name, ch=ch, r=r, c=c)
        return TEXT["unit_vector"].format(name=d.name, k=d.unit[0])

    def _scene(self, state: FeatureMapState) -> tuple[dict, dict]:
        net, d = state.network, state.detail
        key = "upload" if self.controls["source"].value != TEST_IMAGES and self._upload else self.index
        input_png, maps = self._pictures(key, net)
        h, w = net.image.shape[:2]
        if key == "upload":
            input_title = TEXT["input_title_upload"]
        elif self.y is not None:
            input_title = TEXT["input_title_label"].format(i=key, y=int(self.y[key]))
        else:
            input_title = TEXT["input_title"].format(i=key)
        layers = []
        for i, (out, name) in enumerate(zip(net.outputs, net.names)):
            shape = tuple(int(s) for s in out.shape)
            tiles = tile_layout(shape)
            text = TEXT["layer_title"].format(name=name, shape=shape_text(shape))
            rows, cols = _mosaic_shape(shape)
            layers.append({"name": name, "title": text, "vector": len(shape) == 1,
                           "tile": [shape[0], shape[1]] if len(shape) == 3 else [1, 1],
                           "tiles": list(tiles), "rows": rows, "cols": cols,
                           "label": TEXT["layer_label"].format(name=name, shape=shape_text(shape))})
        p = net.probabilities
        guess = net.prediction
        truth = None if key == "upload" or self.y is None else int(self.y[key])
        bar_colours = []
        for k in range(len(p)):
            if k == guess:
                bar_colours.append(PALETTE["green"] if truth is None or truth == guess else PALETTE["vermillion"])
            elif truth is not None and k == truth:
                bar_colours.append(PALETTE["blue"])
            else:
                bar_colours.append(PALETTE["grey"])
        (fr0, fr1), (fc0, fc1) = d.field
        detail, equation = self._detail(d)
        scene = {
            "input": {"rows": h, "cols": w, "title": input_title, "field": [fr0, fr1, fc0, fc1],
                      "label": TEXT["input_label"].format(h=h, w=w)},
            "layers": layers,
            "selected": {"layer": d.layer, "unit": list(d.unit)},
            "detail": detail,
            "probs": {"title": TEXT["probs_title"].format(guess=guess, p=f"{100 * p[guess]:.1f}"),
                      "label": TEXT["probs_label"].format(guess=guess),
                      "labels": [str(k) for k in range(len(p))], "values": [float(v) for v in p],
                      "texts": [f"{v:.3f}" for v in p], "colours": bar_colours},
            "readout": self._readout(state, key, equation),
        }
        return scene, {"input_png": input_png, "maps": maps}

    def _grid(self, values: NDArray, title: str, *, signed: bool = True, mark: list[int] | None = None) -> dict:
        arr = np.asarray(values, dtype=float)
        return {"title": title, "rows": int(arr.shape[0]), "cols": int(arr.shape[1]),
                "labels": [["" if not np.isfinite(v) else _n(v) for v in row] for row in arr],
                "colours": colours(arr, cmap="PuOr_r", symmetric=True) if signed else colours(arr),
                "mark": mark}

    def _detail(self, d: UnitDetail) -> tuple[dict, str]:
        unit = self._unit_name(d)
        value = _n(d.value)
        grids: list[dict] = []
        lines: list[str] = []
        bars = None
        if d.kind == "conv":
            assert d.weights is not None and d.products is not None and d.channel_sums is not None
            kh, kw, C = d.inputs.shape
            dep = min(int(self.controls["depth"].value), C - 1)
            title = TEXT["conv_title"].format(unit=unit, kh=kh, kw=kw)
            grids = [self._grid(d.inputs[:, :, dep], TEXT["window_grid"].format(d=dep, C=C)),
                     self._grid(d.weights[:, :, dep], TEXT["kernel_grid"].format(f=d.unit[2], d=dep)),
                     self._grid(d.products[:, :, dep], TEXT["products_grid"])]
            if C > 1:
                lines.append(TEXT["conv_depth"].format(d=dep, s=_n(d.channel_sums[dep])))
                sums = _sum_text(d.channel_sums) if C <= 16 else f"{C} sums"
                lines.append(TEXT["conv_sums"].format(C=C, sums=sums, total=_n(d.total or 0.0)))
            equation = TEXT["conv_equation"].format(total=_n(d.total or 0.0), b=_n(d.bias or 0.0), value=value)
        elif d.kind == "relu":
            title = TEXT["relu_title"].format(unit=unit)
            equation = TEXT["relu_equation"].format(x=_n(d.inputs[0]), value=value)
        elif d.kind in ("maxpool", "avgpool"):
            kh, kw = d.inputs.shape
            assert d.window is not None
            if d.kind == "maxpool":
                assert d.source is not None
                (r0, _), (c0, _) = d.window
                title = TEXT["max_title"].format(unit=unit, kh=kh, kw=kw)
                grids = [self._grid(d.inputs, TEXT["max_grid"].format(ch=d.unit[2]), signed=False,
                                    mark=[d.source[0] - r0, d.source[1] - c0])]
                equation = TEXT["max_equation"].format(value=value, r=d.source[0], c=d.source[1])
            else:
                title = TEXT["avg_title"].format(unit=unit, kh=kh, kw=kw)
                grids = [self._grid(d.inputs, TEXT["max_grid"].format(ch=d.unit[2]), signed=False)]
                cells = _sum_text([v for v in d.inputs.ravel() if np.isfinite(v)])
                equation = TEXT["avg_equation"].format(total=cells, n=d.count, value=value)
        elif d.kind == "flatten":
            assert d.source is not None
            title = TEXT["flatten_title"].format(unit=unit)
            r, c, ch = d.source if len(d.source) == 3 else (0, 0, d.source[-1])
            equation = TEXT["flatten_equation"].format(k=d.unit[0], r=r, c=c, ch=ch, value=value)
        elif d.kind == "dropout":
            title = TEXT["dropout_title"].format(unit=unit)
            equation = TEXT["dropout_equation"].format(value=value)
        elif d.kind == "dense":
            assert d.weights is not None and d.products is not None
            title = TEXT["dense_title"].format(unit=unit)
            order = np.argsort(-np.abs(d.products), kind="stable")[:DENSE_SHOWN]
            for j in order:
                lines.append(TEXT["dense_product"].format(j=int(j), x=_n(d.inputs[j]), w=_n(d.weights[j]),
                                                          p=_n(d.products[j])))
            if len(d.products) > DENSE_SHOWN:
                lines.append(TEXT["dense_more"].format(n=len(d.products) - DENSE_SHOWN, shown=DENSE_SHOWN))
            equation = TEXT["dense_equation"].format(n=len(d.products), total=_n(d.total or 0.0),
                                                     b=_n(d.bias or 0.0), value=value)
        else:
            title = TEXT["other_title"].format(unit=unit)
            equation = f"{unit} = {value}"
        if d.logits is not None and d.probabilities is not None:
            z, p = d.logits, d.probabilities
            k = d.unit[0]
            den = float(np.exp(z).sum())
            bars = {"title": TEXT["softmax_title"], "labels": [str(j) for j in range(len(p))],
                    "values": [float(v) for v in p],
                    "texts": [TEXT["softmax_bar"].format(z=_n(zj), p=f"{pj:.3f}") for zj, pj in zip(z, p)],
                    "selected": int(k)}
            lines.append(TEXT["softmax_equation"].format(k=k, z=_n(z[k]), z0=_n(z[0]), zn=_n(z[-1]),
                                                         num=_n(float(np.exp(z[k]))), den=_n(den),
                                                         p=f"{p[k]:.3f}"))
        return {"kind": d.kind, "title": title, "grids": grids, "lines": lines, "equation": equation,
                "bars": bars}, equation

    def _readout(self, state: FeatureMapState, key: Any, equation: str) -> str:
        net, d = state.network, state.detail
        p = net.probabilities
        guess = net.prediction
        parts = []
        if key == "upload" and self._upload is not None:
            parts.append(TEXT["upload_line"].format(name=html.escape(self._upload[0]), guess=guess,
                                                    p=f"{100 * p[guess]:.1f}"))
        else:
            verdict = ""
            if self.y is not None:
                truth = int(self.y[key])
                verdict = TEXT["right"] if truth == guess else TEXT["wrong"].format(
                    y=truth, py=f"{100 * p[truth]:.1f}")
            parts.append(TEXT["image_line"].format(i=key, n=len(self.X), guess=guess, p=f"{100 * p[guess]:.1f}",
                                                   verdict=verdict))
        if self.y is not None:
            wrong = np.flatnonzero(self._predicted_all != self.y)
            n = len(self.X)
            items = ", ".join(str(j) for j in wrong[:12]) + (" …" if len(wrong) > 12 else "")
            parts.append(TEXT["accuracy"].format(acc=f"{100 * (1 - len(wrong) / n):.1f} %", n=n,
                                                 listed=TEXT["misclassified"].format(items=items) if len(wrong) else ""))
        (r0, r1), (c0, c1) = d.field
        parts.append(TEXT["unit_line"].format(unit=html.escape(self._unit_name(d)), value=_n(d.value),
                                              r0=r0, r1=r1 - 1, c0=c0, c1=c1 - 1))
        parts.append(TEXT["detail_line"].format(equation=html.escape(equation)))
        shapes = " → ".join(f"{name} {shape_text(o.shape)}" for name, o in zip(net.names, net.outputs))
        parts.append(TEXT["shapes"].format(input=shape_text(built_shapes(self.model)[0]), shapes=html.escape(shapes)))
        return "".join(parts)

    # -- what is drawn -------------------------------------------------------------
    @property
    def index(self) -> int:
        """The test image shown (the "index" control)."""
        return int(self.controls["index"].value)

    @property
    def image(self) -> NDArray:
        """The input image shown, shape (H, W, C)."""
        return np.array(self.state.network.image)

    @property
    def label(self) -> int | None:
        """Its label, or None without ``y`` (or for an upload)."""
        if self.y is None or (self.controls["source"].value != TEST_IMAGES and self._upload):
            return None
        return int(self.y[self.index])

    @property
    def activations(self) -> list[NDArray]:
        """Every layer's output for the image shown (``model.layer_names`` order)."""
        return [np.array(a) for a in self.state.network.outputs]

    @property
    def probabilities(self) -> NDArray:
        """The predicted class probabilities, shape (classes,)."""
        return np.array(self.state.network.probabilities)

    @property
    def kernels(self) -> NDArray | None:
        """The first convolution's kernels ``(Kh, Kw, C, F)`` (None without one)."""
        conv = next((layer for layer in self.model.layers if isinstance(layer, Conv2D)), None)
        return None if conv is None else conv.params["W"].copy()
