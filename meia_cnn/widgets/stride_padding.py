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

from typing import ClassVar

import ipywidgets as widgets

from .. import arithmetic
from ..explain.stride_padding import (
    StridePaddingState,
    fit_problem,
    input_values,
    stride_padding_scene,
    stride_padding_state,
)
from ..i18n import TranslatedText
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control, narrowed, read_controls
from ._explorer import Explorer, View
from ._messages import Refusal

__all__ = ["StridePaddingExplorer", "input_values"]

#: Ranges of the controls.
INPUT_SIZES = (2, 9)
KERNEL_SIZES = (1, 5)
STRIDES = (1, 4)
PADS = (0, 4)
DILATIONS = (1, 3)
PADDINGS = ("valid", "same", "full", "number")
# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText(
    {
        "title": N_("Stride, padding and dilation: the kernel's positions over the padded input"),
        "no_padding_choice": N_("Choose a padding: valid, same, full or a number of zeros."),
    }
)


class StridePaddingView(View):
    """The drawing of :class:`StridePaddingExplorer` (:file:`js/stride_padding.js`)."""

    _esm = esm("stride_padding.js")


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
    >>> viz.state.output_shape
    (2, 2)
    >>> from meia_cnn.explain.stride_padding import equation_text
    >>> print(equation_text(viz.state))
    G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = ⌊(5 + 0 − 2 − 1)/2⌋ + 1 = 2
    >>> viz.controls["kernel_size"].value = 5
    >>> viz.controls["input_size"].value = 4
    >>> viz.error
    'The kernel does not fit: a 5×5 kernel is larger than the 4×4 padded input. Choose a smaller kernel, a larger input, or add zeros with the padding.'
    >>> viz.state.output_shape  # the last good state stays
    (1, 1)
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = StridePaddingView
    title: ClassVar[str] = TEXT.english("title")
    spec = (
        Control(
            "padding", "menu", N_("Padding"), options=PADDINGS, width="260px", refusal=TEXT.english("no_padding_choice")
        ),
        Control("input_size", "int", N_("Input size I"), range=INPUT_SIZES, width="260px"),
        Control("kernel_size", "int", N_("Kernel size K"), range=KERNEL_SIZES, width="260px"),
        Control("stride", "int", N_("Stride s"), range=STRIDES, width="260px"),
        Control("pad", "int", N_("Zeros p"), range=PADS, width="220px"),
        Control("dilation", "int", N_("Dilation d"), range=DILATIONS, width="260px"),
    )

    def __init__(
        self,
        input_size: int = 5,
        kernel_size: int = 3,
        stride: int = 1,
        padding: str | int = "valid",
        dilation: int = 1,
    ) -> None:
        if isinstance(padding, str):
            if padding not in ("valid", "same", "full"):
                raise ValueError(f"`padding` must be 'valid', 'same', 'full' or an int, got {padding!r}")
            mode, pad = padding, 1
        else:
            mode, pad = "number", padding
        given = self._check(
            padding=mode, input_size=input_size, kernel_size=kernel_size, stride=stride, pad=pad, dilation=dilation
        )
        arithmetic.output_size(
            input_size, kernel_size, stride=stride, padding=pad if mode == "number" else mode, dilation=dilation
        )  # the core's own check of the combination
        super().__init__()
        self._build(given)
        c = self.controls
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
        # greyed out, the zeros slider may show more zeros than a chosen number can be (full padding)
        values = read_controls(narrowed(self.spec, pad=(PADS[0], max(PADS[1], c["pad"].max))), c)
        mode, i, k, s, d, p = (values[n] for n in ("padding", "input_size", "kernel_size", "stride", "dilation", "pad"))
        p = min(p, PADS[1])  # above it only while greyed out, showing a full padding's zeros
        padding: str | int = p if mode == "number" else mode
        if mode in ("valid", "number"):
            padded = i + (2 * p if mode == "number" else 0)
            if d * (k - 1) + 1 > padded:
                raise Refusal(fit_problem(i, k, d, padded))
        return stride_padding_state(i, k, stride=s, padding=padding, dilation=d)

    def _after_publish(self) -> None:
        pad, fixed = self.controls["pad"], self.controls["padding"].value != "number"
        if fixed:  # greyed out, it shows the zeros the chosen padding adds (valid: 0; same with K = 5: 2)
            self._set_quietly(pad, max=max(PADS[1], self._state.zeros), value=self._state.zeros)
        else:
            self._set_quietly(pad, max=PADS[1])
        pad.disabled = fixed

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: StridePaddingState) -> tuple[dict, dict]:
        return dict(stride_padding_scene(state)), {}
