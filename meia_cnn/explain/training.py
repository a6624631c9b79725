"""Training the reference CNN live: the network a setting gives, its curves, and what the page shows.

:func:`training_plan` describes the run the training explorer starts for a
choice of filters, kernel size and epochs: the kit's reference CNN
(:func:`meia_cnn.nn.reference_model`), its parameter count, the reference
recipe's other settings (:data:`meia_cnn.nn.REFERENCE_SETTINGS`, whatever
they are: the explorer trains with :func:`meia_cnn.nn.train_reference`'s
defaults), the split's sizes and the batches per epoch.
:func:`curve_axes` gives the ranges and tick labels of the loss and accuracy
curves for a history; :func:`training_curves` the curves as the page draws
them, :func:`training_scene` everything else it draws and writes (titles,
colours, the first layer's kernels after a run, the readout), and
:func:`kernels_picture` the picture of those kernels.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_int
from ..i18n import TranslatedText, count_text, format_count
from ..i18n import gettext_noop as N_
from ..nn import REFERENCE_SETTINGS, digits_split, reference_model
from ..nn.background import CURVES  # the curves of a run, as Sequential.fit names them (val_*: on the test set)
from ..nn.model import MAX_EPOCHS
from ._render import PALETTE, format_number, png_bytes
from .feature_maps import tile_channels

__all__ = [
    "TrainingPlan",
    "CurveAxes",
    "training_plan",
    "curve_axes",
    "RUN_SETTINGS",
    "CURVES",
    "TEXT",
    "TrainingRun",
    "TrainingScene",
    "CurvesScene",
    "training_scene",
    "curves_scene",
]

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
        return {"filters": self.filters, "kernel_size": self.kernel_size, "epochs": self.epochs, "seed": self.seed}


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
        filters=int(filters),
        kernel_size=int(kernel_size),
        epochs=int(epochs),
        seed=int(seed),
        recipe=recipe,
        layers=tuple(layer.describe() for layer in model.layers),
        n_params=int(model.n_params),
        n_train=len(X_train),
        n_test=len(X_test),
        batches=math.ceil(len(X_train) / batch),
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
    return CurveAxes(
        xrange=(0.5, epochs + 0.5),
        xticks=xticks,
        loss_range=(0.0, top),
        loss_ticks=loss_ticks,
        acc_range=(0.0, 1.0),
        acc_ticks=acc_ticks,
    )


def _tick(v: float) -> str:
    text = f"{v:.3g}"
    return text


# -- the scene: everything the page draws and writes ---------------------------------------------

TEXT = TranslatedText(
    {
        "loss_title": N_("loss (cross-entropy) per epoch"),
        "acc_title": N_("accuracy per epoch"),
        "loss_label": N_("Loss per epoch: training in blue, test in orange (dashed)."),
        "acc_label": N_("Accuracy per epoch: training in blue, test in orange (dashed); the dotted line is 97 %."),
        "epoch": N_("epoch"),
        "train": N_("train"),
        "test": N_("test"),
        "kernels_title": N_("first-layer kernels: {f} × {k}×{k}"),
        "kernels_none": N_("first-layer kernels: after training"),
        "kernels_label": N_("The {f} kernels of the first convolution after training, {k} by {k} each."),
        "network": N_("<div>Network: {layers}: <b>{params}</b> parameters.</div>"),
        "recipe": N_(
            "<div>Training: {epochs} with the kit's reference recipe ({recipe}) on {n_train} "
            "training and {n_test} test images.</div>"
        ),
        "not_trained": N_("<div>Not trained yet: press Train.</div>"),
        "stale": N_(
            "<div><b>The curves belong to the previous settings</b> ({filters}, {k}×{k} kernels, "
            "{epochs}): press Train to train this network.</div>"
        ),
        "final": N_(
            "<div>Final test accuracy: <b>{acc} %</b> after {epochs} ({filters}, {k}×{k} kernels) in {s} s.</div>"
        ),
        "stopped": N_("<div>The run stopped after {n} of {epochs}.</div>"),
        "live": N_("Epoch {epoch}/{epochs}: train loss {loss}, train accuracy {acc} %, test accuracy {val} %."),
    }
)
_RECIPE_WORDS = TranslatedText(
    {
        "batch_size": N_("batch {v}"),
        "lr": N_("learning rate {v}"),
        "schedule": N_("schedule {v}"),
        "warmup": N_("warm-up {v}"),
    }
)
#: The learning-rate schedules' names (:data:`meia_cnn.nn.schedules.SCHEDULES`) as the recipe shows them.
_SCHEDULE_NAMES = TranslatedText({"cosine": N_("cosine"), "constant": N_("constant")})


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """The last run started and what it has given so far.

    Attributes
    ----------
    plan : TrainingPlan
        Its settings.
    epochs_done : int
        Epochs finished.
    running : bool
        Whether it is still going.
    stopped : bool
        Whether it stopped before its last epoch (the explorer was closed).
    test_accuracy : float, optional
        On the test set, once finished.
    seconds : float, optional
        How long it took, once finished.
    kernels : (Kh, Kw, F) array, optional
        The first convolution's kernels of the model trained (shown when the run is not going).

    Examples
    --------
    >>> run = TrainingRun(training_plan(4, 5, 3, seed=0), epochs_done=1, running=True)
    >>> run.plan.filters, run.finished
    (4, False)
    """

    plan: TrainingPlan
    epochs_done: int = 0
    running: bool = False
    stopped: bool = False
    test_accuracy: float | None = None
    seconds: float | None = None
    kernels: NDArray[np.float64] | None = None

    @property
    def finished(self) -> bool:
        """Whether the run went to its end and was measured on the test set."""
        return not self.running and not self.stopped and self.test_accuracy is not None


class TrainingScene(TypedDict):
    """The JSON the page draws and writes (read by :file:`widgets/js/training.js`).

    Parameters
    ----------
    epochs : int
    titles : dict[str, str]
    labels : dict[str, str]
    colours : dict[str, str]
    kernels : dict[str, Any] or None
    kernels_empty : str
    stale : bool
    readout : str

    Examples
    --------
    >>> "readout" in TrainingScene.__annotations__
    True
    """

    epochs: int
    titles: dict[str, str]
    labels: dict[str, str]
    colours: dict[str, str]
    kernels: dict[str, Any] | None
    kernels_empty: str
    stale: bool
    readout: str


def _is_stale(plan: TrainingPlan, run: TrainingRun | None) -> bool:
    """Whether the curves shown belong to other settings than ``plan``'s."""
    return run is not None and (
        (run.plan.filters, run.plan.kernel_size, run.plan.epochs) != (plan.filters, plan.kernel_size, plan.epochs)
    )


def training_scene(plan: TrainingPlan, run: TrainingRun | None = None) -> TrainingScene:
    """What the explorer draws and writes for the settings ``plan`` after ``run`` (JSON).

    Parameters
    ----------
    plan : TrainingPlan
        The settings the controls describe.
    run : TrainingRun, optional
        The last run started (None before the first).

    Returns
    -------
    TrainingScene

    Examples
    --------
    >>> scene = training_scene(training_plan(8, 3, 15, seed=0))
    >>> scene["stale"], scene["kernels"], scene["titles"]["loss"]
    (False, None, 'loss (cross-entropy) per epoch')
    >>> print(scene["readout"][:67])
    <div>Network: Conv2D(1→8, 3×3, same) → ReLU → MaxPool2D(2) → Conv2D
    """
    shown = run.plan if run is not None else plan  # the curves' axes are the run's
    kernels = None
    if run is not None and run.kernels is not None and not run.running:
        rows, cols = tile_channels(run.kernels).shape
        f, k = run.plan.filters, run.plan.kernel_size
        kernels = {
            "rows": int(rows),
            "cols": int(cols),
            "title": TEXT["kernels_title"].format(f=f, k=k),
            "label": TEXT["kernels_label"].format(f=f, k=k),
        }
    return {
        "epochs": shown.epochs,
        "titles": {
            "loss": TEXT["loss_title"],
            "acc": TEXT["acc_title"],
            "epoch": TEXT["epoch"],
            "train": TEXT["train"],
            "test": TEXT["test"],
        },
        "labels": {"loss": TEXT["loss_label"], "acc": TEXT["acc_label"]},
        "colours": {"train": PALETTE["blue"], "test": PALETTE["orange"], "grey": PALETTE["grey"]},
        "kernels": kernels,
        "kernels_empty": TEXT["kernels_none"],
        "stale": _is_stale(plan, run),
        "readout": _readout(plan, run),
    }


def _readout(plan: TrainingPlan, run: TrainingRun | None) -> str:
    parts = [
        TEXT["network"].format(layers=html.escape(" → ".join(plan.layers)), params=format_count(plan.n_params)),
        TEXT["recipe"].format(
            epochs=count_text("epoch", plan.epochs),
            recipe=html.escape(recipe_text(plan)),
            n_train=plan.n_train,
            n_test=plan.n_test,
        ),
    ]
    if run is None:
        return "".join([*parts, TEXT["not_trained"]])
    r = run.plan
    if _is_stale(plan, run):
        parts.append(
            TEXT["stale"].format(
                filters=count_text("filter", r.filters), k=r.kernel_size, epochs=count_text("epoch", r.epochs)
            )
        )
    if run.stopped:
        parts.append(TEXT["stopped"].format(n=run.epochs_done, epochs=count_text("epoch", r.epochs)))
    elif run.test_accuracy is not None and run.seconds is not None:
        parts.append(
            TEXT["final"].format(
                acc=f"{100 * run.test_accuracy:.1f}",
                epochs=count_text("epoch", run.epochs_done),
                filters=count_text("filter", r.filters),
                k=r.kernel_size,
                s=f"{run.seconds:.1f}",
            )
        )
    return "".join(parts)


def recipe_text(plan: TrainingPlan) -> str:
    """The reference recipe's other settings, as the readout writes them in brackets.

    Parameters
    ----------
    plan : TrainingPlan

    Returns
    -------
    str

    Examples
    --------
    >>> recipe_text(training_plan(8, 3, 15, seed=0))
    'batch 32, learning rate 0.03, schedule cosine, warm-up 0.1'
    """
    words = []
    for key, value in plan.recipe:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            shown = format_number(value)
        elif key == "schedule" and str(value) in _SCHEDULE_NAMES:
            shown = _SCHEDULE_NAMES[str(value)]
        else:
            shown = str(value)
        pattern = _RECIPE_WORDS[key] if key in _RECIPE_WORDS else key.replace("_", " ") + " {v}"
        words.append(pattern.format(v=shown))
    return ", ".join(words)


def kernels_picture(kernels: ArrayLike | None) -> bytes:
    """The first convolution's kernels ``(Kh, Kw, F)`` side by side, as a PNG (``b""`` for none).

    Purple to orange, white at zero, scaled to the largest weight.

    Parameters
    ----------
    kernels : (Kh, Kw, F) array, optional

    Returns
    -------
    bytes

    Examples
    --------
    >>> kernels_picture(np.ones((3, 3, 2)))[:4], kernels_picture(None)
    (b'\\x89PNG', b'')
    """
    if kernels is None:
        return b""
    k = np.asarray(kernels, dtype=float)
    m = float(np.abs(k).max()) or 1.0
    return png_bytes(np.nan_to_num(tile_channels(k)), cmap="PuOr_r", vmin=-m, vmax=m)


class CurvesScene(TypedDict):
    """The curves as the page draws them: ``[[epoch, value], ...]`` per curve, the axes, the live line.

    Parameters
    ----------
    loss, accuracy, val_loss, val_accuracy : list of [int, float]
    xrange, loss_range, acc_range : list of float
    xticks, loss_ticks, acc_ticks : list of [float, str]
    live : str

    Examples
    --------
    >>> "live" in CurvesScene.__annotations__
    True
    """

    loss: list[list[float]]
    accuracy: list[list[float]]
    val_loss: list[list[float]]
    val_accuracy: list[list[float]]
    xrange: list[float]
    xticks: list[list[Any]]
    loss_range: list[float]
    loss_ticks: list[list[Any]]
    acc_range: list[float]
    acc_ticks: list[list[Any]]
    live: str


def curves_scene(history: Mapping[str, Sequence[float]], epochs: int, live: str = "") -> CurvesScene:
    """The curves of ``history`` for a run of ``epochs`` epochs, with their axes (JSON, one message).

    Parameters
    ----------
    history : mapping of lists
        ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``: one value per finished epoch.
    epochs : int
        The run's epochs (the x axis).
    live : str
        The line written under the curves (:func:`live_text`).

    Returns
    -------
    CurvesScene

    Examples
    --------
    >>> curves = curves_scene({"loss": [1.9, 0.6]}, 3)
    >>> curves["loss"], curves["accuracy"], curves["xrange"]
    ([[1, 1.9], [2, 0.6]], [], [0.5, 3.5])
    """
    axes = curve_axes(history, epochs)
    points = {k: [[i + 1, float(v)] for i, v in enumerate(history.get(k, ()))] for k in CURVES}
    return {
        "loss": points["loss"],
        "accuracy": points["accuracy"],
        "val_loss": points["val_loss"],
        "val_accuracy": points["val_accuracy"],
        "xrange": list(axes.xrange),
        "xticks": [list(t) for t in axes.xticks],
        "loss_range": list(axes.loss_range),
        "loss_ticks": [list(t) for t in axes.loss_ticks],
        "acc_range": list(axes.acc_range),
        "acc_ticks": [list(t) for t in axes.acc_ticks],
        "live": live,
    }


def live_text(logs: Mapping[str, float]) -> str:
    """The line written under the curves after an epoch, from that epoch's logs.

    Parameters
    ----------
    logs : mapping
        ``epoch``, ``epochs``, ``loss``, ``accuracy`` and (with a test set) ``val_accuracy``.

    Returns
    -------
    str

    Examples
    --------
    >>> live_text({"epoch": 2, "epochs": 15, "loss": 0.41234, "accuracy": 0.875, "val_accuracy": 0.9})
    'Epoch 2/15: train loss 0.412, train accuracy 87.5 %, test accuracy 90.0 %.'
    """
    return TEXT["live"].format(
        epoch=logs["epoch"],
        epochs=logs["epochs"],
        loss=f"{logs['loss']:.3f}",
        acc=f"{100 * logs['accuracy']:.1f}",
        val=f"{100 * logs.get('val_accuracy', float('nan')):.1f}",
    )
