"""The exercises of notebook 04, stride and padding.

>>> [ex.id for ex in EXERCISES]
['04.shape_table', '04.output_size', '04.same_zeros']
"""

from __future__ import annotations

from .. import arithmetic as ar
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Exercise
from ._table import (
    TABLE_INPUT,
    TABLE_KERNEL_SIZE,
    TABLE_KERNELS,
    check_table,
    table_draw,
    table_explain,
    table_solution,
)

__all__ = ["EXERCISES", "ROUND_DOWN"]

#: The hint for rounding up where equations (3) and (4) round down.
ROUND_DOWN = N_("equations (3) and (4) round down, ⌊·⌋: a last position where the window does not fit is dropped")

#: The exercises of notebook 04, in the notebook's order.
EXERCISES = [
    Exercise(
        id="04.shape_table",
        title=N_("The slides' exercise table"),
        defaults={
            "size": TABLE_INPUT[0],
            "depth": TABLE_INPUT[2],
            "filters": TABLE_KERNELS,
            "kernel": TABLE_KERNEL_SIZE,
        },
        draw=table_draw,
        question=lambda p: _(
            "Given an input of ${size} \\times {size} \\times {depth}$ and {filters} kernels of ${kernel} \\times "
            "{kernel}$, calculate the width, height and depth of the feature maps for: valid padding with stride 1, "
            "same padding with stride 1, valid padding with stride 2."
        ).format(size=p.size, depth=p.depth, filters=p.filters, kernel=p.kernel),
        kind="table",
        solve=table_solution,
        checker=check_table,
        template=(
            N_(
                'answer = {\n    "valid/1": (..., ..., ...),   # (width, height, depth)\n'
                '    "same/1": (..., ..., ...),\n    "valid/2": (..., ..., ...),\n}'
            )
        ),
        fallback=N_("use equation (3) for width and height; the depth is the number of kernels"),
        explain=table_explain,
    ),
    Exercise(
        id="04.output_size",
        title=N_("Equation (3) with a stride"),
        defaults={"size": 15, "k": 3, "stride": 2},
        draw=lambda d: {"size": d.integer(8, 40), "k": d.choice((3, 5, 7)), "stride": d.choice((2, 3))},
        question=lambda p: _(
            "A ${size} \\times {size}$ input, a ${k} \\times {k}$ kernel, stride $s = {stride}$, valid padding. What "
            "is $G_w$?"
        ).format(size=p.size, k=p.k, stride=p.stride),
        kind="int",
        solve=lambda p: ar.output_size(p.size, p.k, stride=p.stride),
        mistakes=(
            (
                lambda p: ar.output_size(p.size, p.k, stride=1),
                lambda p: _("that is stride 1; with s = {stride} divide by {stride} in equation (3)").format(
                    stride=p.stride
                ),
            ),
            (lambda p: (p.size - p.k) // p.stride, N_("almost: equation (3) adds 1 after the division")),
            (
                lambda p: ar.output_size(p.size, p.k, stride=p.stride, padding="same"),
                N_("that is with 'same' padding; valid adds no zeros"),
            ),
            (lambda p: -(-(p.size - p.k) // p.stride) + 1, ROUND_DOWN),
        ),
        fallback=N_("G_w = ⌊(I_w − K_w)/s⌋ + 1"),
        explain=lambda p, s: _("$G_w = \\lfloor ({size} - {k})/{stride} \\rfloor + 1 = {s}$.").format(
            size=p.size, k=p.k, stride=p.stride, s=s
        ),
    ),
    Exercise(
        id="04.same_zeros",
        title=N_("How many zeros does 'same' add?"),
        defaults={"k": 5},
        draw=lambda d: {"k": d.choice((3, 5, 7, 9, 11))},
        question=lambda p: _(
            "With a ${k} \\times {k}$ kernel and stride 1, 'same' padding adds zeros so that the output keeps the "
            "input's width. How many columns of zeros in total (left + right)?"
        ).format(k=p.k),
        kind="int",
        solve=lambda p: sum(ar.padding_amounts(20, p.k, padding="same")[1]),
        mistakes=(
            (lambda p: ar.padding_amounts(20, p.k, padding="same")[1][0], N_("that is one side; count both sides")),
            (lambda p: p.k, N_("the output keeps the width when the padded input is K − 1 wider")),
        ),
        fallback=N_("for s = 1 the total padding is K_w − 1"),
        explain=lambda p, s: _(
            "$p_{{total}} = K_w - 1 = {s}$: {s_2} on each side (Dumoulin and Visin's $p$ is one side)."
        ).format(s=s, s_2=s // 2),
    ),
]
