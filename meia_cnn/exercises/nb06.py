"""The exercises of notebook 06, 1×1 convolutions and inception.

>>> [ex.id for ex in EXERCISES]
['06.one_by_one_params', '06.inception_depth', '06.saving']
"""

from __future__ import annotations

from .. import arithmetic as ar
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Draw, Exercise, _fmt

__all__ = ["EXERCISES"]


def _draw_inception(d: Draw) -> dict:
    """Another module's numbers: each reduction is narrower than the convolution it feeds."""
    n3x3, n5x5 = 16 * d.integer(2, 12), 16 * d.integer(2, 8)
    return {
        "name": N_("An inception module"),
        "depth": d.choice((192, 256, 480, 512)),
        "b": (
            16 * d.integer(1, 12),
            16 * d.integer(1, n3x3 // 16 - 1),
            n3x3,
            16 * d.integer(1, n5x5 // 16 - 1),
            n5x5,
            16 * d.integer(1, 8),
        ),
    }


#: The exercises of notebook 06, in the notebook's order.
EXERCISES = [
    Exercise(
        id="06.one_by_one_params",
        title=N_("A 1×1 reduction"),
        defaults={"size": 28, "depth": 192, "filters": 16},
        draw=lambda d: {
            "size": d.choice((7, 14, 28, 56)),
            "depth": d.choice((64, 128, 192, 256, 480, 512)),
            "filters": d.choice((16, 24, 32, 48, 64)),
        },
        question=lambda p: _(
            "A $1 \\times 1$ convolution reduces a ${size} \\times {size} \\times {depth}$ volume to {filters} "
            "channels. How many parameters (weights and biases)?"
        ).format(size=p.size, depth=p.depth, filters=p.filters),
        kind="int",
        solve=lambda p: ar.conv1x1_params(p.depth, p.filters),
        mistakes=(
            (lambda p: ar.conv1x1_params(p.depth, p.filters, bias=False), N_("add one bias per filter")),
            (
                lambda p: ar.conv1x1_params(1, p.filters),
                lambda p: _("a 1×1 kernel still has the input's depth: 1 × 1 × {depth}").format(depth=p.depth),
            ),
        ),
        fallback=lambda p: _("each 1 × 1 kernel has {depth} weights (one per channel) and a bias").format(
            depth=p.depth
        ),
        explain=lambda p, s: _("$(1 \\cdot 1 \\cdot {depth} + 1) \\times {filters} = {s}$.").format(
            depth=p.depth, filters=p.filters, s=_fmt(s)
        ),
    ),
    Exercise(
        id="06.inception_depth",
        title=N_("Depth of an inception module"),
        defaults={"name": N_("GoogLeNet's inception (3b)"), "depth": 256, "b": (128, 128, 192, 32, 96, 64)},
        draw=_draw_inception,
        question=lambda p: _(
            "{name} reads $28 \\times 28 \\times {depth}$ with branches of {b_0} ($1\\times1$), {b_2} ($3\\times3$ "
            "after a reduction to {b_1}), {b_4} ($5\\times5$ after a reduction to {b_3}) and a pool projection of "
            "{b_5}. What is the output depth?"
        ).format(name=_(p.name), depth=p.depth, b_0=p.b[0], b_2=p.b[2], b_1=p.b[1], b_4=p.b[4], b_3=p.b[3], b_5=p.b[5]),
        kind="int",
        solve=lambda p: ar.inception_cost((28, 28, p.depth), *p.b)["output_shape"][2],
        mistakes=(
            (
                lambda p: sum(p.b),
                lambda p: _(
                    "the reductions ({b_1}, {b_3}) feed the 3×3 and 5×5; only the last layer of each branch is "
                    "concatenated"
                ).format(b_1=p.b[1], b_3=p.b[3]),
            ),
            (
                lambda p: ar.inception_cost((28, 28, p.depth), *p.b, reduce=False)["output_shape"][2],
                lambda p: _("with the pool projection the pooling branch has {b_5} channels, not {depth}").format(
                    b_5=p.b[5], depth=p.depth
                ),
            ),
        ),
        fallback=N_("add the depths of the four branches' outputs"),
        explain=lambda p, s: f"${p.b[0]} + {p.b[2]} + {p.b[4]} + {p.b[5]} = {s}$.",
    ),
    Exercise(
        id="06.saving",
        title=N_("The cost without a reduction"),
        defaults={"size": 28, "depth": 192, "filters": 32, "k": 5, "reduce": 16},
        draw=lambda d: {
            "size": d.choice((14, 28)),
            "depth": d.choice((192, 256, 480)),
            "filters": d.choice((32, 48, 64, 96)),
            "k": d.choice((3, 5)),
            "reduce": d.choice((16, 24, 32)),
        },
        question=lambda p: _(
            "How many multiply-adds does a ${k} \\times {k}$ branch need *without* a $1 \\times 1$ reduction: "
            "{filters} kernels ${k} \\times {k} \\times {depth}$, same padding, on ${size} \\times {size} \\times "
            "{depth}$?"
        ).format(k=p.k, filters=p.filters, depth=p.depth, size=p.size),
        kind="int",
        solve=lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k, padding="same"),
        mistakes=(
            (
                lambda p: (
                    ar.conv_macs((p.size, p.size, p.reduce), p.filters, p.k, padding="same")
                    + ar.conv1x1_macs((p.size, p.size, p.depth), p.reduce)
                ),
                lambda p: _("that is with a reduction; without it the kernels read all {depth} channels").format(
                    depth=p.depth
                ),
            ),
            (
                lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k),
                lambda p: _("with same padding the output stays {size} × {size}").format(size=p.size),
            ),
        ),
        fallback=lambda p: _("H′ · W′ · F · K_h · K_w · C; with same padding H′ = W′ = {size}").format(size=p.size),
        explain=lambda p, s: _(
            "$H' W' F K_h K_w C = {size} \\cdot {size} \\cdot {filters} \\cdot {k} \\cdot {k} \\cdot {depth} = {s}$; "
            "with a 1×1 reduction to {reduce} it is {n}."
        ).format(
            size=p.size,
            filters=p.filters,
            k=p.k,
            depth=p.depth,
            s=_fmt(s),
            reduce=p.reduce,
            n=_fmt(
                ar.conv1x1_macs((p.size, p.size, p.depth), p.reduce)
                + ar.conv_macs((p.size, p.size, p.reduce), p.filters, p.k, padding="same")
            ),
        ),
    ),
]
