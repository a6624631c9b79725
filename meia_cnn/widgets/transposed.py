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

from typing import ClassVar

import ipywidgets as widgets

from ..explain.transposed import (
    TransposedConvState,
    transposed_conv_problem,
    transposed_conv_scene,
    transposed_conv_state,
)
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control
from ._explorer import Explorer, View
from ._messages import Refusal

__all__ = ["TransposedConvExplorer"]

#: Ranges of the controls.
INPUT_SIZES = (1, 5)
KERNEL_SIZES = (1, 4)
STRIDES = (1, 3)
PADS = (0, 3)
OUTPUT_PADS = (0, 2)
DILATIONS = (1, 3)


class TransposedConvView(View):
    """The drawing of :class:`TransposedConvExplorer` (:file:`js/transposed.js`)."""

    _esm = esm("transposed.js")


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
    >>> viz.state.output_shape
    (5, 5)
    >>> print(viz.state.formula)
    o = s·(i − 1) + d·(k − 1) + 1 − 2p + a = 2·(2 − 1) + 1·(3 − 1) + 1 − 2·0 + 0 = 5
    >>> viz.controls["output_padding"].value = 2
    >>> viz.error
    'The output padding a = 2 must be smaller than the stride or the dilation (here at most 1): a larger one would add rows that no input pixel reaches.'
    >>> viz.state.output_shape  # the last good state stays
    (5, 5)
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = TransposedConvView
    title: ClassVar[str] = N_("Transposed convolution: the flipped kernel sweeping the stretched input")
    spec = (
        Control("input_size", "int", N_("Input size i"), range=INPUT_SIZES),
        Control("kernel_size", "int", N_("Kernel size k"), range=KERNEL_SIZES),
        Control("stride", "int", N_("Stride s"), range=STRIDES),
        Control("padding", "int", N_("Padding p"), range=PADS),
        Control("output_padding", "int", N_("Output padding a"), range=OUTPUT_PADS),
        Control("dilation", "int", N_("Dilation d"), range=DILATIONS),
    )

    def __init__(
        self,
        input_size: int = 3,
        kernel_size: int = 3,
        stride: int = 2,
        padding: int = 0,
        output_padding: int = 0,
        dilation: int = 1,
    ) -> None:
        given = self._check(
            input_size=input_size,
            kernel_size=kernel_size,
            stride=stride,
            padding=padding,
            output_padding=output_padding,
            dilation=dilation,
        )
        transposed_conv_state(**given)  # the core's own check of the combination
        super().__init__()
        self._build(given)
        c = self.controls
        c["step"], c["play"] = self._step_controls(interval=600)
        self._layout(
            widgets.HBox([c["input_size"], c["kernel_size"], c["stride"]]),
            widgets.HBox([c["padding"], c["output_padding"], c["dilation"]]),
            widgets.HBox([c["play"], c["step"]]),
        )
        self._listen()

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> TransposedConvState:
        values = self._read()
        problem = transposed_conv_problem(**values)
        if problem is not None:
            raise Refusal(problem)
        return transposed_conv_state(**values)

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: TransposedConvState) -> tuple[dict, dict]:
        return dict(transposed_conv_scene(state)), {}
