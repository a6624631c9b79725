"""Equation (1) at work: a kernel steps across a small grid of numbers.

:class:`ConvolutionExplorer` shows a small input ``I`` with its numbers, the
kernel ``K`` as typed and as applied (turned 180 degrees by true
convolution, unchanged by the cross-correlation CNN layers compute), the
window under the kernel, the element-wise products and their sum, and the
output map ``G`` filling in step by step.  Beside it the same kernel runs
over a whole photo.

Every number comes from :func:`meia_cnn.explain.convolution.convolution_state`;
kernels by name and typed kernels from :mod:`meia_cnn.kernels`.  This module
binds the controls to them and turns the state into the scene that
:file:`js/convolution.js` draws.  The steps are resolved in the browser.
"""

from __future__ import annotations

from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets

from .. import data as _data
from .._validation import as_float_array
from ..explain.convolution import (
    ConvolutionState,
    convolution_scene,
    convolution_state,
    filtered_png,
    photo_png,
    readable_grid,
)
from ..i18n import TranslatedText, option_label
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ..kernels import (
    KERNEL_PRESETS,
    KERNEL_SIZES,
    common_denominator,
    kernel_preset,
    kernel_text,
    parse_kernel,
)
from ._assets import esm
from ._controls import Control, build_controls
from ._explorer import Explorer, View, student_error
from ._messages import Refusal
from ._photo import UPLOAD_LABEL, PhotoSource

__all__ = [
    "ConvolutionExplorer",
    "KERNEL_PRESETS",
    "kernel_preset",
    "parse_kernel",
    "kernel_text",
    "common_denominator",
]

#: Side of the photo the kernel is run over (longest side, pixels).
PHOTO_SIZE = 192
#: Smallest side of an uploaded picture, after resizing (pixels).
MIN_PHOTO_SIDE = 8
#: Settings (kernel, operation, photo) whose state, scene and pictures are kept, to come back to at once.
CACHE_SIZE = 12

#: A 7x7 grid of small numbers: a bright square on a gentle ramp, so that
#: blurs, edges and the flip all show.
DEFAULT_IMAGE = np.array(
    [
        [1, 1, 2, 2, 3, 3, 3],
        [1, 2, 2, 3, 3, 3, 4],
        [2, 2, 9, 9, 9, 4, 4],
        [2, 3, 9, 9, 9, 4, 5],
        [3, 3, 9, 9, 9, 5, 5],
        [3, 4, 4, 4, 5, 5, 6],
        [4, 4, 4, 5, 5, 6, 6],
    ],
    dtype=float,
)

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText(
    {
        "title": N_("Convolution step by step: input, kernel, products, output map and a filtered photo"),
        "bad_text": N_("{error}. Still using the last good kernel."),
        "kernel_too_large": N_(
            "The {k}×{k} kernel is larger than the {h}×{w} input grid, so it has no position "
            "to stand on. Choose a 3×3 kernel or a larger grid."
        ),
        "upload_too_small": N_(
            "{name} is too thin: after fitting it to {size} pixels its short side is {side} "
            "pixels. Choose a picture at least {min} pixels on its shorter side."
        ),
    }
)


class ConvolutionView(View):
    """The drawing of :class:`ConvolutionExplorer` (:file:`js/convolution.js`)."""

    _esm = esm("convolution.js")
    photo = traitlets.Bytes(b"").tag(sync=True)
    filtered = traitlets.Bytes(b"").tag(sync=True)


class ConvolutionExplorer(Explorer):
    """Step a kernel across a small grid: products, sum and output map.

    Parameters
    ----------
    image : (H, W) array, optional
        The small input grid, 3 <= H, W <= 9 (default: a 7x7 bright square on a ramp).
    kernel : str or (3, 3) or (5, 5) array
        A preset name (see :data:`meia_cnn.kernels.KERNEL_PRESETS`) or your own numbers.
    photo : str
        The scikit-image sample the kernel also runs over (see
        :data:`meia_cnn.data.SAMPLE_NAMES`).
    operation : {'convolution', 'cross-correlation'}
        True convolution (equation (1), the kernel flipped) or what CNN layers compute.

    Attributes
    ----------
    controls : dict
        ``"step"``, ``"play"``, ``"operation"``, ``"preset"``, ``"kernel_size"``,
        ``"kernel_text"``, ``"photo"``, ``"upload"``.
    state : ConvolutionState
        The numbers shown, from :func:`meia_cnn.explain.convolution.convolution_state`.

    Examples
    --------
    >>> viz = ConvolutionExplorer()
    >>> viz.controls["step"].value = 8
    >>> here = viz.state.grid.steps[viz.step]
    >>> here.position, here.sum == float(viz.state.grid.output[here.position])
    ((1, 3), True)
    >>> viz.controls["step"].label
    '9 of 25'
    >>> viz.controls["kernel_text"].value = "1 2 3\\n4 5 6\\n7 8"
    >>> viz.error
    'The kernel must be 3 rows of 3 numbers; row 3 has 2 numbers. Still using the last good kernel.'
    >>> viz.close()
    """

    MODES = ("convolution", "cross-correlation")
    UPLOAD_LABEL = UPLOAD_LABEL
    view_class: ClassVar[type[View]] = ConvolutionView
    title: ClassVar[str] = TEXT.english("title")
    spec = (
        Control("operation", "toggle", "", options=MODES, refusal=N_("Choose convolution or cross-correlation.")),
        Control(
            "photo", "menu", N_("Photo"), options=tuple(_data.SAMPLE_NAMES), refusal=N_("Choose a photo from the list.")
        ),
    )
    #: The kernel's editor (with the text box ``kernel_text``): it sets the kernel the state function is given.
    kernel_spec = (
        Control(
            "preset",
            "menu",
            N_("Kernel"),
            options=(*KERNEL_PRESETS, "custom"),
            width="220px",
            refusal=N_("Choose a kernel from the list."),
        ),
        Control(
            "kernel_size", "toggle", N_("Size"), options=KERNEL_SIZES, refusal=N_("Choose a kernel size of 3 or 5.")
        ),
    )

    def __init__(
        self, image: Any = None, kernel: Any = "sobel_x", *, photo: str = "camera", operation: str = "convolution"
    ) -> None:
        grid = readable_grid(DEFAULT_IMAGE if image is None else image)
        given = self._check(operation=operation, photo=photo)
        if isinstance(kernel, str):
            preset, good = kernel, kernel_preset(kernel, 3)
        else:
            good = np.array(as_float_array(kernel, "kernel"), dtype=float)
            if good.ndim != 2 or good.shape[0] != good.shape[1] or good.shape[0] not in KERNEL_SIZES:
                raise ValueError(f"`kernel` must be a preset name or a 3x3 or 5x5 array, got shape {good.shape}")
            if np.abs(good).max() > 1e6:
                raise ValueError("`kernel` weights must be between -1e6 and 1e6")
            preset = "custom"
        if good.shape[0] > min(grid.shape):
            raise ValueError(f"`kernel` of shape {good.shape} is larger than `image` of shape {grid.shape}")
        super().__init__()
        self._grid = grid
        self._kernel = good
        self._text_error: str | None = None
        self._photo_name = self._shown_sample = photo
        self._photo = _data.sample_image(photo, grey=True, size=PHOTO_SIZE)
        self._photo_key: tuple = ("sample", photo)  # what identifies the photo shown
        self._key: tuple = ()  # (kernel, operation, photo): a setting seen before costs nothing (see _memo)

        self._build(given)
        c = self.controls
        c.update(build_controls(self.kernel_spec, {"preset": preset, "kernel_size": good.shape[0]}))
        c["step"], c["play"] = self._step_controls()
        c["operation"].tooltips = [_("K flipped: equation (1)"), _("K as is: what CNN layers compute")]
        c["kernel_size"].style.button_width = "40px"
        c["kernel_text"] = widgets.Textarea(
            value=kernel_text(good),
            description="K =",
            continuous_update=False,
            rows=5,
            layout=widgets.Layout(width="260px", height="120px"),
        )
        self.photo_source = PhotoSource(
            self, menu=c["photo"], accept=self._accept_photo, load=dict(grey=True, size=PHOTO_SIZE)
        )
        c["upload"] = self.photo_source.upload
        self._layout(
            widgets.HBox([c["operation"], c["play"], c["step"]]),
            widgets.HBox(
                [
                    widgets.VBox([c["preset"], c["kernel_size"]]),
                    c["kernel_text"],
                    widgets.VBox([c["photo"], c["upload"]]),
                ]
            ),
        )
        c["preset"].observe(self._guard(self._on_preset), names="value")
        c["kernel_size"].observe(self._guard(self._on_kernel_size), names="value")
        c["kernel_text"].observe(self._guard(self._on_text), names="value")
        self._listen(["operation", "photo"])

    # -- controls ---------------------------------------------------------------
    def clear_message(self) -> None:
        # A bad kernel entry stays announced while its text is in the box.
        if getattr(self, "_text_error", None):
            self.show_error(self._text_error or "")
        else:
            super().clear_message()

    def _set_kernel(self, kernel: np.ndarray, *, preset: str | None = None) -> None:
        """Make ``kernel`` the good kernel and put every control in step with it."""
        self._text_error = None
        self._kernel = kernel
        self.refresh()  # the drawing first; the controls follow
        c = self.controls
        self._set_quietly(c["kernel_size"], value=kernel.shape[0])
        self._set_quietly(c["kernel_text"], value=kernel_text(kernel))
        if preset is not None:
            self._set_quietly(c["preset"], value=preset)

    def _on_preset(self, change: Any) -> None:
        if self._quiet or change["new"] == "custom":
            return
        name = self.kernel_spec[0].read(self.controls["preset"])
        size = self.controls["kernel_size"].value
        self._set_kernel(kernel_preset(name, size if size in KERNEL_SIZES else 3))

    def _on_kernel_size(self, change: Any) -> None:
        if self._quiet:
            return
        k = self.kernel_spec[1].read(self.controls["kernel_size"])
        name = self.controls["preset"].value
        if name in KERNEL_PRESETS:
            self._set_kernel(kernel_preset(name, k))
            return
        old = self._kernel  # a custom kernel: centre it in, or crop it to, the new size
        new = np.zeros((k, k))
        if k > old.shape[0]:
            o = (k - old.shape[0]) // 2
            new[o : o + old.shape[0], o : o + old.shape[0]] = old
        else:
            o = (old.shape[0] - k) // 2
            new = old[o : o + k, o : o + k].copy()
        self._set_kernel(new)

    def _on_text(self, change: Any) -> None:
        if self._quiet:
            return
        try:
            kernel = parse_kernel(change["new"])
        except (ValueError, TypeError) as exc:
            self._text_error = TEXT["bad_text"].format(error=student_error(exc).rstrip("."))
            self.show_error(self._text_error)
            return  # the text stays as typed: nothing is lost
        self._text_error = None
        self._kernel = kernel
        self.refresh()  # the drawing first; the controls follow
        c = self.controls
        self._set_quietly(c["kernel_size"], value=kernel.shape[0])
        name = c["preset"].value
        if name not in KERNEL_PRESETS or not np.array_equal(kernel, kernel_preset(name, kernel.shape[0])):
            self._set_quietly(c["preset"], value="custom")

    def _accept_photo(self, name: str, image: np.ndarray) -> None:
        if min(image.shape[:2]) < MIN_PHOTO_SIDE:
            raise Refusal(
                TEXT["upload_too_small"].format(
                    name=name, size=PHOTO_SIZE, side=min(image.shape[:2]), min=MIN_PHOTO_SIDE
                )
            )
        self._photo = image
        self._photo_name = name
        self._photo_key = ("upload", self._photo_key, name)  # a new key for each upload
        self._shown_sample = f"{UPLOAD_LABEL}{name}"

    # -- controls -> state -------------------------------------------------------------
    def _compute(self) -> ConvolutionState:
        operation, choice = self._read().values()
        if choice != self._shown_sample and not choice.startswith(self.UPLOAD_LABEL):
            self._photo = _data.sample_image(choice, grey=True, size=PHOTO_SIZE)
            self._photo_name = choice
            self._photo_key = ("sample", choice)
            self._shown_sample = choice
        k = self._kernel.shape[0]
        h, w = self._grid.shape
        if k > min(h, w):
            raise Refusal(TEXT["kernel_too_large"].format(k=k, h=h, w=w))
        # keyed by everything the numbers, the sentences and the pictures depend on (the grid is fixed)
        key = (self._kernel.tobytes(), self._kernel.shape, operation, self._photo_key)
        kernel, photo = self._kernel, self._photo
        self._key = key
        return self._memo(
            "state",
            key,
            lambda: convolution_state(self._grid, kernel, photo, flip=operation == "convolution"),
            maxsize=CACHE_SIZE,
        )

    # -- state -> scene ------------------------------------------------------------------
    def _scene(self, state: ConvolutionState) -> tuple[dict, dict]:
        return self._memo("scene", self._key, lambda: self._make_scene(state), maxsize=CACHE_SIZE)

    def _make_scene(self, state: ConvolutionState) -> tuple[dict, dict]:
        pictures = {
            "photo": self._memo("photo", self._photo_key, lambda: photo_png(state), maxsize=2),
            "filtered": filtered_png(state),
        }
        return dict(convolution_scene(state, self._photo_shown_name())), pictures

    def _photo_shown_name(self) -> str:
        """The photo's name as shown: a sample's name in the learner's language, a file's as it is."""
        sample = self._shown_sample == self._photo_name
        return option_label(self._photo_name) if sample else self._photo_name

    # -- the kernel being edited, for instructors and tests (the step's numbers: state.grid.steps[step]) --
    @property
    def kernel(self) -> np.ndarray:
        """The current good kernel, as typed (before any flip)."""
        return self._kernel.copy()
