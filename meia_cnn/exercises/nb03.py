"""The exercises of notebook 03, volumes and feature maps.

>>> [ex.id for ex in EXERCISES]
['03.kernel_shape', '03.feature_map', '03.layer_params']
"""

from __future__ import annotations

from .. import arithmetic as ar
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Exercise, _fmt, _shape_hint, _whd

__all__ = ["EXERCISES"]

#: The exercises of notebook 03, in the notebook's order.
EXERCISES = [
    Exercise(
        id="03.kernel_shape",
        title=N_("The kernel's depth"),
        defaults={"size": 64, "depth": 3, "k": 5},
        draw=lambda d: {
            "size": d.choice((32, 48, 64, 128)),
            "depth": d.choice((3, 4, 8, 16, 32)),
            "k": d.choice((3, 5, 7, 9, 11)),
        },
        question=lambda p: (
            _(
                "An RGB image is ${size} \\times {size} \\times 3$. "
                "A layer uses kernels of ${k} \\times {k}$. "
                "What is the shape $K_w \\times K_h \\times K_d$ of each kernel?"
            ).format(size=p.size, k=p.k)
            if p.depth == 3
            else _(
                "A feature map is ${size} \\times {size} \\times {depth}$. A layer uses kernels of "
                "${k} \\times {k}$. What is the shape $K_w \\times K_h \\times K_d$ of each kernel?"
            ).format(size=p.size, depth=p.depth, k=p.k)
        ),
        kind="shape",
        solve=lambda p: (p.k, p.k, p.depth),
        template=N_("answer = ...   # (K_w, K_h, K_d)"),
        names=("K_w", "K_h", "K_d"),
        mistakes=((lambda p: (p.k, p.k, 1), N_("the kernel reads every channel at once: K_d = I_d (equation (2))")),),
        fallback=N_("width and height are the kernel size; the depth equals the input's depth (equation (2))"),
        explain=lambda p, s: _("$K = {s_0} \\times {s_1} \\times {s_2}$: equation (2), $K_d = I_d$.").format(
            s_0=s[0], s_1=s[1], s_2=s[2]
        ),
    ),
    Exercise(
        id="03.feature_map",
        title=N_("The feature map of several kernels"),
        defaults={"size": 64, "depth": 3, "filters": 10, "k": 5},
        draw=lambda d: {
            "size": d.integer(20, 128),
            "depth": d.choice((1, 3, 4)),
            "filters": d.integer(5, 64),
            "k": d.choice((3, 5, 7)),
        },
        question=lambda p: _(
            "The ${size} \\times {size} \\times {depth}$ image goes through {filters} kernels of ${k} \\times {k} "
            "\\times {depth}$ (valid, stride 1). What is the feature map's $G_w \\times G_h \\times G_d$?"
        ).format(size=p.size, depth=p.depth, filters=p.filters, k=p.k),
        kind="shape",
        solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k)),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=(
            (
                lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.depth, p.k)),
                N_("width and height are right; the depth G_d equals the number of kernels, not the input depth"),
            ),
            (
                lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, padding="same")),
                N_(
                    "the depth is right; without padding the output shrinks: the width loses K − 1 positions "
                    "in total, (K − 1)/2 on each side"
                ),
            ),
        ),
        hint=_shape_hint(
            N_("the depth G_d equals the number of kernels"), N_("a valid convolution's output is I − K + 1 wide.")
        ),
        fallback=N_("G_w = I_w − K_w + 1 and G_d = number of kernels"),
        explain=lambda p, s: _(
            "$G_w = G_h = {size} - {k} + 1 = {s_0}$, $G_d = {filters}$ (one map per kernel): ${s_0} \\times {s_1} "
            "\\times {s_2}$."
        ).format(size=p.size, k=p.k, s_0=s[0], filters=p.filters, s_1=s[1], s_2=s[2]),
    ),
    Exercise(
        id="03.layer_params",
        title=N_("Parameters of that layer"),
        defaults={"depth": 3, "filters": 10, "k": 5},
        draw=lambda d: {"depth": d.choice((3, 8, 16, 32, 64)), "filters": d.integer(4, 64), "k": d.choice((3, 5, 7))},
        question=lambda p: _(
            "How many trainable parameters (weights and biases) do {filters} kernels of ${k} \\times {k} \\times "
            "{depth}$ have?"
        ).format(filters=p.filters, k=p.k, depth=p.depth),
        kind="int",
        solve=lambda p: ar.conv_params(p.depth, p.filters, p.k),
        mistakes=(
            (lambda p: ar.conv_params(p.depth, p.filters, p.k, bias=False), N_("add one bias per kernel")),
            (
                lambda p: ar.conv_params(1, p.filters, p.k),
                lambda p: _("each kernel is {k} × {k} × {depth}: K_d = I_d").format(k=p.k, depth=p.depth),
            ),
            (
                lambda p: ar.conv_params(1, p.filters, p.k, bias=False),
                lambda p: _("each kernel is {k} × {k} × {depth} (K_d = I_d) and has a bias").format(
                    k=p.k, depth=p.depth
                ),
            ),
        ),
        fallback=N_("(K_w · K_h · K_d + 1) per kernel, times the number of kernels F"),
        explain=lambda p, s: _(
            "$(K_w K_h K_d + 1) \\cdot F = ({k} \\cdot {k} \\cdot {depth} + 1) \\times {filters} = {s}$."
        ).format(k=p.k, depth=p.depth, filters=p.filters, s=_fmt(s)),
    ),
]
