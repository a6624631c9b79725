"""Exercises of notebook 04b, transposed convolution: definitions for :mod:`meia_cnn.exercises`.

Each entry of :data:`DEFINITIONS` holds the keyword arguments of one
:class:`meia_cnn.exercises.Exercise`, written as the definitions in
:mod:`meia_cnn.exercises` are: the solution and the known mistakes are
computed by the core (:mod:`meia_cnn.transposed`, :mod:`meia_cnn.ops`),
never typed in.  :mod:`meia_cnn.exercises` turns them into exercises, so
``check("04b.output_size", answer)`` works like every other exercise.  This
module imports nothing from :mod:`meia_cnn.exercises` (which imports it).

>>> [d["id"] for d in DEFINITIONS]
['04b.output_size', '04b.matrix_rows', '04b.by_hand']
>>> DEFINITIONS[0]["solve"]()
9
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import ops
from .transposed import conv_transpose2d, conv_transpose_output_size

__all__ = ["DEFINITIONS", "INPUT_04B", "KERNEL_04B"]

# ---------------------------------------------------------------------------
# fixed data of the exercises (the questions, not the answers)
# ---------------------------------------------------------------------------
INPUT_04B = np.array([[1.0, 2.0],
                      [0.0, 3.0]])
KERNEL_04B = np.array([[1.0, 0.0],
                       [2.0, 1.0]])
#: The transposed convolution of 04b.output_size: i, k, s, p.
SIZES_04B = (5, 3, 2, 1)
#: The convolution of 04b.matrix_rows: input side, kernel side.
MATRIX_04B = (4, 3)


def _matrix_tex(a: ArrayLike) -> str:
    rows = " \\\\ ".join(" & ".join(f"{v:g}" for v in row) for row in np.asarray(a))
    return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"


def _size(**changes: int) -> int:
    """The output size of 04b.output_size, with some of its numbers changed (for the mistakes)."""
    i, k, s, p = SIZES_04B
    values = dict(i=i, k=k, s=s, p=p, **{"a": 0})
    values.update(changes)
    return values["s"] * (values["i"] - 1) + (values["k"] - 1) + 1 - 2 * values["p"] + values["a"]


def _conv_matrix_shape() -> tuple[int, int]:
    i, k = MATRIX_04B
    rows, cols = ops.conv_as_matrix(i, np.ones((k, k))).shape
    return (int(rows), int(cols))


def _transposed_matrix_shape() -> tuple[int, int]:
    rows, cols = ops.conv_as_matrix(MATRIX_04B[0], np.ones((MATRIX_04B[1],) * 2)).T.shape
    return (int(rows), int(cols))


def _ex(**kw: Any) -> dict[str, Any]:
    return kw


DEFINITIONS: list[dict[str, Any]] = [
    _ex(
        id="04b.output_size", title="The output size of a transposed convolution",
        prompt=(f"A transposed convolution with a ${SIZES_04B[1]} \\times {SIZES_04B[1]}$ kernel, stride "
                f"$s = {SIZES_04B[2]}$ and padding $p = {SIZES_04B[3]}$ (no output padding, no dilation) "
                f"reads a ${SIZES_04B[0]} \\times {SIZES_04B[0]}$ input. How wide is its output?"),
        kind="int",
        solve=lambda: conv_transpose_output_size(SIZES_04B[0], SIZES_04B[1], stride=SIZES_04B[2],
                                                 padding=SIZES_04B[3]),
        mistakes=(
            (lambda: int(ops.conv2d(np.zeros((SIZES_04B[0],) * 2), np.zeros((SIZES_04B[1],) * 2),
                                    stride=SIZES_04B[2], padding=SIZES_04B[3]).shape[0]),
             f"that is what a convolution does to a {SIZES_04B[0]} × {SIZES_04B[0]} input (equation (3)); "
             "the transposed convolution goes the other way and makes the input larger"),
            (lambda: _size(p=0), "the padding p removes p rows from each side of the output: subtract 2p"),
            (lambda: _size() + SIZES_04B[3], "the padding removes p rows from each side, 2p in total"),
            (lambda: _size() - 1, "the last stamp of the kernel is k pixels wide: the formula ends with "
                                  "+ (k − 1) + 1"),
        ),
        fallback=(f"o = s·(i − 1) + d·(k − 1) + 1 − 2p + a, with s = {SIZES_04B[2]}, i = {SIZES_04B[0]}, "
                  f"k = {SIZES_04B[1]}, p = {SIZES_04B[3]}, d = 1, a = 0"),
        explain=lambda s: (f"$o = {SIZES_04B[2]} \\cdot ({SIZES_04B[0]} - 1) + ({SIZES_04B[1]} - 1) + 1 - "
                           f"2 \\cdot {SIZES_04B[3]} = {s}$: the input's pixels land {SIZES_04B[2]} apart, "
                           f"the last one stamps a ${SIZES_04B[1]} \\times {SIZES_04B[1]}$ kernel, and the "
                           "padding removes one row on each side."),
        praise=(f"A convolution with the same kernel, stride and padding maps {_size()} × {_size()} back to "
                f"{SIZES_04B[0]} × {SIZES_04B[0]}."),
    ),
    _ex(
        id="04b.matrix_rows", title="The matrix of the transposed convolution",
        prompt=("A $3 \\times 3$ kernel slides over a $4 \\times 4$ input (valid, stride 1). Written as a "
                "matrix $C$ (`conv_as_matrix`), the convolution maps the 16 input pixels, flattened, "
                "to its output pixels. How many rows does the matrix of the transposed convolution "
                "have?"),
        kind="int", solve=lambda: _transposed_matrix_shape()[0],
        mistakes=((lambda: _conv_matrix_shape()[0],
                   "that is the number of rows of C itself; its transpose swaps rows and columns"),),
        fallback="C has one row per output pixel and one column per input pixel; the transpose swaps them",
        explain=lambda s: (f"$C$ is {_conv_matrix_shape()[0]} × {_conv_matrix_shape()[1]} (4 outputs, 16 "
                           f"inputs); $C^T$ is {_transposed_matrix_shape()[0]} × "
                           f"{_transposed_matrix_shape()[1]}: {s} rows, one per pixel of the "
                           "$4 \\times 4$ image it gives back from a $2 \\times 2$ map."),
    ),
    _ex(
        id="04b.by_hand", title="A transposed convolution by hand",
        prompt=("Compute the transposed convolution (stride 1, no padding) of $x = " + _matrix_tex(INPUT_04B) +
                "$ with the kernel $K = " + _matrix_tex(KERNEL_04B) + "$: every input pixel $x[i, j]$ "
                "adds $x[i, j] \\cdot K$ to the output, with its top-left corner at $(i, j)$; where "
                "the stamps overlap, they add up. Give the $3 \\times 3$ output as a list of rows."),
        kind="array", solve=lambda: conv_transpose2d(INPUT_04B, KERNEL_04B),
        template="answer = ...   # a 3x3 list of rows",
        mistakes=((lambda: conv_transpose2d(INPUT_04B, KERNEL_04B[::-1, ::-1]),
                   "you stamped the kernel rotated by 180° (as a direct convolution would slide it); "
                   "each pixel adds x[i, j]·K with K as it is"),),
        fallback=("place 1·K at the top-left, 2·K one column to the right, 0·K one row down and 3·K "
                  "at the bottom-right, and add where they overlap"),
        explain=lambda s: (f"$y = {_matrix_tex(s)}$. The centre gets a share of all four stamps: "
                           "$1 \\cdot 1 + 2 \\cdot 2 + 0 \\cdot 0 + 3 \\cdot 1 = 8$. With stride 1 and "
                           "no padding this is the full (true) convolution, equation (1) with "
                           "mode='full'."),
    ),
]
