"""Training a CNN live: choose filters, kernel size and epochs, press Train.

The network is the kit's reference CNN on the 8×8 digits
(:func:`meia_cnn.nn.reference_model`), trained with the kit's reference
recipe (:func:`meia_cnn.nn.train_reference` and its defaults, the same as
notebook 07's shipped model) on the stratified 75 % of the digits; the other
25 % is the test set.

Training runs in a background thread (:class:`meia_cnn.nn.background.BackgroundTraining`),
so the notebook stays responsive: the progress bar moves every few batches
and, after every epoch, the loss and accuracy curves (train and test) grow
in the page (one small message; the rest of the drawing stays).  Pressing Train again while a run is going is
ignored with a message.  Changing a setting after a run says clearly that
the curves belong to the previous settings until Train is pressed.
The numbers come from :mod:`meia_cnn.explain.training`; :file:`js/training.js`
draws them.
"""

from __future__ import annotations

import logging
import threading
from typing import ClassVar

import ipywidgets as widgets
import traitlets

from .. import nn
from .._validation import as_int
from ..explain.training import (
    CURVES,
    TrainingPlan,
    TrainingRun,
    curves_scene,
    kernels_picture,
    training_plan,
    training_scene,
)
from ..explain.training import live_text as epoch_line
from ..i18n import TranslatedText
from ..i18n import gettext_noop as N_
from ..nn import REFERENCE_SETTINGS
from ..nn.background import BackgroundTraining
from ._assets import esm
from ._controls import Control
from ._explorer import Explorer, View, student_error

__all__ = ["TrainingExplorer"]

KERNEL_SIZES = (1, 3, 5, 7)
MAX_FILTERS = 16
MAX_EPOCHS = 40
_log = logging.getLogger(__name__)

# -- what a student reads beside the drawing (the drawing's words: meia_cnn.explain.training) ------------
TEXT = TranslatedText(
    {
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
    }
)


class TrainingView(View):
    """The drawing of :class:`TrainingExplorer` (:file:`js/training.js`).

    ``history`` holds the curves (:func:`meia_cnn.explain.training.curves_scene`);
    it changes once per epoch and the page redraws only the curves.
    """

    _esm = esm("training.js")
    history = traitlets.Dict().tag(sync=True)
    kernels_png = traitlets.Bytes(b"").tag(sync=True)


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
        Control(
            "kernel_size",
            "menu",
            N_("Kernel size"),
            options=KERNEL_SIZES,
            width="170px",
            refusal=N_("Choose a kernel size: 1, 3, 5 or 7."),
        ),
        Control("epochs", "int", N_("Epochs"), range=(1, MAX_EPOCHS), width="280px", continuous=False),
    )

    def __init__(
        self,
        filters: int = REFERENCE_SETTINGS["filters"],
        kernel_size: int = REFERENCE_SETTINGS["kernel_size"],
        epochs: int = REFERENCE_SETTINGS["epochs"],
        *,
        seed: int = REFERENCE_SETTINGS["seed"],
    ) -> None:
        given = self._check(filters=filters, kernel_size=kernel_size, epochs=epochs)
        self.seed = as_int(seed, "seed", minimum=0)
        self.model: nn.Sequential | None = None
        self.history: dict[str, list[float]] = {k: [] for k in CURVES}
        self._job: BackgroundTraining | None = None  # the last run (meia_cnn.nn.background)
        self._lock = threading.Lock()
        self._run: TrainingPlan | None = None
        self._live = ""
        super().__init__()
        self._build(given)
        c = self.controls
        c["kernel_size"].style.description_width = "initial"
        c["train"] = widgets.Button(
            description=TEXT["train_button"], button_style="primary", icon="play", layout=widgets.Layout(width="110px")
        )
        c["train"].on_click(self._guard(lambda _button: self.train()))
        self.progress = widgets.IntProgress(
            value=0, min=0, max=1, description="", bar_style="", layout=widgets.Layout(width="240px", max_width="100%")
        )
        self.progress_label = widgets.Label(TEXT["not_yet"])
        self._layout(
            widgets.HBox([c["filters"], c["kernel_size"], c["epochs"]]),
            widgets.HBox([c["train"], self.progress, self.progress_label]),
        )
        self._listen()

    # -- controls -> state -> scene ------------------------------------------------------
    def _compute(self) -> TrainingPlan:
        values = self._read()
        return self._memo("plan", tuple(values.items()), lambda: training_plan(**values, seed=self.seed))

    def _record(self) -> TrainingRun | None:
        """The last run started, as the scene reads it."""
        job = self._job
        if self._run is None or job is None:
            return None
        kernels = None
        if self.model is not None and not job.running:
            kernels = self.model.layers[0].params["W"][:, :, 0, :]
        return TrainingRun(
            self._run,
            epochs_done=len(job.history["loss"]),
            running=job.running,
            stopped=job.stopped,
            test_accuracy=job.test_accuracy,
            seconds=job.seconds,
            kernels=kernels,
        )

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
        return self._job is not None and self._job.running

    @property
    def test_accuracy(self) -> float | None:
        """The last run's accuracy on the test set (None until a run has finished)."""
        return None if self._job is None else self._job.test_accuracy

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
            if self.training:
                self.show_info(TEXT["busy"])
                return False
            try:
                plan = self._compute()
            except ValueError as exc:
                self.show_error(exc)
                return False
            self._job = job = BackgroundTraining(
                **plan.settings,
                on_batch=self._on_batch,
                on_end=self._on_end,
                on_epoch=lambda logs: self._on_epoch(logs, plan),
            )
        self._run = plan
        self._live = ""
        self.history = job.history
        self.progress.max = plan.epochs * plan.batches
        self.progress.value = 0
        self.progress.bar_style = "info"
        self.progress_label.value = TEXT["running"]
        self.controls["train"].description = TEXT["training_button"]
        self._send_history()
        self.refresh()
        self.show_info(TEXT["training"].format(epochs=plan.epochs))
        job.start()
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
        job = getattr(self, "_job", None)
        return job is None or job.wait(timeout)

    def _on_end(self, job: BackgroundTraining) -> None:
        """In the run's thread, once it has ended: the last curves and the verdict, or the failure in words."""
        try:
            self.controls["train"].description = TEXT["train_button"]
            self.progress.bar_style = "success" if job.error is None else "danger"
            if job.error is not None:
                _log.error("training failed", exc_info=job.error)
                self.progress_label.value = TEXT["failed_short"]
                self.refresh()
                self.show_error(TEXT["failed"].format(reason=student_error(job.error) or type(job.error).__name__))
                return
            self.model = job.model
            if job.test_accuracy is not None:
                self.progress_label.value = TEXT["done"].format(acc=f"{100 * job.test_accuracy:.1f}")
            self._send_history(self._live)
            self.refresh()
        except Exception:  # noqa: BLE001
            _log.exception("showing the end of training failed")

    def _on_batch(self, logs: dict) -> None:
        """The progress bar, every few batches."""
        if logs["batch"] % max(1, int(logs["batches"]) // 8) == 0:
            self.progress.value = (int(logs["epoch"]) - 1) * int(logs["batches"]) + int(logs["batch"])

    def _on_epoch(self, logs: dict, plan: TrainingPlan) -> None:
        """The curves, after every epoch."""
        self.progress.value = int(logs["epoch"]) * plan.batches
        self._live = epoch_line(logs)
        self._send_history(self._live)

    def close(self) -> None:
        """Stop a run in progress (after its current batch), then free the widget."""
        job = getattr(self, "_job", None)
        if job is not None:  # (a constructor that refused its arguments built nothing)
            job.stop(timeout=30)
        for widget in (getattr(self, "progress", None), getattr(self, "progress_label", None)):
            if widget is not None:
                widget.close()
        super().close()
