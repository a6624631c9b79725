"""The exercises of notebook 05, pooling.

>>> [ex.id for ex in EXERCISES]
['05.pool_shape', '05.max_values', '05.pool_params']
"""

from __future__ import annotations

import numpy as np

from .. import arithmetic as ar
from .. import ops
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Exercise, _matrix_tex, _shape_hint
from .nb04 import ROUND_DOWN

__all__ = ["EXERCISES"]

POOL_05 = np.array([[1.0, 3.0, 6.0, 0.0], [4.0, 2.0, 1.0, 1.0], [0.0, 1.0, 5.0, 2.0], [2.0, 2.0, 3.0, 4.0]])


#: The exercises of notebook 05, in the notebook's order.
EXERCISES = [
    Exercise(
        id="05.pool_shape",
        title=N_("Pooling a feature map"),
        defaults={"size": 30, "depth": 16, "window": 2},
        draw=lambda d: {"size": d.integer(10, 64), "depth": d.integer(3, 64), "window": d.choice((2, 3))},
        question=lambda p: _(
            "A ${size} \\times {size} \\times {depth}$ feature map goes through ${window} \\times {window}$ max "
            "pooling with stride {window}. What is the output's width, height and depth?"
        ).format(size=p.size, depth=p.depth, window=p.window),
        kind="shape",
        solve=lambda p: (ar.pool_output_size(p.size, p.window),) * 2 + (p.depth,),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=(
            (
                lambda p: (ar.pool_output_size(p.size, p.window),) * 2 + (1,),
                N_("width and height are right; pooling works on each channel separately, so the depth is kept"),
            ),
            (
                lambda p: (ar.pool_output_size(p.size, p.window, stride=1),) * 2 + (p.depth,),
                lambda p: _("that is stride 1; with stride {window} the windows do not overlap").format(
                    window=p.window
                ),
            ),
            (lambda p: (-(-(p.size - p.window) // p.window) + 1,) * 2 + (p.depth,), ROUND_DOWN),
        ),
        hint=_shape_hint(
            N_("pooling keeps the depth (one pooled map per channel)"),
            N_("use equation (4): O_w = ⌊(I_w − W_w)/s⌋ + 1."),
        ),
        fallback=N_("equation (4) for width and height; the depth does not change"),
        explain=lambda p, s: _(
            "$O_w = \\lfloor ({size} - {window})/{window} \\rfloor + 1 = {s_0}$; depth kept: ${s_0} \\times {s_1} "
            "\\times {s_2}$."
        ).format(size=p.size, window=p.window, s_0=s[0], s_1=s[1], s_2=s[2]),
    ),
    Exercise(
        id="05.max_values",
        title=N_("Max pooling by hand"),
        defaults={"x": POOL_05},
        draw=lambda d: {"x": d.matrix(4, 4, 0, 9)},
        question=lambda p: _(
            "Apply $2 \\times 2$ max pooling with stride 2 to $X = {x}$. Give the output as a list of rows."
        ).format(x=_matrix_tex(p.x)),
        kind="array",
        solve=lambda p: ops.max_pool2d(p.x, 2),
        template=N_("answer = ...   # e.g. [[a, b], [c, d]]"),
        mistakes=(
            (lambda p: ops.avg_pool2d(p.x, 2), N_("that is average pooling; take the largest value of each window")),
            (lambda p: ops.max_pool2d(p.x, 2).T, N_("rows and columns are swapped")),
        ),
        fallback=N_("split X into four 2 × 2 windows and keep the largest value of each"),
        explain=lambda p, s: _("${matrix_tex_s}$: the largest value of each $2 \\times 2$ window.").format(
            matrix_tex_s=_matrix_tex(s)
        ),
    ),
    Exercise(
        id="05.pool_params",
        title=N_("Weights of a pooling layer"),
        defaults={"window": 2},
        draw=lambda d: {"window": d.choice((2, 3, 4, 5))},
        question=lambda p: _(
            "How many trainable parameters does a ${window} \\times {window}$ max pooling layer have?"
        ).format(window=p.window),
        kind="int",
        solve=lambda p: ar.pool_params(p.window),
        mistakes=((lambda p: p.window * p.window, N_("a pooling window has no weights: it takes a max (or a mean)")),),
        fallback=N_("pooling is 'weights free', as the slides say"),
        explain=lambda p, s: _("{s}: pooling has no weights to learn.").format(s=s),
        praise=N_("Pooling is weights free: it only takes a max (or a mean) of each window."),
    ),
]
