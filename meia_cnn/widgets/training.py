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

import logging
import threading
import time
from types import SimpleNamespace
from typing import ClassVar

import ipywidgets as widgets
import numpy as np
import traitlets

from .. import nn
from .._validation import as_int
from ..explain.training import live_text as epoch_line
from ..explain.training import (
    CURVES,
    TrainingPlan,
    TrainingRun,
    curves_scene,
    kernels_picture,
    training_plan,
    training_scene,
)
from ..i18n import TranslatedText
from ..i18n import gettext_noop as N_
from ..nn import REFERENCE_SETTINGS, digits_split
from ._assets import esm
from ._controls import Control
from ._explorer import Explorer, View, student_error

__all__ = ["TrainingExplorer"]

KERNEL_SIZES = (1, 3, 5, 7)
MAX_FILTERS = 16
MAX_EPOCHS = 40
_log = logging.getLogger(__name__)

# -- what a student reads beside the drawing (the drawing's words: meia_cnn.explain.training) ------------
TEXT = TranslatedText({
    "title": N_("Training the digits CNN: loss and accuracy per epoch, and the first layer's kernels"),
    "train_button": N_("Train"),
    "training_button": N_("Training…"),
    "training": N_("Training {epochs} epochs…"),
    "busy": N_("Already training: wait for this run to finish (the press was ignored)."),
    "failed": N_("Training failed: {reason}"),
    "not_yet": N_("not trained yet"),
    "running": N_("training…"),
    "done": N_("test accuracy {acc} %"),
    "failed_short": N_("failed"),
})


class TrainingView(View):
    """The drawing of :class:`TrainingExplorer` (:file:`js/training.js`).

    ``history`` holds the curves (:func:`meia_cnn.explain.training.curves_scene`);
    it changes once per epoch and the page redraws only the curves.
    """

    _esm = esm("training.js")
    history = traitlets.Dict().tag(sync=True)
    kernels_png = traitlets.Bytes(b"").tag(sync=True)


class _Stopped(Exception):
    """Raised from a callback to stop a run (the explorer was closed)."""


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
    spec = (
        Control("filters", "int", N_("Filters (conv 1)"), range=(1, MAX_FILTERS), width="280px", continuous=False),
        Control("kernel_size", "menu", N_("Kernel size"), options=KERNEL_SIZES, width="170px",
                refusal=N_("Choose a kernel size: 1, 3, 5 or 7.")),
        Control("epochs", "int", N_("Epochs"), range=(1, MAX_EPOCHS), width="280px", continuous=False),
    )

    def __init__(self, filters: int = REFERENCE_SETTINGS["filters"],
                 kernel_size: int = REFERENCE_SETTINGS["kernel_size"],
                 epochs: int = REFERENCE_SETTINGS["epochs"], *,
                 seed: int = REFERENCE_SETTINGS["seed"]) -> None:
        given = self._check(filters=filters, kernel_size=kernel_size, epochs=epochs)
        self.seed = as_int(seed, "seed", minimum=0)
        self.data = digits_split()
        self.model: nn.Sequential | None = None
        self.history: dict[str, list[float]] = {k: [] for k in CURVES}
        self.test_accuracy: float | None = None
        self.seconds: float | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._running = False
        self._run: TrainingPlan | None = None
        self._stopped = False
        self._live = ""
        self._stop = threading.Event()
        super().__init__()
        self._build(given)
        c = self.controls
        c["kernel_size"].style.description_width = "initial"
        c["train"] = widgets.Button(description=TEXT["train_button"], button_style="primary", icon="play",
                                    layout=widgets.Layout(width="110px"))
        c["train"].on_click(self._guard(lambda _button: self.train()))
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="", bar_style="",
                                            layout=widgets.Layout(width="240px", max_width="100%"))
        self.progress_label = widgets.Label(TEXT["not_yet"])
        self._layout(widgets.HBox([c["filters"], c["kernel_size"], c["epochs"]]),
                     widgets.HBox([c["train"], self.progress, self.progress_label]))
        self._listen()

    # -- controls -> state -> scene ------------------------------------------------------
    def _compute(self) -> TrainingPlan:
        values = self._read()
        return self._memo("plan", tuple(values.items()), lambda: training_plan(**values, seed=self.seed))

    def _record(self) -> TrainingRun | None:
        """The last run started, as the scene reads it."""
        if self._run is None:
            return None
        kernels = None
        if self.model is not None and not self._running:
            kernels = self.model.layers[0].params["W"][:, :, 0, :]
        return TrainingRun(self._run, epochs_done=len(self.history["loss"]), running=self._running,
                           stopped=self._stopped, test_accuracy=self.test_accuracy,
                           seconds=self.seconds, kernels=kernels)

    def _scene(self, plan: TrainingPlan) -> tuple[dict, dict]:
        run = self._record()
        return dict(training_scene(plan, run)), {"kernels_png": kernels_picture(None if run is None else run.kernels)}

    def _after_publish(self) -> None:
        # before the first run the empty axes follow the epochs chosen
        if self._run is None and self.state is not None:
            self._send_history()

    def _send_history(self, live: str = "") -> None:
        """The curves so far and their axes, in one message (the page redraws only the curves)."""
        epochs = (self._run or self.state).epochs
        self.view.history = dict(curves_scene(self.history, epochs, live))

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
        self._stopped = False
        self._live = ""
        self.history = {k: [] for k in CURVES}
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
        live = SimpleNamespace(on_batch_end=self._on_batch, on_epoch_end=lambda logs: self._on_epoch(logs, plan))
        try:
            model, _ = nn.train_reference(filters=plan.filters, kernel_size=plan.kernel_size, epochs=plan.epochs,
                                          seed=plan.seed, callbacks=[live], progress=False)
            self.seconds = time.perf_counter() - start
            self.model = model
            self.test_accuracy = model.evaluate(self.data[1], self.data[3])
        except _Stopped:
            self._stopped = True
        except Exception as exc:  # noqa: BLE001 - shown to the user; the thread never dies silently
            _log.exception("training failed")
            failure = student_error(exc) or type(exc).__name__
        finally:
            self._running = False
        if self._stop.is_set():
            return  # closed: nothing to show any more
        try:
            self.controls["train"].description = TEXT["train_button"]
            self.progress.bar_style = "success" if failure is None else "danger"
            if failure is not None:
                self.progress_label.value = TEXT["failed_short"]
                self.refresh()
                self.show_error(TEXT["failed"].format(reason=failure))
                return
            if self.test_accuracy is not None:
                self.progress_label.value = TEXT["done"].format(acc=f"{100 * self.test_accuracy:.1f}")
            self._send_history(self._live)
            self.refresh()
        except Exception:  # noqa: BLE001
            _log.exception("showing the end of training failed")

    def _on_batch(self, logs: dict) -> None:
        """The progress bar, every few batches; stop when closed."""
        if self._stop.is_set():
            raise _Stopped
        if logs["batch"] % max(1, int(logs["batches"]) // 8) == 0:
            self.progress.value = (int(logs["epoch"]) - 1) * int(logs["batches"]) + int(logs["batch"])

    def _on_epoch(self, logs: dict, plan: TrainingPlan) -> None:
        """The curves, after every epoch; stop when closed."""
        if self._stop.is_set():
            raise _Stopped
        for key in CURVES:
            if key in logs:
                self.history[key].append(float(logs[key]))
        self.progress.value = int(logs["epoch"]) * plan.batches
        self._live = epoch_line(logs)
        self._send_history(self._live)

    # -- what is drawn -------------------------------------------------------------
    @property
    def drawn_curves(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """The curves' data as sent to the page: ``{"loss": (x, y), ...}``."""
        out = {}
        for key in CURVES:
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

