"""The exercises of notebook 04b, transposed convolution.

The solutions and the known mistakes are computed by the core
(:mod:`meia_cnn.arithmetic`, :mod:`meia_cnn.ops`), never typed in.

>>> [ex.id for ex in EXERCISES]
['04b.output_size', '04b.matrix_rows', '04b.by_hand']
>>> from meia_cnn.exercises import get
>>> get("04b.output_size").solution()
9
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..arithmetic import conv_transpose_output_size
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..ops import conv_transpose2d
from ._model import Draw, Exercise, Params, _matrix_tex

__all__ = ["EXERCISES", "INPUT_04B", "KERNEL_04B"]

# ---------------------------------------------------------------------------
# fixed data of the exercises (the questions, not the answers)
# ---------------------------------------------------------------------------
INPUT_04B = np.array([[1.0, 2.0], [0.0, 3.0]])
KERNEL_04B = np.array([[1.0, 0.0], [2.0, 1.0]])
#: The transposed convolution of 04b.output_size: i, k, s, p.
SIZES_04B = (5, 3, 2, 1)
#: The convolution of 04b.matrix_rows: input side, kernel side.
MATRIX_04B = (6, 3)


def _size(q: Params, **changes: int) -> int:
    """The output size of 04b.output_size for the numbers ``q``, some of them changed (for the mistakes)."""
    values = dict(i=q.i, k=q.k, s=q.s, p=q.p)
    values.update(changes)
    return values["s"] * (values["i"] - 1) + (values["k"] - 1) + 1 - 2 * values["p"]


def _conv_matrix_shape(p: Params) -> tuple[int, int]:
    rows, cols = ops.conv_as_matrix(p.side, np.ones((p.k, p.k))).shape
    return (int(rows), int(cols))


def _draw_sizes(d: Draw) -> dict[str, int]:
    k = d.choice((2, 3, 4, 5))
    return {"i": d.integer(3, 9), "k": k, "s": d.choice((2, 3)), "p": d.integer(0, (k - 1) // 2 + 1)}


#: The exercises of notebook 04b, in the notebook's order.
EXERCISES = [
    Exercise(
        id="04b.output_size",
        title=N_("The output size of a transposed convolution"),
        defaults={"i": SIZES_04B[0], "k": SIZES_04B[1], "s": SIZES_04B[2], "p": SIZES_04B[3]},
        draw=_draw_sizes,
        question=lambda p: _(
            "A transposed convolution with a ${k} \\times {k}$ kernel, stride $s = {s}$ and padding $p = {p}$ (no "
            "output padding, no dilation) reads a ${i} \\times {i}$ input. How wide is its output?"
        ).format(k=p.k, s=p.s, p=p.p, i=p.i),
        kind="int",
        solve=lambda p: conv_transpose_output_size(p.i, p.k, stride=p.s, padding=p.p),
        mistakes=(
            (
                lambda p: (p.i + 2 * p.p - p.k) // p.s + 1,
                N_(
                    "that is what a convolution does to this input (equation (3)); the transposed convolution goes "
                    "the other way and makes the input larger"
                ),
            ),
            (lambda p: _size(p, p=0), N_("the padding p removes p rows from each side of the output: subtract 2p")),
            (lambda p: _size(p) + p.p, N_("the padding removes p rows from each side, 2p in total")),
            (
                lambda p: _size(p) - 1,
                N_("the last stamp of the kernel is k pixels wide: the formula ends with + (k − 1) + 1"),
            ),
            (
                lambda p: p.s * p.i,
                N_(
                    "the stride does not simply multiply the size: the input's pixels land s apart, "
                    "s·(i − 1), the last one stamps a whole kernel and the padding trims 2p"
                ),
            ),
        ),
        fallback=lambda p: _("o = s·(i − 1) + (k − 1) + 1 − 2p; first step: s·(i − 1) = {s} · {i_1} = {n}").format(
            s=p.s, i_1=p.i - 1, n=p.s * (p.i - 1)
        ),
        explain=lambda p, s: _(
            "$o = {s} \\cdot ({i} - 1) + ({k} - 1) + 1 - 2 \\cdot {p} = {s2}$: the input's pixels land {s} apart, the "
            "last one stamps a ${k} \\times {k}$ kernel, and the padding removes {p} row(s) on each side."
        ).format(s=p.s, i=p.i, k=p.k, p=p.p, s2=s),
    ),
    Exercise(
        id="04b.matrix_rows",
        title=N_("The matrix of the transposed convolution"),
        defaults={"side": MATRIX_04B[0], "k": MATRIX_04B[1]},
        draw=lambda d: {"side": d.integer(4, 7), "k": d.choice((2, 3))},
        question=lambda p: _(
            "A ${k} \\times {k}$ kernel slides over a ${side} \\times {side}$ input (valid, stride 1). Written as a "
            "matrix $C$ (`conv_as_matrix`), the convolution maps the input's pixels, flattened, to its output pixels. "
            "How many rows does the matrix of the transposed convolution have?"
        ).format(k=p.k, side=p.side),
        kind="int",
        solve=lambda p: _conv_matrix_shape(p)[1],
        mistakes=(
            (
                lambda p: _conv_matrix_shape(p)[0],
                N_("that is the number of rows of C itself; its transpose swaps rows and columns"),
            ),
        ),
        fallback=N_("C has one row per output pixel and one column per input pixel; the transpose swaps them"),
        explain=lambda p, s: _(
            "$C$ is {n} × {n2} (one row per output pixel, one column per input pixel); $C^T$ is {s} × {n}: {s} rows, "
            "one per pixel of the ${side} \\times {side}$ image it gives back."
        ).format(n=_conv_matrix_shape(p)[0], n2=_conv_matrix_shape(p)[1], s=s, side=p.side),
    ),
    Exercise(
        id="04b.by_hand",
        title=N_("A transposed convolution by hand"),
        defaults={"x": INPUT_04B, "kernel": KERNEL_04B},
        draw=lambda d: {"x": d.matrix(2, 2, 0, 3), "kernel": d.matrix(2, 2, -1, 2)},
        question=lambda p: _(
            "Compute the transposed convolution (stride 1, no padding) of $x = {x}$ "
            "with the kernel $K = {kernel}$: every input pixel $x[i, j]$ "
            "adds $x[i, j] \\cdot K$ to the output, with its top-left corner at $(i, j)$; where "
            "the stamps overlap, they add up. Give the $3 \\times 3$ output as a list of rows."
        ).format(x=_matrix_tex(p.x), kernel=_matrix_tex(p.kernel)),
        kind="array",
        solve=lambda p: conv_transpose2d(p.x, p.kernel),
        template=N_("answer = ...   # a 3x3 list of rows"),
        mistakes=(
            (
                lambda p: conv_transpose2d(p.x, p.kernel[::-1, ::-1]),
                N_(
                    "you stamped the kernel rotated by 180° (as a direct convolution would slide it); "
                    "each pixel adds x[i, j]·K with K as it is"
                ),
            ),
        ),
        fallback=(
            N_(
                "place x[0, 0]·K at the top-left, x[0, 1]·K one column to the right, x[1, 0]·K one row down "
                "and x[1, 1]·K at the bottom-right, and add where they overlap"
            )
        ),
        explain=lambda p, s: _(
            "$y = {matrix_tex_s}$. The centre gets a share of all four stamps. With stride 1 and no padding this is "
            "the full (true) convolution, equation (1) with mode='full'."
        ).format(matrix_tex_s=_matrix_tex(s)),
    ),
]
