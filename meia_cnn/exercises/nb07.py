"""The exercises of notebook 07, CNN classification.

>>> [ex.id for ex in EXERCISES]
['07.flatten', '07.model_params']
"""

from __future__ import annotations

from .. import arithmetic as ar
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Exercise, Params, _fmt

__all__ = ["EXERCISES"]

# The CNN of notebook 07: 8x8x1 digits,
# Conv(8, 3, same) -> ReLU -> MaxPool 2 -> Conv(16, 3, same) -> ReLU -> MaxPool 2 -> Flatten -> Dense(10)
REF_INPUT = (8, 8, 1)
REF_CONVS = ((8, 3), (16, 3))
REF_CLASSES = 10


def _cnn_shapes(size: int, convs: tuple) -> list:
    """Shapes (H, W, D) after each conv (same) and 2x2 pool of notebook 07's CNN shape."""
    shape, out = (size, size, 1), []
    for filters, k in convs:
        shape = ar.feature_map_shape(shape, filters, k, padding="same")
        out.append(("conv", shape))
        side = ar.pool_output_size(shape[0], 2)
        shape = (side, side, shape[2])
        out.append(("pool", shape))
    return out


def _ref_shapes() -> list:
    """Shapes (H, W, D) after each conv and pool of notebook 07's CNN."""
    return _cnn_shapes(REF_INPUT[0], REF_CONVS)


def _cnn_flat(size: int, convs: tuple) -> int:
    h, w, d = _cnn_shapes(size, convs)[-1][1]
    return h * w * d


def _cnn_params(size: int, convs: tuple, classes: int, *, bias: bool = True, depth_one: bool = False) -> int:
    total, c = 0, 1
    for filters, k in convs:
        total += ar.conv_params(1 if depth_one else c, filters, k, bias=bias)
        c = filters
    return total + ar.dense_params(_cnn_flat(size, convs), classes, bias=bias)


def _is_ref(p: Params) -> bool:
    """True when ``p`` keeps the notebook's kernels (only the digits' size changes)."""
    return ((p.f1, 3), (p.f2, 3)) == REF_CONVS


def _ref_flat() -> int:
    return _cnn_flat(REF_INPUT[0], REF_CONVS)


def _ref_params(bias: bool = True) -> int:
    return _cnn_params(REF_INPUT[0], REF_CONVS, REF_CLASSES, bias=bias)


#: The exercises of notebook 07, in the notebook's order.
EXERCISES = [
    Exercise(
        id="07.flatten",
        title=N_("What the classifier sees"),
        defaults={"size": 16, "f1": 8, "f2": 16},
        draw=lambda d: {
            "size": d.choice((12, 16, 20, 24, 28, 32)),
            "f1": d.choice((4, 6, 8, 12)),
            "f2": d.choice((10, 16, 24, 32)),
        },
        question=lambda p: (
            _(
                "The notebook's CNN, fed larger digits of ${size} \\times {size} \\times 1$: conv {f1} kernels $3\\times3$ "
                "(same) → max pool 2 → conv {f2} kernels $3\\times3$ (same) → max pool 2 → flatten. How many numbers go "
                "into the dense classification layer?"
            ).format(size=p.size, f1=p.f1, f2=p.f2)
            if _is_ref(p)
            else _(
                "A CNN shaped like the notebook's, fed digits of ${size} \\times {size} \\times 1$: conv {f1} kernels "
                "$3\\times3$ (same) → max pool 2 → conv {f2} kernels $3\\times3$ (same) → max pool 2 → flatten. How many "
                "numbers go into the dense classification layer?"
            ).format(size=p.size, f1=p.f1, f2=p.f2)
        ),
        kind="int",
        solve=lambda p: _cnn_flat(p.size, ((p.f1, 3), (p.f2, 3))),
        mistakes=(
            (lambda p: p.size * p.size * p.f2, N_("each 2 × 2 max pooling halves width and height")),
            (
                lambda p: (p.size // 2) ** 2 * p.f2,
                lambda p: _("there are two poolings: {size} → {size_2} → {size_4}").format(
                    size=p.size, size_2=p.size // 2, size_4=p.size // 4
                ),
            ),
            (
                lambda p: (p.size // 4) ** 2 * p.f1,
                lambda p: _("the depth after the second convolution is its number of kernels, {f2}").format(f2=p.f2),
            ),
        ),
        fallback=N_("follow the shapes: same padding keeps the size, pooling halves it, depth = kernels"),
        explain=lambda p, s: _(
            "${size}\\times{size}\\times1 \\to {size}\\times{size}\\times{f1} \\to {size_2}\\times{size_2}\\times{f1} "
            "\\to {size_2}\\times{size_2}\\times{f2} \\to {size_4}\\times{size_4}\\times{f2}$: ${s}$ numbers."
        ).format(size=p.size, f1=p.f1, size_2=p.size // 2, f2=p.f2, size_4=p.size // 4, s=_fmt(s)),
    ),
    Exercise(
        id="07.model_params",
        title=N_("Parameters of the whole CNN"),
        defaults={"size": 16, "f1": 8, "f2": 16},
        draw=lambda d: {
            "size": d.choice((12, 16, 20, 24, 28, 32)),
            "f1": d.choice((4, 6, 8, 12)),
            "f2": d.choice((10, 16, 24, 32)),
        },
        question=lambda p: (
            _(
                "The notebook's CNN on ${size} \\times {size} \\times 1$ digits: conv {f1} kernels $3\\times3$ (same) → "
                "max pool 2 → conv {f2} kernels $3\\times3$ (same) → max pool 2 → flatten → dense layer to 10 classes. "
                "How many trainable parameters does it have in total, with biases?"
            ).format(size=p.size, f1=p.f1, f2=p.f2)
            if _is_ref(p)
            else _(
                "A CNN shaped like the notebook's, on ${size} \\times {size} \\times 1$ digits: conv {f1} kernels "
                "$3\\times3$ (same) → max pool 2 → conv {f2} kernels $3\\times3$ (same) → max pool 2 → flatten → dense "
                "layer to 10 classes. How many trainable parameters does it have in total, with biases?"
            ).format(size=p.size, f1=p.f1, f2=p.f2)
        ),
        kind="int",
        solve=lambda p: _cnn_params(p.size, ((p.f1, 3), (p.f2, 3)), REF_CLASSES),
        mistakes=(
            (
                lambda p: _cnn_params(p.size, ((p.f1, 3), (p.f2, 3)), REF_CLASSES, bias=False),
                N_("add the biases: one per kernel and one per class"),
            ),
            (
                lambda p: _cnn_params(p.size, ((p.f1, 3), (p.f2, 3)), REF_CLASSES, depth_one=True),
                lambda p: _("the second convolution's kernels have depth {f1} (K_d = I_d)").format(f1=p.f1),
            ),
        ),
        fallback=N_(
            "(K_w · K_h · K_d + 1) · F for each convolution (K_d = 1, then the first one's F), "
            "n_in · 10 + 10 for the dense layer (n_in: the flattened volume); pooling has none"
        ),
        explain=lambda p, s: _(
            "${n} + {n2} + {n3} = {s}$; the size of the digits changes only the dense layer."
        ).format(
            n=ar.conv_params(1, p.f1, 3),
            n2=_fmt(ar.conv_params(p.f1, p.f2, 3)),
            n3=_fmt(ar.dense_params(_cnn_flat(p.size, ((p.f1, 3), (p.f2, 3))), 10)),
            s=_fmt(s),
        ),
    ),
]
