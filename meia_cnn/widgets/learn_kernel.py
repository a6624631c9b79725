"""Learning a kernel by gradient descent, live: the kernel's numbers and the loss curve.

:class:`LearnKernelExplorer` shows a random kernel turning into the Sobel
edge detector as gradient descent reduces the squared error between its
output and the Sobel output on random images: the kernel's numbers at each
step beside the Sobel kernel's, the loss curve (log scale) with the current
step marked, and the first image filtered with the kernel of that step
beside the same image filtered with Sobel.

Every number comes from :func:`meia_cnn.explain.learn_kernel.learn_kernel_state`;
the whole run is computed once per learning rate and seed, and the steps
(the slider and Play) are resolved in the browser.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets

from ..explain.learn_kernel import LearnKernelState, learn_kernel_state
from ..i18n import TranslatedText
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._explorer import PALETTE, Explorer, View, colours, esm, format_number, png_bytes

__all__ = ["LearnKernelExplorer"]

#: The learning rates offered (from slow, through fast, to too large).
LEARNING_RATES = (0.02, 0.05, 0.1, 0.2, 0.5, 0.9, 1.1)
SEEDS = (0, 9)
STEP_RANGE = (1, 200)

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText({
    "title": N_("Learning a kernel: gradient descent turns a random kernel into the Sobel kernel"),
    "bad_rate": N_("Choose a learning rate among {rates}."),
    "bad_seed": N_("The seed must be a whole number from {lo} to {hi}."),
    "kernel_title": N_("kernel K at this step"),
    "true_title": N_("Sobel (the goal)"),
    "kernel_label": N_("The kernel's numbers at the current step, beside the Sobel kernel's numbers."),
    "loss_title": N_("loss L at each step (log scale)"),
    "loss_label": N_("The loss at every step, on a log scale; a dot marks the current step."),
    "pictures_title": N_("image ∗ K   |   image ∗ Sobel"),
    "pictures_label": N_("The first random image filtered with the kernel of the current step, beside the "
                       "same image filtered with the Sobel kernel."),
    "setup": N_("<div>Gradient descent on L = mean of (conv2d(X, K) − Y)² over {samples} random "
              "{size}×{size} images X and their Sobel outputs Y; learning rate η = {lr}, seed {seed}.</div>"),
    "step_line": "<div>{text}</div>",
})


class LearnKernelView(View):
    """The drawing of :class:`LearnKernelExplorer` (:file:`js/learn_kernel.js`).

    ``outputs`` is one PNG strip: the first image filtered with the kernel of
    every step, stacked from top to bottom (the page shows the current
    step's part); ``target`` is the same image filtered with Sobel.
    """

    _esm = esm("learn_kernel.js")
    outputs = traitlets.Bytes(b"").tag(sync=True)
    target = traitlets.Bytes(b"").tag(sync=True)


def _power_text(exponent: int) -> str:
    """``10`` to an integer power, with superscript digits: ``10⁻³``."""
    table = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return "10" + str(exponent).translate(table)


class LearnKernelExplorer(Explorer):
    """Gradient descent recovering the Sobel kernel, step by step.

    Parameters
    ----------
    learning_rate : float
        ``η``, one of 0.02, 0.05, 0.1, 0.2, 0.5, 0.9, 1.1 (the last one too large).
    seed : int
        From 0 to 9: the random images and the starting kernel.
    steps : int
        Gradient steps, from 1 to 200.

    Attributes
    ----------
    controls : dict
        ``"learning_rate"``, ``"seed"``, ``"step"``, ``"play"``.
    state : LearnKernelState
        The run, from :func:`meia_cnn.explain.learn_kernel.learn_kernel_state`.

    Examples
    --------
    >>> viz = LearnKernelExplorer()
    >>> viz.controls["step"].index = 50
    >>> np.round(viz.kernel, 2) + 0.0
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> viz.controls["learning_rate"].value = 1.1
    >>> viz.state.found_at is None
    True
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = LearnKernelView
    title: ClassVar[str] = TEXT["title"]

    def __init__(self, learning_rate: float = 0.1, seed: int = 0, steps: int = 50) -> None:
        if learning_rate not in LEARNING_RATES:
            raise ValueError(f"`learning_rate` must be one of {LEARNING_RATES}, got {learning_rate!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not SEEDS[0] <= seed <= SEEDS[1]:
            raise ValueError(f"`seed` must be an int from {SEEDS[0]} to {SEEDS[1]}, got {seed!r}")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not (
                STEP_RANGE[0] <= steps <= STEP_RANGE[1]):
            raise ValueError(f"`steps` must be an int from {STEP_RANGE[0]} to {STEP_RANGE[1]}, got {steps!r}")
        super().__init__()
        self._steps = int(steps)
        self._pictures: dict[str, bytes] = {}
        self._pictures_key: tuple | None = None
        c = self.controls
        c["learning_rate"] = widgets.SelectionSlider(
            options=[(f"{r:g}", r) for r in LEARNING_RATES], value=learning_rate,
            description=_("Learning rate η"), continuous_update=False,
            style={"description_width": "initial"}, layout=widgets.Layout(width="320px", max_width="100%"))
        c["seed"] = widgets.IntSlider(
            value=int(seed), min=SEEDS[0], max=SEEDS[1], description=_("Seed"), continuous_update=False,
            style={"description_width": "initial"}, layout=widgets.Layout(width="240px", max_width="100%"))
        c["step"], c["play"] = self._step_controls(description=N_("Iteration"), interval=250)
        self._layout(
            widgets.HBox([c["learning_rate"], c["seed"]]),
            widgets.HBox([c["play"], c["step"]]),
        )
        self._listen()

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> LearnKernelState:
        rate = self.controls["learning_rate"].value
        if rate not in LEARNING_RATES:
            raise ValueError(TEXT["bad_rate"].format(rates=", ".join(f"{r:g}" for r in LEARNING_RATES)))
        seed = self.controls["seed"].value
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not SEEDS[0] <= seed <= SEEDS[1]:
            raise ValueError(TEXT["bad_seed"].format(lo=SEEDS[0], hi=SEEDS[1]))
        return learn_kernel_state(learning_rate=float(rate), steps=self._steps, seed=int(seed))

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: LearnKernelState) -> tuple[dict, dict]:
        run = state.run
        truth = run.true_kernel
        limit = float(max(np.abs(truth).max(), 1e-12))
        kernel_range: dict[str, Any] = dict(cmap="PuOr_r", vmin=-limit, vmax=limit)
        picture_limit = float(max(np.abs(state.target).max(), 1e-12))
        picture_range: dict[str, Any] = dict(cmap="PuOr_r", vmin=-picture_limit, vmax=picture_limit)
        logs = [float(v) for v in state.log_losses]
        lo, hi = math.floor(min(logs)), math.ceil(max(logs))
        if hi <= lo:
            hi = lo + 1
        every = max(1, math.ceil((hi - lo) / 5))
        yticks = [[v, _power_text(v)] for v in range(lo, hi + 1, every)]
        kh = truth.shape[0]
        # every step's kernel coloured in one call (the colour map is set up once)
        all_colours = colours(np.concatenate(list(run.kernels), axis=0), **kernel_range)
        steps = []
        for t in range(run.steps + 1):
            steps.append({
                "labels": [[format_number(v, 2) for v in row] for row in run.kernels[t]],
                "colours": all_colours[t * kh:(t + 1) * kh],
                "point": [t, logs[t]],
                "readout": TEXT["step_line"].format(text=state.texts[t]),
            })
        h, w = state.target.shape
        scene = {
            "kernel": {
                "size": int(truth.shape[0]), "title": TEXT["kernel_title"], "true_title": TEXT["true_title"],
                "true_labels": [[format_number(v) for v in row] for row in truth],
                "true_colours": colours(truth, **kernel_range), "label": TEXT["kernel_label"],
            },
            "loss": {
                "points": [[t, v] for t, v in enumerate(logs)], "xrange": [0, max(self._steps, 1)],
                "yrange": [lo, hi], "yticks": yticks,
                "xticks": [[0, "0"], [self._steps, str(self._steps)]],
                "title": TEXT["loss_title"], "label": TEXT["loss_label"],
                "colour": PALETTE["blue"],
            },
            "pictures": {
                "rows": int(h), "cols": int(w), "title": TEXT["pictures_title"], "label": TEXT["pictures_label"],
            },
            "steps": steps,
            "readout": TEXT["setup"].format(samples=run.images.shape[0], size=run.images.shape[1],
                                            lr=f"{run.learning_rate:g}", seed=run.seed),
        }
        key = (run.learning_rate, run.seed, run.steps)
        if self._pictures_key != key:
            strip = np.concatenate(list(state.predictions), axis=0)  # ((T + 1) H', W')
            self._pictures = {"outputs": png_bytes(strip, **picture_range),
                              "target": png_bytes(state.target, **picture_range)}
            self._pictures_key = key
        return scene, dict(self._pictures)

    def _set_steps(self, n: int) -> int:
        """Size the step slider; it counts the gradient steps taken, from 0 (``"3 of 50"``), as the readout does."""
        slider, play = self.controls["step"], self.controls["play"]
        current = slider.index if isinstance(slider.index, int) else 0
        index = min(max(current, 0), n - 1)
        options = [(_("{k} of {n}").format(k=k, n=n - 1), k) for k in range(n)]
        if list(slider.options) != options:
            self._set_quietly(slider, options=options, index=index)
            self._set_quietly(play, max=n - 1, value=index)
        return index

    # -- numbers of the current step, for instructors and tests ------------------------
    @property
    def kernel(self) -> np.ndarray:
        """The kernel at the current step."""
        kernels = self.state.kernels
        return kernels[min(self.step, len(kernels) - 1)].copy()

    @property
    def loss(self) -> float:
        """The loss at the current step."""
        losses = self.state.losses
        return float(losses[min(self.step, len(losses) - 1)])
