"""The exercises of notebook 02, convolution.

>>> [ex.id for ex in EXERCISES]
['02.one_value', '02.output_map', '02.flip']
"""

from __future__ import annotations

import numpy as np

from .. import ops
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Exercise, _matrix_tex

__all__ = ["EXERCISES"]

PATCH_02 = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [2.0, 0.0, 1.0]])
KERNEL_02 = np.array(
    [[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]
)  # Sobel, as the slides' equation (1) is applied
IMAGE_02 = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0]])
KERNEL_02_FLIP = np.array([[1.0, 2.0, 0.0], [0.0, 1.0, 0.0], [-1.0, 0.0, 3.0]])


def _flipped_by_core(kernel: np.ndarray) -> np.ndarray:
    """``kernel`` rotated by 180 degrees, as the core draws it.

    Cross-correlating a single dot with a kernel writes the kernel rotated by
    180 degrees around the dot: what a convolution does with it.
    """
    kh, kw = kernel.shape
    dot = np.zeros((kh, kw))
    dot[kh // 2, kw // 2] = 1.0
    return ops.conv2d(dot, kernel, padding="same")


#: The exercises of notebook 02, in the notebook's order.
EXERCISES = [
    Exercise(
        id="02.one_value",
        title=N_("One value of equation (1)"),
        defaults={"patch": PATCH_02, "kernel": KERNEL_02},
        draw=lambda d: {"patch": d.matrix(3, 3, 0, 4), "kernel": d.matrix(3, 3, -2, 2)},
        question=lambda p: _(
            "With $I = {image}$ and $K = {kernel}$ (both indexed $-1, 0, 1$ from the centre), "
            "compute $G[0, 0]$ with equation (1)."
        ).format(image=_matrix_tex(p.patch), kernel=_matrix_tex(p.kernel)),
        kind="number",
        solve=lambda p: float(ops.convolve2d(p.patch, p.kernel)[0, 0]),
        template=N_("answer = ...   # a number"),
        mistakes=(
            (
                lambda p: float(ops.conv2d(p.patch, p.kernel)[0, 0]),
                N_(
                    "that is the cross-correlation (no flip); in equation (1) I[i − u, j − v] "
                    "pairs K[u, v] with the opposite pixel, i.e. the kernel is flipped"
                ),
            ),
        ),
        fallback=N_("flip the kernel (rows and columns), multiply element-wise with I and add the nine products"),
        explain=lambda p, s: _(
            "Flipping $K$ (rows and columns) gives ${flipped}$; multiplied element-wise with $I$, "
            "the nine products add up to $G[0,0] = {s:g}$."
        ).format(flipped=_matrix_tex(p.kernel[::-1, ::-1]), s=s),
    ),
    Exercise(
        id="02.output_map",
        title=N_("A whole (valid) output map"),
        defaults={"image": IMAGE_02, "kernel": KERNEL_02},
        draw=lambda d: {"image": d.matrix(4, 4, 0, 3), "kernel": d.matrix(3, 3, -2, 2)},
        question=lambda p: _(
            "Convolve (equation (1), valid) the $4 \\times 4$ image $I = {image}$ "
            "with $K = {kernel}$. "
            "Give the output as a list of rows."
        ).format(image=_matrix_tex(p.image), kernel=_matrix_tex(p.kernel)),
        kind="array",
        solve=lambda p: ops.convolve2d(p.image, p.kernel),
        template=N_("answer = ...   # e.g. [[a, b], [c, d]]"),
        mistakes=(
            (
                lambda p: ops.conv2d(p.image, p.kernel),
                N_("that is the cross-correlation; flip the kernel first (equation (1))"),
            ),
        ),
        fallback=N_("a valid 4 × 4 ∗ 3 × 3 output is 2 × 2: one value per position where the whole kernel fits"),
        explain=lambda p, s: _(
            "$G = {matrix_tex_s}$: one value per position where the whole (flipped) kernel fits inside the image."
        ).format(matrix_tex_s=_matrix_tex(s)),
    ),
    Exercise(
        id="02.flip",
        title=N_("Convolution is cross-correlation with a flipped kernel"),
        defaults={"kernel": KERNEL_02_FLIP},
        draw=lambda d: {"kernel": d.matrix(3, 3, -2, 3)},
        question=lambda p: _(
            "CNN layers compute cross-correlation. Which kernel $K'$ makes cross-correlation "
            "with $K'$ give exactly the convolution with $K = {kernel}$? Give it as a list of rows."
        ).format(kernel=_matrix_tex(p.kernel)),
        kind="array",
        solve=lambda p: _flipped_by_core(p.kernel),
        template=N_("answer = ...   # a 3x3 list of rows"),
        mistakes=(
            (lambda p: p.kernel, N_("that is K itself; cross-correlation with K is not convolution with K")),
            (lambda p: p.kernel[::-1, :], N_("you flipped the rows only; flip the columns too")),
            (lambda p: p.kernel[:, ::-1], N_("you flipped the columns only; flip the rows too")),
            (lambda p: p.kernel.T, N_("a transpose is not a flip: rotate the kernel by 180°")),
        ),
        fallback=N_("rotate K by 180° (flip rows and columns)"),
        explain=lambda p, s: _(
            "$K' = {matrix_tex_s}$, $K$ rotated by 180°. A CNN learns its kernels, so whether they are flipped does "
            "not matter to it."
        ).format(matrix_tex_s=_matrix_tex(s)),
    ),
]
