"""Parameter sharing: a convolution layer against a dense layer with the same output.

:func:`parameter_sharing_state` gives every number the parameter-sharing
explorer shows for a square ``I x I x C`` input and ``F`` kernels of
``K x K x C`` (stride 1): the output size ``G`` (equation (3)), the
convolution's ``K K C F + F`` parameters, those of a dense layer producing
the same ``G x G x F`` output from the same input, ``(I I C)(G G F) + G G F``,
their multiply-adds and their ratio; and, for a picture, the convolution of
a small one-channel input written as the matrix of a dense layer
(:func:`meia_cnn.ops.conv_as_matrix`): the same ``K x K`` weights in every
row, shifted.  Counts come from :mod:`meia_cnn.arithmetic`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from .. import arithmetic, ops
from .._validation import as_int
from ..i18n import TranslatedText, format_count
from ..i18n import gettext_noop as N_
from ._frozen import frozen
from ._render import PALETTE

__all__ = [
    "PICTURE_OUTPUT",
    "SharingScene",
    "SharingState",
    "parameter_sharing_state",
    "ratio_text",
    "sharing_scene",
]

#: Output side of the picture of the two matrices (4 x 4 = 16 rows).
PICTURE_OUTPUT = 4


@dataclass(frozen=True, eq=False)
class SharingState:
    """The two layers' sizes and counts, and the convolution as a matrix.

    Attributes
    ----------
    input_size, channels, kernel_size, filters : int
    padding : str
    output_size : int
        ``G`` (stride 1).
    conv_params, dense_params, conv_macs, dense_macs : int
    n_in, n_out : int
        ``I I C`` inputs and ``G G F`` outputs.
    picture_input : int
        Side of the picture's one-channel input: ``K + 3`` (so 4 x 4 outputs).
    conv_matrix : (16, picture_input ** 2) array
        The picture's convolution as a matrix, weights labelled ``1 .. K*K``
        (0 where an output does not see an input pixel).
    dense_matrix : (16, picture_input ** 2) array
        The same picture for a dense layer: a separate weight for every
        pair (seeded uniform values in [0.05, 1], for the picture only).

    Examples
    --------
    >>> s = parameter_sharing_state(8, 1, 3, 4, padding="same")
    >>> s.output_shape, s.conv_params, s.dense_params, s.n_in, s.n_out
    ((8, 8, 4), 40, 16640, 64, 256)
    >>> s.picture_input, s.dense_matrix_shape
    (6, (16, 36))
    """

    input_size: int
    channels: int
    kernel_size: int
    filters: int
    padding: str
    output_size: int
    conv_params: int
    dense_params: int
    conv_macs: int
    dense_macs: int
    n_in: int
    n_out: int
    picture_input: int
    conv_matrix: NDArray[np.float64]
    dense_matrix: NDArray[np.float64]

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """``(G, G, F)``, the output both layers produce."""
        return (self.output_size, self.output_size, self.filters)

    @property
    def ratio(self) -> float:
        """``dense_params / conv_params``."""
        return self.dense_params / self.conv_params

    @property
    def dense_matrix_shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the picture's dense matrix (the same as the convolution's)."""
        return (int(self.conv_matrix.shape[0]), int(self.conv_matrix.shape[1]))


def parameter_sharing_state(
    input_size: int, channels: int, kernel_size: int, filters: int, *, padding: str = "valid"
) -> SharingState:
    """Parameters and multiply-adds of a convolution and of a dense layer with the same output.

    Parameters
    ----------
    input_size : int
        ``I``, the side of the square input.
    channels : int
        ``C``.
    kernel_size : int
        ``K``.
    filters : int
        ``F``.
    padding : {'valid', 'same'}
        Of the convolution (stride 1).

    Returns
    -------
    SharingState

    Raises
    ------
    ValueError
        From :func:`meia_cnn.arithmetic.output_size` when the kernel is larger than the padded input.

    Examples
    --------
    >>> s = parameter_sharing_state(32, 3, 3, 16)
    >>> s.output_shape, s.conv_params, s.dense_params
    ((30, 30, 16), 448, 44251200)
    >>> s.conv_matrix.shape
    (16, 36)
    """
    if padding not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same', got {padding!r}")
    i, c, k, f = (
        as_int(v, name)
        for v, name in (
            (input_size, "input_size"),
            (channels, "channels"),
            (kernel_size, "kernel_size"),
            (filters, "filters"),
        )
    )
    g = int(arithmetic.output_size(i, k, padding=padding))
    n_in, n_out = i * i * c, g * g * f
    n = k + PICTURE_OUTPUT - 1
    labels = np.arange(1, k * k + 1, dtype=float).reshape(k, k)
    return SharingState(
        input_size=i,
        channels=c,
        kernel_size=k,
        filters=f,
        padding=padding,
        output_size=g,
        conv_params=int(arithmetic.conv_params(c, f, k)),
        dense_params=int(arithmetic.dense_params(n_in, n_out)),
        conv_macs=int(arithmetic.conv_macs((i, i, c), f, k, padding=padding)),
        dense_macs=int(arithmetic.dense_macs(n_in, n_out)),
        n_in=n_in,
        n_out=n_out,
        picture_input=n,
        conv_matrix=frozen(ops.conv_as_matrix(n, labels)),
        dense_matrix=frozen(np.random.default_rng(0).uniform(0.05, 1.0, size=(PICTURE_OUTPUT**2, n * n))),
    )


# -- the scene: everything the page draws and writes ---------------------------------------------
#: Decades of the log scale of the bars (the largest dense layer here has about 10^14 parameters).
DECADES = 15

SCENE_TEXT = TranslatedText(
    {
        "conv_bar": N_("conv"),
        "dense_bar": N_("dense"),
        "heading": N_("Input {i}×{i}×{c} → output {g}×{g}×{f}: conv {conv} parameters, dense {dense} ({ratio})"),
        "bars_title": N_("parameters (log scale)"),
        "bars_label": N_("Bars on a log scale: the convolution has {conv} parameters, the dense layer {dense}."),
        "conv_title": N_("conv as a matrix: the same {kk} weights in every row"),
        "dense_title": N_("dense: {rows}×{cols} = {n} separate weights"),
        "matrices_note": N_(
            "one channel, {n}×{n} input, {k}×{k} kernel; rows: the {rows} output positions, "
            "columns: the {cols} input pixels"
        ),
        "conv_label": N_(
            "The convolution of a {n} by {n} input with a {k} by {k} kernel written as a {rows} by {cols} "
            "matrix: each row holds the same {kk} weights, shifted, and zeros elsewhere."
        ),
        "dense_label": N_("A dense layer's {rows} by {cols} matrix: every entry is a separate weight."),
        "conv_line": N_(
            "<div><b>Convolution</b>: {f} kernels of {k}×{k}×{c} on {i}×{i}×{c} (stride 1, '{pad}' "
            "padding) → {g}×{g}×{f} ({rule}).</div>"
        ),
        "rule_valid": "G = ⌊({i} − {k})/1⌋ + 1 = {g}",
        "rule_same": "G = ⌈{i}/1⌉ = {g}",
        "conv_params": N_(
            "<div>Conv parameters: K·K·C·F + F = {k}·{k}·{c}·{f} + {f} = <b>{conv}</b> (multiply-adds {macs}).</div>"
        ),
        "dense_params": N_(
            "<div><b>Dense</b> layer from the {i}·{i}·{c} = {n_in} inputs to the same {g}·{g}·{f} = "
            "{n_out} outputs: {n_in}·{n_out} + {n_out} = <b>{dense}</b> parameters "
            "(multiply-adds {macs}).</div>"
        ),
        "ratio": N_(
            "<div>Ratio dense / conv = <b>{ratio}</b>: each kernel is shared by all {g}·{g} = {gg} positions, "
            "while each dense output has its own {n_in} weights.</div>"
        ),
    }
)


class SharingScene(TypedDict):
    """The JSON the page draws and writes (read by the explorer's file in :file:`widgets/js`).

    Parameters
    ----------
    heading : str
    bars : dict[str, Any]
    matrices : dict[str, Any]
    readout : str

    Examples
    --------
    >>> "readout" in SharingScene.__annotations__
    True
    """

    heading: str
    bars: dict[str, Any]
    matrices: dict[str, Any]
    readout: str


def sharing_scene(state: SharingState) -> SharingScene:
    """What the explorer draws and writes for ``state`` (JSON; see :class:`SharingScene`).

    Parameters
    ----------
    state : SharingState

    Returns
    -------
    SharingScene

    Examples
    --------
    >>> sharing_scene(parameter_sharing_state(32, 3, 3, 16))["heading"]
    'Input 32×32×3 → output 30×30×16: conv 448 parameters, dense 44,251,200 (98,775×)'
    """
    s = state
    i, c, k, f, g = s.input_size, s.channels, s.kernel_size, s.filters, s.output_size
    rows, cols = s.conv_matrix.shape
    ratio = ratio_text(s.ratio)
    rule = (
        SCENE_TEXT["rule_valid"].format(i=i, k=k, g=g)
        if s.padding == "valid"
        else SCENE_TEXT["rule_same"].format(i=i, g=g)
    )
    scene: SharingScene = {
        "heading": SCENE_TEXT["heading"].format(
            i=i, c=c, g=g, f=f, conv=format_count(s.conv_params), dense=format_count(s.dense_params), ratio=ratio
        ),
        "bars": {
            "title": SCENE_TEXT["bars_title"],
            "label": SCENE_TEXT["bars_label"].format(
                conv=format_count(s.conv_params), dense=format_count(s.dense_params)
            ),
            "decades": DECADES,
            "ticks": [[d, _power(d)] for d in range(0, DECADES + 1, 3)],
            "items": [
                {
                    "name": SCENE_TEXT["conv_bar"],
                    "log": math.log10(s.conv_params),
                    "text": format_count(s.conv_params),
                    "colour": PALETTE["orange"],
                },
                {
                    "name": SCENE_TEXT["dense_bar"],
                    "log": math.log10(s.dense_params),
                    "text": format_count(s.dense_params),
                    "colour": PALETTE["blue"],
                },
            ],
        },
        "matrices": {
            "rows": rows,
            "cols": cols,
            "conv": {
                "title": SCENE_TEXT["conv_title"].format(kk=k * k),
                "label": SCENE_TEXT["conv_label"].format(n=s.picture_input, k=k, rows=rows, cols=cols, kk=k * k),
            },
            "dense": {
                "title": SCENE_TEXT["dense_title"].format(rows=rows, cols=cols, n=format_count(rows * cols)),
                "label": SCENE_TEXT["dense_label"].format(rows=rows, cols=cols),
            },
            "note": SCENE_TEXT["matrices_note"].format(n=s.picture_input, k=k, rows=rows, cols=cols),
        },
        "readout": "".join(
            [
                SCENE_TEXT["conv_line"].format(f=f, k=k, c=c, i=i, pad=s.padding, g=g, rule=rule),
                SCENE_TEXT["conv_params"].format(
                    k=k, c=c, f=f, conv=format_count(s.conv_params), macs=format_count(s.conv_macs)
                ),
                SCENE_TEXT["dense_params"].format(
                    i=i,
                    c=c,
                    g=g,
                    f=f,
                    n_in=format_count(s.n_in),
                    n_out=format_count(s.n_out),
                    dense=format_count(s.dense_params),
                    macs=format_count(s.dense_macs),
                ),
                SCENE_TEXT["ratio"].format(ratio=ratio, g=g, gg=format_count(g * g), n_in=format_count(s.n_in)),
            ]
        ),
    }
    return scene


def ratio_text(r: float) -> str:
    """The ratio as written: ``98,775×`` (``1.23×`` under 10).

    Parameters
    ----------
    r : float
        ``dense_params / conv_params``.

    Returns
    -------
    str

    Examples
    --------
    >>> ratio_text(98775.2), ratio_text(1.234)
    ('98,775×', '1.23×')
    """
    return f"{r:,.0f}×" if r >= 10 else f"{r:.2f}×"


_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _power(d: int) -> str:
    return "1" if d == 0 else "10" + str(d).translate(_SUPERSCRIPT)
