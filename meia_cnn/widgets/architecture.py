"""The classic networks side by side: their tables and their volumes to scale.

For the lecture's closing presentations (LeNet-5, AlexNet, GoogLeNet, VGG):
choose a network and see its summary table (from
:func:`meia_cnn.architectures.summary`) and a diagram of the volumes it
computes, one box per layer output, drawn to scale: the box's height is
proportional to the feature map's side ``H``, its width to ``log2`` of the
depth ``D``, and its label gives ``H×W×D``.  The readout gives the totals.
"""

from __future__ import annotations

import html
import math

import ipywidgets as widgets
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextPath

from .. import architectures
from .._validation import shape_text
from ._base import FONT, PALETTE, Explorer, FastText

__all__ = ["ArchitectureExplorer"]

#: Kinds of rows drawn as volumes (response normalisation, dropout and
#: softmax keep their input's shape and would only repeat a box).
_DRAWN = {"conv", "subsample", "maxpool", "avgpool", "dense", "rbf", "inception"}
_COLOURS = {
    "input": PALETTE["grey"],
    "conv": PALETTE["blue"],
    "subsample": PALETTE["orange"],
    "maxpool": PALETTE["orange"],
    "avgpool": PALETTE["orange"],
    "inception": PALETTE["green"],
    "dense": PALETTE["purple"],
    "rbf": PALETTE["purple"],
}
_LEGEND = (("input", "input"), ("conv", "convolution"), ("maxpool", "pooling / subsampling"),
           ("inception", "inception module"), ("dense", "fully connected"))

_TALLEST = 1.5      # height of the volume with the largest side H
_GAP = 0.35          # between boxes
_MIN_WIDTH = 0.25    # width of a depth-1 volume
_MAX_WIDTH = 1.0     # width of the deepest volume of the network
_MIN_HEIGHT = 0.025  # so that 1×1×D volumes stay visible

#: Where the title's baseline and the legend's row sit, in figure fraction.
_TITLE_Y = 0.8875
_LEGEND_Y = 0.9635


def volumes(summary):
    """The volumes a diagram shows: ``[(label, (H, W, D), kind), ...]``, input first."""
    out = [("input", summary.input_shape, "input")]
    out += [(row.name, row.output_shape, row.kind) for row in summary if row.kind in _DRAWN]
    return out


def layout(vols):
    """Boxes ``(x, y, width, height)`` for ``vols``, to scale.

    Height is proportional to ``H`` (the tallest volume is ``_TALLEST``); width grows
    with ``log2(D)`` from ``_MIN_WIDTH`` (D = 1) to ``_MAX_WIDTH`` (the
    deepest volume); boxes are centred on y = 0 and separated by ``_GAP``.
    """
    h_max = max(shape[0] for _, shape, _ in vols)
    log_max = max(math.log2(shape[2]) for _, shape, _ in vols) or 1.0
    boxes, x = [], 0.0
    for _, (h, _w, d), _ in vols:
        height = max(_TALLEST * h / h_max, _MIN_HEIGHT)
        width = _MIN_WIDTH + (_MAX_WIDTH - _MIN_WIDTH) * math.log2(d) / log_max
        boxes.append((x, -height / 2, width, height))
        x += width + _GAP
    return boxes


class ArchitectureExplorer(Explorer):
    """Choose a classic CNN; see its summary table and its volumes to scale.

    Parameters
    ----------
    name : str
        A network of :func:`meia_cnn.architectures.names` (``'lenet5'``,
        ``'lenet5_fc'``, ``'alexnet'``, ``'alexnet_single'``, ``'vgg16'``,
        ``'vgg19'``, ``'googlenet'``).
    detail : bool
        Show the paper's own columns in the table (LeNet-5's connections,
        GoogLeNet's Table 1 layout) instead of the common ones.

    Attributes
    ----------
    controls : dict
        ``"name"`` (Dropdown of the networks) and ``"detail"`` (Checkbox).
    table : ipywidgets.HTML
        The summary table (CSS class ``meia-architecture``).

    Notes
    -----
    The figure holds a fixed pool of boxes, as many as the largest network
    needs; switching networks moves, resizes, recolours and hides them, and
    never creates an artist.  The labels, the title and the legend are
    glyph outlines cached per string (:class:`~meia_cnn.widgets._base.FastText`):
    fifty rotated matplotlib texts and a legend laid out again on every
    draw would cost more than the rest of the figure.

    Examples
    --------
    >>> viz = ArchitectureExplorer()
    >>> viz.summary.total_params, viz.summary.trainable_params
    (60840, 60000)
    >>> [b["label"] for b in viz.boxes][:3]
    ['input', 'C1', 'S2']
    >>> viz.controls["name"].value = "vgg16"
    >>> len(viz.boxes), viz.boxes[-1]["shape"]
    (22, (1, 1, 1000))
    >>> viz.close()
    """

    def __init__(self, name="lenet5", *, detail=False):
        super().__init__()
        key = architectures.summary(name).key  # an unknown name is a ValueError here
        self.controls["name"] = widgets.Dropdown(
            options=[(title, k) for k, title in architectures.titles().items()],
            value=key, description="network", layout=widgets.Layout(width="30em"),
        )
        self.controls["detail"] = widgets.Checkbox(
            value=bool(detail), description="the paper's columns", indent=False,
            layout=widgets.Layout(width="auto"),
        )
        self.table = widgets.HTML(layout=widgets.Layout(overflow="auto"))
        self.table.add_class("meia-architecture")

        fig = self._make_figure((10, 4.8))
        ax = fig.add_axes((0.01, 0.01, 0.98, 0.86))
        ax.set_axis_off()
        self.ax = ax
        pool = max(len(volumes(architectures.summary(k))) for k in architectures.names())
        self._pool = pool
        self._boxes = [ax.add_patch(Rectangle((0, 0), 1, 1, facecolor=PALETTE["grey"],
                                              edgecolor=PALETTE["black"], linewidth=0.8,
                                              visible=False))
                       for _ in range(pool)]
        # names above the boxes read upwards from their anchor, shapes below end at theirs
        self._labels = FastText(ax, FONT["cell"] - 1, ha="left", rotation=90)
        self._shapes = FastText(ax, FONT["cell"] - 1, ha="right", rotation=90)
        self._title = FastText(ax, FONT["title"], va="baseline", transform=fig.transFigure)
        self._legend(fig)
        ax.set_ylim(-_TALLEST / 2 - 1.3, _TALLEST / 2 + 1.0)
        self._drawn = []
        self._summary = None

        self._layout(widgets.HBox([self.controls["name"], self.controls["detail"]]))
        self.children = (*self.children, self.table)
        self._connect()

    def _legend(self, fig, fontsize=FONT["cell"] - 2):
        """The kinds of volume and their colours: one row of patches and labels, built once.

        Spaced like matplotlib's legend (handles 2 x 0.7 em, 0.8 em to the
        label, 2 em between entries) and centred over the figure.
        """
        width_pt, height_pt = fig.get_size_inches() * 72
        handle, pad, gap = 2.0 * fontsize, 0.8 * fontsize, 2.0 * fontsize
        font = FastText(self.ax, fontsize, ha="left", transform=fig.transFigure)
        widths = [TextPath((0, 0), text, prop=font.prop).vertices[:, 0].max() for _, text in _LEGEND]
        total = sum(handle + pad + w for w in widths) + gap * (len(_LEGEND) - 1)
        x = (width_pt - total) / 2
        items = []
        for (kind, text), w in zip(_LEGEND, widths):
            patch = Rectangle((x / width_pt, _LEGEND_Y - 0.35 * fontsize / height_pt),
                              handle / width_pt, 0.7 * fontsize / height_pt, transform=fig.transFigure,
                              facecolor=_COLOURS[kind], edgecolor=PALETTE["black"], linewidth=0.8)
            fig.add_artist(patch)
            items.append(((x + handle + pad) / width_pt, _LEGEND_Y, text))
            x += handle + pad + w + gap
        font.set(items)
        self.legend_texts = font.strings

    # -- what is drawn --------------------------------------------------------
    @property
    def name(self):
        """The key of the network shown."""
        return self._summary.key

    @property
    def summary(self):
        """The :class:`~meia_cnn.architectures.Summary` shown."""
        return self._summary

    @property
    def label_texts(self):
        """The names written above the visible boxes, left to right."""
        return self._labels.strings

    @property
    def shape_texts(self):
        """The shapes ``H×W×D`` written below the visible boxes, left to right."""
        return self._shapes.strings

    @property
    def title(self):
        """The title written over the diagram."""
        return self._title.strings[0]

    @property
    def boxes(self):
        """The visible volumes: dicts with ``label``, ``shape`` (H, W, D), ``kind``,
        ``x``, ``y``, ``width``, ``height`` as drawn."""
        return [dict(item) for item in self._drawn]

    # -- update -------------------------------------------------------------
    def _update(self):
        summary = architectures.summary(self.controls["name"].value)
        vols = volumes(summary)
        geometry = layout(vols)
        drawn, labels, shapes = [], [], []
        for i, box in enumerate(self._boxes):
            if i < len(vols):
                name, shape, kind = vols[i]
                x, y, w, h = geometry[i]
                box.set_bounds(x, y, w, h)
                box.set_facecolor(_COLOURS[kind])
                labels.append((x + w / 2, y + h + 0.06, name))
                shapes.append((x + w / 2, y - 0.06, shape_text(shape)))
                drawn.append(dict(label=name, shape=shape, kind=kind, x=x, y=y, width=w, height=h))
            box.set_visible(i < len(vols))
        self._labels.set(labels)
        self._shapes.set(shapes)
        last = geometry[-1]
        self.ax.set_xlim(-_GAP, last[0] + last[2] + _GAP)
        self._title.set([(0.5, _TITLE_Y, f"{summary.title}: height ∝ H, width ∝ log₂ D")])
        columns = summary.paper_columns if self.controls["detail"].value else None
        self.table.value = summary.to_html(columns)
        self.readout.value = self._readout(summary)
        self._summary = summary
        self._drawn = drawn

    @staticmethod
    def _readout(summary):
        largest = summary.largest
        share = 100.0 * largest.params / summary.total_params
        trainable = ""
        if summary.trainable_params != summary.total_params:
            trainable = f" ({summary.trainable_params:,} trainable)"
        shape = shape_text(summary.input_shape)
        out = shape_text(summary.output_shape)
        lines = [
            f"<b>{html.escape(summary.title)}</b>: {summary.depth} layers with weights, "
            f"input {shape} → output {out}",
            f"parameters: <b>{summary.total_params:,}</b>{trainable}; "
            f"multiply-adds: <b>{summary.total_macs:,}</b>",
            f"largest layer: {html.escape(largest.name)}, {largest.params:,} parameters "
            f"({share:.0f} % of all)",
        ]
        return '<div style="font-size:{}px">{}</div>'.format(FONT["label"] + 2, "<br>".join(lines))
