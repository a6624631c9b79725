"""Training a CNN live: choose filters, kernel size and epochs, press Train.

The network is the kit's reference CNN on the 8×8 digits
(:func:`meia_cnn.nn.reference_model`): Conv2D(1→F, K×K, same) → ReLU →
MaxPool 2 → Conv2D(F→2F, K×K, same) → ReLU → MaxPool 2 → Flatten →
Dense(8F→10), trained with Adam(1e-2), batch 32, on the stratified 75 % of
the digits; the other 25 % is the test set.

Training runs in a background thread, so the notebook stays responsive: the
progress bar moves with every few batches and, after every epoch, the loss
and accuracy curves (train and test) are updated in place.  Pressing Train
again while a run is going is ignored with a message.
"""

from __future__ import annotations

import html
import threading
import time

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator

from .. import arithmetic
from ..nn import REFERENCE_SETTINGS, Adam, digits_split, reference_model
from ._base import CMAP_SIGNED, FONT, PALETTE, Explorer, PathText, plain_axes
from .feature_maps import _caption, _cmap, tile_channels

__all__ = ["TrainingExplorer"]

KERNEL_SIZES = (1, 3, 5, 7)
MAX_FILTERS = 16
MAX_EPOCHS = 40


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

    Examples
    --------
    >>> viz = TrainingExplorer(filters=4, epochs=2)
    >>> viz.train(blocking=True)
    True
    >>> len(viz.history["loss"])
    2
    >>> viz.close()
    """

    def __init__(self, filters=REFERENCE_SETTINGS["filters"], kernel_size=REFERENCE_SETTINGS["kernel_size"],
                 epochs=REFERENCE_SETTINGS["epochs"], *, seed=REFERENCE_SETTINGS["seed"]):
        super().__init__()
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"`seed` must be an int, got {seed!r}")
        self.seed = int(seed)
        filters = _in_range(filters, "filters", 1, MAX_FILTERS)
        epochs = _in_range(epochs, "epochs", 1, MAX_EPOCHS)
        if kernel_size not in KERNEL_SIZES or isinstance(kernel_size, bool):
            raise ValueError(f"`kernel_size` must be one of {KERNEL_SIZES}, got {kernel_size!r}")
        style = {"description_width": "initial"}
        self.controls["filters"] = widgets.IntSlider(
            value=filters, min=1, max=MAX_FILTERS, description="Filters (conv 1)", style=style,
            continuous_update=False, layout=widgets.Layout(width="260px"))
        self.controls["kernel_size"] = widgets.Dropdown(
            options=list(KERNEL_SIZES), value=int(kernel_size), description="Kernel size", style=style,
            layout=widgets.Layout(width="160px"))
        self.controls["epochs"] = widgets.IntSlider(
            value=epochs, min=1, max=MAX_EPOCHS, description="Epochs", style=style,
            continuous_update=False, layout=widgets.Layout(width="260px"))
        self.controls["train"] = widgets.Button(description="Train", button_style="primary", icon="play",
                                                layout=widgets.Layout(width="110px"))
        self.controls["train"].on_click(lambda _button: self.train())
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="", bar_style="",
                                            layout=widgets.Layout(width="260px"))
        self.progress_label = widgets.Label("not trained yet")

        self.data = digits_split()
        self.model = None
        self.history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
        self.test_accuracy = None
        self.seconds = None
        self._thread = None
        self._lock = threading.Lock()
        self._running = False
        self._run_settings = None
        self._stop = threading.Event()

        #: Held while artists change or the figure renders: the training thread
        #: updates the curves while the kernel's main thread may be drawing.
        self._artists_lock = threading.RLock()
        self._build_figure()
        canvas = self.fig.canvas
        unlocked_draw = canvas.draw

        def draw(*args, **kwargs):
            with self._artists_lock:
                return unlocked_draw(*args, **kwargs)

        canvas.draw = draw
        self._layout(
            widgets.HBox([self.controls["filters"], self.controls["kernel_size"], self.controls["epochs"]]),
            widgets.HBox([self.controls["train"], self.progress, self.progress_label]),
        )
        self._connect()

    # -- figure ---------------------------------------------------------------
    def _build_figure(self):
        fig = self._make_figure(figsize=(9.6, 3.2))
        gs = fig.add_gridspec(1, 3, width_ratios=[1, 1, 0.7], left=0.06, right=0.99, bottom=0.1, top=0.86,
                              wspace=0.25)
        self.ax_loss = fig.add_subplot(gs[0])
        self.ax_acc = fig.add_subplot(gs[1])
        self.ax_kernels = fig.add_subplot(gs[2])
        (self.line_loss,) = self.ax_loss.plot([], [], "-o", ms=3, color=PALETTE["blue"], label="train")
        (self.line_val_loss,) = self.ax_loss.plot([], [], "--s", ms=3, color=PALETTE["orange"], label="test")
        (self.line_acc,) = self.ax_acc.plot([], [], "-o", ms=3, color=PALETTE["blue"], label="train")
        (self.line_val_acc,) = self.ax_acc.plot([], [], "--s", ms=3, color=PALETTE["orange"], label="test")
        self.ax_acc.axhline(0.97, color=PALETTE["grey"], lw=1, ls=":", zorder=0)
        # titles and the key as cached glyph outlines: Text artists and legends
        # would lay out their glyphs again on every redraw
        for ax, title in ((self.ax_loss, "loss (cross-entropy) per epoch"), (self.ax_acc, "accuracy per epoch")):
            _caption(ax, title)
            ax.tick_params(labelsize=FONT["label"] - 3)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            ax.grid(alpha=0.3)
        PathText(self.ax_acc, 0.96, 0.2, "train", ha="right", va="center", color=PALETTE["blue"],
                 fontsize=FONT["label"] - 2)
        PathText(self.ax_acc, 0.96, 0.08, "test", ha="right", va="center", color=PALETTE["orange"],
                 fontsize=FONT["label"] - 2)
        self.ax_loss.yaxis.set_major_locator(MaxNLocator(nbins=4))
        self.ax_loss.set_ylim(0, 2.5)
        self.ax_acc.set_ylim(0, 1.02)
        self.ax_acc.set_yticks([0, 0.25, 0.5, 0.75, 1])
        self.kernel_image = self.ax_kernels.imshow(np.full((1, 1), np.nan), cmap=_cmap(CMAP_SIGNED),
                                                   vmin=-1, vmax=1, interpolation="nearest")
        self.kernel_title = _caption(self.ax_kernels, "first-layer kernels\n(after training)", FONT["label"] - 2)
        plain_axes(self.ax_kernels)
        self._set_epochs_axis(self.controls["epochs"].value)

    def _set_epochs_axis(self, epochs):
        for ax in (self.ax_loss, self.ax_acc):
            ax.set_xlim(0.5, epochs + 0.5)

    # -- settings and readout --------------------------------------------------------
    def _settings(self):
        return {
            "filters": int(self.controls["filters"].value),
            "kernel_size": int(self.controls["kernel_size"].value),
            "epochs": int(self.controls["epochs"].value),
        }

    def _architecture_text(self, filters, kernel_size):
        f, k = filters, kernel_size
        params = (arithmetic.conv_params(1, f, k) + arithmetic.conv_params(f, 2 * f, k)
                  + arithmetic.dense_params(2 * 2 * 2 * f, 10))
        return (f"Conv2D(1→{f}, {k}×{k}, same) → ReLU → MaxPool 2 → Conv2D({f}→{2 * f}, {k}×{k}, same) → ReLU → "
                f"MaxPool 2 → Flatten → Dense({8 * f}→10): {params:,} parameters", params)

    def _update(self):
        if not self._running:
            self._write_readout()

    def _on_change(self, change=None):
        # the settings apply to the next run: only the readout changes, the
        # figure (the last run's curves) stays as it is, so nothing is redrawn
        if not self._running:
            self._write_readout()

    def _write_readout(self, live=None):
        s = self._run_settings
        lines = []
        current = self._settings()
        text, _ = self._architecture_text(current["filters"], current["kernel_size"])
        lines.append(f"Network: {text}.")
        lines.append(f"Training: {current['epochs']} epochs, batch 32, Adam(0.01), "
                     f"{len(self.data[0])} training and {len(self.data[1])} test images.")
        if live is not None:
            lines.append(f"Epoch {live['epoch']}/{live['epochs']}: train loss {live['loss']:.3f}, "
                         f"train accuracy {100 * live['accuracy']:.1f} %, "
                         f"test accuracy {100 * live['val_accuracy']:.1f} %.")
        elif self.test_accuracy is not None and s is not None:
            lines.append(f"Final test accuracy: {100 * self.test_accuracy:.1f} % after {len(self.history['loss'])} "
                         f"epochs ({s['filters']} filters, {s['kernel_size']}×{s['kernel_size']} kernels) "
                         f"in {self.seconds:.1f} s.")
        self.readout.value = "<br>".join(html.escape(t) for t in lines)

    # -- training ----------------------------------------------------------------------
    @property
    def training(self):
        """True while a run is going."""
        return self._running

    def train(self, *, blocking=False):
        """Start training with the current controls (in a background thread).

        Returns False, with a message, if a run is already going.  With
        ``blocking=True`` wait for the run to finish (tests, scripts).
        """
        with self._lock:
            if self._running:
                self.show_info("Already training: wait for this run to finish (the press was ignored).")
                return False
            self._running = True
        try:
            settings = self._settings()
            self._run_settings = settings
            n_batches = -(-len(self.data[0]) // 32)
            self.history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
            self.test_accuracy = None
            self.seconds = None
            with self._artists_lock:
                for line in (self.line_loss, self.line_val_loss, self.line_acc, self.line_val_acc):
                    line.set_data([], [])
                self._set_epochs_axis(settings["epochs"])
                self.ax_loss.set_ylim(0, 2.5)
            self.progress.max = settings["epochs"] * n_batches
            self.progress.value = 0
            self.progress.bar_style = "info"
            self.progress_label.value = "training…"
            self.controls["train"].description = "Training…"
            self.show_info(f"Training {settings['epochs']} epochs…")
            self.fig.canvas.draw_idle()
            model = reference_model(settings["filters"], settings["kernel_size"], seed=self.seed)
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, args=(model, settings), daemon=True,
                                            name="meia-cnn-training")
            self._thread.start()
        except Exception:
            self._running = False
            raise
        if blocking:
            self.wait()
        return True

    def wait(self, timeout=None):
        """Block until the current run (if any) has finished; True when none is left running."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return not self._running

    def _run(self, model, settings):
        X_train, X_test, y_train, y_test = self.data
        start = time.perf_counter()
        try:
            model.fit(X_train, y_train, epochs=settings["epochs"], batch_size=32, optimizer=Adam(1e-2),
                      seed=self.seed, validation_data=(X_test, y_test), progress=False,
                      callbacks=_Live(self, model))
            if self._stop.is_set():
                return
            self.seconds = time.perf_counter() - start
            self.model = model
            self.test_accuracy = model.evaluate(X_test, y_test)
            k = model.layers[0].params["W"][:, :, 0, :]
            m = float(np.abs(k).max()) or 1.0
            mosaic = tile_channels(k)
            h, w = mosaic.shape
            with self._artists_lock:
                self.kernel_image.set_data(mosaic)
                self.kernel_image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
                self.ax_kernels.set_xlim(-0.5, w - 0.5)
                self.ax_kernels.set_ylim(h - 0.5, -0.5)
                self.kernel_image.set_clim(-m, m)
                self.kernel_title.set_text(f"first-layer kernels\n{settings['filters']} × "
                                           f"{settings['kernel_size']}×{settings['kernel_size']}")
            self.progress.bar_style = "success"
            self.progress_label.value = f"test accuracy {100 * self.test_accuracy:.1f} %"
            self.clear_message()
            self._running = False
            self._write_readout()
        except Exception as exc:  # shown to the user; the thread must never die silently
            self.progress.bar_style = "danger"
            self.progress_label.value = "failed"
            self.show_error(f"training failed: {exc}")
        finally:
            self._running = False
            if self.fig is not None:
                self.controls["train"].description = "Train"
                self.fig.canvas.draw_idle()

    def _on_epoch(self, logs):
        if self.fig is None:
            return
        for key in self.history:
            if key in logs:
                self.history[key].append(logs[key])
        epochs = np.arange(1, len(self.history["loss"]) + 1)
        top = max(self.history["loss"] + self.history["val_loss"])
        with self._artists_lock:
            self.line_loss.set_data(epochs, self.history["loss"])
            self.line_val_loss.set_data(epochs, self.history["val_loss"])
            self.line_acc.set_data(epochs, self.history["accuracy"])
            self.line_val_acc.set_data(epochs, self.history["val_accuracy"])
            self.ax_loss.set_ylim(0, max(0.5, 1.05 * top))
        self.progress.value = logs["epoch"] * -(-len(self.data[0]) // 32)
        self._write_readout(live=logs)
        self.fig.canvas.draw_idle()

    # -- what is drawn -------------------------------------------------------------
    @property
    def drawn_curves(self):
        """The curves' data as drawn: ``{"loss": (x, y), ...}`` for the four lines."""
        lines = {"loss": self.line_loss, "val_loss": self.line_val_loss,
                 "accuracy": self.line_acc, "val_accuracy": self.line_val_acc}
        return {k: (np.asarray(v.get_xdata(), float), np.asarray(v.get_ydata(), float)) for k, v in lines.items()}

    @property
    def drawn_kernels(self):
        """The kernel mosaic drawn (NaN between tiles)."""
        return np.ma.filled(np.ma.asarray(self.kernel_image.get_array(), dtype=float), np.nan)

    def close(self):
        """Stop a run in progress (after its current batch), then free the widget."""
        self._stop.set()
        self.wait(timeout=10)
        self.progress.close()
        self.progress_label.close()
        super().close()


class _Live:
    """fit callbacks: the progress bar every few batches, the curves every epoch."""

    def __init__(self, viz, model):
        self.viz = viz
        self.model = model

    def on_batch_end(self, logs):
        viz = self.viz
        if viz._stop.is_set():  # the explorer was closed: stop after this batch
            self.model.stop_training = True
            return
        step = max(1, logs["batches"] // 8)
        if logs["batch"] % step == 0:
            viz.progress.value = (logs["epoch"] - 1) * logs["batches"] + logs["batch"]

    def on_epoch_end(self, logs):
        if not self.viz._stop.is_set():
            self.viz._on_epoch(logs)


def _in_range(value, name, low, high):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"`{name}` must be an int in {low}..{high}, got {value!r}")
    if not low <= value <= high:
        raise ValueError(f"`{name}` must be in {low}..{high}, got {value}")
    return int(value)
