"""The exercises of notebook 08, architectures.

>>> [ex.id for ex in EXERCISES]
['08.lenet_c1', '08.alexnet_conv1', '08.vgg_field']
"""

from __future__ import annotations

from .. import arithmetic as ar
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Exercise, _fmt, _shape_hint, _whd
from .nb04 import ROUND_DOWN

__all__ = ["EXERCISES", "LENET5_C1", "VGG_KERNEL"]

#: LeNet-5's C1: (kernels, kernel size) (LeCun et al., 1998).
LENET5_C1 = (6, 5)
#: VGG's only kernel size (Simonyan and Zisserman, 2015).
VGG_KERNEL = 3

#: The exercises of notebook 08, in the notebook's order.
EXERCISES = [
    Exercise(
        id="08.lenet_c1",
        title=N_("LeNet-5's C1 on a smaller digit"),
        defaults={"size": 28, "filters": 6, "k": 5},
        draw=lambda d: {"size": d.integer(16, 31), "filters": d.choice((4, 6, 8, 12)), "k": d.choice((3, 5, 7))},
        # LeNet-5's C1 is 6 kernels of 5x5 (LeCun et al., 1998; architectures.layers("lenet5")):
        # other numbers make a hypothetical LeNet-like layer, never LeNet-5's own
        question=lambda p: (
            _(
                "LeNet-5's C1 has {filters} kernels of ${k} \\times {k}$ (valid, stride 1). Fed a ${size} \\times {size} "
                "\\times 1$ image instead of the paper's padded $32 \\times 32$, what is C1's output (width, height, "
                "depth)?"
            ).format(filters=p.filters, k=p.k, size=p.size)
            if (p.filters, p.k) == LENET5_C1
            else _(
                "A LeNet-like first layer has {filters} kernels of ${k} \\times {k}$ (valid, stride 1), where LeNet-5's C1 "
                "has 6 of $5 \\times 5$. Fed a ${size} \\times {size} \\times 1$ image, what is its output (width, "
                "height, depth)?"
            ).format(filters=p.filters, k=p.k, size=p.size)
        ),
        kind="shape",
        solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, 1), p.filters, p.k)),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=(
            (
                lambda p: _whd(ar.feature_map_shape((p.size, p.size, 1), p.filters, p.k, padding="same")),
                N_("valid padding: the output shrinks by K − 1"),
            ),
        ),
        hint=_shape_hint(N_("the depth is the number of kernels"), N_("G_w = ⌊(I_w − K_w)/s⌋ + 1.")),
        fallback=N_("equation (3) and G_d = number of kernels"),
        explain=lambda p, s: _("${size} - {k} + 1 = {s_0}$: ${s_0} \\times {s_1} \\times {s_2}$.").format(
            size=p.size, k=p.k, s_0=s[0], s_1=s[1], s_2=s[2]
        ),
    ),
    Exercise(
        id="08.alexnet_conv1",
        title=N_("AlexNet's first layer on another crop"),
        defaults={"size": 195, "filters": 96, "k": 11, "stride": 4},
        draw=lambda d: {
            "size": d.integer(100, 300),
            "filters": d.choice((48, 64, 96)),
            "k": d.choice((7, 11)),
            "stride": d.choice((2, 4)),
        },
        question=lambda p: _(
            "A first layer in AlexNet's style: {filters} kernels of ${k} \\times {k}$, stride {stride}, valid, on a "
            "${size} \\times {size} \\times 3$ crop. What is its output (width, height, depth)?"
        ).format(filters=p.filters, k=p.k, stride=p.stride, size=p.size),
        kind="shape",
        solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, 3), p.filters, p.k, stride=p.stride)),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=(
            (
                lambda p: _whd(ar.feature_map_shape((p.size, p.size, 3), p.filters, p.k)),
                lambda p: _("that is stride 1; this layer jumps {stride} pixels").format(stride=p.stride),
            ),
            (lambda p: (-(-(p.size - p.k) // p.stride) + 1,) * 2 + (p.filters,), ROUND_DOWN),
        ),
        hint=_shape_hint(
            N_("the depth is the number of kernels"),
            lambda p: _("G_w = ⌊(I_w − K_w)/s⌋ + 1 with s = {stride}.").format(stride=p.stride),
        ),
        fallback=lambda p: _("equation (3) with s = {stride}").format(stride=p.stride),
        explain=lambda p, s: _(
            "$\\lfloor ({size} - {k})/{stride} \\rfloor + 1 = {s_0}$: ${s_0} \\times {s_1} \\times {s_2}$."
        ).format(size=p.size, k=p.k, stride=p.stride, s_0=s[0], s_1=s[1], s_2=s[2]),
    ),
    Exercise(
        id="08.vgg_field",
        title=N_("VGG's stacked kernels"),
        defaults={"n": 3, "k": 3},
        draw=lambda d: {"n": d.integer(2, 6), "k": d.choice((3, 5))},
        # VGG's convolutions are all 3x3 (Simonyan and Zisserman, 2015): 5x5 makes a hypothetical VGG-like stack
        question=lambda p: (
            _(
                "VGG stacks ${k} \\times {k}$ convolutions (stride 1) instead of larger kernels. {n} of them in a row: how "
                "wide is the patch of the input that one output unit sees (its receptive field)?"
            ).format(k=p.k, n=p.n)
            if p.k == VGG_KERNEL
            else _(
                "A VGG-like network stacks ${k} \\times {k}$ convolutions (stride 1; VGG itself uses only $3 \\times 3$). "
                "Take {n} of them in a row: how wide is the patch of the input that one output unit sees (its receptive "
                "field)?"
            ).format(k=p.k, n=p.n)
        ),
        kind="int",
        solve=lambda p: ar.receptive_field([(p.k, 1)] * p.n),
        mistakes=(
            (
                lambda p: p.k,
                lambda p: _("each further {k} × {k} layer widens the view by {k_1} pixels").format(k=p.k, k_1=p.k - 1),
            ),
            (
                lambda p: p.n * p.k,
                lambda p: _("the fields overlap: they grow by K − 1 = {k_1} per layer, not by {k}").format(
                    k_1=p.k - 1, k=p.k
                ),
            ),
        ),
        fallback=N_("a stack of stride-1 layers sees 1 + Σ (K − 1) pixels"),
        explain=lambda p, s: _(
            "$1 + {n} \\cdot ({k} - 1) = {s}$: {n} ${k}\\times{k}$ layers see as much as one ${s}\\times{s}$ with {n2} "
            "instead of {n3} weights at 64 channels."
        ).format(
            n=p.n,
            k=p.k,
            s=s,
            n2=_fmt(p.n * ar.conv_params(64, 64, p.k, bias=False)),
            n3=_fmt(ar.conv_params(64, 64, s, bias=False)),
        ),
    ),
]
