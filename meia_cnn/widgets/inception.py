"""The inception module: four branches side by side, concatenated along depth.

"Why choose between different operations? Let's make all!" (the slides).
GoogLeNet's module runs a 1x1, a 3x3 and a 5x5 convolution and a 3x3 max
pooling on the same input, each with stride 1 and 'same' padding, and stacks
their outputs.  The 1x1 convolutions placed before the 3x3 and 5x5 ones (and
after the pooling) reduce the depth those expensive kernels see: the
explorer shows the module as a diagram with every shape, and its parameters
and multiply-adds with and without these reductions, all from
:func:`meia_cnn.arithmetic.inception_cost`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import FancyBboxPatch, Rectangle

from .. import arithmetic
from .._validation import as_int
from ._base import FONT, PALETTE, Explorer, FastText, arrow, check_range, count

__all__ = ["InceptionExplorer"]

#: Slider ranges (GoogLeNet's largest module, 5b, has 832 input channels and 384 filters).
MAX_SIZE = 112
MAX_DEPTH = 1024
MAX_FILTERS = 512

_COUNTS = ("n1x1", "n3x3_reduce", "n3x3", "n5x5_reduce", "n5x5", "pool_proj")
_BRANCH_COLOURS = (PALETTE["yellow"], PALETTE["sky"], PALETTE["orange"], PALETTE["purple"])
_BRANCH_NAMES = ("1×1", "1×1 → 3×3", "1×1 → 5×5", "pool → 1×1")


class InceptionExplorer(Explorer):
    """GoogLeNet's inception module with its shapes and its costs.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)`` of the previous layer; square (``H == W``), as in
        GoogLeNet.  Default: inception (3a)'s input, 28x28x192.
    n1x1 : int
        Filters of the 1x1 branch.
    n3x3_reduce, n3x3 : int
        Filters of the 1x1 reduction before the 3x3 convolution, and of the
        3x3 convolution.
    n5x5_reduce, n5x5 : int
        The same for the 5x5 branch.
    pool_proj : int
        Filters of the 1x1 projection after the 3x3 max pooling.

    Attributes
    ----------
    controls : dict
        ``"input_size"`` (H = W), ``"input_depth"`` (C) and one IntSlider per
        filter count, named as the arguments.

    Notes
    -----
    The default numbers are inception (3a) of Szegedy et al. (2014), Table 1:
    output depth 64 + 128 + 32 + 32 = 256 and 128 million multiply-adds (the
    table's "128M ops").  "Without reductions" is the paper's naive module
    (its Figure 2(a)): the 3x3 and 5x5 convolutions see all ``C`` input
    channels and the pooled input is concatenated as it is, so the output is
    deeper (``C`` instead of ``pool_proj`` channels from that branch).

    Examples
    --------
    >>> viz = InceptionExplorer()
    >>> viz.output_shape
    (28, 28, 256)
    >>> viz.cost["params"], viz.naive_cost["params"]
    (163696, 387296)
    >>> viz.controls["n5x5"].value = 64
    >>> viz.output_depth
    288
    >>> viz.close()
    """

    def __init__(self, input_shape=(28, 28, 192), n1x1=64, n3x3_reduce=96, n3x3=128, n5x5_reduce=16,
                 n5x5=32, pool_proj=32):
        super().__init__()
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
            raise ValueError(f"`input_shape` must be (H, W, C), got {input_shape!r}")
        h, w, c = (as_int(v, "input_shape") for v in input_shape)
        if h != w:
            raise ValueError(f"`input_shape` must be square (H == W) in this explorer, got {tuple(input_shape)}")
        size = check_range(h, "input_shape height", 1, MAX_SIZE)
        depth = check_range(c, "input_shape depth", 1, MAX_DEPTH)
        given = dict(n1x1=n1x1, n3x3_reduce=n3x3_reduce, n3x3=n3x3, n5x5_reduce=n5x5_reduce, n5x5=n5x5,
                     pool_proj=pool_proj)
        counts = {name: check_range(value, name, 1, MAX_FILTERS) for name, value in given.items()}
        self._state = {}

        def slider(value, lo, hi, description):
            return widgets.IntSlider(value=value, min=lo, max=hi, description=description,
                                     continuous_update=True, style={"description_width": "initial"},
                                     layout=widgets.Layout(width="250px"))

        labels = dict(n1x1="1×1", n3x3_reduce="3×3 reduce", n3x3="3×3", n5x5_reduce="5×5 reduce",
                      n5x5="5×5", pool_proj="pool proj")
        self.controls = {
            "input_size": slider(size, 1, MAX_SIZE, "input H = W"),
            "input_depth": slider(depth, 1, MAX_DEPTH, "input depth C"),
        }
        for name in _COUNTS:
            self.controls[name] = slider(counts[name], 1, MAX_FILTERS, labels[name])
        self._build_figure()
        ctl = self.controls
        self._layout(
            widgets.HBox([ctl["input_size"], ctl["input_depth"], ctl["n1x1"]]),
            widgets.HBox([ctl["n3x3_reduce"], ctl["n3x3"], ctl["pool_proj"]]),
            widgets.HBox([ctl["n5x5_reduce"], ctl["n5x5"]]),
        )
        self._connect()

    # -- figure ------------------------------------------------------------
    def _build_figure(self):
        fig = self._make_figure((10.5, 4.6))
        overlay = fig.add_axes((0, 0, 1, 1))
        overlay.set_axis_off()
        self._head = FastText(overlay, FONT["title"], transform=overlay.transAxes)

        ax = fig.add_axes((0.0, 0.0, 0.6, 0.9))
        ax.set_axis_off()
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 10.4)
        xs = (1.25, 3.75, 6.25, 8.75)
        self._boxes = {}

        def box(key, x, y, width, height, colour, alpha=1.0):
            patch = FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                   boxstyle="round,pad=0.02,rounding_size=0.15", facecolor=colour,
                                   edgecolor=PALETTE["black"], linewidth=1.2, alpha=alpha)
            ax.add_patch(patch)
            self._boxes[key] = (x, y)

        white = "#ffffff"
        box("input", 5.0, 0.75, 7.0, 1.1, white)
        box("reduce3", xs[1], 3.6, 2.3, 1.5, _BRANCH_COLOURS[1], 0.55)
        box("reduce5", xs[2], 3.6, 2.3, 1.5, _BRANCH_COLOURS[2], 0.55)
        box("pool", xs[3], 3.6, 2.3, 1.5, _BRANCH_COLOURS[3], 0.55)
        box("conv1", xs[0], 6.4, 2.3, 1.5, _BRANCH_COLOURS[0])
        box("conv3", xs[1], 6.4, 2.3, 1.5, _BRANCH_COLOURS[1])
        box("conv5", xs[2], 6.4, 2.3, 1.5, _BRANCH_COLOURS[2])
        box("proj", xs[3], 6.4, 2.3, 1.5, _BRANCH_COLOURS[3])
        box("concat", 5.0, 9.35, 9.6, 1.5, white)
        for x in xs[1:]:
            arrow(ax, (5.0 + (x - 5.0) * 0.55, 1.3), (x, 2.85))
            arrow(ax, (x, 4.35), (x, 5.65))
        arrow(ax, (5.0 + (xs[0] - 5.0) * 0.55, 1.3), (xs[0], 5.65))
        for x in xs:
            arrow(ax, (x, 7.15), (5.0 + (x - 5.0) * 0.9, 8.6))
        # the concatenated depth, one segment per branch
        self._depth_bar = (0.5, 8.7, 9.0, 0.35)
        x0, y0, width, height = self._depth_bar
        self._segments = [ax.add_patch(Rectangle((x0, y0), width / 4, height, facecolor=colour,
                                                 edgecolor=PALETTE["black"], linewidth=0.8))
                          for colour in _BRANCH_COLOURS]
        self._box_text = FastText(ax, FONT["cell"])
        self._seg_text = FastText(ax, FONT["cell"] - 2)
        self._diagram = ax

        # costs: with and without the 1x1 reductions, stacked by branch
        bax = fig.add_axes((0.62, 0.0, 0.375, 0.9))
        bax.set_axis_off()
        bax.set_xlim(0, 1.0)
        bax.set_ylim(0, 10.4)
        self._bar_rows = {("params", True): 8.0, ("params", False): 6.2,
                          ("macs", True): 3.1, ("macs", False): 1.3}
        self._bar_left, self._bar_span, self._bar_h = 0.02, 0.96, 0.8
        self._cost_bars = {}
        for key, y in self._bar_rows.items():
            self._cost_bars[key] = [
                bax.add_patch(Rectangle((self._bar_left, y), 0.0, self._bar_h, facecolor=colour,
                                        edgecolor=PALETTE["black"], linewidth=0.8))
                for colour in _BRANCH_COLOURS]
        titles = FastText(bax, FONT["label"], weight="bold")
        titles.set([(0.5, 10.3, "parameters", {"va": "top"}), (0.5, 5.4, "multiply-adds", {"va": "top"})])
        self._bar_text = FastText(bax, FONT["cell"] - 1)

    # -- updates -----------------------------------------------------------
    def _update(self):
        ctl = self.controls
        size, depth = ctl["input_size"].value, ctl["input_depth"].value
        counts = {name: ctl[name].value for name in _COUNTS}
        shape = (size, size, depth)
        cost = arithmetic.inception_cost(shape, **counts)
        naive = arithmetic.inception_cost(shape, **counts, reduce=False)
        self._state = dict(shape=shape, counts=counts, cost=cost, naive=naive)
        self._draw()

    def _draw(self):
        s = self._state
        h, w, c = s["shape"]
        n = s["counts"]
        cost, naive = s["cost"], s["naive"]
        depths = [b["output_shape"][2] for b in cost["branches"]]
        out_depth = cost["output_shape"][2]

        def hw(d):
            return f"{h}×{w}×{d}"

        b = self._boxes
        texts = [
            (*b["input"], f"previous layer\n{hw(c)}"),
            (*b["reduce3"], f"1×1 conv, {n['n3x3_reduce']}\n{hw(n['n3x3_reduce'])}"),
            (*b["reduce5"], f"1×1 conv, {n['n5x5_reduce']}\n{hw(n['n5x5_reduce'])}"),
            (*b["pool"], f"3×3 max pool\n{hw(c)}"),
            (*b["conv1"], f"1×1 conv, {n['n1x1']}\n{hw(n['n1x1'])}"),
            (*b["conv3"], f"3×3 conv, {n['n3x3']}\n{hw(n['n3x3'])}"),
            (*b["conv5"], f"5×5 conv, {n['n5x5']}\n{hw(n['n5x5'])}"),
            (*b["proj"], f"1×1 conv, {n['pool_proj']}\n{hw(n['pool_proj'])}"),
            (b["concat"][0], 9.75, f"filter concatenation {hw(out_depth)}   "
                                   f"({' + '.join(str(d) for d in depths)} = {out_depth})"),
        ]
        self._box_text.set(texts)

        x0, y0, width, height = self._depth_bar
        left = x0
        seg_labels = []
        for patch, d in zip(self._segments, depths):
            span = width * d / out_depth
            patch.set_x(left)
            patch.set_width(span)
            if span > 0.45:
                seg_labels.append((left + span / 2, y0 + height / 2, str(d)))
            left += span
        self._seg_text.set(seg_labels)

        labels = []
        for what, title_y in (("params", 9.05), ("macs", 4.15)):
            totals = {True: cost[what], False: naive[what]}
            top = max(totals.values())
            for reduced, data in ((True, cost), (False, naive)):
                y = self._bar_rows[(what, reduced)]
                left = self._bar_left
                for patch, branch in zip(self._cost_bars[(what, reduced)], data["branches"]):
                    span = self._bar_span * branch[what] / top
                    patch.set_x(left)
                    patch.set_width(span)
                    left += span
                total = totals[reduced]
                if reduced:
                    label = f"with 1×1 reductions: {count(total)}"
                else:
                    label = f"without (naive): {count(total)}  ×{total / totals[True]:.2f}"
                labels.append((self._bar_left, y + self._bar_h + 0.12, label, {"ha": "left", "va": "bottom"}))
        self._bar_text.set(labels)
        self._head.set([(0.01, 0.975, f"Inception module: {hw(c)} → {hw(out_depth)}   (naive module: "
                         f"{hw(naive['output_shape'][2])})", {"ha": "left", "va": "top"})])
        self.readout.value = self._readout_html()

    def _readout_html(self):
        s = self._state
        h, w, c = s["shape"]
        n = s["counts"]
        cost, naive = s["cost"], s["naive"]
        depths = [b["output_shape"][2] for b in cost["branches"]]
        naive_depths = [b["output_shape"][2] for b in naive["branches"]]
        out = cost["output_shape"]
        branches = "; ".join(
            f"{name}: {b['output_shape'][0]}×{b['output_shape'][1]}×{b['output_shape'][2]}, "
            f"{count(b['params'])} parameters, {count(b['macs'])} multiply-adds"
            for name, b in zip(_BRANCH_NAMES, cost["branches"]))
        saved_p = 1 - cost["params"] / naive["params"]
        saved_m = 1 - cost["macs"] / naive["macs"]
        lines = [
            f"<b>Inception module</b> on {h}×{w}×{c}: {branches}.",
            f"Output depth = {' + '.join(str(d) for d in depths)} = <b>{out[2]}</b> → output "
            f"{out[0]}×{out[1]}×{out[2]}.",
            f"With the 1×1 reductions: <b>{count(cost['params'])}</b> parameters, "
            f"<b>{count(cost['macs'])}</b> multiply-adds.",
            f"Without them (naive module: 3×3 and 5×5 on all {c} channels, pooled input kept, depth "
            f"{' + '.join(str(d) for d in naive_depths)} = {naive['output_shape'][2]}): "
            f"{count(naive['params'])} parameters, {count(naive['macs'])} multiply-adds.",
        ]
        if saved_p >= 0 and saved_m >= 0:
            lines.append(f"The reductions save {100 * saved_p:.1f}% of the parameters and "
                         f"{100 * saved_m:.1f}% of the multiply-adds.")
        else:
            lines.append(f"Here the reductions cost more than they save (parameters {100 * -saved_p:+.1f}%, "
                         f"multiply-adds {100 * -saved_m:+.1f}%).")
        wide = [f"{name} ({n[name]} ≥ {c})" for name in ("n3x3_reduce", "n5x5_reduce") if n[name] >= c]
        if wide:
            lines.append("Note: a 1×1 'reduction' with at least as many filters as input channels does not "
                         "reduce: " + ", ".join(wide) + ".")
        return "<br>".join(lines)

    # -- what is drawn -----------------------------------------------------
    @property
    def cost(self):
        """:func:`~meia_cnn.arithmetic.inception_cost` of the module shown (with reductions)."""
        return _copy(self._state["cost"])

    @property
    def naive_cost(self):
        """The same without the 1x1 reductions (``reduce=False``)."""
        return _copy(self._state["naive"])

    @property
    def output_shape(self):
        """``(H, W, depth)`` of the concatenated output."""
        return tuple(self._state["cost"]["output_shape"])

    @property
    def output_depth(self):
        return self._state["cost"]["output_shape"][2]

    @property
    def box_texts(self):
        """What each box of the diagram says, from the input up to the concatenation."""
        return self._box_text.strings

    @property
    def bar_texts(self):
        """The labels of the four cost bars (parameters with/without, multiply-adds with/without)."""
        return self._bar_text.strings

    @property
    def segment_widths(self):
        """Widths of the concatenation's four depth segments (proportional to each branch's depth)."""
        return np.array([p.get_width() for p in self._segments])

    @property
    def bar_widths(self):
        """``{(what, reduced): array of the four branch segments' widths}`` of the cost bars."""
        return {key: np.array([p.get_width() for p in patches]) for key, patches in self._cost_bars.items()}


def _copy(cost):
    return dict(cost, branches=[dict(b) for b in cost["branches"]])
