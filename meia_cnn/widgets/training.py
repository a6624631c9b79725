"""Training a CNN live: choose filters, kernel size and epochs, press Train.

The network is the kit's reference CNN on the 8×8 digits
(:func:`meia_cnn.nn.reference_model`), trained with the kit's reference
recipe (:func:`meia_cnn.nn.train_reference` and its defaults, the same as
notebook 07's shipped model) on the stratified 75 % of the digits; the other
25 % is the test set.

Training runs in a background thread, so the notebook stays responsive: the
progress bar moves every few batches and, after every epoch, the loss and
accuracy curves (train and test) grow in the page (one small message; the
rest of the drawing stays).  Pressing Train again while a run is going is
ignored with a message.  Changing a setting after a run says clearly that
the curves belong to the previous settings until Train is pressed.
The numbers come from :mod:`meia_cnn.explain.training`; :file:`js/training.js`
draws them.
"""

from __future__ import annotations

import html
import logging
import threading
import time
from typing import Any, ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets

from .. import nn
from ..explain.feature_maps import tile_channels
from ..explain.training import TrainingPlan, curve_axes, training_plan
from ..nn import REFERENCE_SETTINGS, digits_split
from ..i18n import TranslatedText
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._assets import esm
from ._explorer import PALETTE, Explorer, View, format_number, png_bytes, student_error
from ._messages import Refusal

__all__ = ["TrainingExplorer"]

KERNEL_SIZES = (1, 3, 5, 7)
MAX_FILTERS = 16
MAX_EPOCHS = 40
_KEYS = ("loss", "accuracy", "val_loss", "val_accuracy")
_log = logging.getLogger(__name__)

# -- what a student reads (one place) ------------------------------------------------
TEXT = TranslatedText({
    "title": N_("Training the digits CNN: loss and accuracy per epoch, and the first layer's kernels"),
    "filters": N_("Filters must be a whole number from 1 to {hi}."),
    "epochs": N_("Epochs must be a whole number from 1 to {hi}."),
    "kernel_size": N_("Choose a kernel size: 1, 3, 5 or 7."),
    "loss_title": N_("loss (cross-entropy) per epoch"),
    "acc_title": N_("accuracy per epoch"),
    "loss_label": N_("Loss per epoch: training in blue, test in orange (dashed)."),
    "acc_label": N_("Accuracy per epoch: training in blue, test in orange (dashed); the dotted line is 97 %."),
    "epoch": N_("epoch"),
    "train": N_("train"),
    "train_button": N_("Train"),
    "training_button": N_("Training…"),
    "test": N_("test"),
    "kernels_title": N_("first-layer kernels: {f} × {k}×{k}"),
    "kernels_none": N_("first-layer kernels: after training"),
    "kernels_label": N_("The {f} kernels of the first convolution after training, {k} by {k} each."),
    "network": N_("<div>Network: {layers}: <b>{params}</b> parameters.</div>"),
    "recipe": N_("<div>Training: {epochs} epochs with the kit's reference recipe ({recipe}) on {n_train} "
               "training and {n_test} test images.</div>"),
    "not_trained": N_("<div>Not trained yet: press Train.</div>"),
    "stale": N_("<div><b>The curves belong to the previous settings</b> ({f} filters, {k}×{k} kernels, "
              "{e} epochs): press Train to train this network.</div>"),
    "final": N_("<div>Final test accuracy: <b>{acc} %</b> after {n} epochs ({f} filters, {k}×{k} kernels) "
              "in {s} s.</div>"),
    "stopped": N_("<div>The run stopped after {n} of {e} epochs.</div>"),
    "live": N_("Epoch {epoch}/{epochs}: train loss {loss}, train accuracy {acc} %, test accuracy {val} %."),
    "training": N_("Training {epochs} epochs…"),
    "busy": N_("Already training: wait for this run to finish (the press was ignored)."),
    "failed": N_("Training failed: {reason}"),
    "not_yet": N_("not trained yet"),
    "running": N_("training…"),
    "done": N_("test accuracy {acc} %"),
    "failed_short": N_("failed"),
})
_RECIPE_WORDS = TranslatedText({"batch_size": N_("batch {v}"), "lr": N_("learning rate {v}"),
                                "schedule": N_("schedule {v}"), "warmup": N_("warm-up {v}")})
#: The learning-rate schedules' names (:data:`meia_cnn.nn.schedules.SCHEDULES`) as the recipe shows them.
_SCHEDULE_NAMES = TranslatedText({"cosine": N_("cosine"), "constant": N_("constant")})


class TrainingView(View):
    """The drawing of :class:`TrainingExplorer` (:file:`js/training.js`).

    ``history`` holds the curves (``loss``, ``accuracy``, ``val_loss``,
    ``val_accuracy``, their axes and the live line); it changes once per
    epoch and the page redraws only the curves.
    """

    _esm = esm("training.js")
    history = traitlets.Dict().tag(sync=True)
    kernels_png = traitlets.Bytes(b"").tag(sync=True)


class _Stopped(Exception):
    """Raised from a callback to stop a run (the explorer was closed)."""


def _recipe_text(plan: TrainingPlan) -> str:
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


class TrainingExplorer(Explorer):
    """Train the digits CNN with a button and watch its curves grow.

    Parameters
    ----------
    filters : int
        Kernels in the first convolution (the second has twice as many), 1..16.
    kernel_size : {1, 3, 5, 7}
    epochs : int
        1..40.
    seed : int
        Seeds the initial weights and the shuffling.

    Attributes
    ----------
    controls : dict
        ``"filters"``, ``"kernel_size"``, ``"epochs"`` and ``"train"`` (a Button).
    progress : ipywidgets.IntProgress
        Batches done in the current run.
    model : Sequential or None
        The last model trained.
    history : dict of lists
        ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` of the current
        (or last) run, one entry per finished epoch; ``val_*`` are on the test set.
    state : TrainingPlan
        The network and recipe the controls describe (:func:`meia_cnn.explain.training.training_plan`).

    Examples
    --------
    >>> viz = TrainingExplorer(filters=4, epochs=2)
    >>> viz.train(blocking=True)
    True
    >>> len(viz.history["loss"])
    2
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = TrainingView
    title: ClassVar[str] = TEXT.english("title")

    def __init__(self, filters: int = REFERENCE_SETTINGS["filters"],
                 kernel_size: int = REFERENCE_SETTINGS["kernel_size"],
                 epochs: int = REFERENCE_SETTINGS["epochs"], *,
                 seed: int = REFERENCE_SETTINGS["seed"]) -> None:
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"`seed` must be an int, got {seed!r}")
        filters = _in_range(filters, "filters", 1, MAX_FILTERS)
        epochs = _in_range(epochs, "epochs", 1, MAX_EPOCHS)
        if kernel_size not in KERNEL_SIZES or isinstance(kernel_size, bool):
            raise ValueError(f"`kernel_size` must be one of {KERNEL_SIZES}, got {kernel_size!r}")
        self.seed = int(seed)
        self.data = digits_split()
        self.model: nn.Sequential | None = None
        self.history: dict[str, list[float]] = {k: [] for k in _KEYS}
        self.test_accuracy: float | None = None
        self.seconds: float | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._running = False
        self._run: TrainingPlan | None = None
        self._stopped_at: int | None = None
        self._live = ""
        self._stop = threading.Event()
        super().__init__()
        style = {"description_width": "initial"}
        c = self.controls
        c["filters"] = widgets.IntSlider(value=filters, min=1, max=MAX_FILTERS, description=_("Filters (conv 1)"),
                                         style=style, continuous_update=False,
                                         layout=widgets.Layout(width="280px", max_width="100%"))
        c["kernel_size"] = widgets.Dropdown(options=list(KERNEL_SIZES), value=int(kernel_size),
                                            description=_("Kernel size"), style=style,
                                            layout=widgets.Layout(width="170px", max_width="100%"))
        c["epochs"] = widgets.IntSlider(value=epochs, min=1, max=MAX_EPOCHS, description=_("Epochs"), style=style,
                                        continuous_update=False,
                                        layout=widgets.Layout(width="280px", max_width="100%"))
        c["train"] = widgets.Button(description=TEXT["train_button"], button_style="primary", icon="play",
                                    layout=widgets.Layout(width="110px"))
        c["train"].on_click(self._guard(lambda _button: self.train()))
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="", bar_style="",
                                            layout=widgets.Layout(width="240px", max_width="100%"))
        self.progress_label = widgets.Label(TEXT["not_yet"])
        self._layout(widgets.HBox([c["filters"], c["kernel_size"], c["epochs"]]),
                     widgets.HBox([c["train"], self.progress, self.progress_label]))
        self._send_history()
        self._listen()

    # -- controls -> state -----------------------------------------------------------
    def _settings(self) -> tuple[int, int, int]:
        c = self.controls
        f, k, e = c["filters"].value, c["kernel_size"].value, c["epochs"].value
        if isinstance(f, bool) or not isinstance(f, (int, np.integer)) or not 1 <= f <= MAX_FILTERS:
            raise Refusal(TEXT["filters"].format(hi=MAX_FILTERS))
        if isinstance(k, bool) or k not in KERNEL_SIZES:
            raise Refusal(TEXT["kernel_size"])
        if isinstance(e, bool) or not isinstance(e, (int, np.integer)) or not 1 <= e <= MAX_EPOCHS:
            raise Refusal(TEXT["epochs"].format(hi=MAX_EPOCHS))
        return int(f), int(k), int(e)

    def _compute(self) -> TrainingPlan:
        f, k, e = self._settings()
        return training_plan(f, k, e, seed=self.seed)

    # -- state -> scene --------------------------------------------------------------
    def _scene(self, plan: TrainingPlan) -> tuple[dict, dict]:
        run = self._run
        shown = run if run is not None else plan  # the curves' axes are the run's
        kernels = None
        png = b""
        if self.model is not None and run is not None and not self._running:
            k = self.model.layers[0].params["W"][:, :, 0, :]
            m = float(np.abs(k).max()) or 1.0
            mosaic = tile_channels(k)
            png = png_bytes(np.nan_to_num(mosaic), cmap="PuOr_r", vmin=-m, vmax=m)
            kernels = {"rows": int(mosaic.shape[0]), "cols": int(mosaic.shape[1]),
                       "title": TEXT["kernels_title"].format(f=run.filters, k=run.kernel_size),
                       "label": TEXT["kernels_label"].format(f=run.filters, k=run.kernel_size)}
        scene = {
            "epochs": shown.epochs,
            "titles": {"loss": TEXT["loss_title"], "acc": TEXT["acc_title"], "epoch": TEXT["epoch"],
                       "train": TEXT["train"], "test": TEXT["test"]},
            "labels": {"loss": TEXT["loss_label"], "acc": TEXT["acc_label"]},
            "colours": {"train": PALETTE["blue"], "test": PALETTE["orange"], "grey": PALETTE["grey"]},
            "kernels": kernels,
            "kernels_empty": TEXT["kernels_none"],
            "stale": self._is_stale(plan),
            "readout": self._readout(plan),
        }
        return scene, {"kernels_png": png}

    def _after_publish(self) -> None:
        # before the first run the empty axes follow the epochs chosen
        if self._run is None and self.state is not None:
            self._send_history()

    def _is_stale(self, plan: TrainingPlan) -> bool:
        run = self._run
        return run is not None and (
            (run.filters, run.kernel_size, run.epochs) != (plan.filters, plan.kernel_size, plan.epochs))

    def _readout(self, plan: TrainingPlan) -> str:
        parts = [TEXT["network"].format(layers=html.escape(" → ".join(plan.layers)), params=f"{plan.n_params:,}"),
                 TEXT["recipe"].format(epochs=plan.epochs, recipe=html.escape(_recipe_text(plan)),
                                       n_train=plan.n_train, n_test=plan.n_test)]
        run = self._run
        if run is None:
            parts.append(TEXT["not_trained"])
            return "".join(parts)
        if self._is_stale(plan):
            parts.append(TEXT["stale"].format(f=run.filters, k=run.kernel_size, e=run.epochs))
        if self._stopped_at is not None:
            parts.append(TEXT["stopped"].format(n=self._stopped_at, e=run.epochs))
        elif self.test_accuracy is not None and self.seconds is not None:
            parts.append(TEXT["final"].format(acc=f"{100 * self.test_accuracy:.1f}", n=len(self.history["loss"]),
                                              f=run.filters, k=run.kernel_size, s=f"{self.seconds:.1f}"))
        return "".join(parts)

    def _send_history(self, live: str = "") -> None:
        """The curves so far and their axes, in one message (the page redraws only the curves)."""
        run = self._run
        plan = self.state
        epochs = run.epochs if run is not None else plan.epochs if plan is not None else 1
        axes = curve_axes(self.history, epochs)
        self.view.history = {
            **{k: [[i + 1, float(v)] for i, v in enumerate(self.history[k])] for k in _KEYS},
            "xrange": list(axes.xrange), "xticks": [list(t) for t in axes.xticks],
            "loss_range": list(axes.loss_range), "loss_ticks": [list(t) for t in axes.loss_ticks],
            "acc_range": list(axes.acc_range), "acc_ticks": [list(t) for t in axes.acc_ticks],
            "live": live,
        }

    # -- training ----------------------------------------------------------------------
    @property
    def training(self) -> bool:
        """True while a run is going."""
        return self._running

    def train(self, *, blocking: bool = False) -> bool:
        """Start training with the current controls (in a background thread).

        Parameters
        ----------
        blocking : bool
            Wait for the run to finish (tests, scripts).

        Returns
        -------
        bool
            False, with a message, if a run is already going (or the settings are not valid).
        """
        with self._lock:
            if self._running:
                self.show_info(TEXT["busy"])
                return False
            try:
                plan = self._compute()
            except ValueError as exc:
                self.show_error(exc)
                return False
            self._running = True
        self._run = plan
        self._stopped_at = None
        self._live = ""
        self.history = {k: [] for k in _KEYS}
        self.test_accuracy = None
        self.seconds = None
        self.progress.max = plan.epochs * plan.batches
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.progress_label.value = TEXT["running"]
        self.controls["train"].description = TEXT["training_button"]
        self._send_history()
        self.refresh()
        self.show_info(TEXT["training"].format(epochs=plan.epochs))
        self._stop.clear()
        self._thread = threading.Thread(target=self._work, args=(plan,), daemon=True, name="meia-cnn-training")
        self._thread.start()
        if blocking:
            self.wait()
        return True

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current run (if any) has finished; True when none is left running.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait at most.

        Returns
        -------
        bool
        """
        thread = getattr(self, "_thread", None)
        if thread is not None:
            thread.join(timeout)
        return not getattr(self, "_running", False)

    def _work(self, plan: TrainingPlan) -> None:
        """The background run: nothing escapes from here."""
        start = time.perf_counter()
        failure = None
        try:
            model, _ = nn.train_reference(filters=plan.filters, kernel_size=plan.kernel_size, epochs=plan.epochs,
                                          seed=plan.seed, callbacks=[_Live(self, plan)], progress=False)
            self.seconds = time.perf_counter() - start
            self.model = model
            X_train, X_test, y_train, y_test = self.data
            self.test_accuracy = model.evaluate(X_test, y_test)
        except _Stopped:
            self._stopped_at = len(self.history["loss"])
        except Exception as exc:  # noqa: BLE001 - shown to the user; the thread never dies silently
            _log.exception("training failed")
            failure = student_error(exc) or type(exc).__name__
        finally:
            self._running = False
        if self._stop.is_set():
            return  # closed: nothing to show any more
        try:
            self.controls["train"].description = TEXT["train_button"]
            if failure is not None:
                self.progress.bar_style = "danger"
                self.progress_label.value = TEXT["failed_short"]
                self.refresh()
                self.show_error(TEXT["failed"].format(reason=failure))
                return
            self.progress.bar_style = "success"
            if self.test_accuracy is not None:
                self.progress_label.value = TEXT["done"].format(acc=f"{100 * self.test_accuracy:.1f}")
            self._send_history(self._live)
            self.refresh()
        except Exception:  # noqa: BLE001
            _log.exception("showing the end of training failed")

    def _on_epoch(self, logs: dict, plan: TrainingPlan) -> None:
        for key in _KEYS:
            if key in logs:
                self.history[key].append(float(logs[key]))
        self.progress.value = int(logs["epoch"]) * plan.batches
        live = TEXT["live"].format(epoch=logs["epoch"], epochs=logs["epochs"], loss=f"{logs['loss']:.3f}",
                                   acc=f"{100 * logs['accuracy']:.1f}",
                                   val=f"{100 * logs.get('val_accuracy', float('nan')):.1f}")
        self._live = live
        self._send_history(live)

    # -- what is drawn -------------------------------------------------------------
    @property
    def drawn_curves(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The curves' data as sent to the page: ``{"loss": (x, y), ...}``."""
        out = {}
        for key in _KEYS:
            points = np.asarray(self.view.history.get(key, []), dtype=float).reshape(-1, 2)
            out[key] = (points[:, 0], points[:, 1])
        return out

    @property
    def live_text(self) -> str:
        """The line written under the curves while training."""
        return str(self.view.history.get("live", ""))

    def close(self) -> None:
        """Stop a run in progress (after its current batch), then free the widget."""
        stop = getattr(self, "_stop", None)
        if stop is not None:  # (a constructor that refused its arguments built nothing)
            stop.set()
            self.wait(timeout=30)
        for widget in (getattr(self, "progress", None), getattr(self, "progress_label", None)):
            if widget is not None:
                widget.close()
        super().close()


class _Live:
    """fit callbacks: the progress bar every few batches, the curves every epoch; stop when closed."""

    def __init__(self, viz: TrainingExplorer, plan: TrainingPlan) -> None:
        self.viz = viz
        self.plan = plan

    def on_batch_end(self, logs: dict) -> None:
        viz = self.viz
        if viz._stop.is_set():
            raise _Stopped
        step = max(1, int(logs["batches"]) // 8)
        if logs["batch"] % step == 0:
            viz.progress.value = (int(logs["epoch"]) - 1) * int(logs["batches"]) + int(logs["batch"])

    def on_epoch_end(self, logs: dict) -> None:
        if self.viz._stop.is_set():
            raise _Stopped
        self.viz._on_epoch(logs, self.plan)


def _in_range(value: Any, name: str, low: int, high: int) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"`{name}` must be an int in {low}..{high}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"`{name}` must be in {low}..{high}, got {value}")
    return int(value)
