"""The classic networks side by side: their tables and their volumes to scale.

:func:`architecture_state` gives everything the architecture explorer shows
for one network of :mod:`meia_cnn.architectures`: its
:class:`~meia_cnn.architectures.Summary`, the volumes it computes (one per
layer that changes the shape) and a diagram of them to scale: each box's
height proportional to the feature map's side ``H``, its width growing with
``log2`` of the depth ``D``.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any, TypedDict

from .. import architectures
from .._validation import as_bool, shape_text
from ..i18n import TranslatedText, option_label
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._render import PALETTE

__all__ = [
    "ArchitectureScene",
    "ArchitectureState",
    "COLOURS",
    "LEGEND",
    "Volume",
    "architecture_scene",
    "architecture_state",
    "layout",
    "volumes",
]

#: Kinds of rows drawn as volumes (response normalisation, dropout and
#: softmax keep their input's shape and would only repeat a box).
DRAWN = frozenset({"conv", "subsample", "maxpool", "avgpool", "dense", "rbf", "inception"})

TALLEST = 1.5  # height of the volume with the largest side H
GAP = 0.35  # between boxes
MIN_WIDTH = 0.25  # width of a depth-1 volume
MAX_WIDTH = 1.0  # width of the deepest volume of the network
MIN_HEIGHT = 0.025  # so that 1x1xD volumes stay visible


@dataclass(frozen=True)
class Volume:
    """One volume of the diagram and its box.

    Attributes
    ----------
    label : str
        The layer's name in the paper (``"input"`` for the input).
    shape : (int, int, int)
        ``(H, W, D)``.
    kind : str
        The layer's kind (``"input"``, ``"conv"``, ``"maxpool"``...).
    x, y, width, height : float
        The box, in the diagram's units (boxes centred on ``y = 0``).

    Examples
    --------
    >>> architecture_state("lenet5").volumes[1].label
    'C1'
    """

    label: str
    shape: tuple[int, int, int]
    kind: str
    x: float
    y: float
    width: float
    height: float


def volumes(summary: Any) -> list[tuple[str, tuple[int, int, int], str]]:
    """The volumes a diagram shows: ``[(label, (H, W, D), kind), ...]``, input first.

    Parameters
    ----------
    summary : meia_cnn.architectures.Summary

    Returns
    -------
    list of (str, (int, int, int), str)

    Examples
    --------
    >>> volumes(architectures.summary("lenet5"))[:2]
    [('input', (32, 32, 1), 'input'), ('C1', (28, 28, 6), 'conv')]
    """
    out = [("input", tuple(summary.input_shape), "input")]
    out += [(row.name, tuple(row.output_shape), row.kind) for row in summary if row.kind in DRAWN]
    return out


def layout(vols: list[tuple[str, tuple[int, int, int], str]]) -> list[tuple[float, float, float, float]]:
    """Boxes ``(x, y, width, height)`` for ``vols``, to scale.

    Height is proportional to ``H`` (the tallest volume is :data:`TALLEST`);
    width grows with ``log2(D)`` from :data:`MIN_WIDTH` (D = 1) to
    :data:`MAX_WIDTH` (the deepest volume); boxes are centred on y = 0 and
    separated by :data:`GAP`.

    Parameters
    ----------
    vols : list
        As :func:`volumes` returns.

    Returns
    -------
    list of (float, float, float, float)

    Examples
    --------
    >>> layout([("a", (4, 4, 1), "input"), ("b", (2, 2, 4), "conv")])
    [(0.0, -0.75, 0.25, 1.5), (0.6, -0.375, 1.0, 0.75)]
    """
    h_max = max(shape[0] for _, shape, _ in vols)
    log_max = max(math.log2(shape[2]) for _, shape, _ in vols) or 1.0
    boxes, x = [], 0.0
    for _name, (h, _w, d), _layer in vols:
        height = max(TALLEST * h / h_max, MIN_HEIGHT)
        width = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * math.log2(d) / log_max
        boxes.append((x, -height / 2, width, height))
        x += width + GAP
    return boxes


@dataclass(frozen=True, eq=False)
class ArchitectureState:
    """A network's summary, its volumes to scale and its table.

    Attributes
    ----------
    summary : meia_cnn.architectures.Summary
    volumes : tuple of Volume
    has_paper_columns : bool
        Whether the paper has a table layout of its own (LeNet-5, GoogLeNet).
    detail : bool
        Whether the table shows the paper's columns.
    table : str
        The summary table as HTML.

    Examples
    --------
    >>> state = architecture_state("vgg16")
    >>> len(state.volumes), state.volumes[-1].shape, state.has_paper_columns
    (22, (1, 1, 1000), False)
    """

    summary: Any
    volumes: tuple[Volume, ...]
    has_paper_columns: bool
    detail: bool
    table: str

    @property
    def extent(self) -> float:
        """The diagram's width, in its units (from the first box's left to the last one's right)."""
        last = self.volumes[-1]
        return last.x + last.width


def architecture_state(name: str, *, detail: bool = False) -> ArchitectureState:
    """Everything shown for the network ``name``.

    Parameters
    ----------
    name : str
        A network of :func:`meia_cnn.architectures.names`.
    detail : bool
        Show the paper's own table columns, where the paper has a layout of its own.

    Returns
    -------
    ArchitectureState

    Examples
    --------
    >>> state = architecture_state("lenet5", detail=True)
    >>> state.has_paper_columns, state.summary.total_params
    (True, 60840)
    """
    summary = architectures.summary(name)
    vols = volumes(summary)
    boxes = layout(vols)
    has_paper = tuple(summary.paper_columns) != tuple(architectures.DEFAULT_COLUMNS)
    use_paper = as_bool(detail, "detail") and has_paper
    table = summary.to_html(summary.paper_columns if use_paper else None)
    return ArchitectureState(
        summary=summary,
        volumes=tuple(
            Volume(label, (int(s[0]), int(s[1]), int(s[2])), kind, *box) for (label, s, kind), box in zip(vols, boxes)
        ),
        has_paper_columns=has_paper,
        detail=use_paper,
        table=table,
    )


# -- the scene: everything the page draws and writes ---------------------------------------------
#: The colour of each kind of layer, and the legend's entries.
COLOURS = {
    "input": PALETTE["grey"],
    "conv": PALETTE["blue"],
    "subsample": PALETTE["orange"],
    "maxpool": PALETTE["orange"],
    "avgpool": PALETTE["orange"],
    "inception": PALETTE["green"],
    "dense": PALETTE["purple"],
    "rbf": PALETTE["purple"],
}
LEGEND = (
    ("input", N_("input")),
    ("conv", N_("convolution")),
    ("maxpool", N_("pooling / subsampling")),
    ("inception", N_("inception module")),
    ("dense", N_("fully connected")),
)

SCENE_TEXT = TranslatedText(
    {
        "diagram_title": N_("{title}: height ∝ H, width ∝ log₂ D"),
        "diagram_label": N_(
            "The volumes of {title}, one box per layer output from the input to the output: "
            "height proportional to the side H, width growing with log₂ of the depth D."
        ),
        "line_network": N_("<div><b>{title}</b>: {depth} layers with weights, input {shape} → output {out}</div>"),
        "line_totals": N_("<div>parameters: <b>{params}</b>; multiply-adds: <b>{macs}</b></div>"),
        "line_totals_trainable": N_(
            "<div>parameters: <b>{params}</b> ({trainable} trainable); multiply-adds: <b>{macs}</b></div>"
        ),
        # {share} carries its own "%" (a "%" in a message reads as an old-style format to gettext's tools)
        "line_largest": N_("<div>largest layer: {name}, {params} parameters ({share} of all)</div>"),
        "line_paper": N_("<div>The table shows the paper's own columns.</div>"),
    }
)


class ArchitectureScene(TypedDict):
    """The JSON the page draws and writes (read by the explorer's file in :file:`widgets/js`).

    Parameters
    ----------
    title : str
    label : str
    legend : list[dict[str, str]]
    extent : float
    tallest : float
    boxes : list[dict[str, Any]]
    readout : str

    Examples
    --------
    >>> "readout" in ArchitectureScene.__annotations__
    True
    """

    title: str
    label: str
    legend: list[dict[str, str]]
    extent: float
    tallest: float
    boxes: list[dict[str, Any]]
    readout: str


def architecture_scene(state: ArchitectureState) -> ArchitectureScene:
    """What the explorer draws and writes for ``state`` (JSON; see :class:`ArchitectureScene`).

    Parameters
    ----------
    state : ArchitectureState

    Returns
    -------
    ArchitectureScene

    Examples
    --------
    >>> architecture_scene(architecture_state("lenet5"))["title"]
    'LeNet-5 (LeCun et al. 1998): height ∝ H, width ∝ log₂ D'
    """
    s = state.summary
    largest = s.largest
    totals = SCENE_TEXT["line_totals_trainable"] if s.trainable_params != s.total_params else SCENE_TEXT["line_totals"]
    readout = (
        SCENE_TEXT["line_network"].format(
            title=html.escape(option_label(s.key)),
            depth=s.depth,
            shape=shape_text(s.input_shape),
            out=shape_text(s.output_shape),
        )
        + totals.format(params=f"{s.total_params:,}", trainable=f"{s.trainable_params:,}", macs=f"{s.total_macs:,}")
        + SCENE_TEXT["line_largest"].format(
            name=html.escape(largest.name),
            params=f"{largest.params:,}",
            share=f"{100.0 * largest.params / s.total_params:.0f} %",
        )
        + (SCENE_TEXT["line_paper"] if state.detail else "")
    )
    scene: ArchitectureScene = {
        "title": SCENE_TEXT["diagram_title"].format(title=option_label(s.key)),
        "label": SCENE_TEXT["diagram_label"].format(title=option_label(s.key)),
        "legend": [{"colour": COLOURS[kind], "text": _(text)} for kind, text in LEGEND],
        "extent": state.extent,
        "tallest": max(v.height for v in state.volumes),
        "boxes": [
            {
                "label": _(v.label),
                "shape": shape_text(v.shape),
                "colour": COLOURS[v.kind],
                "x": v.x,
                "width": v.width,
                "height": v.height,
            }
            for v in state.volumes
        ],
        "readout": readout,
    }
    return scene
