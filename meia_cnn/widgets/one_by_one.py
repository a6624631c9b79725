"""The 1x1 convolution: channel mixing at every pixel, and what it costs.

A volume ``H x W x C`` goes through ``F`` kernels of size ``1 x 1 x C``.  At
each pixel the ``C`` values are combined with one kernel's ``C`` weights: a
dot product, the same at every position.  Height and width are kept ("a 1x1
convolution adds more parameters without modifying the structure", as the
slides say); only the depth changes, from ``C`` to ``F``.

The explorer draws the input volume, the kernel and the output volume with
the chosen pixel as a rod through the depth, writes the chosen pixel's dot
product out term by term, and compares parameters and multiply-adds with a
3x3 and a 5x5 layer producing the same ``H x W x F`` volume.  Every number
comes from :func:`meia_cnn.explain.one_by_one.one_by_one_state`; the scene is
drawn by :file:`js/one_by_one.js`.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import traitlets
from numpy.typing import ArrayLike

from ..explain.one_by_one import (
    MAX_CHANNELS,
    MAX_FILTERS,
    MAX_SIDE,
    OneByOneState,
    number,
    one_by_one_inputs,
    one_by_one_scene,
    one_by_one_state,
)
from ..i18n import TranslatedText
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control, build_controls, narrowed
from ._explorer import Explorer, View

__all__ = ["OneByOneExplorer", "number"]

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText(
    {
        "title": N_("1×1 convolution: one pixel's channels mixed by one kernel's weights, and the costs"),
    }
)


class OneByOneView(View):
    """The drawing of :class:`OneByOneExplorer` (all SVG).

    ``row`` and ``col`` are linked to the pixel sliders in the page, which
    shows the pixel's entry of ``scene["steps"]`` (``step = row * W + col``)
    without asking Python.
    """

    _esm = esm("one_by_one.js")
    row = traitlets.Int(0).tag(sync=True)
    col = traitlets.Int(0).tag(sync=True)


class OneByOneExplorer(Explorer):
    """A 1x1 convolution: one pixel's channels mixed by one kernel's weights.

    Parameters
    ----------
    height, width : int
        Spatial size ``H x W`` of the input volume (1 to 12; kept by the 1x1
        convolution).
    channels : int
        Input depth ``C`` to start with (1 to 16; at most ``x``'s depth).
    filters : int
        Number of 1x1 kernels ``F`` to start with (1 to 8; at most the
        number of columns of ``weights``).
    x : (H, W, C_max) array, optional
        Your own input volume; replaces ``height`` and ``width``.  The
        ``channels`` slider uses its first ``C`` channels.  Default: small
        integers 0..9 (seeded), so the dot products can be checked by hand.
    weights : (C_max, F_max) or (1, 1, C_max, F_max) array, optional
        Your own 1x1 kernels, one column per kernel.  Default: -2, -1, 1 or 2
        (seeded).
    seed : int
        Seed of the default ``x`` and ``weights``.

    Attributes
    ----------
    controls : dict
        ``"channels"`` (C), ``"filters"`` (F), ``"row"``, ``"col"`` (the
        pixel) and ``"filter"`` (which kernel's dot product is written out):
        IntSliders, their ranges those of this volume and these kernels.
    state : OneByOneState
        The numbers drawn, from :func:`meia_cnn.explain.one_by_one.one_by_one_state`
        (every pixel's dot product in ``state.pixels``, the one shown ``state.pixels[step]``;
        the costs in ``state.costs``).

    Examples
    --------
    >>> viz = OneByOneExplorer()
    >>> viz.state.output_shape
    (6, 6, 3)
    >>> viz.controls["filters"].value = 5
    >>> viz.state.output.shape
    (6, 6, 5)
    >>> viz.state.costs["3x3"]["params"] == 3 * 3 * 8 * 5 + 5
    True
    >>> viz.close()
    """

    view_class = OneByOneView
    title = TEXT.english("title")
    #: The widest ranges; an instance narrows them to its volume and kernels.
    spec = (
        Control("channels", "int", N_("channels C"), range=(1, MAX_CHANNELS), width="280px"),
        Control("filters", "int", N_("kernels F"), range=(1, MAX_FILTERS), width="280px"),
        Control("row", "int", N_("pixel row"), range=(0, MAX_SIDE - 1), width="280px"),
        Control("col", "int", N_("pixel col"), range=(0, MAX_SIDE - 1), width="280px"),
        Control("filter", "int", N_("kernel f"), range=(0, MAX_FILTERS - 1), width="280px"),
    )

    def __init__(
        self,
        height: int = 6,
        width: int = 6,
        channels: int = 8,
        filters: int = 3,
        *,
        x: ArrayLike | None = None,
        weights: ArrayLike | None = None,
        seed: int = 0,
    ) -> None:
        volume, w = one_by_one_inputs(height, width, x=x, weights=weights, seed=seed)
        given = self._check(channels=channels, filters=filters)
        (h, wd, c_max), f_max = volume.shape, w.shape[1]
        start = {
            "channels": min(given["channels"], c_max),
            "filters": min(given["filters"], f_max),
            "row": h // 2,
            "col": wd // 2,
            "filter": 0,
        }
        super().__init__()
        self._x, self._w = volume, w
        ranges = narrowed(
            self.spec,
            channels=(1, c_max),
            filters=(1, f_max),
            row=(0, h - 1),
            col=(0, wd - 1),
            filter=(0, start["filters"] - 1),
        )
        c = self.controls
        c.update(build_controls(ranges, start))
        # the pixel is chosen in the page: every pixel's dot product is in the scene
        self.view.row, self.view.col = c["row"].value, c["col"].value
        for name in ("row", "col"):
            self._links.append(widgets.jslink((c[name], "value"), (self.view, name)))
            c[name].observe(self._guard(self._on_pixel), names="value")
        self._layout(widgets.HBox([c["channels"], c["filters"]]), widgets.HBox([c["row"], c["col"], c["filter"]]))
        self._listen(["channels", "filters", "filter"])

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> OneByOneState:
        values = self._read()
        c, f = values["channels"], values["filters"]
        kernel = self.controls["filter"]
        if kernel.max != f - 1:
            self._set_quietly(kernel, max=f - 1)  # the kernel shown stays one of the F
            values["filter"] = kernel.value
        # every pixel at once (state.pixels); the page shows the one the sliders pick
        return one_by_one_state(self._x[:, :, :c], self._w[:c, :f], kernel=values["filter"])

    # -- the pixel: every choice is in the scene, the page picks one ------------------------
    def _pixel_index(self) -> int:
        """``row * W + col`` of the sliders (a ValueError in words for a value no slider offers)."""
        values = self._read()
        return values["row"] * self._x.shape[1] + values["col"]

    def _on_pixel(self, change: Any) -> None:
        """A pixel slider moved (in Python: a notebook, a test); the page follows it by itself."""
        index = self._pixel_index()
        view, c = self.view, self.controls
        with view.hold_sync():
            view.row, view.col = c["row"].value, c["col"].value
            if view.step != index:
                view.step = index

    def _publish(self, scene: dict, *, step: int | None = None, **pictures: Any) -> None:
        try:
            index = self._pixel_index()
        except ValueError:
            index = min(max(int(self.view.step), 0), len(scene["steps"]) - 1)
        super()._publish(scene, step=index if step is None else step, **pictures)

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: OneByOneState) -> tuple[dict, dict]:
        lo = float(self._x.min())
        return dict(one_by_one_scene(state, (lo, max(float(self._x.max()), lo + 1)), int(self._x.shape[2]))), {}
