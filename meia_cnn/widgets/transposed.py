"""Transposed convolution, in the manner of the convolution-arithmetic animations.

:class:`TransposedConvExplorer` draws, as Dumoulin & Visin (2016) do in
their section 4, the input's pixels spread ``s - 1`` zeros apart inside a
border of ``d (k - 1) - p`` zeros (the inserted zeros, the border and the
output padding visibly different), the kernel rotated by 180 degrees
sweeping that stretched input with stride 1, and the output filling in step
by step; the readout writes the output-size formula with the current
numbers and, at each step, the products that make the output value.

Every number comes from
:func:`meia_cnn.explain.transposed.transposed_conv_state`; this module binds
the controls to it and turns it into the scene that :file:`js/transposed.js`
draws.  The steps are resolved in the browser.
"""

from __future__ import annotations

import html
from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np

from ..explain.transposed import (
    INPUT_PIXEL,
    INSERTED_ZERO,
    OUTPUT_PADDING_ZERO,
    PADDING_ZERO,
    TransposedConvState,
    transposed_conv_problem,
    transposed_conv_state,
)
from ..i18n import TranslatedText
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._explorer import PALETTE, Explorer, View, colours, format_number
from ._messages import Refusal

__all__ = ["TransposedConvExplorer"]

#: Ranges of the controls.
INPUT_SIZES = (1, 5)
KERNEL_SIZES = (1, 4)
STRIDES = (1, 3)
PADS = (0, 3)
OUTPUT_PADS = (0, 2)
DILATIONS = (1, 3)
#: Grids larger than this are drawn without their numbers (they would not be legible).
MAX_NUMBERED = 15

#: Cell colours of the stretched input, by kind (colour-blind safe; the kinds differ in lightness too).
KIND_COLOURS = {
    INPUT_PIXEL: PALETTE["sky"],
    INSERTED_ZERO: PALETTE["light"],
    PADDING_ZERO: "#ffffff",
    OUTPUT_PADDING_ZERO: PALETTE["yellow"],
}

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText({
    "title": N_("Transposed convolution: the flipped kernel sweeping the stretched input"),
    "range": N_("{name} must be a whole number from {lo} to {hi}."),
    "stretched_title": N_("stretched input {n}×{n}"),
    "kernel_title": N_("kernel K"),
    "flipped_title": N_("K rotated 180°"),
    "output_title": N_("output y {o}×{o}"),
    "step_title": N_("{title}   (step {n} of {total})"),
    "stretched_label": N_("Stretched input, {n} by {n} cells: the {i} by {i} input in blue, {s_minus_1} zeros "
                        "inserted between its pixels in grey, a border of zeros in white{extra}; the flipped "
                        "kernel's {k} by {k} taps in orange."),
    "output_padding_label": N_(", the output padding in yellow"),
    "kernel_label": N_("The kernel K, {k} by {k}, and the same kernel rotated by 180 degrees as it is slid."),
    "output_label": N_("Output y, {o} by {o} cells, filled up to the current step."),
    "formula": N_("<div><b>Output size</b>: {formula}</div>"),
    "stretch_line": N_("<div>Stride s = {s}: {s_minus_1} zero{plural} between neighbouring input pixels. "
                     "Border: d·(k − 1) − p = {d}·({k} − 1) − {p} = {border} {border_words}{extra}.</div>"),
    "border_zeros": N_("zeros on each side"),
    "border_cut": N_("(negative: that many rows and columns of the spread input are cut off)"),
    "extra_line": N_("; output padding a = {a}: {a} more at the bottom and the right"),
    "legend": N_("<div>Blue: the input's pixels; grey: zeros inserted between them; white: the border's zeros"
               "{yellow}. The kernel, rotated by 180°, slides over it with stride 1.</div>"),
    "legend_yellow": N_("; yellow: the output padding"),
    "step_line": "<div>{text}</div>",
})


class TransposedConvView(View):
    """The drawing of :class:`TransposedConvExplorer` (:file:`js/transposed.js`)."""

    _esm = esm("transposed.js")


def _int_slider(value: int, lo: int, hi: int, description: str, *, width: str = "250px") -> widgets.IntSlider:
    """An IntSlider with a readable label that updates while dragged."""
    return widgets.IntSlider(value=value, min=lo, max=hi, step=1, description=description,
                             continuous_update=True, style={"description_width": "initial"},
                             layout=widgets.Layout(width=width, max_width="100%"))


_CONTROLS = (
    # name, range, label
    ("input_size", INPUT_SIZES, N_("Input size i")),
    ("kernel_size", KERNEL_SIZES, N_("Kernel size k")),
    ("stride", STRIDES, N_("Stride s")),
    ("padding", PADS, N_("Padding p")),
    ("output_padding", OUTPUT_PADS, N_("Output padding a")),
    ("dilation", DILATIONS, N_("Dilation d")),
)


class TransposedConvExplorer(Explorer):
    """A transposed convolution drawn as the guide draws it: stretched input, flipped kernel, output.

    Parameters
    ----------
    input_size : int
        ``i``, from 1 to 5 (square input of small numbers).
    kernel_size : int
        ``k``, from 1 to 4 (square kernel of 1, 2, 3).
    stride : int
        ``s``, from 1 to 3: ``s - 1`` zeros go between the input's pixels.
    padding : int
        ``p``, from 0 to 3: rows and columns removed from each side of the output.
    output_padding : int
        ``a``, from 0 to 2 and smaller than ``max(s, d)``.
    dilation : int
        ``d``, from 1 to 3: the kernel's taps are ``d`` cells apart.

    Attributes
    ----------
    controls : dict
        ``"input_size"``, ``"kernel_size"``, ``"stride"``, ``"padding"``,
        ``"output_padding"``, ``"dilation"``, ``"step"``, ``"play"``.
    state : TransposedConvState
        The numbers drawn, from :func:`meia_cnn.explain.transposed.transposed_conv_state`.

    Examples
    --------
    >>> viz = TransposedConvExplorer(2, 3, stride=2)
    >>> viz.output_shape
    (5, 5)
    >>> print(viz.formula)
    o = s·(i − 1) + d·(k − 1) + 1 − 2p + a = 2·(2 − 1) + 1·(3 − 1) + 1 − 2·0 + 0 = 5
    >>> viz.controls["output_padding"].value = 2
    >>> viz.error
    'The output padding a = 2 must be smaller than the stride or the dilation (here at most 1): a larger one would add rows that no input pixel reaches.'
    >>> viz.output_shape  # the last good state stays
    (5, 5)
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = TransposedConvView
    title: ClassVar[str] = TEXT.english("title")

    def __init__(self, input_size: int = 3, kernel_size: int = 3, stride: int = 2, padding: int = 0,
                 output_padding: int = 0, dilation: int = 1) -> None:
        given = dict(input_size=input_size, kernel_size=kernel_size, stride=stride, padding=padding,
                     output_padding=output_padding, dilation=dilation)
        for name, (lo, hi), _label in _CONTROLS:
            value = given[name]
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"`{name}` must be an int, got {value!r}")
            if not lo <= value <= hi:
                raise ValueError(f"`{name}` must be between {lo} and {hi} here, got {value}")
        transposed_conv_state(**given)  # the core's own check of the combination
        super().__init__()
        c = self.controls
        for name, (lo, hi), label in _CONTROLS:
            c[name] = _int_slider(int(given[name]), lo, hi, _(label))
        c["step"], c["play"] = self._step_controls(interval=600)
        self._layout(
            widgets.HBox([c["input_size"], c["kernel_size"], c["stride"]]),
            widgets.HBox([c["padding"], c["output_padding"], c["dilation"]]),
            widgets.HBox([c["play"], c["step"]]),
        )
        self._listen()

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> TransposedConvState:
        values = {}
        for name, (lo, hi), label in _CONTROLS:
            v = self.controls[name].value
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise Refusal(TEXT["range"].format(name=label, lo=lo, hi=hi))
            values[name] = int(v)
        problem = transposed_conv_problem(**values)
        if problem is not None:
            raise Refusal(problem)
        return transposed_conv_state(**values)

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: TransposedConvState) -> tuple[dict, dict]:
        i, k, s, a = state.input_size, state.kernel_size, state.stride, state.output_padding
        n, o = state.stretched_size, state.output_size
        cell_colours = [[KIND_COLOURS[int(kind)] for kind in row] for row in state.kinds]
        extra = TEXT["output_padding_label"] if a else ""
        offsets = (state.steps[0].taps - np.array(state.steps[0].position)).tolist()
        kernel_colours = colours(state.kernel, cmap="Oranges", vmin=0.0, vmax=4.0)
        steps = [{"origin": list(st.position), "cell": list(st.position),
                  "readout": TEXT["step_line"].format(text=html.escape(st.text))} for st in state.steps]
        scene = {
            "stretched": {
                "rows": n, "cols": n, "colours": cell_colours,
                "labels": ([[format_number(v) for v in row] for row in state.stretched]
                           if n <= MAX_NUMBERED else None),
                "title": TEXT["stretched_title"].format(n=n),
                "label": TEXT["stretched_label"].format(n=n, i=i, s_minus_1=s - 1, k=k, extra=extra),
            },
            "kernel": {
                "size": k, "span": state.effective_kernel, "offsets": offsets,
                "colours": kernel_colours,
                "labels": [[format_number(v) for v in row] for row in state.kernel],
                "flipped_colours": [row[::-1] for row in kernel_colours[::-1]],
                "flipped_labels": [[format_number(v) for v in row] for row in state.flipped_kernel],
                "title": TEXT["kernel_title"], "flipped_title": TEXT["flipped_title"],
                "label": TEXT["kernel_label"].format(k=k),
            },
            "output": {
                "rows": o, "cols": o, "colours": colours(state.output, cmap="cividis"),
                "labels": ([[format_number(v) for v in row] for row in state.output]
                           if o <= MAX_NUMBERED else None),
                "title": TEXT["output_title"].format(o=o),
                "step_title": TEXT["step_title"],
                "label": TEXT["output_label"].format(o=o),
            },
            "steps": steps,
            "readout": self._readout(state),
        }
        return scene, {}

    def _readout(self, state: TransposedConvState) -> str:
        s, k, p, d, a = state.stride, state.kernel_size, state.padding, state.dilation, state.output_padding
        border = state.border
        return (
            TEXT["formula"].format(formula=html.escape(state.formula))
            + TEXT["stretch_line"].format(
                s=s, s_minus_1=s - 1, plural="" if s - 1 == 1 else "s", d=d, k=k, p=p, border=border,
                border_words=TEXT["border_zeros"] if border >= 0 else TEXT["border_cut"],
                extra=TEXT["extra_line"].format(a=a) if a else "")
            + TEXT["legend"].format(yellow=TEXT["legend_yellow"] if a else "")
        )

    # -- numbers of the current step, for instructors and tests ------------------------
    @property
    def output_shape(self) -> tuple[int, int]:
        """``(o, o)``: the shape of the output grid drawn."""
        return self.state.output_shape

    @property
    def output(self) -> np.ndarray:
        """The output values (the transposed convolution of the input drawn)."""
        return self.state.output.copy()

    @property
    def stretched(self) -> np.ndarray:
        """The stretched input drawn."""
        return self.state.stretched.copy()

    @property
    def formula(self) -> str:
        """The output-size formula with the current numbers, as the readout writes it."""
        return str(self.state.formula)

    def _current(self) -> Any:
        steps = self.state.steps
        return steps[min(self.step, len(steps) - 1)]

    @property
    def position(self) -> tuple[int, int]:
        """``(r, c)`` of the output cell at the current step."""
        return tuple(self._current().position)

    @property
    def taps(self) -> np.ndarray:
        """``(row, col)`` of every tap of the flipped kernel in the stretched input, at the current step."""
        return self._current().taps.copy()
