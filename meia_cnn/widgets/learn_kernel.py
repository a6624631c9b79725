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

from typing import ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets

from ..explain.learn_kernel import LearnKernelState, learn_kernel_pictures, learn_kernel_scene, learn_kernel_state
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._controls import Control
from ._explorer import Explorer, View

__all__ = ["LearnKernelExplorer"]

#: The learning rates offered (from slow, through fast, to too large).
LEARNING_RATES = (0.02, 0.05, 0.1, 0.2, 0.5, 0.9, 1.1)
SEEDS = (0, 9)
STEP_RANGE = (1, 200)


class LearnKernelView(View):
    """The drawing of :class:`LearnKernelExplorer` (:file:`js/learn_kernel.js`).

    ``outputs`` is one PNG strip: the first image filtered with the kernel of
    every step, stacked from top to bottom (the page shows the current
    step's part); ``target`` is the same image filtered with Sobel.
    """

    _esm = esm("learn_kernel.js")
    outputs = traitlets.Bytes(b"").tag(sync=True)
    target = traitlets.Bytes(b"").tag(sync=True)


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
    >>> np.round(viz.state.kernels[viz.step], 2) + 0.0
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> viz.controls["learning_rate"].value = 1.1
    >>> viz.state.found_at is None
    True
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = LearnKernelView
    title: ClassVar[str] = N_("Learning a kernel: gradient descent turns a random kernel into the Sobel kernel")
    first_step = 0  # the slider counts the gradient steps taken ("3 of 50"), as the readout does
    spec = (
        Control(
            "learning_rate", "choice", N_("Learning rate η"), options=LEARNING_RATES, width="320px", continuous=False
        ),
        Control(
            "seed",
            "int",
            N_("Seed"),
            range=SEEDS,
            width="240px",
            continuous=False,
            refusal=N_("The seed must be a whole number from {lo} to {hi}."),
        ),
    )

    def __init__(self, learning_rate: float = 0.1, seed: int = 0, steps: int = 50) -> None:
        given = self._check(learning_rate=learning_rate, seed=seed)
        if (
            isinstance(steps, bool)
            or not isinstance(steps, (int, np.integer))
            or not (STEP_RANGE[0] <= steps <= STEP_RANGE[1])
        ):
            raise ValueError(f"`steps` must be an int from {STEP_RANGE[0]} to {STEP_RANGE[1]}, got {steps!r}")
        super().__init__()
        self._steps = int(steps)
        self._build(given)
        c = self.controls
        c["step"], c["play"] = self._step_controls(description=N_("Iteration"), interval=250)
        self._layout(
            widgets.HBox([c["learning_rate"], c["seed"]]),
            widgets.HBox([c["play"], c["step"]]),
        )
        self._listen()

    # -- controls -> state ---------------------------------------------------------
    def _compute(self) -> LearnKernelState:
        rate, seed = self._read().values()
        return self._memo(
            "state",
            (rate, seed),
            lambda: learn_kernel_state(  # runs seen are kept
                learning_rate=float(rate), steps=self._steps, seed=seed
            ),
            maxsize=4,
        )

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, state: LearnKernelState) -> tuple[dict, dict]:
        run = state.run
        pictures = self._memo(
            "png", (run.learning_rate, run.seed, run.steps), lambda: learn_kernel_pictures(state), maxsize=4
        )
        return dict(learn_kernel_scene(state)), pictures
