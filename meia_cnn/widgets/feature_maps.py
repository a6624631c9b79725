"""Seeing inside a trained CNN: every layer's feature maps for one test image.

A classroom version of CNN Explainer's overview.  Pick a test image with the
"index" slider and see the input, the output of every layer (one small image
per channel: the feature maps of the slides, whose depth is the number of
filters), the learned first-layer kernels and the predicted class
probabilities.  Every number comes from :meth:`meia_cnn.nn.Sequential.forward_all`
and :meth:`~meia_cnn.nn.Sequential.predict`.

With no arguments it shows the kit's reference CNN (weights shipped in
``meia_cnn/assets``, nothing to train) on the digits' test split.
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np

from .._validation import as_float_array, shape_text
from ..nn import Conv2D, Sequential, digits_split, load_reference
from ..nn.losses import _check_labels, softmax
from ._base import (
    CMAP_IMAGE,
    CMAP_SIGNED,
    CMAP_VALUES,
    FONT,
    PALETTE,
    Explorer,
    PathText,
    plain_axes,
    set_title,
)

__all__ = ["FeatureMapExplorer", "tile_channels"]

#: Values per row when a vector (Flatten, Dense) is drawn as a strip.
VECTOR_ROW = 16


def _tiles_per_row(channels):
    """4 tiles a row up to 16 channels (2x4, 4x4), 8 beyond: mosaics stay near square."""
    return channels if channels < 4 else (4 if channels <= 16 else 8)


def tile_channels(maps, ncols=None, gap=1):
    """Lay the channels of ``(H, W, C)`` maps side by side, ``ncols`` per row.

    By default 4 per row up to 16 channels, 8 beyond.

    Channel ``c`` sits in tile row ``c // ncols``, tile column ``c % ncols``;
    tiles are separated by ``gap`` rows/columns of NaN (drawn as background).
    A vector ``(K,)`` becomes rows of :data:`VECTOR_ROW` values, NaN-padded.

    Parameters
    ----------
    maps : ndarray of shape (H, W, C) or (K,)

    Returns
    -------
    ndarray of shape (rows (H + gap) - gap, cols (W + gap) - gap), float64

    Examples
    --------
    >>> maps = np.stack([[[0.0, 2.0], [4.0, 6.0]], [[1.0, 3.0], [5.0, 7.0]]], axis=-1)
    >>> tile_channels(maps, ncols=2)
    array([[ 0.,  2., nan,  1.,  3.],
           [ 4.,  6., nan,  5.,  7.]])
    >>> tile_channels(np.arange(3.0), ncols=2).shape
    (1, 3)
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim == 1:
        k = maps.shape[0]
        width = min(k, VECTOR_ROW)
        rows = math.ceil(k / width)
        out = np.full(rows * width, np.nan)
        out[:k] = maps
        return out.reshape(rows, width)
    if maps.ndim != 3:
        raise ValueError(f"`maps` must be (H, W, C) or (K,), got shape {maps.shape}")
    h, w, c = maps.shape
    ncols = max(1, min(ncols or _tiles_per_row(c), c))
    nrows = math.ceil(c / ncols)
    padded = np.full((nrows * ncols, h + gap, w + gap), np.nan)
    padded[:c, :h, :w] = np.moveaxis(maps, -1, 0)
    grid = padded.reshape(nrows, ncols, h + gap, w + gap).transpose(0, 2, 1, 3)
    grid = grid.reshape(nrows * (h + gap), ncols * (w + gap))
    return grid[: grid.shape[0] - gap, : grid.shape[1] - gap]


def _caption(ax, text="", fontsize=None):
    """A centred title above ``ax``, drawn as cached glyph outlines (update it with ``set_text``)."""
    return set_title(ax, text, loc="center", fontsize=fontsize or FONT["label"], pad=4.0)


def _cmap(name):
    import matplotlib

    return matplotlib.colormaps[name].with_extremes(bad="white")


class FeatureMapExplorer(Explorer):
    """The input, every layer's feature maps, the first kernels and the prediction.

    Parameters
    ----------
    model : Sequential, optional
        A trained classifier; by default the kit's reference CNN with its
        shipped weights (:func:`meia_cnn.nn.load_reference`).
    X : ndarray of shape (N, H, W, C) or (N, H, W), optional
        The images to pick from; by default the digits' test split.
    y : ndarray of int, shape (N,), optional
        Their labels (shown beside the prediction); by default the split's.
    index : int, optional
        The image shown first.

    Attributes
    ----------
    controls : dict
        ``"index"`` (IntSlider): which image of ``X``.

    Examples
    --------
    >>> viz = FeatureMapExplorer()
    >>> viz.controls["index"].value = 3
    >>> int(viz.prediction) == int(viz.label)
    True
    >>> viz.close()
    """

    def __init__(self, model=None, X=None, y=None, *, index=0):
        super().__init__()
        if model is None:
            model = load_reference()
        if not isinstance(model, Sequential):
            raise TypeError(f"`model` must be a meia_cnn.nn.Sequential, got {type(model).__name__}")
        if X is None:
            if model.input_shape != (8, 8, 1):
                raise ValueError(
                    f"give `X`: the default digits (8×8×1) do not fit a model whose input is "
                    f"{model.input_shape}"
                )
            _, X, _, y_default = digits_split()
            y = y_default if y is None else y
        X = as_float_array(X, "X")
        X, _ = model._batch(X, "X")
        if len(X) == 0:
            raise ValueError("`X` is empty: give at least one image")
        if model.n_classes is None:
            raise ValueError("`model` must end in one score per class (Flatten and Dense)")
        if y is not None:
            y = _check_labels(y, len(X), model.n_classes)
        self.model = model
        self.X = X
        self.y = y
        self._probabilities_all = model.predict(X)
        self._predicted_all = self._probabilities_all.argmax(axis=1)

        n = len(X)
        if not isinstance(index, (int, np.integer)) or not 0 <= index < n:
            raise ValueError(f"`index` must be an int in 0..{n - 1}, got {index!r}")
        self.controls["index"] = widgets.IntSlider(
            value=int(index), min=0, max=n - 1, step=1, description="Test image",
            continuous_update=True, style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self._build_figure()
        self._layout(widgets.HBox([self.controls["index"]]))
        self._connect()

    # -- figure ---------------------------------------------------------------
    def _scales(self):
        """Each layer's colour range over (a sample of) ``X``: fixed, so images compare."""
        sample = self.X[: min(len(self.X), 256)]
        scales = []
        for out in self.model.forward_all(sample):
            # the 99.5th percentile: a few extreme values should not wash out the rest
            top = float(np.percentile(np.abs(out), 99.5)) or float(np.abs(out).max()) or 1.0
            if float(np.min(out)) < 0:
                scales.append((CMAP_SIGNED, -top, top))
            else:
                scales.append((CMAP_VALUES, 0.0, top))
        return scales

    def _build_figure(self):
        model = self.model
        n_layers = len(model.layers)
        ncols = 3
        nrows = math.ceil(n_layers / ncols)
        fig = self._make_figure(figsize=(9.6, 1.3 + 1.6 * nrows))
        outer = fig.add_gridspec(1, 3, width_ratios=[1.1, 4.2, 1.0], left=0.025, right=0.985,
                                 bottom=0.08, top=0.88, wspace=0.1)
        left = outer[0].subgridspec(2, 1, hspace=0.4)
        middle = outer[1].subgridspec(nrows, ncols, hspace=0.4, wspace=0.1)

        sample = self.X[0]
        # input
        self.ax_input = fig.add_subplot(left[0])
        if sample.shape[-1] == 3:
            shown = np.clip(sample, 0, 1)
            self.input_image = self.ax_input.imshow(shown, interpolation="nearest")
        else:
            self.input_image = self.ax_input.imshow(sample[..., 0], cmap=CMAP_IMAGE, interpolation="nearest",
                                                    vmin=float(self.X.min()), vmax=float(self.X.max()))
        self.input_title = _caption(self.ax_input)
        # first-layer kernels
        self.ax_kernels = fig.add_subplot(left[1])
        conv = next((layer for layer in model.layers if isinstance(layer, Conv2D)), None)
        self._kernel_layer = conv
        if conv is not None:
            k = conv.params["W"][:, :, 0, :]
            m = float(np.abs(k).max()) or 1.0
            self.kernel_image = self.ax_kernels.imshow(tile_channels(k, ncols=4), cmap=_cmap(CMAP_SIGNED),
                                                       vmin=-m, vmax=m, interpolation="nearest")
            depth = " (input channel 0)" if conv.in_channels > 1 else ""
            self.kernel_title = _caption(self.ax_kernels, f"{conv.name} kernels{depth}\n{conv.filters} × "
                                         f"{conv.kernel_size[0]}×{conv.kernel_size[1]}", FONT["label"] - 2)
        else:
            self.kernel_image = self.ax_kernels.imshow(np.full((1, 1), np.nan))
            self.kernel_title = _caption(self.ax_kernels, "no convolution layer", FONT["label"] - 2)
        # one mosaic per layer
        self.layer_images = []
        self.layer_titles = []
        first = model.forward_all(sample)
        for i, (layer, out, (cmap, lo, hi)) in enumerate(zip(model.layers, first, self._scales())):
            ax = fig.add_subplot(middle[i // ncols, i % ncols])
            image = ax.imshow(tile_channels(out), cmap=_cmap(cmap), vmin=lo, vmax=hi, interpolation="nearest",
                              aspect="equal")
            self.layer_titles.append(
                _caption(ax, f"{layer.name}: {shape_text(model.output_shapes[i])}", FONT["label"] - 2))
            self.layer_images.append(image)
        for ax in [self.ax_input, self.ax_kernels, *[im.axes for im in self.layer_images]]:
            plain_axes(ax)
        # probabilities
        self.ax_probs = fig.add_subplot(outer[2])
        k = model.n_classes
        self.bars = self.ax_probs.barh(np.arange(k), np.zeros(k), color=PALETTE["grey"], height=0.7)
        self.ax_probs.set_xlim(0, 1)
        self.ax_probs.set_ylim(k - 0.5, -0.5)
        self.ax_probs.axvline(0.5, color=PALETTE["grey"], lw=0.8, ls=":")
        plain_axes(self.ax_probs)
        # class labels left of the bars, and the scale under them, as cached outlines
        self.class_labels = [
            PathText(self.ax_probs, 0, c, str(c), transform=self.ax_probs.transData, ha="right", va="center",
                     fontsize=FONT["label"] - 1, offset=(-5.0, 0.0))
            for c in range(k)
        ]
        for x, text in ((0, "0"), (0.5, "½"), (1, "1")):
            PathText(self.ax_probs, x, 0, text, ha="center", va="top", fontsize=FONT["label"] - 3, offset=(0, -3))
        PathText(self.ax_probs, 0.5, 0, "probability", ha="center", va="top", fontsize=FONT["label"] - 3,
                 offset=(0, -16))
        self.probs_title = _caption(self.ax_probs)

    # -- updates ---------------------------------------------------------------
    def _update(self):
        i = self.index
        x = self.X[i]
        outs = self.model.forward_all(x)
        self._activations = outs
        if x.shape[-1] == 3:
            self.input_image.set_data(np.clip(x, 0, 1))
        else:
            self.input_image.set_data(x[..., 0])
        label = "" if self.y is None else f" · label {int(self.y[i])}"
        self.input_title.set_text(f"input #{i}{label}")
        for image, out in zip(self.layer_images, outs):
            image.set_data(tile_channels(out))
        p = softmax(outs[-1][None])[0]
        self._probabilities = p
        guess = int(p.argmax())
        right = self.y is None or guess == int(self.y[i])
        for c, bar in enumerate(self.bars):
            bar.set_width(float(p[c]))
            if c == guess:
                bar.set_color(PALETTE["green"] if right else PALETTE["vermillion"])
            elif self.y is not None and c == int(self.y[i]):
                bar.set_color(PALETTE["blue"])
            else:
                bar.set_color(PALETTE["grey"])
        self.probs_title.set_text(f"predicted {guess}\n{100 * p[guess]:.1f} %")
        self._write_readout(i, p, guess)

    def _write_readout(self, i, p, guess):
        n = len(self.X)
        parts = [f"Image {i} of {n}: predicted {guess} with probability {100 * p[guess]:.1f} %"]
        if self.y is not None:
            truth = int(self.y[i])
            verdict = "right" if guess == truth else f"wrong (the label is {truth}, probability {100 * p[truth]:.1f} %)"
            parts[0] += f", {verdict}."
            wrong = np.flatnonzero(self._predicted_all != self.y)
            accuracy = 1 - len(wrong) / n
            listed = ", ".join(str(j) for j in wrong[:12]) + (" …" if len(wrong) > 12 else "")
            parts.append(f"The model gets {accuracy * 100:.1f} % of these {n} images right"
                         + (f"; misclassified: {listed}." if len(wrong) else "."))
        shapes = " → ".join(f"{layer.name} {shape_text(s)}" for layer, s in
                            zip(self.model.layers, self.model.output_shapes))
        parts.append(f"Feature maps: input {shape_text(self.model.input_shape)} → {shapes}; "
                     f"the depth of each map is the number of filters.")
        self.readout.value = "<br>".join(html.escape(t) for t in parts)

    # -- what is drawn -------------------------------------------------------------
    @property
    def index(self):
        """The image shown (the "index" control)."""
        return int(self.controls["index"].value)

    @property
    def image(self):
        """The input image shown, shape (H, W, C)."""
        return self.X[self.index]

    @property
    def label(self):
        """Its label, or None without ``y``."""
        return None if self.y is None else int(self.y[self.index])

    @property
    def activations(self):
        """Every layer's output for the image shown (a list, ``model.layer_names`` order)."""
        return [a.copy() for a in self._activations]

    @property
    def probabilities(self):
        """The predicted class probabilities, shape (classes,)."""
        return self._probabilities.copy()

    @property
    def prediction(self):
        return int(self._probabilities.argmax())

    @property
    def kernels(self):
        """The first convolution's kernels ``(Kh, Kw, C, F)`` (None without one)."""
        return None if self._kernel_layer is None else self._kernel_layer.params["W"].copy()

    @property
    def drawn_maps(self):
        """The mosaics drawn for each layer (NaN between tiles), as on the figure."""
        return [np.ma.filled(np.ma.asarray(im.get_array(), dtype=float), np.nan) for im in self.layer_images]

    @property
    def drawn_probabilities(self):
        """The bar lengths on the figure."""
        return np.array([bar.get_width() for bar in self.bars])
