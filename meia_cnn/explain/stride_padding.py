"""Equation (3) at work: padding, stride and dilation, position by position.

:func:`stride_padding_state` gives every number the stride-and-padding
explorer shows for a square input of small numbers and a square kernel of
ones: the zeros added on each side, the padded input, the output (each value
the sum of the cells under the kernel's taps) and, for every output cell in
reading order, where the kernel's taps sit in the padded input.

The sizes come from :func:`meia_cnn.arithmetic.output_size` and
:func:`meia_cnn.arithmetic.padding_amounts`, the padded input from
:func:`meia_cnn.ops.pad` and the output from :func:`meia_cnn.ops.conv2d`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from .. import arithmetic, ops
from .._validation import check_steps
from ..i18n import TranslatedText, register_option_labels
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._frozen import frozen
from ._render import PALETTE, colours, format_number
from ._sweep import SquareOutput, small_numbers, sweep

__all__ = [
    "StridePaddingState",
    "StridePaddingStep",
    "StridePaddingScene",
    "input_values",
    "stride_padding_state",
    "stride_padding_scene",
    "fit_problem",
    "equation_text",
]

# What the explorer's padding menu shows: the three named paddings, or a number of zeros.
register_option_labels({"valid": N_("valid"), "same": N_("same"), "full": N_("full"), "number": N_("number")})


def input_values(size: int) -> NDArray:
    """The input drawn: small numbers 1..9 in reading order.

    Parameters
    ----------
    size : int
        The side of the square input.

    Returns
    -------
    (size, size) array

    Examples
    --------
    >>> input_values(3)
    array([[1., 2., 3.],
           [4., 5., 6.],
           [7., 8., 9.]])
    """
    return small_numbers(size, "size")


@dataclass(frozen=True)
class StridePaddingStep:
    """One position of the kernel.

    Attributes
    ----------
    position : (int, int)
        ``(i, j)``, the output cell computed at this step.
    origin : (int, int)
        Row and column, in the padded input, of the kernel's top-left tap.
    taps : (K*K, 2) array of int
        Row and column of every tap in the padded input (``d`` cells apart).
    value : float
        ``G[i, j]``: the sum of the padded input under the taps.

    Examples
    --------
    >>> stride_padding_state(3, 2).steps[1].origin
    (0, 1)
    """

    position: tuple[int, int]
    origin: tuple[int, int]
    taps: NDArray[np.int64]
    value: float


@dataclass(frozen=True, eq=False)
class StridePaddingState(SquareOutput):
    """Everything equation (3) gives for one setting, and every step.

    Attributes
    ----------
    input_size, kernel_size, stride, dilation : int
    padding : str or int
        As given: ``'valid'``, ``'same'``, ``'full'`` or zeros per side.
    pads : ((int, int), (int, int))
        Zeros added ``((top, bottom), (left, right))``.
    input : (I, I) array
    padded : (I + top + bottom, I + left + right) array
    output : (G, G) array
        Cross-correlation of the input with a ``K x K`` kernel of ones.
    output_size : int
        ``G``, from equation (3).
    effective_kernel : int
        ``d (K - 1) + 1``, the cells the dilated kernel spans.
    steps : tuple of StridePaddingStep
        One per output cell, in reading order.

    Examples
    --------
    >>> state = stride_padding_state(5, 3, stride=2)
    >>> state.output_shape, state.output_size, len(state.steps)
    ((2, 2), 2, 4)
    """

    input_size: int
    kernel_size: int
    stride: int
    padding: str | int
    dilation: int
    pads: tuple[tuple[int, int], tuple[int, int]]
    input: NDArray[np.float64]
    padded: NDArray[np.float64]
    output: NDArray[np.float64]
    output_size: int
    effective_kernel: int
    steps: tuple[StridePaddingStep, ...]

    @property
    def padded_size(self) -> int:
        """Side of the padded input (rows; the columns are the same for a square input)."""
        return int(self.padded.shape[0])

    @property
    def zeros(self) -> int:
        """The padding p in use: zeros before the input along a row (valid 0; 'same' puts an odd one after).

        Examples
        --------
        >>> [stride_padding_state(5, 5, padding=mode).zeros for mode in ("valid", "same", "full", 1)]
        [0, 2, 4, 1]
        """
        return int(self.pads[1][0])

    @property
    def p_total(self) -> int:
        """Zeros added along one axis: ``top + bottom``."""
        return int(sum(self.pads[0]))


def stride_padding_state(
    input_size: int, kernel_size: int, *, stride: int = 1, padding: str | int = "valid", dilation: int = 1
) -> StridePaddingState:
    """Every number of a ``kernel_size`` kernel sliding over an ``input_size`` input.

    Parameters
    ----------
    input_size : int
        ``I``: the side of the square input (its values are :func:`input_values`).
    kernel_size : int
        ``K``: the side of the square kernel (all ones).
    stride : int
        ``s``.
    padding : {'valid', 'same', 'full'} or int
        As :func:`meia_cnn.arithmetic.output_size` takes it (an int: zeros on every side).
    dilation : int
        ``d``: the taps are ``d`` cells apart.

    Returns
    -------
    StridePaddingState

    Raises
    ------
    ValueError
        From the core, when the (dilated) kernel is larger than the padded input.

    Examples
    --------
    >>> state = stride_padding_state(5, 3, padding="same")
    >>> state.pads, state.output_size
    (((1, 1), (1, 1)), 5)
    >>> state.steps[0].taps[:3].tolist()
    [[0, 0], [0, 1], [0, 2]]
    >>> float(state.output[0, 0]) == float(state.padded[:3, :3].sum())
    True
    """
    g = arithmetic.output_size(input_size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    check_steps(int(g) ** 2, 2 * int(kernel_size) ** 2, name="input_size", value=input_size)
    pads = arithmetic.padding_amounts(input_size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    i, k, s, d = (int(v) for v in (input_size, kernel_size, stride, dilation))
    x = input_values(i)
    padded = ops.pad(x, pads)
    output = ops.conv2d(x, np.ones((k, k)), stride=s, padding=pads, dilation=d)
    steps = [
        StridePaddingStep(position=(r, c), origin=origin, taps=frozen(taps, dtype=np.int64), value=float(output[r, c]))
        for (r, c), origin, taps in sweep(int(g), k, stride=s, dilation=d)
    ]
    pads_int = ((int(pads[0][0]), int(pads[0][1])), (int(pads[1][0]), int(pads[1][1])))
    return StridePaddingState(
        input_size=i,
        kernel_size=k,
        stride=s,
        padding=padding,
        dilation=d,
        pads=pads_int,
        input=frozen(x),
        padded=frozen(padded),
        output=frozen(output),
        output_size=int(g),
        effective_kernel=d * (k - 1) + 1,
        steps=tuple(steps),
    )


# -- the scene: everything the page draws and writes ---------------------------------------------
#: Grids larger than this are drawn without their numbers (they would not be legible).
MAX_NUMBERED = 13

SCENE_TEXT = TranslatedText(
    {
        "equation_line": N_("<div><b>Equation (3)</b>: {equation}</div>"),
        "no_fit": N_(
            "The kernel does not fit: a {k}×{k} kernel is larger than the {p}×{p} padded input. "
            "Choose a smaller kernel, a larger input, or add zeros with the padding."
        ),
        "no_fit_dilated": N_(
            "The kernel does not fit: {k}×{k} taps {d} cells apart span {span} cells, but the "
            "padded input is only {p} cells wide. Choose a smaller kernel or dilation, a "
            "larger input, or add zeros with the padding."
        ),
        "input_title": N_("input {i}×{i} + zeros ({pad}) = {h}×{h}"),
        "output_title": N_("output G {g}×{g}"),
        "step_title": N_("{title}   (step {n} of {total})"),
        "input_label": N_(
            "Padded input, {h} by {h} cells: the {i} by {i} input in blue inside {zeros}; "
            "the kernel's {k} by {k} taps in orange."
        ),
        "output_label": N_("Output G, {g} by {g} cells, filled up to the current step."),
        "equation": N_("G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = ⌊({i} + {p} − {dk} − 1)/{s}⌋ + 1 = {g}"),
        "slides": N_(
            "<div>With no padding and no dilation this is the slides' equation (3): "
            "G_w = ⌊(I_w − K_w)/s⌋ + 1 = ⌊({i} − {k})/{s}⌋ + 1 = {g}</div>"
        ),
        "rule_valid": N_("valid: no zeros"),
        "rule_same": N_("same: zeros so that G = ⌈I/s⌉ = ⌈{i}/{s}⌉ = {ceil} (any extra zero goes to the bottom/right)"),
        "rule_full": N_("full: K_eff − 1 = {z} zeros on each side"),
        "rule_number_one": N_("1 zero on every side"),
        "rule_number": N_("{n} zeros on every side"),
        "padding_line": N_(
            "<div>Padding {rule}: top {top}, bottom {bottom} → p_total = {p}; "
            "dilation {d}: the {k}×{k} kernel spans d·(K − 1) + 1 = {span} cells.</div>"
        ),
        "output_line": N_("<div>Output: <b>{g} × {g}</b> (the same for the height).</div>"),
        "step_line": N_(
            "<div>Step {n} of {total}: output G[{i}, {j}] takes the kernel at rows {r0}…{r1}, "
            "columns {c0}…{c1} of the padded input; here the kernel is all ones, so "
            "G[{i}, {j}] = <b>{v}</b>, the sum under its taps.</div>"
        ),
        "no_pad": N_("no padding"),
        "pad_same": "p = {p}",
        "pad_pair": "p = ({a}, {b})",
    }
)


class StridePaddingScene(TypedDict):
    """The JSON the page draws and writes (read by the explorer's file in :file:`widgets/js`).

    Parameters
    ----------
    input : dict[str, Any]
    output : dict[str, Any]
    kernel : dict[str, Any]
    steps : list[dict[str, Any]]
    readout : str

    Examples
    --------
    >>> "readout" in StridePaddingScene.__annotations__
    True
    """

    input: dict[str, Any]
    output: dict[str, Any]
    kernel: dict[str, Any]
    steps: list[dict[str, Any]]
    readout: str


def stride_padding_scene(state: StridePaddingState) -> StridePaddingScene:
    """What the explorer draws and writes for ``state`` (JSON; see :class:`StridePaddingScene`).

    Parameters
    ----------
    state : StridePaddingState

    Returns
    -------
    StridePaddingScene

    Examples
    --------
    >>> scene = stride_padding_scene(stride_padding_state(5, 3, stride=2))
    >>> scene["output"]["title"], len(scene["steps"])
    ('output G 2×2', 4)
    """
    i, k = state.input_size, state.kernel_size
    g, h = state.output_size, state.padded_size
    (top, bottom), (left, right) = state.pads
    is_input = np.zeros(state.padded.shape)
    is_input[top : top + i, left : left + i] = 1
    cell_colours = [[PALETTE["sky"] if v else PALETTE["light"] for v in row] for row in is_input]
    numbered_in = h <= MAX_NUMBERED
    numbered_out = g <= MAX_NUMBERED
    pad_text = (
        SCENE_TEXT["no_pad"]
        if not (top or bottom or left or right)
        else (
            SCENE_TEXT["pad_same"].format(p=top)
            if len({top, bottom, left, right}) == 1
            else SCENE_TEXT["pad_pair"].format(a=top, b=bottom)
        )
    )
    zeros = _("no zeros") if pad_text == SCENE_TEXT["no_pad"] else _("a border of zeros in grey")
    offsets = (state.steps[0].taps - np.array(state.steps[0].origin)).tolist()
    steps = []
    for n, st in enumerate(state.steps):
        r, c = st.position
        r0, c0 = st.origin
        steps.append(
            {
                "origin": [r0, c0],
                "cell": [r, c],
                "readout": SCENE_TEXT["step_line"].format(
                    n=n + 1,
                    total=len(state.steps),
                    i=r,
                    j=c,
                    r0=r0,
                    r1=r0 + state.effective_kernel - 1,
                    c0=c0,
                    c1=c0 + state.effective_kernel - 1,
                    v=format_number(st.value),
                ),
            }
        )
    scene: StridePaddingScene = {
        "input": {
            "rows": h,
            "cols": h,
            "colours": cell_colours,
            "labels": [[format_number(v) for v in row] for row in state.padded] if numbered_in else None,
            "title": SCENE_TEXT["input_title"].format(i=i, pad=pad_text, h=h),
            "label": SCENE_TEXT["input_label"].format(h=h, i=i, k=k, zeros=zeros),
        },
        "output": {
            "rows": g,
            "cols": g,
            "colours": colours(state.output, cmap="cividis"),
            "labels": [[format_number(v) for v in row] for row in state.output] if numbered_out else None,
            "title": SCENE_TEXT["output_title"].format(g=g),
            "step_title": SCENE_TEXT["step_title"],
            "label": SCENE_TEXT["output_label"].format(g=g),
        },
        "kernel": {"size": k, "span": state.effective_kernel, "offsets": offsets},
        "steps": steps,
        "readout": _readout(state),
    }
    return scene


def _readout(state: StridePaddingState) -> str:
    i, k, s, d, g = (state.input_size, state.kernel_size, state.stride, state.dilation, state.output_size)
    (top, bottom), _ = state.pads
    p_total = state.p_total
    mode = state.padding if isinstance(state.padding, str) else "number"
    rules = {
        "valid": SCENE_TEXT["rule_valid"],
        "same": SCENE_TEXT["rule_same"].format(i=i, s=s, ceil=-(-i // s)),
        "full": SCENE_TEXT["rule_full"].format(z=state.effective_kernel - 1),
        "number": (
            SCENE_TEXT["rule_number_one"] if state.padding == 1 else SCENE_TEXT["rule_number"].format(n=state.padding)
        ),
    }
    slides = SCENE_TEXT["slides"].format(i=i, k=k, s=s, g=g) if p_total == 0 and d == 1 else ""
    return (
        SCENE_TEXT["equation_line"].format(equation=html.escape(equation_text(state)))
        + slides
        + SCENE_TEXT["padding_line"].format(
            rule=rules[mode], top=top, bottom=bottom, p=p_total, d=d, k=k, span=state.effective_kernel
        )
        + SCENE_TEXT["output_line"].format(g=g)
    )


def fit_problem(i: int, k: int, d: int, padded: int) -> str:
    """Why a kernel of ``k`` taps ``d`` apart does not fit an input padded to ``padded`` cells, in words.

    Parameters
    ----------
    i, k, d : int
        Input size, kernel size and dilation.
    padded : int
        The padded input's side.

    Returns
    -------
    str

    Examples
    --------
    >>> fit_problem(4, 5, 1, 4)
    'The kernel does not fit: a 5×5 kernel is larger than the 4×4 padded input. Choose a smaller kernel, a larger input, or add zeros with the padding.'
    """
    span = d * (k - 1) + 1
    if d > 1:
        return SCENE_TEXT["no_fit_dilated"].format(k=k, d=d, span=span, p=padded)
    return SCENE_TEXT["no_fit"].format(k=k, p=padded)


def equation_text(st: StridePaddingState) -> str:
    """Equation (3) with the numbers of ``st``, as the readout writes it.

    Parameters
    ----------
    st : StridePaddingState

    Returns
    -------
    str

    Examples
    --------
    >>> equation_text(stride_padding_state(5, 3, stride=2))
    'G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = ⌊(5 + 0 − 2 − 1)/2⌋ + 1 = 2'
    """
    return SCENE_TEXT["equation"].format(
        i=st.input_size, p=st.p_total, dk=st.dilation * (st.kernel_size - 1), s=st.stride, g=st.output_size
    )
