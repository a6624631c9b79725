"""Volumes: a multi-channel input, kernels as deep as the input, a stack of feature maps.

:class:`VolumeExplorer` shows an input of depth ``l_d = 3`` as its three
channels (an RGB photo, or a small 3-channel array with its numbers), one
kernel of shape ``K_w x K_h x K_d`` with ``K_d = I_d`` (equation (2)) as its
three slices, and the feature map: one output per kernel, stacked, so that
its depth ``G_d`` is the number of kernels.  The readout writes the three
shapes in the slides' notation.

Every number comes from :func:`meia_cnn.explain.volume.volume_state` and
everything written from :func:`~meia_cnn.explain.volume.volume_scene`; this
module binds the controls to them for :file:`js/volume.js`.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic
from .. import data as _data
from ..explain.volume import (
    DEFAULT_ARRAY,
    KERNEL_RECIPES,
    KERNEL_SIZES,
    MAX_KERNELS,
    PHOTO_SIZE,
    SOURCES,
    VolumeState,
    as_photo,
    channel_pngs,
    deck_png,
    make_kernels,
    map_png,
    volume_scene,
    volume_state,
)
from ..i18n import TranslatedText, option_label
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control, slider
from ._explorer import Explorer, View
from ._messages import Refusal
from ._photo import PhotoSource

__all__ = ["VolumeExplorer", "KERNEL_RECIPES", "make_kernels", "DEFAULT_ARRAY"]

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText(
    {
        "title": N_("Volumes: the input's three channels, one kernel's three slices and the stack of feature maps"),
        "choose_kernel": N_("Choose which kernel to show: a whole number from 0 to {last}."),
        "no_fit": N_(
            "A {k}×{k} kernel does not fit in the {h}×{w} input. Choose a smaller kernel or a larger picture."
        ),
        "your_image": N_("your image"),
        "too_small": N_(
            "{name} is {h}×{w} pixels: every kernel needs a picture of at least {least}×{least} pixels. "
            "The previous picture stays."
        ),
    }
)


class VolumeView(View):
    """The drawing of :class:`VolumeExplorer`; the photo's channels and the maps travel as PNG."""

    _esm = esm("volume.js")
    ch0 = traitlets.Bytes(b"").tag(sync=True)
    ch1 = traitlets.Bytes(b"").tag(sync=True)
    ch2 = traitlets.Bytes(b"").tag(sync=True)
    #: every kernel's feature map (the photo): the page shows the one chosen
    fmaps = traitlets.List(traitlets.Bytes()).tag(sync=True)
    deck = traitlets.Bytes(b"").tag(sync=True)


class VolumeExplorer(Explorer):
    """A 3-channel input, kernels with ``K_d = I_d`` and the stacked feature map.

    Parameters
    ----------
    image : (H, W[, 3]) array, optional
        Your own photo (a grey one becomes three equal channels); default
        scikit-image's astronaut at 128 pixels.
    filters : int
        1 to 8 kernels; the feature map's depth ``G_d``.
    kernel_size : {1, 3, 5}
    source : {'photo', 'array'}
        The photo, or a small 6x6x3 array whose numbers are written.

    Attributes
    ----------
    controls : dict
        ``"source"``, ``"filters"``, ``"kernel_size"``, ``"kernel"`` (which
        kernel is drawn, chosen in the page), ``"upload"``.
    state : VolumeState
        The numbers drawn, from :func:`meia_cnn.explain.volume.volume_state`.

    Examples
    --------
    >>> viz = VolumeExplorer(source="array")
    >>> viz.state.input.shape, viz.state.kernels.shape, viz.state.feature_map.shape
    ((6, 6, 3), (3, 3, 3, 3), (4, 4, 3))
    >>> viz.controls["filters"].value = 8
    >>> viz.state.feature_map.shape
    (4, 4, 8)
    >>> viz.close()
    """

    view_class = VolumeView
    title = TEXT.english("title")
    spec = (
        Control("source", "toggle", N_("Input"), options=SOURCES),
        Control("filters", "int", N_("Kernels F"), range=(1, MAX_KERNELS), width="260px"),
        Control("kernel_size", "toggle", "K", options=KERNEL_SIZES, labelled=False),
    )

    def __init__(
        self, image: ArrayLike | None = None, *, filters: int = 3, kernel_size: int = 3, source: str = "photo"
    ) -> None:
        given = self._check(source=source, filters=filters, kernel_size=kernel_size)
        if image is None:
            photo, name = _data.sample_image("astronaut", size=PHOTO_SIZE), "astronaut"
        else:
            photo, name = as_photo(image, "image"), None  # shown as TEXT["your_image"]
        arithmetic.feature_map_shape((photo if source == "photo" else DEFAULT_ARRAY).shape, filters, kernel_size)
        super().__init__()
        self._photo, self._photo_name, self._photo_id = photo, name, 0
        self._key: tuple[Any, ...] = ()
        self._build(given)
        c = self.controls
        c["kernel_size"].style.button_width = "40px"
        c["kernel"] = slider(0, 0, given["filters"] - 1, _("Show kernel #"), width="260px")
        self.photo_source = PhotoSource(self, accept=self._accept_photo, load=dict(size=PHOTO_SIZE))
        c["upload"] = self.photo_source.upload
        # the kernel shown is chosen in the page: every kernel's numbers are in the scene
        self._links.append(widgets.jslink((c["kernel"], "value"), (self.view, "step")))
        c["kernel"].observe(self._guard(self._on_kernel), names="value")
        self._layout(
            widgets.HBox([c["source"], c["upload"]]), widgets.HBox([c["filters"], c["kernel_size"], c["kernel"]])
        )
        self._listen(["source", "filters", "kernel_size"])

    def _accept_photo(self, name: str, image: NDArray[np.float64]) -> None:
        image = as_photo(image, "upload")
        least = max(KERNEL_SIZES)
        if min(image.shape[:2]) < least:  # refused up front: every kernel must fit the photo
            h, w = image.shape[:2]
            raise Refusal(TEXT["too_small"].format(name=name, h=h, w=w, least=least))
        self._photo, self._photo_name, self._photo_id = image, name, self._photo_id + 1
        self._set_quietly(self.controls["source"], value="photo")

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> VolumeState:
        source, f, k = self._read().values()
        x = self._photo if source == "photo" else DEFAULT_ARRAY
        h, w = x.shape[:2]
        if k > min(h, w):
            raise Refusal(TEXT["no_fit"].format(k=k, h=h, w=w))
        self._key = (source, self._photo_id if source == "photo" else -1)
        return self._memo("state", (*self._key, f, k), lambda: volume_state(x, f, k), maxsize=12)  # ~1.5 MB each

    # -- the kernel shown: every choice is in the scene, the page picks one --------------
    def _on_kernel(self, change: Any) -> None:
        """The kernel slider moved (in Python: a notebook, a test); the page follows it by itself."""
        if self._quiet:
            return
        n, f = change["new"], len(self.view.scene.get("steps") or ()) or 1
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 0 <= n < f:
            raise Refusal(TEXT["choose_kernel"].format(last=f - 1))
        if self.view.step != int(n):
            self.view.step = int(n)

    def _publish(self, scene: dict, *, step: int | None = None, **pictures: Any) -> None:
        n = self.controls["kernel"].value
        n = min(max(int(n), 0), len(scene["steps"]) - 1) if isinstance(n, (int, np.integer)) else 0
        super()._publish(scene, step=n if step is None else step, **pictures)

    def _after_publish(self) -> None:
        # after the drawing is sent: the slider's range follows F (its value clamped to the step just sent)
        last = self.state.filters - 1
        if self.controls["kernel"].max != last:
            self._set_quietly(self.controls["kernel"], max=last)

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: VolumeState) -> tuple[dict, dict]:
        numbers = self._key[0] == "array"
        name = TEXT["your_image"] if self._photo_name is None else option_label(self._photo_name)
        scene = volume_scene(state, None if numbers else name)
        # each picture kept by what it depends on: the input, the kernel size, the number of kernels
        k, f = state.kernel_size, state.filters

        def png(key: tuple[Any, ...], make: Any) -> Any:
            return self._memo("png", (*key, *self._key), make, maxsize=64)

        pictures: dict[str, Any] = {"deck": png(("deck", k, f), lambda: deck_png(state.feature_map))}
        if not numbers:
            pictures.update(zip(("ch0", "ch1", "ch2"), png(("ch",), lambda: channel_pngs(state.input))))
            pictures["fmaps"] = [
                png(("fmap", k, one.index), lambda one=one: map_png(one.feature_map)) for one in state.per_kernel
            ]  # kernel n's map does not depend on F
        return dict(scene), pictures

    # -- the kernel shown, for instructors, notebooks and tests ---------------------------
    @property
    def shown(self) -> int:
        """The number of the kernel drawn (the page's choice, ``view.step``, linked to the "kernel" slider)."""
        return min(max(int(self.view.step), 0), self.state.filters - 1)

    @property
    def kernel(self) -> NDArray[np.float64]:
        """The kernel drawn, ``(K_h, K_w, K_d)``."""
        return self.state.per_kernel[self.shown].weights.copy()
