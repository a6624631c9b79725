"""Learning a kernel, step by step: the numbers the learn-a-kernel explorer shows.

:func:`learn_kernel_state` runs :func:`meia_cnn.nn.learn_kernel.learn_kernel`
(gradient descent recovering the Sobel edge kernel from random images
filtered with it) and adds what the explorer writes and draws at every
step: the sentence of the readout, the loss on a log scale, and the first
image filtered with the kernel of that step beside the target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import NDArray

from ..i18n import TranslatedText
from ..i18n import gettext_noop as N_
from ..nn.learn_kernel import DIVERGED_LOSS, SOBEL_X, KernelLearning, learn_kernel
from ..ops import conv2d
from ._frozen import frozen
from ._render import PALETTE, colours, format_number, png_bytes

__all__ = [
    "TEXT",
    "LearnKernelScene",
    "LearnKernelState",
    "learn_kernel_pictures",
    "learn_kernel_scene",
    "learn_kernel_state",
]

# -- what a student reads (one place) ---------------------------------------------------
TEXT = TranslatedText(
    {
        "start": N_(
            "Step 0 of {total}: a random kernel to start with. Loss L = {loss}; its numbers are up to "
            "{error} away from the Sobel kernel's."
        ),
        "step": N_(
            "Step {t} of {total}: K ← K − η·∂L/∂K with η = {lr}. Loss L = {loss}; the kernel's numbers "
            "are up to {error} away from the Sobel kernel's."
        ),
        "close": N_(
            "Step {t} of {total}: loss L = {loss}. Every number is within {error} of the Sobel kernel's: found."
        ),
        "diverged": N_(
            "Step {t} of {total}: loss L = {loss}. The learning rate η = {lr} is too large: each step "
            "overshoots and the loss grows without bound; the run stopped here."
        ),
        "growing": N_(
            "Step {t} of {total}: loss L = {loss}, larger than at the start: with η = {lr} each step "
            "overshoots the minimum. Try a smaller learning rate."
        ),
    }
)

#: A kernel whose numbers are all within this of the true one counts as found.
FOUND = 1e-3
#: The loss curve goes this many powers of ten below the first loss at most (float64's precision).
FLOOR_DECADES = 16


def _number(value: float) -> str:
    """A loss or a distance as the readout writes it (3 significant digits)."""
    return f"{value:.3g}"


@dataclass(frozen=True, eq=False)
class LearnKernelState:
    """One gradient-descent run and what is shown at each of its steps.

    Attributes
    ----------
    run : KernelLearning
        The run: every kernel and loss, the images and the targets.
    texts : tuple of str
        The readout at each step (``run.steps + 1`` sentences).
    log_losses : (T + 1,) array
        ``log10`` of each loss (the loss curve's height), at least
        ``FLOOR_DECADES`` below the first loss (a loss of 0, reached
        exactly, is drawn there).
    predictions : (T + 1, H', W') array
        The first image filtered (``conv2d``) with the kernel of each step.
    target : (H', W') array
        The first image filtered with the true kernel.
    found_at : int or None
        The first step whose kernel is within ``FOUND`` of the true one.

    Examples
    --------
    >>> state = learn_kernel_state(steps=30)
    >>> len(state.texts), state.predictions.shape
    (31, (31, 14, 14))
    >>> print(state.texts[1])
    Step 1 of 30: K ← K − η·∂L/∂K with η = 0.1. Loss L = 10.6; the kernel's numbers are up to 2.14 away from the Sobel kernel's.
    """

    run: KernelLearning
    texts: tuple[str, ...]
    log_losses: NDArray[np.floating]
    predictions: NDArray[np.floating]
    target: NDArray[np.floating]
    found_at: int | None

    @property
    def kernels(self) -> NDArray[np.floating]:
        """``(T + 1, Kh, Kw)``: the kernel at each step."""
        return self.run.kernels

    @property
    def losses(self) -> NDArray[np.floating]:
        """``(T + 1,)``: the loss at each step."""
        return self.run.losses


def learn_kernel_state(
    *, learning_rate: float = 0.1, steps: int = 50, seed: int = 0, samples: int = 8, image_size: int = 16
) -> LearnKernelState:
    """Gradient descent recovering the Sobel kernel, with the readout of every step.

    Parameters
    ----------
    learning_rate : float
        ``η``, the step size, in (0, 2].
    steps : int
        Gradient steps.
    seed : int
        Seeds the images and the starting kernel.
    samples, image_size : int
        How many random images, and their side.

    Returns
    -------
    LearnKernelState

    Examples
    --------
    >>> state = learn_kernel_state(learning_rate=0.1, steps=50)
    >>> state.found_at
    36
    >>> print(state.texts[-1])
    Step 50 of 50: loss L = 7.39e-09. Every number is within 4.58e-05 of the Sobel kernel's: found.
    """
    run = learn_kernel(
        SOBEL_X, steps=steps, learning_rate=learning_rate, samples=samples, image_size=image_size, seed=seed
    )
    errors = run.errors
    total = int(steps)
    lr = f"{run.learning_rate:g}"
    texts = []
    for t, (loss, error) in enumerate(zip(run.losses, errors)):
        values = dict(t=t, total=total, loss=_number(loss), error=_number(error), lr=lr)
        if t == 0:
            texts.append(TEXT["start"].format(**values))
        elif run.diverged and t == run.steps:
            texts.append(TEXT["diverged"].format(**values))
        elif error < FOUND:
            texts.append(TEXT["close"].format(**values))
        elif loss > run.losses[0]:
            texts.append(TEXT["growing"].format(**values))
        else:
            texts.append(TEXT["step"].format(**values))
    first = run.images[0]
    kh, kw = SOBEL_X.shape
    # Every step's kernel applied to the first image at once: the kernels as F filters.
    predictions = np.moveaxis(conv2d(first, np.moveaxis(run.kernels, 0, -1)[:, :, None, :]), -1, 0)
    floor = max(float(run.losses[0]), 1e-300) * 10.0**-FLOOR_DECADES
    found = np.flatnonzero(errors < FOUND)
    return LearnKernelState(
        run=run,
        texts=tuple(texts),
        log_losses=frozen(np.log10(np.clip(run.losses, floor, DIVERGED_LOSS * 1e3))),
        predictions=frozen(predictions),
        target=run.targets[0],
        found_at=int(found[0]) if found.size else None,
    )


# -- the scene: everything the page draws and writes ---------------------------------------------


SCENE_TEXT = TranslatedText(
    {
        "kernel_title": N_("kernel K at this step"),
        "true_title": N_("Sobel (the goal)"),
        "kernel_label": N_("The kernel's numbers at the current step, beside the Sobel kernel's numbers."),
        "loss_title": N_("loss L at each step (log scale)"),
        "loss_label": N_("The loss at every step, on a log scale; a dot marks the current step."),
        "pictures_title": N_("image ∗ K   |   image ∗ Sobel"),
        "pictures_label": N_(
            "The first random image filtered with the kernel of the current step, beside the "
            "same image filtered with the Sobel kernel."
        ),
        "setup": N_(
            "<div>Gradient descent on L = mean of (conv2d(X, K) − Y)² over {samples} random "
            "{size}×{size} images X and their Sobel outputs Y; learning rate η = {lr}, seed {seed}.</div>"
        ),
        "step_line": "<div>{text}</div>",
    }
)


class LearnKernelScene(TypedDict):
    """The JSON the page draws and writes (read by the explorer's file in :file:`widgets/js`).

    Parameters
    ----------
    kernel : dict[str, Any]
    loss : dict[str, Any]
    pictures : dict[str, Any]
    steps : list[dict[str, Any]]
    readout : str

    Examples
    --------
    >>> "readout" in LearnKernelScene.__annotations__
    True
    """

    kernel: dict[str, Any]
    loss: dict[str, Any]
    pictures: dict[str, Any]
    steps: list[dict[str, Any]]
    readout: str


def learn_kernel_scene(state: LearnKernelState) -> LearnKernelScene:
    """What the explorer draws and writes for ``state`` (JSON; see :class:`LearnKernelScene`).

    Parameters
    ----------
    state : LearnKernelState

    Returns
    -------
    LearnKernelScene

    Examples
    --------
    >>> scene = learn_kernel_scene(learn_kernel_state(learning_rate=0.1, steps=5, seed=0))
    >>> len(scene["steps"]), scene["loss"]["xticks"]
    (6, [[0, '0'], [5, '5']])
    """
    run = state.run
    truth = run.true_kernel
    limit = float(max(np.abs(truth).max(), 1e-12))
    kernel_range: dict[str, Any] = dict(cmap="PuOr_r", vmin=-limit, vmax=limit)
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
        steps.append(
            {
                "labels": [[format_number(v, 2) for v in row] for row in run.kernels[t]],
                "colours": all_colours[t * kh : (t + 1) * kh],
                "point": [t, logs[t]],
                "readout": SCENE_TEXT["step_line"].format(text=state.texts[t]),
            }
        )
    h, w = state.target.shape
    scene: LearnKernelScene = {
        "kernel": {
            "size": int(truth.shape[0]),
            "title": SCENE_TEXT["kernel_title"],
            "true_title": SCENE_TEXT["true_title"],
            "true_labels": [[format_number(v) for v in row] for row in truth],
            "true_colours": colours(truth, **kernel_range),
            "label": SCENE_TEXT["kernel_label"],
        },
        "loss": {
            "points": [[t, v] for t, v in enumerate(logs)],
            "xrange": [0, max(run.steps, 1)],
            "yrange": [lo, hi],
            "yticks": yticks,
            "xticks": [[0, "0"], [run.steps, str(run.steps)]],
            "title": SCENE_TEXT["loss_title"],
            "label": SCENE_TEXT["loss_label"],
            "colour": PALETTE["blue"],
        },
        "pictures": {
            "rows": int(h),
            "cols": int(w),
            "title": SCENE_TEXT["pictures_title"],
            "label": SCENE_TEXT["pictures_label"],
        },
        "steps": steps,
        "readout": SCENE_TEXT["setup"].format(
            samples=run.images.shape[0], size=run.images.shape[1], lr=f"{run.learning_rate:g}", seed=run.seed
        ),
    }
    return scene


def _power_text(exponent: int) -> str:
    """``10`` to an integer power, with superscript digits: ``10⁻³``."""
    table = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
    return "10" + str(exponent).translate(table)


def learn_kernel_pictures(state: LearnKernelState) -> dict[str, bytes]:
    """The first image filtered with every step's kernel (one PNG strip, top to bottom) and with Sobel.

    Parameters
    ----------
    state : LearnKernelState

    Returns
    -------
    dict of str to bytes
        ``"outputs"`` and ``"target"``.

    Examples
    --------
    >>> sorted(learn_kernel_pictures(learn_kernel_state(steps=2)))
    ['outputs', 'target']
    """
    limit = float(max(np.abs(state.target).max(), 1e-12))
    strip = np.concatenate(list(state.predictions), axis=0)  # ((T + 1) H', W')
    return {
        "outputs": png_bytes(strip, cmap="PuOr_r", vmin=-limit, vmax=limit),
        "target": png_bytes(state.target, cmap="PuOr_r", vmin=-limit, vmax=limit),
    }
