"""Parameter sharing: one kernel reused at every position.

"CNNs share their parameters across the space" (the slides).  A convolution
layer with ``F`` kernels of ``K x K x C`` has ``K K C F + F`` parameters,
whatever the size of the image.  A fully connected (dense) layer producing
the same ``G x G x F`` output from the same ``I x I x C`` input needs one
weight per input value per output value: ``(I I C)(G G F) + G G F``.

The explorer compares the two counts (bars on a log scale, and the ratio),
and pictures why: written as a matrix (one row per output position), the
convolution repeats the same ``K x K`` weights in every row, shifted, with
zeros elsewhere; the dense layer's matrix is full of separate weights.
Counts come from :mod:`meia_cnn.arithmetic`; the convolution's matrix from
:func:`meia_cnn.ops.conv_as_matrix` (:func:`meia_cnn.ops.conv2d` applied to
every basis image).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from .. import arithmetic, ops
from ._base import CMAP_VALUES, FONT, PALETTE, Explorer, FastText, check_range, count

__all__ = ["ParameterSharingExplorer"]

MAX_INPUT = 224
MAX_CHANNELS = 64
MAX_KERNEL = 11
MAX_FILTERS = 128
#: Output side of the small picture of the two matrices (4 x 4 = 16 rows).
_PICTURE_OUT = 4
_DECADES = 15


class ParameterSharingExplorer(Explorer):
    """Parameters of a convolution layer against a dense layer with the same output.

    Parameters
    ----------
    input_size : int
        Side ``I`` of the square input (1 to 224).
    channels : int
        Input depth ``C`` (1 to 64).
    kernel_size : int
        ``K`` (1 to 11).
    filters : int
        Number of kernels ``F`` (1 to 128).
    padding : {'valid', 'same'}
        Of the convolution (stride 1); it sets the output size ``G`` both
        layers produce.

    Attributes
    ----------
    controls : dict
        ``"input_size"``, ``"channels"``, ``"kernel_size"``, ``"filters"``
        (IntSliders).  A kernel larger than the input (with 'valid' padding)
        shows the core's error and keeps the last good state.

    Examples
    --------
    >>> viz = ParameterSharingExplorer()
    >>> viz.conv_params, viz.dense_params
    (448, 44251200)
    >>> viz.output_shape
    (30, 30, 16)
    >>> viz.controls["input_size"].value = 64
    >>> viz.conv_params
    448
    >>> viz.close()
    """

    def __init__(self, input_size=32, channels=3, kernel_size=3, filters=16, *, padding="valid"):
        super().__init__()
        if padding not in ("valid", "same"):
            raise ValueError(f"`padding` must be 'valid' or 'same', got {padding!r}")
        self._padding = padding
        values = dict(
            input_size=check_range(input_size, "input_size", 1, MAX_INPUT),
            channels=check_range(channels, "channels", 1, MAX_CHANNELS),
            kernel_size=check_range(kernel_size, "kernel_size", 1, MAX_KERNEL),
            filters=check_range(filters, "filters", 1, MAX_FILTERS),
        )
        arithmetic.output_size(values["input_size"], values["kernel_size"], padding=padding)  # refuse bad starts
        self._rng_weights = np.random.default_rng(0).uniform(0.05, 1.0, size=(_PICTURE_OUT ** 2,
                                                                              (MAX_KERNEL + _PICTURE_OUT - 1) ** 2))
        self._state = {}

        def slider(value, lo, hi, description):
            return widgets.IntSlider(value=value, min=lo, max=hi, description=description,
                                     continuous_update=True, style={"description_width": "initial"},
                                     layout=widgets.Layout(width="280px"))

        self.controls = {
            "input_size": slider(values["input_size"], 1, MAX_INPUT, "input size I"),
            "channels": slider(values["channels"], 1, MAX_CHANNELS, "channels C"),
            "kernel_size": slider(values["kernel_size"], 1, MAX_KERNEL, "kernel size K"),
            "filters": slider(values["filters"], 1, MAX_FILTERS, "filters F"),
        }
        self._build_figure()
        ctl = self.controls
        self._layout(widgets.HBox([ctl["input_size"], ctl["channels"]]),
                     widgets.HBox([ctl["kernel_size"], ctl["filters"]]))
        self._connect()

    # -- figure ------------------------------------------------------------
    def _build_figure(self):
        fig = self._make_figure((10.5, 4.2))
        overlay = fig.add_axes((0, 0, 1, 1))
        overlay.set_axis_off()
        self._titles = FastText(overlay, FONT["label"], transform=overlay.transAxes)

        # parameter counts, log scale drawn by hand (one gridline per decade)
        bax = fig.add_axes((0.06, 0.04, 0.26, 0.74))
        bax.set_axis_off()
        bax.set_xlim(-0.7, 1.7)
        bax.set_ylim(-1.3, _DECADES + 1.6)
        grid = [((-0.6, d), (1.6, d)) for d in range(0, _DECADES + 1, 3)]
        bax.add_collection(LineCollection(grid, colors=PALETTE["grey"], linewidths=0.6, linestyles=":"))
        ticks = FastText(bax, FONT["cell"] - 1, colour=PALETTE["grey"])
        ticks.set([(-0.65, d, _power(d), {"ha": "right"}) for d in range(0, _DECADES + 1, 3)])
        self._bars = [bax.add_patch(Rectangle((i - 0.35, 0), 0.7, 0, facecolor=colour, edgecolor=PALETTE["black"]))
                      for i, colour in enumerate((PALETTE["orange"], PALETTE["blue"]))]
        names = FastText(bax, FONT["label"])
        names.set([(0, -0.2, "conv", {"va": "top"}), (1, -0.2, "dense", {"va": "top"})])
        self._bar_text = FastText(bax, FONT["cell"])

        # the two layers written as matrices (one channel, one filter, 4x4 outputs)
        self._mats = {}
        for key, left in (("conv", 0.37), ("dense", 0.69)):
            ax = fig.add_axes((left, 0.16, 0.3, 0.52))
            ax.set_axis_off()
            image = ax.imshow(np.zeros((2, 2)), cmap=CMAP_VALUES, vmin=0, vmax=1, aspect="auto",
                              interpolation="nearest")
            frame = ax.add_patch(Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=PALETTE["black"], lw=1))
            self._mats[key] = (ax, image, frame)
        self._mat_text = FastText(overlay, FONT["label"] - 1, transform=overlay.transAxes)

    # -- updates -----------------------------------------------------------
    def _update(self):
        ctl = self.controls
        i, c, k, f = (ctl[n].value for n in ("input_size", "channels", "kernel_size", "filters"))
        g = arithmetic.output_size(i, k, padding=self._padding)
        conv_p = arithmetic.conv_params(c, f, k)
        n_in, n_out = i * i * c, g * g * f
        dense_p = arithmetic.dense_params(n_in, n_out)
        conv_m = arithmetic.conv_macs((i, i, c), f, k, padding=self._padding)
        dense_m = arithmetic.dense_macs(n_in, n_out)
        n = k + _PICTURE_OUT - 1
        labels = np.arange(1, k * k + 1, dtype=float).reshape(k, k)
        conv_matrix = ops.conv_as_matrix(n, labels)
        self._state = dict(i=i, c=c, k=k, f=f, g=g, conv_params=conv_p, dense_params=dense_p, conv_macs=conv_m,
                           dense_macs=dense_m, n_in=n_in, n_out=n_out, picture_input=n, conv_matrix=conv_matrix)
        self._draw()

    def _draw(self):
        s = self._state
        texts = []
        for x, (bar, value) in enumerate(zip(self._bars, (s["conv_params"], s["dense_params"]))):
            height = np.log10(value)
            bar.set_height(height)
            texts.append((x, height + 0.25, count(value), {"va": "bottom"}))
        self._bar_text.set(texts)

        k, n = s["k"], s["picture_input"]
        conv = s["conv_matrix"]
        shown = np.ma.masked_equal(conv, 0) / (k * k)
        dense = self._rng_weights[:, : n * n]
        for key, values in (("conv", shown), ("dense", dense)):
            ax, image, frame = self._mats[key]
            rows, cols = values.shape
            image.set_data(values)
            image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
            frame.set_bounds(-0.5, -0.5, cols, rows)
            ax.set_xlim(-0.6, cols - 0.4)
            ax.set_ylim(rows - 0.4, -0.6)
        ratio = s["dense_params"] / s["conv_params"]
        rows, cols = conv.shape
        self._titles.set([
            (0.01, 0.975, f"Input {s['i']}×{s['i']}×{s['c']} → output {s['g']}×{s['g']}×{s['f']}:   "
             f"conv {count(s['conv_params'])} parameters, dense {count(s['dense_params'])}   "
             f"({_ratio(ratio)})", {"ha": "left", "va": "top"}),
            (0.19, 0.86, "parameters (log scale)", {"va": "top"}),
        ])
        self._mat_text.set([
            (0.52, 0.86, f"conv, as a matrix: the same\n{k * k} weights in every row", {"va": "top"}),
            (0.84, 0.86, f"dense: {rows}×{cols} = {count(rows * cols)}\nseparate weights", {"va": "top"}),
            (0.68, 0.13, f"one channel, {n}×{n} input, {k}×{k} kernel\nrows: the {rows} output positions, "
                         f"columns: the {cols} input pixels", {"va": "top"}),
        ])
        self.readout.value = self._readout_html()

    def _readout_html(self):
        s = self._state
        i, c, k, f, g = s["i"], s["c"], s["k"], s["f"], s["g"]
        pad = self._padding
        size_rule = (f"G = ⌊({i} − {k})/1⌋ + 1 = {g}" if pad == "valid" else f"G = ⌈{i}/1⌉ = {g}")
        ratio = s["dense_params"] / s["conv_params"]
        return "<br>".join([
            f"<b>Convolution</b>: {f} kernels of {k}×{k}×{c} on {i}×{i}×{c} (stride 1, '{pad}' padding) → "
            f"{g}×{g}×{f} ({size_rule}).",
            f"Conv parameters: K·K·C·F + F = {k}·{k}·{c}·{f} + {f} = <b>{count(s['conv_params'])}</b> "
            f"(multiply-adds {count(s['conv_macs'])}).",
            f"<b>Dense</b> layer from the {i}·{i}·{c} = {count(s['n_in'])} inputs to the same "
            f"{g}·{g}·{f} = {count(s['n_out'])} outputs: {count(s['n_in'])}·{count(s['n_out'])} + "
            f"{count(s['n_out'])} = <b>{count(s['dense_params'])}</b> parameters "
            f"(multiply-adds {count(s['dense_macs'])}).",
            f"Ratio dense / conv = <b>{_ratio(ratio)}</b>: each kernel is shared by all {g}·{g} = "
            f"{count(g * g)} positions, while each dense output has its own {count(s['n_in'])} weights.",
        ])

    # -- what is drawn -----------------------------------------------------
    @property
    def conv_params(self):
        return self._state["conv_params"]

    @property
    def dense_params(self):
        return self._state["dense_params"]

    @property
    def ratio(self):
        """``dense_params / conv_params``."""
        return self._state["dense_params"] / self._state["conv_params"]

    @property
    def output_shape(self):
        """``(G, G, F)``, the output both layers produce."""
        s = self._state
        return (s["g"], s["g"], s["f"])

    @property
    def bar_heights(self):
        """log10 of the two counts, as drawn (conv, dense)."""
        return tuple(bar.get_height() for bar in self._bars)

    @property
    def bar_texts(self):
        return self._bar_text.strings

    @property
    def conv_matrix(self):
        """The picture's convolution matrix: weight labels 1..K*K, 0 where not connected."""
        return self._state["conv_matrix"].copy()


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power(d):
    return "1" if d == 0 else "10" + str(d).translate(_SUPERSCRIPT)


def _ratio(r):
    return f"{r:,.0f}×" if r >= 10 else f"{r:.2f}×"
