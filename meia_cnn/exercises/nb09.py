"""The exercises of notebook 09, in-class exercises, short tasks from every section.

>>> [ex.id for ex in EXERCISES]
['09.same_stride2', '09.chain', '09.params', '09.pool_stride', '09.macs', '09.correlation', '09.field_pool']
"""

from __future__ import annotations

import numpy as np

from .. import arithmetic as ar
from .. import ops
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Exercise, _fmt, _matrix_tex, _shape_hint, _whd
from .nb04 import ROUND_DOWN

__all__ = ["EXERCISES", "ALEXNET_POOL"]

#: AlexNet's overlapping max pooling: (window, stride) (Krizhevsky et al., 2012).
ALEXNET_POOL = (3, 2)

PATCH_09 = np.array([[2.0, 0.0, 1.0], [1.0, 3.0, 0.0], [0.0, 2.0, 1.0]])
KERNEL_09 = np.array([[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]])  # Sobel, horizontal edges


def _chain(shape: tuple, layers: list) -> tuple:
    """Shape (H, W, D) after ("conv", filters, kernel) and ("pool", size) layers (valid)."""
    for layer in layers:
        if layer[0] == "conv":
            shape = ar.feature_map_shape(shape, layer[1], layer[2])
        else:
            shape = (ar.pool_output_size(shape[0], layer[1]), ar.pool_output_size(shape[1], layer[1]), shape[2])
    return shape


#: The exercises of notebook 09, in the notebook's order.
EXERCISES = [
    Exercise(
        id="09.same_stride2",
        title=N_("Same padding with a stride"),
        defaults={"size": 32, "depth": 3, "filters": 16, "k": 5, "stride": 2},
        draw=lambda d: {
            "size": d.integer(15, 64),
            "depth": d.choice((1, 3, 16)),
            "filters": d.integer(4, 64),
            "k": d.choice((3, 5, 7)),
            "stride": d.choice((2, 3)),
        },
        question=lambda p: _(
            "${size} \\times {size} \\times {depth}$ input, {filters} kernels of ${k} \\times {k}$, same padding, "
            "stride {stride}. Output (width, height, depth)?"
        ).format(size=p.size, depth=p.depth, filters=p.filters, k=p.k, stride=p.stride),
        kind="shape",
        solve=lambda p: _whd(
            ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, stride=p.stride, padding="same")
        ),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=(
            (
                lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, padding="same")),
                N_("'same' keeps the size only with stride 1; with stride s the output is ⌈I/s⌉"),
            ),
            (
                lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, stride=p.stride)),
                N_("that is valid padding; 'same' pads so that the output is ⌈I/s⌉"),
            ),
            (
                lambda p: (p.size // p.stride, p.size // p.stride, p.filters),
                N_("'same' rounds up: the output is ⌈I/s⌉, not ⌊I/s⌋"),
            ),
        ),
        hint=_shape_hint(N_("the depth is the number of kernels"), N_("with 'same' padding the output is ⌈I_w/s⌉.")),
        fallback=N_("'same' gives ⌈I/s⌉; the depth is the number of kernels"),
        explain=lambda p, s: _(
            "$\\lceil {size}/{stride} \\rceil = {s_0}$: ${s_0} \\times {s_1} \\times {s_2}$."
        ).format(size=p.size, stride=p.stride, s_0=s[0], s_1=s[1], s_2=s[2]),
    ),
    Exercise(
        id="09.chain",
        title=N_("A small network's shapes"),
        defaults={"size": 28, "f1": 6, "k1": 5, "f2": 16, "k2": 5},
        draw=lambda d: {
            "size": 4 * d.integer(7, 16),
            "f1": d.choice((4, 6, 8)),
            "k1": d.choice((3, 5)),
            "f2": d.choice((12, 16, 32)),
            "k2": d.choice((3, 5)),
        },
        question=lambda p: _(
            "${size} \\times {size} \\times 1$ → conv {f1} kernels ${k1}\\times{k1}$ (valid) → max pool 2 → conv {f2} "
            "kernels ${k2}\\times{k2}$ (valid) → max pool 2. Final (width, height, depth)?"
        ).format(size=p.size, f1=p.f1, k1=p.k1, f2=p.f2, k2=p.k2),
        kind="shape",
        solve=lambda p: _whd(
            _chain((p.size, p.size, 1), [("conv", p.f1, p.k1), ("pool", 2), ("conv", p.f2, p.k2), ("pool", 2)])
        ),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=(
            (
                lambda p: _whd(
                    _chain((p.size, p.size, 1), [("conv", p.f1, p.k1), ("pool", 2), ("conv", p.f1, p.k2), ("pool", 2)])
                ),
                lambda p: _(
                    "width and height are right; the depth is the last convolution's number of kernels, {f2}"
                ).format(f2=p.f2),
            ),
        ),
        hint=_shape_hint(
            N_("the depth is the number of kernels of the last convolution (pooling keeps it)"),
            lambda p: _("{size} → {size_k1_1} (conv) → ? (pool) → ? (conv) → ? (pool).").format(
                size=p.size, size_k1_1=p.size - p.k1 + 1
            ),
        ),
        fallback=N_("apply equation (3), then (4), then (3), then (4)"),
        explain=lambda p, s: _(
            "${size} \\to {size_k1_1} \\to {size_k1_1_2} \\to {size_k1_1_2_k2_1} \\to {s_0}$; depth {f2}: ${s_0} "
            "\\times {s_1} \\times {s_2}$."
        ).format(
            size=p.size,
            size_k1_1=p.size - p.k1 + 1,
            size_k1_1_2=(p.size - p.k1 + 1) // 2,
            size_k1_1_2_k2_1=(p.size - p.k1 + 1) // 2 - p.k2 + 1,
            s_0=s[0],
            f2=p.f2,
            s_1=s[1],
            s_2=s[2],
        ),
    ),
    Exercise(
        id="09.params",
        title=N_("Parameters of a deeper layer"),
        defaults={"size": 14, "depth": 16, "filters": 32, "k": 3},
        draw=lambda d: {
            "size": d.choice((7, 14, 28, 56)),
            "depth": d.choice((8, 16, 32, 64)),
            "filters": d.choice((16, 32, 64, 128)),
            "k": d.choice((1, 3, 5)),
        },
        question=lambda p: _(
            "A layer with {filters} kernels of ${k} \\times {k}$ reads a ${size} \\times {size} \\times {depth}$ "
            "feature map. How many parameters?"
        ).format(filters=p.filters, k=p.k, size=p.size, depth=p.depth),
        kind="int",
        solve=lambda p: ar.conv_params(p.depth, p.filters, p.k),
        mistakes=(
            (lambda p: ar.conv_params(p.depth, p.filters, p.k, bias=False), N_("add one bias per kernel")),
            (
                lambda p: ar.conv_params(1, p.filters, p.k),
                lambda p: _("the kernels have the input's depth, {depth}").format(depth=p.depth),
            ),
            (
                lambda p: ar.conv_params(3, p.filters, p.k),
                lambda p: _("the input depth here is {depth}, not 3").format(depth=p.depth),
            ),
        ),
        fallback=lambda p: _("(K_w · K_h · K_d + 1) · F, with K_d = {depth}").format(depth=p.depth),
        explain=lambda p, s: _(
            "$({k} \\cdot {k} \\cdot {depth} + 1) \\times {filters} = {s}$; the ${size} \\times {size}$ does not "
            "matter."
        ).format(k=p.k, depth=p.depth, filters=p.filters, s=_fmt(s), size=p.size),
    ),
    Exercise(
        id="09.pool_stride",
        title=N_("Overlapping pooling"),
        defaults={"size": 55, "window": 3, "stride": 2},
        draw=lambda d: {"size": d.integer(12, 64), "window": d.choice((3, 5)), "stride": 2},
        # AlexNet pools 3x3 with stride 2 (Krizhevsky et al., 2012, Section 3.4): only those numbers name it
        question=lambda p: (
            _(
                "Pooling with ${window} \\times {window}$ windows and stride {stride} overlaps (AlexNet pools this way). "
                "On a ${size} \\times {size}$ map, what is the output width (equation (4))?"
            ).format(window=p.window, stride=p.stride, size=p.size)
            if (p.window, p.stride) == ALEXNET_POOL
            else _(
                "Pooling with ${window} \\times {window}$ windows and stride {stride} overlaps (wider than AlexNet's "
                "$3 \\times 3$ windows with stride 2). On a ${size} \\times {size}$ map, what is the output width "
                "(equation (4))?"
            ).format(window=p.window, stride=p.stride, size=p.size)
        ),
        kind="int",
        solve=lambda p: ar.pool_output_size(p.size, p.window, stride=p.stride),
        mistakes=(
            (
                lambda p: ar.pool_output_size(p.size, p.window),
                lambda p: _("that is stride {window}; here s = {stride}").format(window=p.window, stride=p.stride),
            ),
            (lambda p: (p.size - p.window) // p.stride, N_("equation (4) adds 1 after the division")),
            (lambda p: -(-(p.size - p.window) // p.stride) + 1, ROUND_DOWN),
        ),
        fallback=N_("O_w = ⌊(I_w − W_w)/s⌋ + 1"),
        explain=lambda p, s: _("$\\lfloor ({size} - {window})/{stride} \\rfloor + 1 = {s}$.").format(
            size=p.size, window=p.window, stride=p.stride, s=s
        ),
    ),
    Exercise(
        id="09.macs",
        title=N_("Multiply-adds of a layer"),
        defaults={"size": 14, "depth": 32, "filters": 64, "k": 3},
        draw=lambda d: {
            "size": d.choice((7, 14, 28)),
            "depth": d.choice((3, 16, 32, 64)),
            "filters": d.choice((16, 32, 64)),
            "k": d.choice((3, 5)),
        },
        question=lambda p: _(
            "A layer with {filters} kernels of ${k} \\times {k}$ (same padding, stride 1) reads a ${size} \\times "
            "{size} \\times {depth}$ map. How many multiply-adds does it take?"
        ).format(filters=p.filters, k=p.k, size=p.size, depth=p.depth),
        kind="int",
        solve=lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k, padding="same"),
        mistakes=(
            (
                lambda p: ar.conv_macs((p.size, p.size, 1), p.filters, p.k, padding="same"),
                lambda p: _("each kernel reads all {depth} channels: multiply by C too").format(depth=p.depth),
            ),
            (
                lambda p: ar.conv_params(p.depth, p.filters, p.k),
                N_("that is the number of parameters; every output position uses them all again"),
            ),
            (
                lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k),
                lambda p: _("with same padding the output stays {size} × {size}").format(size=p.size),
            ),
        ),
        fallback=N_("H′ · W′ · F · K_h · K_w · C"),
        explain=lambda p, s: _(
            "$H' W' F K_h K_w C = {size} \\cdot {size} \\cdot {filters} \\cdot {k} \\cdot {k} \\cdot {depth} = {s}$."
        ).format(size=p.size, filters=p.filters, k=p.k, depth=p.depth, s=_fmt(s)),
    ),
    Exercise(
        id="09.correlation",
        title=N_("What a CNN layer computes at one place"),
        defaults={"patch": PATCH_09, "kernel": KERNEL_09},
        draw=lambda d: {"patch": d.matrix(3, 3, 0, 5), "kernel": d.matrix(3, 3, -2, 2)},
        question=lambda p: _(
            "A CNN layer computes cross-correlation (no flip). With $I = {image}$ and $K = {kernel}$, "
            "what value does it give at the centre?"
        ).format(image=_matrix_tex(p.patch), kernel=_matrix_tex(p.kernel)),
        kind="number",
        solve=lambda p: float(ops.conv2d(p.patch, p.kernel)[0, 0]),
        template=N_("answer = ...   # a number"),
        mistakes=(
            (
                lambda p: float(ops.convolve2d(p.patch, p.kernel)[0, 0]),
                N_("that is the convolution of equation (1), with the kernel flipped; a CNN layer does not flip"),
            ),
        ),
        fallback=N_("multiply I and K element by element, without flipping, and add the nine products"),
        explain=lambda p, s: _("$\\sum_{{u,v}} I[u, v]\\, K[u, v] = {s:g}$ (no flip).").format(s=s),
    ),
    Exercise(
        id="09.field_pool",
        title=N_("The receptive field through a pooling"),
        defaults={"k1": 3, "window": 2, "k2": 3},
        draw=lambda d: {"k1": d.choice((3, 5, 7)), "window": d.choice((2, 3)), "k2": d.choice((3, 5))},
        question=lambda p: _(
            "conv ${k1} \\times {k1}$ (stride 1) → max pool ${window} \\times {window}$ (stride {window}) → conv ${k2} "
            "\\times {k2}$ (stride 1). How wide is the patch of the input that one output unit sees?"
        ).format(k1=p.k1, window=p.window, k2=p.k2),
        kind="int",
        solve=lambda p: ar.receptive_field([(p.k1, 1), (p.window, p.window), (p.k2, 1)]),
        mistakes=(
            (
                lambda p: 1 + (p.k1 - 1) + (p.window - 1) + (p.k2 - 1),
                lambda p: _(
                    "after a pooling of stride {window}, one step of the next layer is {window} input pixels"
                ).format(window=p.window),
            ),
            (
                lambda p: 1 + (p.k1 - 1) + (p.k2 - 1) * p.window,
                lambda p: _("the pooling window widens the field too, by W − 1 = {window_1}").format(
                    window_1=p.window - 1
                ),
            ),
        ),
        fallback=N_("each layer adds (K − 1) times the product of the strides below it"),
        explain=lambda p, s: _(
            "$1 + ({k1} - 1) + ({window} - 1) \\cdot 1 + ({k2} - 1) \\cdot {window} = {s}$: the pooling's stride "
            "multiplies what the next layer adds."
        ).format(k1=p.k1, window=p.window, k2=p.k2, s=s),
    ),
]
