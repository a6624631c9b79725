"""Learning-rate schedules: how the step size changes during training.

A schedule gives, for each update, a *multiplier* of the optimiser's learning
rate ``lr``, as a function of the training's progress measured in epochs:
``epoch`` is the number of epochs completed before the update (``2.5`` is
halfway through the third epoch) and ``epochs`` the length of the run.
:meth:`meia_cnn.nn.Sequential.fit` evaluates it before every mini-batch
(``fit(..., schedule="cosine")``), and each update uses
``optimizer.lr * schedule(epoch, epochs)``; the optimiser's ``lr`` itself
is never changed.

Every schedule can start with a linear *warm-up*: over the first ``warmup``
fraction of the run (e.g. ``warmup=0.1``: the first 1.5 epochs of 15) the
multiplier grows from 0 to 1, so the first updates, taken while the weights
are random and Adam's moment estimates poor, are small.  Being a fraction,
the same schedule fits a run of any length.

* :class:`Constant`: 1 after the warm-up (the rate as given);
* :class:`CosineDecay`: half a cosine from 1 down to ``final`` at the end
  of the run (Loshchilov & Hutter, 2017, without restarts);
* :class:`StepDecay`: multiplied by ``factor`` every ``every`` epochs.

Large steps early explore, small steps at the end settle: with a rate that
stays large, the last epoch's weights (the ones kept) land wherever the
last noisy step took them, and the test accuracy varies with the seed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Union

from .._validation import as_real, value_text

__all__ = ["Schedule", "Constant", "CosineDecay", "StepDecay", "SCHEDULES", "as_schedule"]


def _number(
    value: object, name: str, *, low: float, high: float | None = None, open_low: bool = False, open_high: bool = False
) -> float:
    """``value`` as a float in the given interval, or a TypeError/ValueError naming ``name``."""
    left = "(" if open_low else "["
    right = ")" if open_high else "]"
    rule = (
        f">= {low:g}"
        if high is None and not open_low
        else (f"> {low:g}" if high is None else f"in {left}{low:g}, {high:g}{right}")
    )
    v = as_real(value, name, rule=f"a number {rule}")
    bad = (
        not math.isfinite(v)
        or v < low
        or (open_low and v == low)
        or (high is not None and (v > high or (open_high and v == high)))
    )
    if bad:
        raise ValueError(f"`{name}` must be {rule}, got {value_text(value)}")
    return v


class Schedule:
    """Base class: a learning-rate multiplier as a function of progress in epochs.

    Parameters
    ----------
    warmup : float in [0, 1), optional
        The fraction of the run spent in a linear warm-up (the multiplier
        grows from 0 to 1); 0 for none.

    Examples
    --------
    A schedule is called with the epochs completed and the run's length:

    >>> CosineDecay()(7.5, 15)
    0.5
    """

    def __init__(self, *, warmup: float = 0.0) -> None:
        self.warmup = _number(warmup, "warmup", low=0.0, high=1.0, open_high=True)

    def __call__(self, epoch: float, epochs: int) -> float:
        """The multiplier of the learning rate for an update made after ``epoch`` of ``epochs`` epochs.

        Parameters
        ----------
        epoch : float
            Epochs completed before the update, in ``[0, epochs)``.
        epochs : int
            The length of the run.

        Returns
        -------
        float
            The learning rate of the update divided by the optimiser's ``lr``.
        """
        start = self.warmup * epochs
        if epoch < start:
            return epoch / start
        return self._after_warmup(epoch - start, epochs - start)

    def _after_warmup(self, epoch: float, epochs: float) -> float:
        """The multiplier ``epoch`` epochs after the warm-up, in a run of ``epochs`` after it."""
        return 1.0

    def _options(self) -> dict[str, float]:
        return {"warmup": self.warmup} if self.warmup else {}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v:g}" for k, v in self._options().items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    """The learning rate as given (after an optional warm-up).

    Parameters
    ----------
    warmup : float, optional
        Epochs of linear warm-up from 0.

    Examples
    --------
    >>> Constant()(3, 10)
    1.0
    >>> Constant(warmup=0.2)(0.5, 10)  # warm-up over the first 2 epochs
    0.25
    """


class CosineDecay(Schedule):
    """Half a cosine from 1 down to ``final`` over the run (after an optional warm-up).

    After the warm-up, with ``p`` the fraction of the remaining run done,
    the multiplier is ``final + (1 - final) (1 + cos(pi p)) / 2``: 1 at the
    start, ``(1 + final) / 2`` halfway, approaching ``final`` at the end.

    Parameters
    ----------
    warmup : float in [0, 1), optional
        The fraction of the run spent in a linear warm-up from 0.
    final : float in [0, 1], optional
        The multiplier reached at the end of the run.

    Examples
    --------
    >>> schedule = CosineDecay(warmup=0.2)  # 2 epochs of 10
    >>> [schedule(e, 10) for e in (0, 1, 2, 6)]
    [0.0, 0.5, 1.0, 0.5]
    >>> round(CosineDecay(final=0.1)(5, 10), 6)
    0.55
    """

    def __init__(self, *, warmup: float = 0.0, final: float = 0.0) -> None:
        super().__init__(warmup=warmup)
        self.final = _number(final, "final", low=0.0, high=1.0)

    def _after_warmup(self, epoch: float, epochs: float) -> float:
        p = min(max(epoch / epochs, 0.0), 1.0)
        return self.final + (1.0 - self.final) * 0.5 * (1.0 + math.cos(math.pi * p))

    def _options(self) -> dict[str, float]:
        return {**super()._options(), **({"final": self.final} if self.final else {})}


class StepDecay(Schedule):
    """Multiply the rate by ``factor`` every ``every`` epochs (after an optional warm-up).

    The multiplier is ``factor ** floor(epoch / every)``, ``epoch`` counted
    from the end of the warm-up.

    Parameters
    ----------
    every : float
        Epochs between two drops (> 0).
    factor : float in (0, 1], optional
        What each drop multiplies the rate by.
    warmup : float in [0, 1), optional
        The fraction of the run spent in a linear warm-up from 0.

    Examples
    --------
    >>> schedule = StepDecay(5, factor=0.5)
    >>> [schedule(e, 15) for e in (0, 4.9, 5, 10)]
    [1.0, 1.0, 0.5, 0.25]
    """

    def __init__(self, every: float, *, factor: float = 0.1, warmup: float = 0.0) -> None:
        super().__init__(warmup=warmup)
        self.every = _number(every, "every", low=0.0, open_low=True)
        self.factor = _number(factor, "factor", low=0.0, high=1.0, open_low=True)

    def _after_warmup(self, epoch: float, epochs: float) -> float:
        return float(self.factor ** math.floor(epoch / self.every))

    def _options(self) -> dict[str, float]:
        return {"every": self.every, "factor": self.factor, **super()._options()}

    def __repr__(self) -> str:
        opts = self._options()
        rest = ", ".join(f"{k}={v:g}" for k, v in opts.items() if k != "every")
        return f"StepDecay({opts['every']:g}, {rest})"


#: Schedules by name, as accepted by ``fit(schedule=...)`` and ``train_reference``.
SCHEDULES: dict[str, type[Schedule]] = {"constant": Constant, "cosine": CosineDecay}

ScheduleLike = Union[None, str, Schedule, Callable[[float, int], float]]


def as_schedule(schedule: ScheduleLike, *, warmup: float = 0.0) -> Callable[[float, int], float]:
    """A schedule from a name, a :class:`Schedule` or a callable (``None`` is constant).

    Parameters
    ----------
    schedule : {None, 'constant', 'cosine'}, Schedule or callable
        A callable takes ``(epoch, epochs)`` and returns the multiplier.
    warmup : float in [0, 1), optional
        The fraction of the run spent warming up, for a schedule given by
        name (or ``None``).

    Returns
    -------
    callable
        ``(epoch, epochs) -> multiplier``.

    Examples
    --------
    >>> as_schedule("cosine", warmup=0.1)
    CosineDecay(warmup=0.1)
    >>> as_schedule(None)
    Constant()
    """
    if schedule is None:
        schedule = "constant"
    if isinstance(schedule, str):
        if schedule not in SCHEDULES:
            raise ValueError(
                f"`schedule` must be one of {', '.join(map(repr, SCHEDULES))}, a Schedule "
                f"or a callable (epoch, epochs) -> multiplier, got {schedule!r}"
            )
        return SCHEDULES[schedule](warmup=warmup)
    if warmup:
        raise ValueError(
            "`warmup` applies to a schedule given by name: give the warm-up to the "
            f"schedule itself, e.g. CosineDecay(warmup={warmup:g})"
        )
    if not callable(schedule):
        raise TypeError(f"`schedule` must be a name such as 'cosine', a Schedule or a callable, got {schedule!r}")
    return schedule
