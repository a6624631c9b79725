"""Parameter sharing: one kernel reused at every position.

"CNNs share their parameters across the space" (the slides).  A convolution
layer with ``F`` kernels of ``K x K x C`` has ``K K C F + F`` parameters,
whatever the size of the image.  A fully connected (dense) layer producing
the same ``G x G x F`` output from the same ``I x I x C`` input needs one
weight per input value per output value: ``(I I C)(G G F) + G G F``.

The explorer compares the two counts (bars on a log scale, and the ratio),
and pictures why: written as a matrix (one row per output position), the
convolution repeats the same ``K x K`` weights in every row, shifted, with
zeros elsewhere; the dense layer's matrix is full of separate weights.
Every number comes from :func:`meia_cnn.explain.sharing.parameter_sharing_state`;
:file:`js/sharing.js` draws them.
"""

from __future__ import annotations

import math
from typing import ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets

from ..explain.sharing import SharingState, parameter_sharing_state
from ..i18n import TranslatedText, format_count
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._explorer import PALETTE, Explorer, View, esm, png_bytes

__all__ = ["ParameterSharingExplorer"]

#: Ranges of the controls.
INPUT_SIZES = (1, 224)
CHANNELS = (1, 64)
KERNEL_SIZES = (1, 11)
FILTERS = (1, 128)
#: Decades of the log scale of the bars (the largest dense layer here has about 10^14 parameters).
DECADES = 15

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText({
    "title": N_("Parameter sharing: a convolution layer against a dense layer with the same output"),
    "whole": N_("{name} must be a whole number from {lo} to {hi}."),
    "no_fit": N_("The kernel does not fit: a {k}×{k} kernel is larger than the {i}×{i} input "
               "(no padding). Choose a smaller kernel or a larger input."),
    "heading": N_("Input {i}×{i}×{c} → output {g}×{g}×{f}: conv {conv} parameters, dense {dense} ({ratio})"),
    "bars_title": N_("parameters (log scale)"),
    "bars_label": N_("Bars on a log scale: the convolution has {conv} parameters, the dense layer {dense}."),
    "conv_title": N_("conv as a matrix: the same {kk} weights in every row"),
    "dense_title": N_("dense: {rows}×{cols} = {n} separate weights"),
    "matrices_note": N_("one channel, {n}×{n} input, {k}×{k} kernel; rows: the {rows} output positions, "
                      "columns: the {cols} input pixels"),
    "conv_label": N_("The convolution of a {n} by {n} input with a {k} by {k} kernel written as a {rows} by {cols} "
                   "matrix: each row holds the same {kk} weights, shifted, and zeros elsewhere."),
    "dense_label": N_("A dense layer's {rows} by {cols} matrix: every entry is a separate weight."),
    "conv_line": N_("<div><b>Convolution</b>: {f} kernels of {k}×{k}×{c} on {i}×{i}×{c} (stride 1, '{pad}' "
                  "padding) → {g}×{g}×{f} ({rule}).</div>"),
    "rule_valid": "G = ⌊({i} − {k})/1⌋ + 1 = {g}",
    "rule_same": "G = ⌈{i}/1⌉ = {g}",
    "conv_params": N_("<div>Conv parameters: K·K·C·F + F = {k}·{k}·{c}·{f} + {f} = <b>{conv}</b> "
                    "(multiply-adds {macs}).</div>"),
    "dense_params": N_("<div><b>Dense</b> layer from the {i}·{i}·{c} = {n_in} inputs to the same {g}·{g}·{f} = "
                     "{n_out} outputs: {n_in}·{n_out} + {n_out} = <b>{dense}</b> parameters "
                     "(multiply-adds {macs}).</div>"),
    "ratio": N_("<div>Ratio dense / conv = <b>{ratio}</b>: each kernel is shared by all {g}·{g} = {gg} positions, "
              "while each dense output has its own {n_in} weights.</div>"),
})


class ParameterSharingView(View):
    """The drawing of :class:`ParameterSharingExplorer` (:file:`js/sharing.js`)."""

    _esm = esm("sharing.js")
    conv_png = traitlets.Bytes(b"").tag(sync=True)
    dense_png = traitlets.Bytes(b"").tag(sync=True)


def count(n: int) -> str:
    """A count with thousands separators, as the current language writes them: ``44,251,200``
    (Spanish: ``44 251 200``, see :func:`meia_cnn.i18n.format_count`).

    Parameters
    ----------
    n : int

    Returns
    -------
    str

    Examples
    --------
    >>> count(44251200)
    '44,251,200'
    """
    return format_count(n)


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


class ParameterSharingExplorer(Explorer):
    """Parameters of a convolution layer against a dense layer with the same output.

    Parameters
    ----------
    input_size : int
        Side ``I`` of the square input (1 to 224).
    channels : int
        Input depth ``C`` (1 to 64).
    kernel_size : int
        ``K`` (1 to 11).
    filters : int
        Number of kernels ``F`` (1 to 128).
    padding : {'valid', 'same'}
        Of the convolution (stride 1); it sets the output size ``G`` both
        layers produce.

    Attributes
    ----------
    controls : dict
        ``"input_size"``, ``"channels"``, ``"kernel_size"``, ``"filters"``
        (IntSliders).  A kernel larger than the input (with 'valid' padding)
        is explained in place of the drawing; the last good state stays.
    state : SharingState
        The numbers drawn, from :func:`meia_cnn.explain.sharing.parameter_sharing_state`.

    Examples
    --------
    >>> viz = ParameterSharingExplorer(28, 1, 5, 6)
    >>> viz.conv_params, viz.output_shape
    (156, (24, 24, 6))
    >>> viz.controls["input_size"].value = 64
    >>> viz.conv_params
    156
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = ParameterSharingView
    title: ClassVar[str] = TEXT["title"]

    def __init__(self, input_size: int = 32, channels: int = 3, kernel_size: int = 3, filters: int = 16, *,
                 padding: str = "valid") -> None:
        if padding not in ("valid", "same"):
            raise ValueError(f"`padding` must be 'valid' or 'same', got {padding!r}")
        values = dict(input_size=(input_size, INPUT_SIZES), channels=(channels, CHANNELS),
                      kernel_size=(kernel_size, KERNEL_SIZES), filters=(filters, FILTERS))
        for name, (value, (lo, hi)) in values.items():
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"`{name}` must be an int, got {value!r}")
            if not lo <= value <= hi:
                raise ValueError(f"`{name}` must be between {lo} and {hi} here, got {value}")
        parameter_sharing_state(input_size, channels, kernel_size, filters, padding=padding)  # the core's check
        self._padding = padding
        self._pngs: dict[int, tuple[bytes, bytes]] = {}
        super().__init__()
        c = self.controls
        c["input_size"] = _slider(int(input_size), *INPUT_SIZES, _("Input size I"))
        c["channels"] = _slider(int(channels), *CHANNELS, _("Channels C"))
        c["kernel_size"] = _slider(int(kernel_size), *KERNEL_SIZES, _("Kernel size K"))
        c["filters"] = _slider(int(filters), *FILTERS, _("Filters F"))
        self._layout(widgets.HBox([c["input_size"], c["channels"]]),
                     widgets.HBox([c["kernel_size"], c["filters"]]))
        self._listen()

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> SharingState:
        c = self.controls
        values = {}
        for name, (lo, hi) in (("input_size", INPUT_SIZES), ("channels", CHANNELS),
                               ("kernel_size", KERNEL_SIZES), ("filters", FILTERS)):
            v = c[name].value
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
                raise ValueError(TEXT["whole"].format(name=c[name].description, lo=lo, hi=hi))
            values[name] = int(v)
        i, k = values["input_size"], values["kernel_size"]
        if self._padding == "valid" and k > i:
            raise ValueError(TEXT["no_fit"].format(k=k, i=i))
        return parameter_sharing_state(i, values["channels"], k, values["filters"], padding=self._padding)

    # -- state -> scene --------------------------------------------------------------
    def _pictures(self, s: SharingState) -> tuple[bytes, bytes]:
        k = s.kernel_size
        if k not in self._pngs:
            kk = max(k * k, 1)
            # zeros white, each of the K*K weights its own shade (the same in every row)
            conv = np.where(s.conv_matrix == 0, 0.0, 0.25 + 0.75 * s.conv_matrix / kk)
            self._pngs[k] = (png_bytes(conv, cmap="PuOr_r", vmin=-1.0, vmax=1.0),
                             png_bytes(s.dense_matrix, cmap="PuOr_r", vmin=-1.0, vmax=1.0))
        return self._pngs[k]

    def _scene(self, s: SharingState) -> tuple[dict, dict]:
        i, c, k, f, g = s.input_size, s.channels, s.kernel_size, s.filters, s.output_size
        rows, cols = s.conv_matrix.shape
        conv_png, dense_png = self._pictures(s)
        ratio = ratio_text(s.ratio)
        rule = (TEXT["rule_valid"].format(i=i, k=k, g=g) if s.padding == "valid"
                else TEXT["rule_same"].format(i=i, g=g))
        scene = {
            "heading": TEXT["heading"].format(i=i, c=c, g=g, f=f, conv=count(s.conv_params),
                                              dense=count(s.dense_params), ratio=ratio),
            "bars": {
                "title": TEXT["bars_title"],
                "label": TEXT["bars_label"].format(conv=count(s.conv_params), dense=count(s.dense_params)),
                "decades": DECADES,
                "ticks": [[d, _power(d)] for d in range(0, DECADES + 1, 3)],
                "items": [
                    {"name": "conv", "log": math.log10(s.conv_params), "text": count(s.conv_params),
                     "colour": PALETTE["orange"]},
                    {"name": "dense", "log": math.log10(s.dense_params), "text": count(s.dense_params),
                     "colour": PALETTE["blue"]},
                ],
            },
            "matrices": {
                "rows": rows, "cols": cols,
                "conv": {"title": TEXT["conv_title"].format(kk=k * k),
                         "label": TEXT["conv_label"].format(n=s.picture_input, k=k, rows=rows, cols=cols, kk=k * k)},
                "dense": {"title": TEXT["dense_title"].format(rows=rows, cols=cols, n=count(rows * cols)),
                          "label": TEXT["dense_label"].format(rows=rows, cols=cols)},
                "note": TEXT["matrices_note"].format(n=s.picture_input, k=k, rows=rows, cols=cols),
            },
            "readout": "".join([
                TEXT["conv_line"].format(f=f, k=k, c=c, i=i, pad=s.padding, g=g, rule=rule),
                TEXT["conv_params"].format(k=k, c=c, f=f, conv=count(s.conv_params), macs=count(s.conv_macs)),
                TEXT["dense_params"].format(i=i, c=c, g=g, f=f, n_in=count(s.n_in), n_out=count(s.n_out),
                                            dense=count(s.dense_params), macs=count(s.dense_macs)),
                TEXT["ratio"].format(ratio=ratio, g=g, gg=count(g * g), n_in=count(s.n_in)),
            ]),
        }
        return scene, {"conv_png": conv_png, "dense_png": dense_png}

    # -- numbers shown, for notebooks and tests -------------------------------------
    @property
    def conv_params(self) -> int:
        """Parameters of the convolution layer."""
        return self.state.conv_params

    @property
    def dense_params(self) -> int:
        """Parameters of the dense layer with the same output."""
        return self.state.dense_params

    @property
    def ratio(self) -> float:
        """``dense_params / conv_params``."""
        return self.state.ratio

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """``(G, G, F)``, the output both layers produce."""
        return self.state.output_shape

    @property
    def conv_matrix(self) -> np.ndarray:
        """The picture's convolution matrix: weight labels 1..K*K, 0 where not connected."""
        return self.state.conv_matrix.copy()


def _slider(value: int, lo: int, hi: int, description: str) -> widgets.IntSlider:
    return widgets.IntSlider(value=value, min=lo, max=hi, step=1, description=description,
                             continuous_update=True, style={"description_width": "initial"},
                             layout=widgets.Layout(width="300px", max_width="100%"))
