"""Training the reference CNN live: the network a setting gives, and the axes of its curves.

:func:`training_plan` describes the run the training explorer starts for a
choice of filters, kernel size and epochs: the kit's reference CNN
(:func:`meia_cnn.nn.reference_model`), its parameter count, the reference
recipe's other settings (:data:`meia_cnn.nn.REFERENCE_SETTINGS`, whatever
they are: the explorer trains with :func:`meia_cnn.nn.train_reference`'s
defaults), the split's sizes and the batches per epoch.
:func:`curve_axes` gives the ranges and tick labels of the loss and accuracy
curves for a history.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .._validation import as_int
from ..nn import REFERENCE_SETTINGS, digits_split, reference_model
from ..nn.model import MAX_EPOCHS

__all__ = ["TrainingPlan", "CurveAxes", "training_plan", "curve_axes", "RUN_SETTINGS"]

#: The settings a student chooses; the rest of :data:`meia_cnn.nn.REFERENCE_SETTINGS` is the recipe.
RUN_SETTINGS = ("filters", "kernel_size", "epochs", "seed")


@dataclass(frozen=True, eq=False)
class TrainingPlan:
    """One run of the reference CNN.

    Attributes
    ----------
    filters, kernel_size, epochs, seed : int
    recipe : tuple of (str, object)
        The reference recipe's other settings (batch size, learning rate, ...), as
        :data:`meia_cnn.nn.REFERENCE_SETTINGS` holds them.
    layers : tuple of str
        Each layer described (``Conv2D(1→8, 3×3, same)`` ...).
    n_params : int
    n_train, n_test : int
        Images of the split.
    batches : int
        Batches per epoch.

    Examples
    --------
    >>> plan = training_plan(4, 5, 10, seed=1)
    >>> plan.settings
    {'filters': 4, 'kernel_size': 5, 'epochs': 10, 'seed': 1}
    >>> plan.n_train + plan.n_test
    1797
    """

    filters: int
    kernel_size: int
    epochs: int
    seed: int
    recipe: tuple[tuple[str, object], ...]
    layers: tuple[str, ...]
    n_params: int
    n_train: int
    n_test: int
    batches: int

    @property
    def settings(self) -> dict[str, int]:
        """``{"filters", "kernel_size", "epochs", "seed"}``."""
        return {"filters": self.filters, "kernel_size": self.kernel_size, "epochs": self.epochs,
                "seed": self.seed}


def training_plan(filters: int, kernel_size: int, epochs: int, *, seed: int) -> TrainingPlan:
    """The run :func:`meia_cnn.nn.train_reference` does with these settings.

    Parameters
    ----------
    filters : int
        Kernels of the first convolution (the second has twice as many).
    kernel_size : int
    epochs : int
    seed : int

    Returns
    -------
    TrainingPlan

    Examples
    --------
    >>> plan = training_plan(8, 3, 15, seed=0)
    >>> plan.n_params, plan.n_train, plan.n_test, plan.batches
    (1898, 1347, 450, 43)
    >>> plan.layers[0]
    'Conv2D(1→8, 3×3, same)'
    """
    seed = as_int(seed, "seed", minimum=0)
    model = reference_model(filters, kernel_size, seed=seed)
    X_train, X_test, _, _ = digits_split()
    batch = int(REFERENCE_SETTINGS.get("batch_size", 32))
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"`epochs` must be an int >= 1, got {epochs!r}")
    recipe = tuple((k, v) for k, v in REFERENCE_SETTINGS.items() if k not in RUN_SETTINGS)
    return TrainingPlan(
        filters=int(filters), kernel_size=int(kernel_size), epochs=int(epochs), seed=int(seed), recipe=recipe,
        layers=tuple(layer.describe() for layer in model.layers), n_params=int(model.n_params),
        n_train=len(X_train), n_test=len(X_test), batches=math.ceil(len(X_train) / batch),
    )


@dataclass(frozen=True)
class CurveAxes:
    """Ranges and ticks ``((value, text), ...)`` of the loss and accuracy curves.

    Attributes
    ----------
    xrange : (float, float)
    xticks : tuple of (int, str)
    loss_range, acc_range : (float, float)
    loss_ticks, acc_ticks : tuple of (float, str)

    Examples
    --------
    >>> axes = curve_axes({}, 3)
    >>> axes.xrange, axes.xticks, axes.loss_range
    ((0.5, 3.5), ((1, '1'), (2, '2'), (3, '3')), (0.0, 2.5))
    >>> axes.acc_ticks[-1]
    (1.0, '1')
    """

    xrange: tuple[float, float]
    xticks: tuple[tuple[int, str], ...]
    loss_range: tuple[float, float]
    loss_ticks: tuple[tuple[float, str], ...]
    acc_range: tuple[float, float]
    acc_ticks: tuple[tuple[float, str], ...]


def _step(top: float) -> float:
    raw = top / 4
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)


def curve_axes(history: Mapping[str, Sequence[float]], epochs: int) -> CurveAxes:
    """The axes of the curves of ``history`` drawn for a run of ``epochs`` epochs.

    The loss axis goes from 0 to 5 % above the largest loss (at least 0.5;
    2.5 before the first epoch); the accuracy axis from 0 to 1.

    Parameters
    ----------
    history : mapping of lists
        ``loss``, ``val_loss`` ... as :meth:`meia_cnn.nn.Sequential.fit` returns.
    epochs : int

    Returns
    -------
    CurveAxes

    Examples
    --------
    >>> axes = curve_axes({"loss": [1.9, 0.6], "val_loss": [1.2, 0.5]}, 15)
    >>> round(axes.loss_range[1], 3), axes.loss_ticks[:3], axes.xrange
    (1.995, ((0.0, '0'), (0.5, '0.5'), (1.0, '1')), (0.5, 15.5))
    """
    values = [float(v) for key in ("loss", "val_loss") for v in history.get(key, ()) if math.isfinite(float(v))]
    top = max(0.5, 1.05 * max(values)) if values else 2.5
    step = _step(top)
    loss_ticks = tuple((round(k * step, 10), _tick(k * step)) for k in range(int(top / step) + 1))
    epochs = as_int(epochs, "epochs")
    if epochs > MAX_EPOCHS:
        raise ValueError(f"`epochs` must be at most {MAX_EPOCHS:,} (MAX_EPOCHS), got {epochs}")
    every = max(1, math.ceil(epochs / 6))
    xticks = tuple((e, str(e)) for e in range(1, epochs + 1) if e == 1 or e % every == 0)
    acc_ticks = tuple((v, _tick(v)) for v in (0.0, 0.25, 0.5, 0.75, 1.0))
    return CurveAxes(xrange=(0.5, epochs + 0.5), xticks=xticks, loss_range=(0.0, top), loss_ticks=loss_ticks,
                     acc_range=(0.0, 1.0), acc_ticks=acc_ticks)


def _tick(v: float) -> str:
    text = f"{v:.3g}"
    return text
