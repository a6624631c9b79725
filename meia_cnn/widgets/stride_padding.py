"""Stride, padding and dilation, in the manner of the convolution-arithmetic animations.

:class:`StridePaddingExplorer` draws, as Dumoulin & Visin (2016) do, the
input inside its zero padding (the zeros visibly different), the kernel's
taps at the current position (spread apart by dilation) and the output grid
filling in step by step; the readout writes the slides' equation (3) with
the current numbers, generalised to padding and dilation, and the output
size it gives, which is the size of the drawn grid.

Every number comes from :func:`meia_cnn.explain.stride_padding.stride_padding_state`;
this module binds the controls to it and turns it into the scene that
:file:`js/stride_padding.js` draws.  The steps are resolved in the browser.
"""

from __future__ import annotations

import html
from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np

from .. import arithmetic
from ..explain.stride_padding import StridePaddingState, input_values, stride_padding_state
from ..i18n import TranslatedText, labelled_options
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._explorer import PALETTE, Explorer, View, colours, format_number
from ._messages import Refusal

__all__ = ["StridePaddingExplorer", "input_values"]

#: Ranges of the controls.
INPUT_SIZES = (2, 9)
KERNEL_SIZES = (1, 5)
STRIDES = (1, 4)
PADS = (0, 4)
DILATIONS = (1, 3)
PADDINGS = ("valid", "same", "full", "number")
#: Grids larger than this are drawn without their numbers (they would not be legible).
MAX_NUMBERED = 13

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText({
    "title": N_("Stride, padding and dilation: the kernel's positions over the padded input"),
    "equation_line": N_("<div><b>Equation (3)</b>: {equation}</div>"),
    "no_fit": N_("The kernel does not fit: a {k}×{k} kernel is larger than the {p}×{p} padded input. "
               "Choose a smaller kernel, a larger input, or add zeros with the padding."),
    "no_fit_dilated": N_("The kernel does not fit: {k}×{k} taps {d} cells apart span {span} cells, but the "
                       "padded input is only {p} cells wide. Choose a smaller kernel or dilation, a "
                       "larger input, or add zeros with the padding."),
    "no_padding_choice": N_("Choose a padding: valid, same, full or a number of zeros."),
    "input_title": N_("input {i}×{i} + zeros ({pad}) = {h}×{h}"),
    "output_title": N_("output G {g}×{g}"),
    "step_title": N_("{title}   (step {n} of {total})"),
    "input_label": N_("Padded input, {h} by {h} cells: the {i} by {i} input in blue inside {zeros}; "
                    "the kernel's {k} by {k} taps in orange."),
    "output_label": N_("Output G, {g} by {g} cells, filled up to the current step."),
    "equation": N_("G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = "
                 "⌊({i} + {p} − {dk} − 1)/{s}⌋ + 1 = {g}"),
    "slides": N_("<div>With no padding and no dilation this is the slides' equation (3): "
               "G_w = ⌊(I_w − K_w)/s⌋ + 1 = ⌊({i} − {k})/{s}⌋ + 1 = {g}</div>"),
    "rule_valid": N_("valid: no zeros"),
    "rule_same": N_("same: zeros so that G = ⌈I/s⌉ = ⌈{i}/{s}⌉ = {ceil} "
                  "(any extra zero goes to the bottom/right)"),
    "rule_full": N_("full: K_eff − 1 = {z} zeros on each side"),
    "rule_number_one": N_("1 zero on every side"),
    "rule_number": N_("{n} zeros on every side"),
    "padding_line": N_("<div>Padding {rule}: top {top}, bottom {bottom} → p_total = {p}; "
                     "dilation {d}: the {k}×{k} kernel spans d·(K − 1) + 1 = {span} cells.</div>"),
    "output_line": N_("<div>Output: <b>{g} × {g}</b> (the same for the height).</div>"),
    "step_line": N_("<div>Step {n} of {total}: output G[{i}, {j}] takes the kernel at rows {r0}…{r1}, "
                  "columns {c0}…{c1} of the padded input; here the kernel is all ones, so "
                  "G[{i}, {j}] = <b>{v}</b>, the sum under its taps.</div>"),
    "no_pad": N_("no padding"),
    "pad_same": "p = {p}",
    "pad_pair": "p = ({a}, {b})",
})


class StridePaddingView(View):
    """The drawing of :class:`StridePaddingExplorer` (:file:`js/stride_padding.js`)."""

    _esm = esm("stride_padding.js")


def _fit_message(i: int, k: int, d: int, padded: int) -> str:
    span = d * (k - 1) + 1
    if d > 1:
        return TEXT["no_fit_dilated"].format(k=k, d=d, span=span, p=padded)
    return TEXT["no_fit"].format(k=k, p=padded)


class StridePaddingExplorer(Explorer):
    """Equation (3) drawn: input, padding, kernel taps, stride, dilation and output.

    Parameters
    ----------
    input_size : int
        ``I``, from 2 to 9 (square input).
    kernel_size : int
        ``K``, from 1 to 5.
    stride : int
        ``s``, from 1 to 4.
    padding : {'valid', 'same', 'full'} or int
        An int ``p`` (0 to 4) puts ``p`` zeros on every side.
    dilation : int
        ``d``, from 1 to 3: the taps are ``d`` cells apart.

    Attributes
    ----------
    controls : dict
        ``"input_size"``, ``"kernel_size"``, ``"stride"``, ``"padding"``, ``"pad"``,
        ``"dilation"``, ``"step"``, ``"play"``.
    state : StridePaddingState
        The numbers drawn, from :func:`meia_cnn.explain.stride_padding.stride_padding_state`.

    Examples
    --------
    >>> viz = StridePaddingExplorer(5, 3, stride=2)
    >>> viz.output_shape
    (2, 2)
    >>> print(viz.equation)
    G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = ⌊(5 + 0 − 2 − 1)/2⌋ + 1 = 2
    >>> viz.controls["kernel_size"].value = 5
    >>> viz.controls["input_size"].value = 4
    >>> viz.error
    'The kernel does not fit: a 5×5 kernel is larger than the 4×4 padded input. Choose a smaller kernel, a larger input, or add zeros with the padding.'
    >>> viz.output_shape  # the last good state stays
    (1, 1)
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = StridePaddingView
    title: ClassVar[str] = TEXT.english("title")

    def __init__(self, input_size: int = 5, kernel_size: int = 3, stride: int = 1,
                 padding: str | int = "valid", dilation: int = 1) -> None:
        if isinstance(padding, str):
            if padding not in ("valid", "same", "full"):
                raise ValueError(f"`padding` must be 'valid', 'same', 'full' or an int, got {padding!r}")
            mode, pad = padding, 1
        else:
            mode, pad = "number", padding
        values = dict(input_size=(input_size, INPUT_SIZES), kernel_size=(kernel_size, KERNEL_SIZES),
                      stride=(stride, STRIDES), pad=(pad, PADS), dilation=(dilation, DILATIONS))
        for name, (value, (lo, hi)) in values.items():
            shown = "padding" if name == "pad" else name
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"`{shown}` must be an int, got {value!r}")
            if not lo <= value <= hi:
                raise ValueError(f"`{shown}` must be between {lo} and {hi} here, got {value}")
        arithmetic.output_size(input_size, kernel_size, stride=stride,
                               padding=pad if mode == "number" else mode,
                               dilation=dilation)  # the core's own check of the combination
        super().__init__()
        c = self.controls
        c["input_size"] = _int_slider(int(input_size), *INPUT_SIZES, _("Input size I"))
        c["kernel_size"] = _int_slider(int(kernel_size), *KERNEL_SIZES, _("Kernel size K"))
        c["stride"] = _int_slider(int(stride), *STRIDES, _("Stride s"))
        c["padding"] = widgets.Dropdown(options=labelled_options(PADDINGS), value=mode, description=_("Padding"),
                                        layout=widgets.Layout(width="260px"))
        c["pad"] = _int_slider(int(pad), *PADS, _("Zeros p"), width="220px")
        c["dilation"] = _int_slider(int(dilation), *DILATIONS, _("Dilation d"))
        c["step"], c["play"] = self._step_controls(interval=600)
        self._layout(
            widgets.HBox([c["input_size"], c["kernel_size"], c["stride"]]),
            widgets.HBox([c["padding"], c["pad"], c["dilation"]]),
            widgets.HBox([c["play"], c["step"]]),
        )
        self._listen()

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> StridePaddingState:
        c = self.controls
        mode = c["padding"].value
        if mode not in PADDINGS:
            raise Refusal(TEXT["no_padding_choice"])
        values = {}
        for name, (lo, hi) in (("input_size", INPUT_SIZES), ("kernel_size", KERNEL_SIZES),
                               ("stride", STRIDES), ("dilation", DILATIONS), ("pad", PADS)):
            v = c[name].value
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise Refusal(f"{c[name].description} must be a whole number from {lo} to {hi}.")
            values[name] = int(v)
        i, k, s, d, p = (values[n] for n in ("input_size", "kernel_size", "stride", "dilation", "pad"))
        padding: str | int = p if mode == "number" else mode
        if mode in ("valid", "number"):
            padded = i + (2 * p if mode == "number" else 0)
            if d * (k - 1) + 1 > padded:
                raise Refusal(_fit_message(i, k, d, padded))
        return stride_padding_state(i, k, stride=s, padding=padding, dilation=d)

    def _after_publish(self) -> None:
        self.controls["pad"].disabled = self.controls["padding"].value != "number"

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: StridePaddingState) -> tuple[dict, dict]:
        i, k, s, d = state.input_size, state.kernel_size, state.stride, state.dilation
        g, h = state.output_size, state.padded_size
        (top, bottom), (left, right) = state.pads
        is_input = np.zeros(state.padded.shape)
        is_input[top:top + i, left:left + i] = 1
        cell_colours = [[PALETTE["sky"] if v else PALETTE["light"] for v in row] for row in is_input]
        numbered_in = h <= MAX_NUMBERED
        numbered_out = g <= MAX_NUMBERED
        pad_text = TEXT["no_pad"] if not (top or bottom or left or right) else (
            TEXT["pad_same"].format(p=top) if len({top, bottom, left, right}) == 1
            else TEXT["pad_pair"].format(a=top, b=bottom))
        zeros = _("no zeros") if pad_text == TEXT["no_pad"] else _("a border of zeros in grey")
        offsets = (state.steps[0].taps - np.array(state.steps[0].origin)).tolist()
        steps = []
        for n, st in enumerate(state.steps):
            r, c = st.position
            r0, c0 = st.origin
            steps.append({
                "origin": [r0, c0], "cell": [r, c],
                "readout": TEXT["step_line"].format(
                    n=n + 1, total=len(state.steps), i=r, j=c, r0=r0, r1=r0 + state.effective_kernel - 1,
                    c0=c0, c1=c0 + state.effective_kernel - 1, v=format_number(st.value)),
            })
        scene = {
            "input": {
                "rows": h, "cols": h, "colours": cell_colours,
                "labels": [[format_number(v) for v in row] for row in state.padded] if numbered_in else None,
                "title": TEXT["input_title"].format(i=i, pad=pad_text, h=h),
                "label": TEXT["input_label"].format(h=h, i=i, k=k, zeros=zeros),
            },
            "output": {
                "rows": g, "cols": g, "colours": colours(state.output, cmap="cividis"),
                "labels": [[format_number(v) for v in row] for row in state.output] if numbered_out else None,
                "title": TEXT["output_title"].format(g=g),
                "step_title": TEXT["step_title"],
                "label": TEXT["output_label"].format(g=g),
            },
            "kernel": {"size": k, "span": state.effective_kernel, "offsets": offsets},
            "steps": steps,
            "readout": self._readout(state),
        }
        return scene, {}

    def _readout(self, state: StridePaddingState) -> str:
        i, k, s, d, g = (state.input_size, state.kernel_size, state.stride, state.dilation,
                         state.output_size)
        (top, bottom), _ = state.pads
        p_total = state.p_total
        mode = state.padding if isinstance(state.padding, str) else "number"
        rules = {
            "valid": TEXT["rule_valid"],
            "same": TEXT["rule_same"].format(i=i, s=s, ceil=-(-i // s)),
            "full": TEXT["rule_full"].format(z=state.effective_kernel - 1),
            "number": (TEXT["rule_number_one"] if state.padding == 1
                       else TEXT["rule_number"].format(n=state.padding)),
        }
        slides = TEXT["slides"].format(i=i, k=k, s=s, g=g) if p_total == 0 and d == 1 else ""
        return (
            TEXT["equation_line"].format(equation=html.escape(_equation(state)))
            + slides
            + TEXT["padding_line"].format(rule=rules[mode], top=top, bottom=bottom, p=p_total, d=d, k=k,
                                          span=state.effective_kernel)
            + TEXT["output_line"].format(g=g)
        )

    # -- numbers of the current step, for instructors and tests ------------------------
    @property
    def output_shape(self) -> tuple[int, int]:
        """``(H', W')``: the shape of the output grid drawn (from equation (3))."""
        return self.state.output_shape

    @property
    def padded(self) -> np.ndarray:
        """The padded input drawn (zeros around the input)."""
        return self.state.padded.copy()

    @property
    def pads(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Zeros on each side: ``((top, bottom), (left, right))``."""
        return self.state.pads

    @property
    def output(self) -> np.ndarray:
        """The output values (kernel of ones: each is the sum under the taps)."""
        return self.state.output.copy()

    def _current(self) -> Any:
        steps = self.state.steps
        return steps[min(self.step, len(steps) - 1)]

    @property
    def position(self) -> tuple[int, int]:
        """``(i, j)`` of the output cell at the current step."""
        return self._current().position

    @property
    def taps(self) -> np.ndarray:
        """``(row, col)`` of every kernel tap in the padded input, at the current step."""
        return self._current().taps.copy()

    @property
    def equation(self) -> str:
        """Equation (3) with the current numbers, as written in the readout."""
        return _equation(self.state)


def _equation(st: StridePaddingState) -> str:
    return TEXT["equation"].format(i=st.input_size, p=st.p_total, dk=st.dilation * (st.kernel_size - 1),
                                   s=st.stride, g=st.output_size)


def _int_slider(value: int, lo: int, hi: int, description: str, *, width: str = "260px") -> widgets.IntSlider:
    """An IntSlider with a readable label that updates while dragged."""
    return widgets.IntSlider(value=value, min=lo, max=hi, step=1, description=description,
                             continuous_update=True, style={"description_width": "initial"},
                             layout=widgets.Layout(width=width, max_width="100%"))
