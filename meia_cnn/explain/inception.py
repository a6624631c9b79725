"""The inception module: four branches side by side, concatenated along depth.

:func:`inception_state` gives every number the inception explorer shows:
each branch's shape, parameters and multiply-adds with the 1x1 reductions
and without them (the paper's naive module), the concatenated depth and what
the reductions save, all from :func:`meia_cnn.arithmetic.inception_cost`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from .. import arithmetic
from .._validation import as_int
from ..i18n import TranslatedText, format_count, gettext
from ..i18n import gettext_noop as N_
from ._render import PALETTE

__all__ = [
    "COUNTS",
    "BRANCH_NAMES",
    "BRANCH_COLOURS",
    "InceptionScene",
    "InceptionState",
    "inception_scene",
    "inception_state",
]

#: The filter counts of a module, in the order of :func:`meia_cnn.arithmetic.inception_cost`.
COUNTS = ("n1x1", "n3x3_reduce", "n3x3", "n5x5_reduce", "n5x5", "pool_proj")


@dataclass(frozen=True, eq=False)
class InceptionState:
    """An inception module's shapes and costs, with and without the 1x1 reductions.

    Attributes
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)``.
    counts : dict of str to int
        The filter counts, named as :data:`COUNTS`.
    cost, naive : dict
        :func:`~meia_cnn.arithmetic.inception_cost` with ``reduce=True`` and ``reduce=False``.
    wide : tuple of str
        The reductions (``"n3x3_reduce"``, ``"n5x5_reduce"``) with at least as many
        filters as input channels: they do not reduce.

    Examples
    --------
    >>> state = inception_state((28, 28, 192), 64, 96, 128, 16, 32, 32)
    >>> state.depths, state.output_shape, state.naive_depths
    ((64, 128, 32, 32), (28, 28, 256), (64, 128, 32, 192))
    """

    input_shape: tuple[int, int, int]
    counts: dict[str, int]
    cost: dict[str, Any]
    naive: dict[str, Any]
    wide: tuple[str, ...]

    @property
    def depths(self) -> tuple[int, ...]:
        """Depth of each branch's output, concatenated in this order."""
        return tuple(int(b["output_shape"][2]) for b in self.cost["branches"])

    @property
    def naive_depths(self) -> tuple[int, ...]:
        """The same for the naive module (the pooling branch keeps the input's depth)."""
        return tuple(int(b["output_shape"][2]) for b in self.naive["branches"])

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """``(H, W, sum of the depths)``."""
        h, w, d = self.cost["output_shape"]
        return (int(h), int(w), int(d))

    @property
    def saved(self) -> dict[str, float]:
        """The fraction of parameters and multiply-adds the reductions save (negative: they cost more)."""
        return {what: 1.0 - self.cost[what] / self.naive[what] for what in ("params", "macs")}


def inception_state(
    input_shape: tuple[int, int, int],
    n1x1: int,
    n3x3_reduce: int,
    n3x3: int,
    n5x5_reduce: int,
    n5x5: int,
    pool_proj: int,
) -> InceptionState:
    """Shapes and costs of an inception module, with and without its 1x1 reductions.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)`` of the previous layer.
    n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj : int
        The filter counts, as in GoogLeNet's Table 1.

    Returns
    -------
    InceptionState

    Examples
    --------
    >>> state = inception_state((28, 28, 192), 64, 96, 128, 16, 32, 32)
    >>> state.cost["params"], state.naive["params"], round(state.saved["params"], 3)
    (163696, 387296, 0.577)
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"`input_shape` must be (H, W, C), got {input_shape!r}")
    h, w, c = (as_int(v, "input_shape") for v in input_shape)
    counts = {name: as_int(v, name) for name, v in zip(COUNTS, (n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj))}
    n1, r3, n3, r5, n5, proj = (counts[name] for name in COUNTS)
    cost = arithmetic.inception_cost((h, w, c), n1, r3, n3, r5, n5, proj)
    naive = arithmetic.inception_cost((h, w, c), n1, r3, n3, r5, n5, proj, reduce=False)
    wide = tuple(name for name in ("n3x3_reduce", "n5x5_reduce") if counts[name] >= c)
    return InceptionState(input_shape=(h, w, c), counts=counts, cost=cost, naive=naive, wide=wide)


# -- the scene: everything the page draws and writes ---------------------------------------------


#: The branches' names and colours (colour-blind safe).
#: The names are the English messages; the scene shows them translated.
BRANCH_NAMES = ("1×1", "1×1 → 3×3", "1×1 → 5×5", N_("pool → 1×1"))
BRANCH_COLOURS = (PALETTE["yellow"], PALETTE["sky"], PALETTE["orange"], PALETTE["purple"])

SCENE_TEXT = TranslatedText(
    {
        "head": N_("Inception module: {h}×{w}×{c} → {h}×{w}×{d}   (naive module: {h}×{w}×{nd})"),
        "previous": N_("previous layer"),
        "conv": N_("{k}×{k} conv, {n}"),
        "pool": N_("3×3 max pool"),
        "shape": "{h}×{w}×{d}",
        "concat": N_("filter concatenation {h}×{w}×{d}   ({sum} = {d})"),
        "diagram_label": N_(
            "The inception module: the previous layer {h} by {w} by {c} feeds four branches whose "
            "outputs are concatenated into {h} by {w} by {d}."
        ),
        "params": N_("parameters"),
        "macs": N_("multiply-adds"),
        "with": N_("with 1×1 reductions: {total}"),
        "without": N_("without (naive): {total}  ×{ratio}"),
        "bars_label": N_("Parameters and multiply-adds with and without the 1×1 reductions, each bar split by branch."),
        "branch_line": N_("{name}: {shape}, {params} parameters, {macs} multiply-adds"),
        "line_module": N_("<div><b>Inception module</b> on {h}×{w}×{c}: {branches}.</div>"),
        "line_depth": N_("<div>Output depth = {sum} = <b>{d}</b> → output {h}×{w}×{d}.</div>"),
        "line_with": N_("<div>With the 1×1 reductions: <b>{params}</b> parameters, <b>{macs}</b> multiply-adds.</div>"),
        "line_without": N_(
            "<div>Without them (naive module: 3×3 and 5×5 on all {c} channels, pooled input kept, "
            "depth {sum} = {d}): {params} parameters, {macs} multiply-adds.</div>"
        ),
        "line_saves": N_("<div>The reductions save {p} of the parameters and {m} of the multiply-adds.</div>"),
        "line_costs": N_(
            "<div>Here the reductions cost more than they save (parameters {p}, multiply-adds {m}).</div>"
        ),
        "line_wide": N_(
            "<div>Note: a 1×1 'reduction' with at least as many filters as input channels does not "
            "reduce: {names}.</div>"
        ),
    }
)


class InceptionScene(TypedDict):
    """The JSON the page draws and writes (read by the explorer's file in :file:`widgets/js`).

    Parameters
    ----------
    head : str
    boxes : dict[str, list[str]]
    colours : list[str]
    segments : list[dict[str, Any]]
    diagram_label : str
    bars : dict[str, Any]
    bars_label : str
    readout : str

    Examples
    --------
    >>> "readout" in InceptionScene.__annotations__
    True
    """

    head: str
    boxes: dict[str, list[str]]
    colours: list[str]
    segments: list[dict[str, Any]]
    diagram_label: str
    bars: dict[str, Any]
    bars_label: str
    readout: str


def inception_scene(state: InceptionState) -> InceptionScene:
    """What the explorer draws and writes for ``state`` (JSON; see :class:`InceptionScene`).

    Parameters
    ----------
    state : InceptionState

    Returns
    -------
    InceptionScene

    Examples
    --------
    >>> scene = inception_scene(inception_state((28, 28, 192), 64, 96, 128, 16, 32, 32))
    >>> scene["head"]
    'Inception module: 28×28×192 → 28×28×256   (naive module: 28×28×416)'
    """
    h, w, c = state.input_shape
    n = state.counts
    cost, naive = state.cost, state.naive
    depths, naive_depths = state.depths, state.naive_depths
    d, nd = state.output_shape[2], naive["output_shape"][2]

    def shape(depth: int) -> str:
        return SCENE_TEXT["shape"].format(h=h, w=w, d=depth)

    def conv(k: int, name: str) -> list[str]:
        return [SCENE_TEXT["conv"].format(k=k, n=n[name]), shape(n[name])]

    plus = " + ".join(str(v) for v in depths)
    boxes = {
        "input": [SCENE_TEXT["previous"], shape(c)],
        "reduce3": conv(1, "n3x3_reduce"),
        "reduce5": conv(1, "n5x5_reduce"),
        "pool": [SCENE_TEXT["pool"], shape(c)],
        "conv1": conv(1, "n1x1"),
        "conv3": conv(3, "n3x3"),
        "conv5": conv(5, "n5x5"),
        "proj": conv(1, "pool_proj"),
        "concat": [SCENE_TEXT["concat"].format(h=h, w=w, d=d, sum=plus)],
    }
    bars = {}
    for what in ("params", "macs"):
        top = max(cost[what], naive[what])
        bars[what] = {
            "title": SCENE_TEXT[what],
            "rows": [
                {
                    "fractions": [b[what] / top for b in cost["branches"]],
                    "text": SCENE_TEXT["with"].format(total=format_count(cost[what])),
                },
                {
                    "fractions": [b[what] / top for b in naive["branches"]],
                    "text": SCENE_TEXT["without"].format(
                        total=format_count(naive[what]), ratio=f"{naive[what] / cost[what]:.2f}"
                    ),
                },
            ],
        }
    branches = "; ".join(
        SCENE_TEXT["branch_line"].format(
            name=name, shape=shape(b["output_shape"][2]), params=format_count(b["params"]), macs=format_count(b["macs"])
        )
        for name, b in zip(map(gettext, BRANCH_NAMES), cost["branches"])
    )
    saved = state.saved
    readout = (
        SCENE_TEXT["line_module"].format(h=h, w=w, c=c, branches=branches)
        + SCENE_TEXT["line_depth"].format(sum=plus, d=d, h=h, w=w)
        + SCENE_TEXT["line_with"].format(params=format_count(cost["params"]), macs=format_count(cost["macs"]))
        + SCENE_TEXT["line_without"].format(
            c=c,
            sum=" + ".join(str(v) for v in naive_depths),
            d=nd,
            params=format_count(naive["params"]),
            macs=format_count(naive["macs"]),
        )
    )
    if saved["params"] >= 0 and saved["macs"] >= 0:
        readout += SCENE_TEXT["line_saves"].format(p=f"{100 * saved['params']:.1f}%", m=f"{100 * saved['macs']:.1f}%")
    else:
        readout += SCENE_TEXT["line_costs"].format(
            p=f"{100 * -saved['params']:+.1f}%", m=f"{100 * -saved['macs']:+.1f}%"
        )
    if state.wide:
        readout += SCENE_TEXT["line_wide"].format(names=", ".join(f"{name} ({n[name]} ≥ {c})" for name in state.wide))
    scene: InceptionScene = {
        "head": SCENE_TEXT["head"].format(h=h, w=w, c=c, d=d, nd=nd),
        "boxes": boxes,
        "colours": list(BRANCH_COLOURS),
        "segments": [{"fraction": v / d, "text": str(v)} for v in depths],
        "diagram_label": SCENE_TEXT["diagram_label"].format(h=h, w=w, c=c, d=d),
        "bars": bars,
        "bars_label": SCENE_TEXT["bars_label"],
        "readout": readout,
    }
    return scene
