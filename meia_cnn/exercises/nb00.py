"""The exercises of notebook 00, the index: a warm-up to try the checker.

>>> [ex.id for ex in EXERCISES]
['00.numbers', '00.kernel_numbers']
"""

from __future__ import annotations

import numpy as np

from .. import arithmetic as ar
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Exercise, _fmt

__all__ = ["EXERCISES"]

#: The exercises of notebook 00, in the notebook's order.
EXERCISES = [
    Exercise(
        id="00.numbers",
        title=N_("Warm-up: how many numbers is an image?"),
        defaults={"w": 28, "h": 28},
        draw=lambda d: {"w": d.integer(10, 64), "h": d.integer(10, 64)},
        question=lambda p: _(
            "A colour image of ${w} \\times {h}$ pixels has three channels (red, green, blue): its size is $l_w "
            "\\times l_h \\times l_d = {w} \\times {h} \\times 3$. How many numbers describe it?"
        ).format(w=p.w, h=p.h),
        kind="int",
        solve=lambda p: int(np.zeros((p.h, p.w, 3)).size),
        mistakes=(
            (lambda p: p.w * p.h, N_("that is one channel; a colour image has three")),
            (lambda p: p.w + p.h + 3, N_("multiply the three sizes, do not add them")),
        ),
        fallback=N_("multiply width, height and depth"),
        explain=lambda p, s: _("${w} \\times {h} \\times 3 = {s}$ numbers, one per pixel and channel.").format(
            w=p.w, h=p.h, s=_fmt(s)
        ),
    ),
    Exercise(
        id="00.kernel_numbers",
        title=N_("Warm-up: how many numbers is a kernel?"),
        defaults={"k": 3},
        draw=lambda d: {"k": d.choice((3, 5, 7, 9, 11))},
        question=lambda p: _(
            "A CNN looks at that colour image with a kernel of ${k} \\times {k}$ pixels. The kernel reads all three "
            "channels at once. How many weights does it hold?"
        ).format(k=p.k),
        kind="int",
        solve=lambda p: ar.conv_params(3, 1, p.k, bias=False),
        mistakes=(
            (
                lambda p: ar.conv_params(1, 1, p.k, bias=False),
                N_("that is one channel; the kernel has the image's depth, K_d = I_d = 3 (notebook 03)"),
            ),
            (
                lambda p: ar.conv_params(3, 1, p.k),
                N_("a bias is not a weight: the question asks for the kernel's weights only"),
            ),
        ),
        fallback=N_("K_w · K_h · K_d, with K_d equal to the image's depth"),
        explain=lambda p, s: _(
            "${k} \\times {k} \\times 3 = {s}$ weights: equation (2), $K_d = I_d$ (notebook 03)."
        ).format(k=p.k, s=s),
    ),
]
