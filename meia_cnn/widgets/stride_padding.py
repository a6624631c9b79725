"""Stride, padding and dilation, in the manner of the convolution-arithmetic animations.

:class:`StridePaddingExplorer` draws, as Dumoulin & Visin (2016) do, the
input inside its zero padding (the zeros visibly different), the kernel's
taps at the current position (spread apart by dilation) and the output grid
filling in step by step; the readout writes the slides' equation (3) with
the current numbers, generalised to padding and dilation, and the output
size it gives, which is the size of the drawn grid.

The sizes come from :func:`meia_cnn.arithmetic.output_size` and
:func:`meia_cnn.arithmetic.padding_amounts`, the padded input from
:func:`meia_cnn.ops.pad` and the output values (a kernel of ones, so every
output is the sum of the cells under the taps) from :func:`meia_cnn.ops.conv2d`.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.colors import ListedColormap

from .. import arithmetic, ops
from ._base import (
    CMAP_VALUES,
    FONT,
    PALETTE,
    Explorer,
    NumberGrid,
    add_window,
    format_number,
    set_title,
)

__all__ = ["StridePaddingExplorer"]

#: Ranges of the controls.
INPUT_SIZES = (2, 9)
KERNEL_SIZES = (1, 5)
STRIDES = (1, 4)
PADS = (0, 4)
DILATIONS = (1, 3)
PADDINGS = ("valid", "same", "full", "number")
#: Grids larger than this are drawn without their numbers (they would not be legible).
MAX_NUMBERED = 13

_CELLS = ListedColormap(["#ececec", PALETTE["sky"]])  # padding zeros, input cells


def input_values(size):
    """The input drawn: small numbers 1..9 in reading order.

    >>> input_values(3)
    array([[1., 2., 3.],
           [4., 5., 6.],
           [7., 8., 9.]])
    """
    return (np.arange(size * size) % 9 + 1.0).reshape(size, size)


def _largest(fn):
    sizes = []
    for i in range(INPUT_SIZES[0], INPUT_SIZES[1] + 1):
        for k in range(KERNEL_SIZES[0], KERNEL_SIZES[1] + 1):
            for d in range(DILATIONS[0], DILATIONS[1] + 1):
                for padding in ("valid", "same", "full", PADS[1]):
                    try:
                        sizes.append(fn(i, k, padding, d))
                    except ValueError:
                        pass
    return max(sizes)


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
    "kernel_size=5 is larger than the padded input (4) for padding='valid'"
    >>> viz.output_shape  # the last good drawing stays
    (1, 1)
    >>> viz.close()
    """

    def __init__(self, input_size=5, kernel_size=3, stride=1, padding="valid", dilation=1):
        super().__init__()
        if isinstance(padding, str):
            if padding not in ("valid", "same", "full"):
                raise ValueError(f"`padding` must be 'valid', 'same', 'full' or an int, got {padding!r}")
            mode, pad = padding, 1
        else:
            mode, pad = "number", padding
        values = dict(input_size=(input_size, INPUT_SIZES), kernel_size=(kernel_size, KERNEL_SIZES),
                      stride=(stride, STRIDES), pad=(pad, PADS), dilation=(dilation, DILATIONS))
        for name, (value, (lo, hi)) in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"`{'padding' if name == 'pad' else name}` must be an int, got {value!r}")
            if not lo <= value <= hi:
                raise ValueError(
                    f"`{'padding' if name == 'pad' else name}` must be between {lo} and {hi} here, got {value}"
                )
        arithmetic.output_size(input_size, kernel_size, stride=stride, padding=pad if mode == "number" else mode,
                               dilation=dilation)  # the core's own check of the combination

        c = self.controls
        c["input_size"] = self._int_slider(input_size, *INPUT_SIZES, "Input size I")
        c["kernel_size"] = self._int_slider(kernel_size, *KERNEL_SIZES, "Kernel size K")
        c["stride"] = self._int_slider(stride, *STRIDES, "Stride s")
        c["padding"] = widgets.Dropdown(options=list(PADDINGS), value=mode, description="Padding",
                                        layout=widgets.Layout(width="200px"))
        c["pad"] = self._int_slider(int(pad), *PADS, "Zeros p", width="220px")
        c["dilation"] = self._int_slider(dilation, *DILATIONS, "Dilation d")
        c["step"] = self._int_slider(0, 0, 0, "Step", width="320px")
        c["play"] = self._make_play(c["step"], interval=600)
        self._build_figure()
        self._layout(
            widgets.HBox([c["input_size"], c["kernel_size"], c["stride"]]),
            widgets.HBox([c["padding"], c["pad"], c["dilation"]]),
            widgets.HBox([c["play"], c["step"]]),
        )
        self._connect()

    # -- figure ----------------------------------------------------------------
    def _build_figure(self):
        self._max_padded = _largest(
            lambda i, k, p, d: i + sum(arithmetic.padding_amounts(i, k, stride=1, padding=p, dilation=d)[0]))
        self._max_out = _largest(lambda i, k, p, d: arithmetic.output_size(i, k, stride=1, padding=p, dilation=d))
        fig = self._make_figure((10.5, 4.9))
        self._ax_in = fig.add_axes([0.01, 0.02, 0.50, 0.84])
        self._ax_out = fig.add_axes([0.56, 0.02, 0.43, 0.84])
        n = self._max_padded
        self._g_in = NumberGrid(self._ax_in, (n, n), cmap=_CELLS, vmin=0, vmax=1, fmt=format_number)
        self._g_out = NumberGrid(self._ax_out, (self._max_out, self._max_out), cmap=CMAP_VALUES,
                                 fmt=format_number)
        # the taps: one square per kernel weight, all in one collection
        self._taps = PolyCollection([], facecolors=PALETTE["orange"], edgecolors=PALETTE["vermillion"],
                                    alpha=0.55, linewidths=1.5, zorder=3.5)
        self._ax_in.add_collection(self._taps, autolim=False)
        self._span = add_window(self._ax_in, colour=PALETTE["vermillion"], linewidth=2.5, linestyle="--")
        self._cell = add_window(self._ax_out, colour=PALETTE["vermillion"], linewidth=3.5)
        self._t_in = set_title(self._ax_in, "", fontsize=FONT["label"], loc="left")
        self._t_out = set_title(self._ax_out, "", fontsize=FONT["label"], loc="left")

    # -- numbers from the core ----------------------------------------------------
    def _padding_arg(self):
        c = self.controls
        return c["pad"].value if c["padding"].value == "number" else c["padding"].value

    @property
    def output_shape(self):
        """``(H', W')``: the shape of the output grid drawn (from equation (3))."""
        return tuple(self._state["output"].shape)

    @property
    def padded(self):
        """The padded input drawn (zeros around the input)."""
        return self._state["padded"].copy()

    @property
    def pads(self):
        """Zeros on each side: ``((top, bottom), (left, right))``."""
        return self._state["pads"]

    @property
    def output(self):
        """The output values (kernel of ones: each is the sum under the taps)."""
        return self._state["output"].copy()

    @property
    def position(self):
        """``(i, j)`` of the output cell at the current step."""
        return self._state["position"]

    @property
    def taps(self):
        """``(row, col)`` of every kernel tap in the padded input, at the current step."""
        return self._state["taps"].copy()

    @property
    def equation(self):
        """Equation (3) with the current numbers, as written in the readout."""
        return self._state["equation"]

    def _update(self):
        c = self.controls
        size, k = c["input_size"].value, c["kernel_size"].value
        s, d = c["stride"].value, c["dilation"].value
        padding = self._padding_arg()
        c["pad"].disabled = c["padding"].value != "number"
        # numbers first: a bad combination raises here and the drawing stays
        g = arithmetic.output_size(size, k, stride=s, padding=padding, dilation=d)
        pads = arithmetic.padding_amounts(size, k, stride=s, padding=padding, dilation=d)
        x = input_values(size)
        padded = ops.pad(x, pads)
        output = ops.conv2d(x, np.ones((k, k)), stride=s, padding=pads, dilation=d)
        if output.shape != (g, g):  # pragma: no cover - the core's two answers agree
            raise ValueError(f"output {output.shape} disagrees with equation (3): {g}")
        n = g * g
        self._set_quietly(c["step"], max=n - 1)
        step = min(c["step"].value, n - 1)
        i, j = divmod(step, g)
        rows = i * s + d * np.arange(k)
        cols = j * s + d * np.arange(k)
        taps = np.stack(np.meshgrid(rows, cols, indexing="ij"), axis=-1).reshape(-1, 2)
        (top, bottom), (left, right) = pads
        p_total = top + bottom
        k_eff = d * (k - 1) + 1
        equation = (
            "G_w = ⌊(I_w + p_total − d·(K_w − 1) − 1)/s⌋ + 1 = "
            f"⌊({size} + {p_total} − {d * (k - 1)} − 1)/{s}⌋ + 1 = {g}"
        )
        self._state = dict(output=output, padded=padded, pads=pads, position=(i, j),
                           taps=taps, equation=equation)

        # drawing
        h = padded.shape[0]
        is_input = np.zeros(padded.shape)
        is_input[top:top + size, left:left + size] = 1
        numbered = h <= MAX_NUMBERED
        self._g_in.set(padded, colours=is_input, show_numbers=numbered)
        self._taps.set_verts([
            [(cc - 0.45, r - 0.45), (cc + 0.45, r - 0.45), (cc + 0.45, r + 0.45), (cc - 0.45, r + 0.45)]
            for r, cc in taps
        ])
        self._span.set_xy((j * s - 0.5, i * s - 0.5))
        self._span.set_width(k_eff)
        self._span.set_height(k_eff)
        order = np.arange(n).reshape(g, g)
        self._g_out.set(output, hide=order > step, show_numbers=g <= MAX_NUMBERED)
        self._cell.set_xy((j - 0.5, i - 0.5))
        pad_text = "no padding" if not (top or bottom or left or right) else (
            f"p = {top}" if len({top, bottom, left, right}) == 1 else f"p = ({top}, {bottom})")
        self._t_in.set_text(f"input {size}×{size} + zeros ({pad_text}) = {h}×{h}")
        self._t_out.set_text(f"output G  {g}×{g}   (step {step + 1} of {n})")
        self._write_readout(size, k, s, d, padding, pads, g, (i, j), k_eff)

    def _write_readout(self, size, k, s, d, padding, pads, g, pos, k_eff):
        (top, bottom), _ = pads
        p_total = top + bottom
        mode = self.controls["padding"].value
        rules = {
            "valid": "valid: no zeros",
            "same": f"same: zeros so that G = ⌈I/s⌉ = ⌈{size}/{s}⌉ = {-(-size // s)} "
                    "(any extra zero goes to the bottom/right)",
            "full": f"full: K_eff − 1 = {k_eff - 1} zeros on each side",
            "number": f"{padding} zero{'s' * (padding != 1)} on every side",
        }
        slides = ""
        if p_total == 0 and d == 1:
            slides = (f"<div>With no padding and no dilation this is the slides' equation (3): "
                      f"G_w = ⌊(I_w − K_w)/s⌋ + 1 = ⌊({size} − {k})/{s}⌋ + 1 = {g}</div>")
        i, j = pos
        self.readout.value = (
            f"<div><b>Equation (3)</b>: {self.equation}</div>"
            f"{slides}"
            f"<div>Padding {rules[mode]}: top {top}, bottom {bottom} → p_total = {p_total}; "
            f"dilation {d}: the {k}×{k} kernel spans d·(K − 1) + 1 = {k_eff} cells.</div>"
            f"<div>Output: <b>{g} × {g}</b> (the same for the height). Step: output G[{i}, {j}] "
            f"takes the kernel at rows {i * s}…{i * s + k_eff - 1}, columns {j * s}…{j * s + k_eff - 1} "
            f"of the padded input; here the kernel is all ones, so G[{i}, {j}] = "
            f"{format_number(self._state['output'][i, j])}, the sum under its taps.</div>"
        )
