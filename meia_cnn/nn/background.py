"""The reference CNN trained in a background thread, reporting as it goes and stopping when asked.

A notebook stays responsive while :class:`BackgroundTraining` runs
:func:`~meia_cnn.nn.train_reference` in a thread: the history grows one
epoch at a time, ``on_batch`` and ``on_epoch`` hear of every batch and
epoch, :meth:`BackgroundTraining.stop` ends the run after the current batch,
and whatever the run raises is kept in ``error`` (the thread never dies
silently).  No widget library: the training explorer shows what it reports.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from . import reference
from .model import Sequential

__all__ = ["BackgroundTraining", "CURVES"]

#: The curves a run records, one value per epoch (``val_*`` on the test split).
CURVES = ("loss", "accuracy", "val_loss", "val_accuracy")


class _Stopped(Exception):
    """Raised from a callback to end a run that was asked to stop."""


class BackgroundTraining:
    """One run of :func:`~meia_cnn.nn.train_reference`, in a thread of its own.

    Parameters
    ----------
    filters, kernel_size, epochs, seed : int
        The run's settings (as for :func:`~meia_cnn.nn.train_reference`).
    on_batch : callable, optional
        Called in the thread after every batch with its logs (``epoch``,
        ``batch``, ``batches``, ...).
    on_epoch : callable, optional
        Called in the thread after every epoch with its logs, once
        :attr:`history` holds that epoch.
    on_end : callable, optional
        Called in the thread with the run when it has ended (finished or
        failed), unless it was stopped.

    Attributes
    ----------
    history : dict of lists
        ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy``, one entry per finished epoch.
    model : Sequential or None
        The trained model, once the run has finished.
    test_accuracy : float or None
        The model's accuracy on the test split, once finished.
    seconds : float or None
        How long the training took.
    error : Exception or None
        What made the run fail.
    stopped : bool
        Whether the run was stopped before it finished.
    running : bool
        True from the moment the run is made until it has ended.

    Examples
    --------
    >>> run = BackgroundTraining(filters=2, kernel_size=3, epochs=2, seed=0)
    >>> run.start()
    >>> run.wait(timeout=120), len(run.history["loss"]), run.error, run.test_accuracy > 0.5
    (True, 2, None, True)
    """

    def __init__(
        self,
        *,
        filters: int,
        kernel_size: int,
        epochs: int,
        seed: int,
        on_batch: Callable[[dict[str, Any]], Any] | None = None,
        on_epoch: Callable[[dict[str, Any]], Any] | None = None,
        on_end: Callable[[BackgroundTraining], Any] | None = None,
    ) -> None:
        self.filters, self.kernel_size, self.epochs, self.seed = filters, kernel_size, epochs, seed
        self.history: dict[str, list[float]] = {key: [] for key in CURVES}
        self.model: Sequential | None = None
        self.test_accuracy: float | None = None
        self.seconds: float | None = None
        self.error: Exception | None = None
        self.stopped = False
        self.running = True
        self._on_batch, self._on_epoch, self._on_end = on_batch, on_epoch, on_end
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="meia-cnn-training")

    def start(self) -> None:
        """Start the run in its thread."""
        self._thread.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run has ended; True when it is no longer running.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait at most.

        Returns
        -------
        bool
        """
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self.running

    def stop(self, timeout: float | None = None) -> bool:
        """End the run after its current batch (``on_end`` is not called), and wait for it.

        Parameters
        ----------
        timeout : float, optional
            Seconds to wait at most.

        Returns
        -------
        bool
            True when the run is no longer running.
        """
        self._stop.set()
        return self.wait(timeout)

    def _batch(self, logs: dict[str, Any]) -> None:
        if self._stop.is_set():
            raise _Stopped
        if self._on_batch is not None:
            self._on_batch(logs)

    def _epoch(self, logs: dict[str, Any]) -> None:
        if self._stop.is_set():
            raise _Stopped
        for key in CURVES:
            if key in logs:
                self.history[key].append(float(logs[key]))
        if self._on_epoch is not None:
            self._on_epoch(logs)

    def _run(self) -> None:
        start = time.perf_counter()
        callbacks = SimpleNamespace(on_batch_end=self._batch, on_epoch_end=self._epoch)
        try:
            model, _ = reference.train_reference(
                filters=self.filters,
                kernel_size=self.kernel_size,
                epochs=self.epochs,
                seed=self.seed,
                callbacks=[callbacks],
                progress=False,
            )
            self.seconds = time.perf_counter() - start
            self.model = model
            _, X_test, _, y_test = reference.digits_split()
            self.test_accuracy = model.evaluate(X_test, y_test)
        except _Stopped:
            self.stopped = True
        except Exception as exc:  # noqa: BLE001 - kept for the caller: the thread never dies silently
            self.error = exc
        finally:
            self.running = False
        if self._stop.is_set() or self._on_end is None:
            return
        self._on_end(self)
