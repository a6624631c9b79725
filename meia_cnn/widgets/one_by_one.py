"""The 1x1 convolution: channel mixing at every pixel, and what it costs.

A volume ``H x W x C`` goes through ``F`` kernels of size ``1 x 1 x C``.  At
each pixel the ``C`` values are combined with one kernel's ``C`` weights: a
dot product, the same at every position.  Height and width are kept ("a 1x1
convolution adds more parameters without modifying the structure", as the
slides say); only the depth changes, from ``C`` to ``F``.

The explorer draws the input volume, the kernel and the output volume with
the chosen pixel as a rod through the depth, writes the chosen pixel's dot
product out term by term, and compares parameters and multiply-adds with a
3x3 and a 5x5 layer producing the same ``H x W x F`` volume.  Every number
comes from :func:`meia_cnn.ops.conv1x1` and :mod:`meia_cnn.arithmetic`.
Its drawing helpers (:class:`~meia_cnn.widgets._base.FastText`,
:class:`~meia_cnn.widgets._base.Cuboid`...) live in :mod:`._base`, shared
with the other explorers.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.patches import Rectangle

from .. import arithmetic, ops
from .._validation import as_float_array
from ._base import (
    CMAP_SIGNED,
    CMAP_VALUES,
    FONT,
    PALETTE,
    Cuboid,
    Explorer,
    FastText,
    RangeSync,
    arrow,
    check_range,
    count,
)
from ._base import format_number as number

__all__ = ["OneByOneExplorer"]

#: Largest sizes drawn cell by cell (beyond them the numbers stop being legible).
MAX_SIDE = 12
MAX_CHANNELS = 16
MAX_FILTERS = 8


# ---------------------------------------------------------------------------
# the explorer
# ---------------------------------------------------------------------------
class OneByOneExplorer(RangeSync, Explorer):
    """A 1x1 convolution: one pixel's channels mixed by one kernel's weights.

    Parameters
    ----------
    height, width : int
        Spatial size ``H x W`` of the input volume (1 to 12; kept by the 1x1
        convolution).
    channels : int
        Input depth ``C`` to start with (1 to 16; at most ``x``'s depth).
    filters : int
        Number of 1x1 kernels ``F`` to start with (1 to 8; at most the
        number of columns of ``weights``).
    x : array_like of shape (H, W, C_max), optional
        Your own input volume; replaces ``height`` and ``width``.  The
        ``channels`` slider uses its first ``C`` channels.  Default: small
        integers 0..9 (seeded), so the dot products can be checked by hand.
    weights : array_like of shape (C_max, F_max) or (1, 1, C_max, F_max), optional
        Your own 1x1 kernels, one column per kernel.  Default: -2, -1, 1 or 2
        (seeded).
    seed : int
        Seed of the default ``x`` and ``weights``.

    Attributes
    ----------
    controls : dict
        ``"channels"`` (C), ``"filters"`` (F), ``"row"``, ``"col"`` (the
        pixel) and ``"filter"`` (which kernel's dot product is written out):
        IntSliders.

    Examples
    --------
    >>> viz = OneByOneExplorer()
    >>> viz.output_shape
    (6, 6, 3)
    >>> viz.controls["filters"].value = 5
    >>> viz.output.shape
    (6, 6, 5)
    >>> viz.costs["3x3"]["params"] == 3 * 3 * 8 * 5 + 5
    True
    >>> viz.close()
    """

    def __init__(self, height=6, width=6, channels=8, filters=3, *, x=None, weights=None, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        if x is None:
            height = check_range(height, "height", 1, MAX_SIDE, "drawn cell by cell")
            width = check_range(width, "width", 1, MAX_SIDE, "drawn cell by cell")
            x = rng.integers(0, 10, size=(height, width, MAX_CHANNELS)).astype(np.float64)
        else:
            x = np.array(as_float_array(x, "x", ndim=3), dtype=np.float64)
            check_range(x.shape[0], "x height", 1, MAX_SIDE, "drawn cell by cell")
            check_range(x.shape[1], "x width", 1, MAX_SIDE, "drawn cell by cell")
            check_range(x.shape[2], "x depth", 1, MAX_CHANNELS, "one number per channel is written out")
        c_max = x.shape[2]
        if weights is None:
            weights = rng.choice([-2.0, -1.0, 1.0, 2.0], size=(c_max, MAX_FILTERS))
        else:
            weights = as_float_array(weights, "weights", ndim=(2, 4))
            if weights.ndim == 4:
                if weights.shape[:2] != (1, 1):
                    raise ValueError(
                        f"`weights` of a 1x1 convolution must be (1, 1, C, F), got shape {weights.shape}")
                weights = weights[0, 0]
            weights = np.array(weights, dtype=np.float64)
            if weights.shape[0] != c_max:
                raise ValueError(
                    f"`weights` must have one row per input channel: x has C={c_max}, "
                    f"weights has shape {weights.shape}")
            check_range(weights.shape[1], "weights columns (F)", 1, MAX_FILTERS, "one output channel each")
        f_max = weights.shape[1]
        channels = min(check_range(channels, "channels", 1, MAX_CHANNELS,
                                   "one number per channel is written out"), c_max)
        filters = min(check_range(filters, "filters", 1, MAX_FILTERS, "one output channel each"), f_max)
        self._x = x
        self._w = weights
        self._state = {}
        h, w = x.shape[:2]

        s = self._slider
        self.controls = {
            "channels": s(channels, 1, c_max, "channels C"),
            "filters": s(filters, 1, f_max, "kernels F"),
            "row": s(h // 2, 0, h - 1, "pixel row"),
            "col": s(w // 2, 0, w - 1, "pixel col"),
            "filter": s(0, 0, filters - 1, "kernel f"),
        }
        self._build_figure(h, w, c_max, f_max)
        self._layout(
            widgets.HBox([self.controls["channels"], self.controls["filters"]]),
            widgets.HBox([self.controls["row"], self.controls["col"], self.controls["filter"]]),
        )
        self._connect()

    @staticmethod
    def _slider(value, lo, hi, description):
        return widgets.IntSlider(value=value, min=lo, max=hi, description=description,
                                 continuous_update=True, style={"description_width": "initial"},
                                 layout=widgets.Layout(width="280px"))

    # -- figure ------------------------------------------------------------
    def _build_figure(self, h, w, c_max, f_max):
        fig = self._make_figure((10.5, 4.4))
        overlay = fig.add_axes((0, 0, 1, 1))
        overlay.set_axis_off()
        self._head = FastText(overlay, FONT["title"], transform=overlay.transAxes)
        self._formula = FastText(overlay, FONT["label"], colour=PALETTE["blue"], transform=overlay.transAxes)

        # the volumes
        ax = fig.add_axes((0.005, 0.02, 0.55, 0.8))
        ax.set_axis_off()
        self._dvec = (min(0.32, 4.0 / c_max), min(0.24, 3.0 / c_max))
        depth_w = c_max * self._dvec[0]
        self._in_origin = (0.0, 0.0)
        self._k_origin = (w + depth_w + 1.0, h / 2 - 0.5)
        self._out_origin = (self._k_origin[0] + 1 + depth_w + 1.4, 0.0)
        right = self._out_origin[0] + w + f_max * self._dvec[0]
        top = h + c_max * self._dvec[1]
        ax.set_xlim(-0.4, right + 0.4)
        ax.set_ylim(-1.9, top + 0.4)
        ax.set_aspect("equal")
        self._vol_in = Cuboid(ax, PALETTE["sky"], rod_colour=PALETTE["orange"])
        self._kernel = Cuboid(ax, PALETTE["orange"])
        self._vol_out = Cuboid(ax, PALETTE["green"], rod_colour=PALETTE["yellow"],
                               slab_colour=PALETTE["vermillion"])
        arrow(ax, (w + depth_w * 0.55, h / 2), (self._k_origin[0] - 0.2, h / 2))
        arrow(ax, (self._k_origin[0] + 1 + depth_w * 0.55, h / 2), (self._out_origin[0] - 0.2, h / 2))
        self._vol_labels = FastText(ax, FONT["label"])

        # one pixel's values, one kernel's weights, their products
        cax = fig.add_axes((0.575, 0.06, 0.17, 0.76))
        cax.set_axis_off()
        cax.set_xlim(-0.3, 4.3)
        cax.set_ylim(c_max + 1.6, -1.2)
        self._c_max = c_max
        self._columns = {}
        for i, (key, cmap) in enumerate((("x", CMAP_VALUES), ("w", CMAP_SIGNED), ("prod", CMAP_SIGNED))):
            x0 = 1.5 * i
            image = cax.imshow(np.zeros((1, 1)), cmap=cmap, extent=(x0, x0 + 1, 1, 0),
                               interpolation="nearest", aspect="auto")
            self._columns[key] = (x0, image)
        cax.set_xlim(-0.3, 4.3)
        cax.set_ylim(c_max + 1.6, -1.2)
        self._columns["x"][1].set_clim(float(self._x.min()), max(float(self._x.max()), float(self._x.min()) + 1))
        self._cell_lines = cax.add_collection(LineCollection([], colors=PALETTE["grey"], linewidths=0.6))
        self._cell_fs = FONT["cell"] if c_max <= 10 else FONT["cell"] - 2
        self._cells = FastText(cax, self._cell_fs)
        self._col_heads = FastText(cax, FONT["label"])
        self._col_heads.set([(0.5, -0.5, "x"), (2.0, -0.5, "w"), (3.5, -0.5, "x·w")])
        self._sum = FastText(cax, FONT["label"], weight="bold", colour=PALETTE["vermillion"])
        self._cax = cax

        # parameters and multiply-adds: 1x1 against 3x3 and 5x5, same output
        bax = fig.add_axes((0.77, 0.02, 0.225, 0.8))
        bax.set_axis_off()
        bax.set_xlim(-0.6, 2.6)
        bax.set_ylim(-0.05, 2.45)
        colours = [PALETTE["orange"], PALETTE["sky"], PALETTE["blue"]]
        self._bars = {}
        self._bar_base = {"params": 1.45, "macs": 0.25}
        self._bar_height = 0.55
        for key, base in self._bar_base.items():
            self._bars[key] = [
                bax.add_patch(Rectangle((i - 0.35, base), 0.7, 0.0, facecolor=colours[i],
                                        edgecolor=PALETTE["black"])) for i in range(3)]
            bax.plot([-0.55, 2.55], [base, base], color=PALETTE["black"], lw=1)
        static = FastText(bax, FONT["label"] - 1)
        static.set(
            [(1.0, 2.43, "parameters", {"va": "top"}), (1.0, 1.22, "multiply-adds", {"va": "top"})]
            + [(i, base - 0.03, name, {"va": "top"})
               for base in self._bar_base.values() for i, name in enumerate(("1×1", "3×3", "5×5"))]
        )
        self._bar_values = FastText(bax, FONT["cell"] - 1)

    # -- updates -----------------------------------------------------------
    def _update(self):
        c = self.controls["channels"].value
        f_count = self.controls["filters"].value
        self._set_range("filter", 0, f_count - 1)
        r, col, f = self.controls["row"].value, self.controls["col"].value, self.controls["filter"].value
        h, w = self._x.shape[:2]
        x = self._x[:, :, :c]
        weights = self._w[:c, :f_count]
        out = ops.conv1x1(x, weights)
        costs = {}
        for k in (1, 3, 5):
            if k == 1:
                params = arithmetic.conv1x1_params(c, f_count)
                macs = arithmetic.conv1x1_macs((h, w, c), f_count)
            else:
                params = arithmetic.conv_params(c, f_count, k)
                macs = arithmetic.conv_macs((h, w, c), f_count, k, padding="same")
            costs[f"{k}x{k}"] = {"params": params, "macs": macs}
        pixel = x[r, col]
        kernel = weights[:, f]
        self._state = dict(x=x, weights=weights, output=out, costs=costs, pixel=pixel, kernel=kernel,
                           products=pixel * kernel, value=out[r, col, f], r=r, col=col, f=f)
        self._draw(h, w, c, f_count)

    def _draw(self, h, w, c, f_count):
        s = self._state
        r, col, f = s["r"], s["col"], s["f"]
        cells, segs = [], []
        for key, values in (("x", s["pixel"]), ("w", s["kernel"]), ("prod", s["products"])):
            x0, image = self._columns[key]
            image.set_data(values[:, None])
            image.set_extent((x0, x0 + 1, c, 0))
            if key != "x":
                lim = max(float(np.abs(values).max()), 1e-12)
                image.set_clim(-lim, lim)
            rgba = image.get_cmap()(image.norm(values))
            dark = (0.299 * rgba[:, 0] + 0.587 * rgba[:, 1] + 0.114 * rgba[:, 2]) <= 0.5
            for k, v in enumerate(values):
                cells.append((x0 + 0.5, k + 0.5, number(v), {"colour": "white" if dark[k] else "black"}))
            segs += [((x0, k), (x0 + 1, k)) for k in range(c + 1)]
            segs += [((x0, 0), (x0, c)), ((x0 + 1, 0), (x0 + 1, c))]
        cells += [(1.25, k + 0.5, "·") for k in range(c)] + [(2.75, k + 0.5, "=") for k in range(c)]
        self._cells.set(cells)
        self._cell_lines.set_segments(segs)
        self._sum.set([(3.5, c + 0.35, f"Σ = {number(s['value'])}", {"va": "top"})])

        # the rod of the input and the kernel painted with the colours of their columns of numbers
        colours = {}
        for key, values in (("x", s["pixel"]), ("w", s["kernel"])):
            image = self._columns[key][1]
            colours[key] = image.get_cmap()(image.norm(values))
        self._vol_in.set(self._in_origin, h, w, c, dvec=self._dvec, pixel=(r, col), strip_colours=colours["x"])
        self._kernel.set(self._k_origin, 1, 1, c, dvec=self._dvec, grid=False, pixel=(0, 0),
                         strip_colours=colours["w"])
        self._vol_out.set(self._out_origin, h, w, f_count, dvec=self._dvec, pixel=(r, col), slab=f)
        below = {"va": "top"}
        self._vol_labels.set([
            (*self._shift(self._vol_in.bottom_centre, -0.3), f"input {h}×{w}×{c}", below),
            (*self._shift(self._kernel.bottom_centre, -0.3), f"kernel {f}\n1×1×{c}", below),
            (*self._shift(self._vol_out.bottom_centre, -0.3), f"output {h}×{w}×{f_count}", below),
        ])

        self._head.set([(0.01, 0.975, f"1×1 convolution: {h}×{w}×{c} → {h}×{w}×{f_count}   "
                         f"({f_count} kernels of 1×1×{c}; height and width kept)", {"ha": "left", "va": "top"})])
        self._formula.set([(0.01, 0.9, f"y[{r},{col},{f}] = Σₖ x[{r},{col},k]·w[k,{f}] = {number(s['value'])}"
                            f"   (the same {c} weights at every one of the {h * w} pixels)",
                            {"ha": "left", "va": "top"})])

        labels = []
        for key in ("params", "macs"):
            values = [s["costs"][n][key] for n in ("1x1", "3x3", "5x5")]
            base = self._bar_base[key]
            for i, (bar, v) in enumerate(zip(self._bars[key], values)):
                height = self._bar_height * v / max(values)
                bar.set_height(height)
                ratio = "" if i == 0 else f"\n×{v / values[0]:.1f}"
                labels.append((i, base + height + 0.02, f"{count(v)}{ratio}", {"va": "bottom"}))
        self._bar_values.set(labels)
        self.readout.value = self._readout_html(h, w, c, f_count)

    @staticmethod
    def _shift(point, dy):
        return point[0], point[1] + dy

    def _readout_html(self, h, w, c, f_count):
        s = self._state
        r, col, f = s["r"], s["col"], s["f"]

        def term(a, b):
            return f"{number(a)}·{'(' + number(b) + ')' if b < 0 else number(b)}"

        terms = " + ".join(term(a, b) for a, b in zip(s["pixel"], s["kernel"]))
        cost = s["costs"]

        def vs(name, what):
            value, base = cost[name][what], cost["1x1"][what]
            return f"{count(value)} (×{value / base:.1f})"

        lines = [
            f"<b>1×1 convolution</b>: input {h}×{w}×{c}, F = {f_count} kernels of 1×1×{c} → "
            f"output {h}×{w}×{f_count} (height and width kept, the depth becomes F).",
            f"Pixel (row {r}, col {col}), kernel {f}: y[{r},{col},{f}] = Σₖ x[{r},{col},k]·w[k,{f}] = "
            f"{terms} = <b>{number(s['value'])}</b> (bias 0).",
            f"Parameters (weights + biases) for output depth F = {f_count}: "
            f"1×1: 1·1·{c}·{f_count} + {f_count} = {count(cost['1x1']['params'])}; "
            f"3×3: 3·3·{c}·{f_count} + {f_count} = {vs('3x3', 'params')}; "
            f"5×5: 5·5·{c}·{f_count} + {f_count} = {vs('5x5', 'params')}.",
            f"Multiply-adds ('same' padding, all three give {h}×{w}×{f_count}): "
            f"1×1: {h}·{w}·{f_count}·{c} = {count(cost['1x1']['macs'])}; "
            f"3×3: {h}·{w}·{f_count}·9·{c} = {vs('3x3', 'macs')}; "
            f"5×5: {h}·{w}·{f_count}·25·{c} = {vs('5x5', 'macs')}.",
        ]
        return "<br>".join(lines)

    # -- what is drawn -----------------------------------------------------
    @property
    def x(self):
        """The input volume in use, shape (H, W, C)."""
        return self._state["x"].copy()

    @property
    def weights(self):
        """The 1x1 kernels in use, shape (C, F): column ``f`` is kernel ``f``."""
        return self._state["weights"].copy()

    @property
    def output(self):
        """The output volume ``conv1x1(x, weights)``, shape (H, W, F)."""
        return self._state["output"].copy()

    @property
    def output_shape(self):
        """``(H, W, F)``."""
        return self._state["output"].shape

    @property
    def pixel(self):
        """The chosen pixel's ``C`` input values, shape (C,)."""
        return self._state["pixel"].copy()

    @property
    def kernel_weights(self):
        """The chosen kernel's ``C`` weights, shape (C,)."""
        return self._state["kernel"].copy()

    @property
    def products(self):
        """Element-wise products ``pixel * kernel_weights``, shape (C,)."""
        return self._state["products"].copy()

    @property
    def value(self):
        """The output value at the chosen pixel for the chosen kernel."""
        return float(self._state["value"])

    @property
    def costs(self):
        """``{"1x1" | "3x3" | "5x5": {"params": int, "macs": int}}`` for the same output."""
        return {k: dict(v) for k, v in self._state["costs"].items()}

    @property
    def cell_texts(self):
        """The numbers written in the three columns (x, w, products), as three lists."""
        c = len(self._state["pixel"])
        strings = self._cells.strings[: 3 * c]
        return [strings[:c], strings[c:2 * c], strings[2 * c:]]

    @property
    def bar_texts(self):
        """The labels over the six cost bars (params 1x1, 3x3, 5x5, then multiply-adds)."""
        return self._bar_values.strings
