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

from typing import ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets

from ..explain.sharing import SharingState, parameter_sharing_state, sharing_scene
from ..i18n import TranslatedText
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control
from ._explorer import Explorer, View, png_bytes
from ._messages import Refusal

__all__ = ["ParameterSharingExplorer"]

#: Ranges of the controls.
INPUT_SIZES = (1, 224)
CHANNELS = (1, 64)
KERNEL_SIZES = (1, 11)
FILTERS = (1, 128)
# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText(
    {
        "title": N_("Parameter sharing: a convolution layer against a dense layer with the same output"),
        "no_fit": N_(
            "The kernel does not fit: a {k}×{k} kernel is larger than the {i}×{i} input "
            "(no padding). Choose a smaller kernel or a larger input."
        ),
    }
)


class ParameterSharingView(View):
    """The drawing of :class:`ParameterSharingExplorer` (:file:`js/sharing.js`)."""

    _esm = esm("sharing.js")
    conv_png = traitlets.Bytes(b"").tag(sync=True)
    dense_png = traitlets.Bytes(b"").tag(sync=True)


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
    >>> viz.state.conv_params, viz.state.output_shape
    (156, (24, 24, 6))
    >>> viz.controls["input_size"].value = 64
    >>> viz.state.conv_params
    156
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = ParameterSharingView
    title: ClassVar[str] = TEXT.english("title")
    spec = (
        Control("input_size", "int", N_("Input size I"), range=INPUT_SIZES, width="300px"),
        Control("channels", "int", N_("Channels C"), range=CHANNELS, width="300px"),
        Control("kernel_size", "int", N_("Kernel size K"), range=KERNEL_SIZES, width="300px"),
        Control("filters", "int", N_("Filters F"), range=FILTERS, width="300px"),
    )

    def __init__(
        self,
        input_size: int = 32,
        channels: int = 3,
        kernel_size: int = 3,
        filters: int = 16,
        *,
        padding: str = "valid",
    ) -> None:
        if padding not in ("valid", "same"):
            raise ValueError(f"`padding` must be 'valid' or 'same', got {padding!r}")
        given = self._check(input_size=input_size, channels=channels, kernel_size=kernel_size, filters=filters)
        parameter_sharing_state(input_size, channels, kernel_size, filters, padding=padding)  # the core's check
        self._padding = padding
        super().__init__()
        self._build(given)
        c = self.controls
        self._layout(widgets.HBox([c["input_size"], c["channels"]]), widgets.HBox([c["kernel_size"], c["filters"]]))
        self._listen()

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> SharingState:
        values = self._read()
        i, k = values["input_size"], values["kernel_size"]
        if self._padding == "valid" and k > i:
            raise Refusal(TEXT["no_fit"].format(k=k, i=i))
        return parameter_sharing_state(i, values["channels"], k, values["filters"], padding=self._padding)

    # -- state -> scene --------------------------------------------------------------
    def _pictures(self, s: SharingState) -> tuple[bytes, bytes]:
        def make() -> tuple[bytes, bytes]:
            kk = max(s.kernel_size**2, 1)
            # zeros white, each of the K*K weights its own shade (the same in every row)
            conv = np.where(s.conv_matrix == 0, 0.0, 0.25 + 0.75 * s.conv_matrix / kk)
            return (
                png_bytes(conv, cmap="PuOr_r", vmin=-1.0, vmax=1.0),
                png_bytes(s.dense_matrix, cmap="PuOr_r", vmin=-1.0, vmax=1.0),
            )

        return self._memo("png", s.kernel_size, make)

    def _scene(self, state: SharingState) -> tuple[dict, dict]:
        conv_png, dense_png = self._pictures(state)
        return dict(sharing_scene(state)), {"conv_png": conv_png, "dense_png": dense_png}

    # -- numbers shown, for notebooks and tests -------------------------------------
