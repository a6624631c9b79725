"""The exercises of notebook 01, position invariance.

>>> [ex.id for ex in EXERCISES]
['01.conv_params', '01.dense_params', '01.shift']
"""

from __future__ import annotations

import numpy as np

from .. import arithmetic as ar
from .. import ops
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._model import Exercise, _fmt

__all__ = ["EXERCISES"]


def _shift_peak_distance(shift: int = 5) -> int:
    """How far the peak of a feature map moves when the object moves ``shift`` pixels.

    A small cross is drawn in a 24x24 picture, then moved right by ``shift``;
    the response of the cross itself as kernel (conv2d, 'same') peaks on the
    object each time.
    """
    cross = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])
    peaks = []
    for dx in (0, shift):
        picture = np.zeros((24, 24))
        picture[5:8, 4 + dx : 7 + dx] = cross
        response = ops.conv2d(picture, cross, padding="same")
        peaks.append(np.unravel_index(np.argmax(response), response.shape))
    return int(peaks[1][1] - peaks[0][1])


#: The exercises of notebook 01, in the notebook's order.
EXERCISES = [
    Exercise(
        id="01.conv_params",
        title=N_("Parameters of a convolution layer"),
        defaults={"size": 32, "k": 5, "filters": 12},
        draw=lambda d: {"size": d.choice((28, 32, 64, 96)), "k": d.choice((3, 5, 7)), "filters": d.integer(4, 64)},
        question=lambda p: _(
            "A convolution layer reads a ${size} \\times {size} \\times 3$ image with {filters} kernels of ${k} "
            "\\times {k}$ (each kernel has depth 3, one bias per kernel). How many trainable parameters does it have?"
        ).format(size=p.size, filters=p.filters, k=p.k),
        kind="int",
        solve=lambda p: ar.conv_params(3, p.filters, p.k),
        mistakes=(
            (
                lambda p: ar.conv_params(3, p.filters, p.k, bias=False),
                N_("you counted the weights; each kernel also has one bias"),
            ),
            (
                lambda p: ar.conv_params(1, p.filters, p.k),
                N_("each kernel has the input's depth, K_d = I_d = 3 (equation (2))"),
            ),
            (
                lambda p: ar.conv_params(3, 1, p.k),
                lambda p: _("that is one kernel; the layer has {filters}").format(filters=p.filters),
            ),
            (
                lambda p: ar.conv_params(3, 1, p.k, bias=False),
                lambda p: _(
                    "that is one kernel without bias; the layer has {filters} kernels, each with a bias"
                ).format(filters=p.filters),
            ),
        ),
        fallback=N_("count (K_w · K_h · K_d + 1) per kernel, times the number of kernels F"),
        explain=lambda p, s: _(
            "$(K_w K_h K_d + 1) \\cdot F$: each kernel has ${k} \\times {k} \\times 3 = {n}$ weights and 1 bias; "
            "{filters} kernels: ${filters} \\times {n2} = {s}$ parameters, whatever the image size."
        ).format(k=p.k, n=3 * p.k * p.k, filters=p.filters, n2=3 * p.k * p.k + 1, s=_fmt(s)),
        praise=N_("The count does not depend on the image size: the same kernels slide over every position."),
    ),
    Exercise(
        id="01.dense_params",
        title=N_("The same output from a dense layer"),
        defaults={"size": 32, "k": 5, "filters": 12},
        draw=lambda d: {"size": d.choice((16, 28, 32)), "k": d.choice((3, 5)), "filters": d.integer(4, 32)},
        question=lambda p: _(
            "A fully connected layer maps a ${size} \\times {size} \\times 3$ input to an output of the size a "
            "convolution with {filters} kernels of ${k} \\times {k}$ (valid) gives, ${size_k_1} \\times {size_k_1} "
            "\\times {filters}$ (one weight per input-output pair, one bias per output). How many parameters?"
        ).format(size=p.size, filters=p.filters, k=p.k, size_k_1=p.size - p.k + 1),
        kind="int",
        solve=lambda p: ar.dense_params(p.size * p.size * 3, (p.size - p.k + 1) ** 2 * p.filters),
        mistakes=(
            (
                lambda p: ar.dense_params(p.size * p.size * 3, (p.size - p.k + 1) ** 2 * p.filters, bias=False),
                N_("you counted the weights; add one bias per output"),
            ),
            (
                lambda p: ar.dense_params(p.size * p.size, (p.size - p.k + 1) ** 2),
                N_("the input has 3 channels and the output one per kernel: n_in = W·H·3, n_out = G_w·G_h·G_d"),
            ),
            (
                lambda p: ar.dense_params(p.size * p.size * 3, p.size * p.size * p.filters),
                N_("the output is the valid convolution's size, I − K + 1 wide, not the input's"),
            ),
        ),
        fallback=N_("n_in · n_out + n_out with n_in = W·H·3 and n_out = G_w·G_h·G_d"),
        explain=lambda p, s: _(
            "$n_{{in}} = {size_size_3}$, $n_{{out}} = {n}$: $n_{{in}} n_{{out}} + n_{{out}} = {s}$, about {n2:,.0f} "
            "times the convolution's {n3}."
        ).format(
            size_size_3=_fmt(p.size * p.size * 3),
            n=_fmt((p.size - p.k + 1) ** 2 * p.filters),
            s=_fmt(s),
            n2=s / ar.conv_params(3, p.filters, p.k),
            n3=_fmt(ar.conv_params(3, p.filters, p.k)),
        ),
        praise=N_("Sharing one small kernel across space is what makes a CNN affordable."),
    ),
    Exercise(
        id="01.shift",
        title=N_("Moving the object moves the response"),
        defaults={"shift": 5},
        draw=lambda d: {"shift": d.integer(2, 12)},
        question=lambda p: _(
            "A picture holds a small cross; we slide the cross itself over it as a kernel and note where the response "
            "peaks. The cross then moves {shift} pixels to the right. By how many pixels does the peak of the response "
            "move?"
        ).format(shift=p.shift),
        kind="int",
        solve=lambda p: _shift_peak_distance(p.shift),
        mistakes=((lambda p: 0, N_("the peak follows the object: the same kernel is applied at every position")),),
        fallback=N_("the kernel is the same everywhere, so its strongest response moves exactly with the object"),
        explain=lambda p, s: _(
            "The peak moves by {s} pixels: convolution is *equivariant* to shifts; the feature is found wherever it "
            "is, with the same peak value."
        ).format(s=s),
    ),
]
