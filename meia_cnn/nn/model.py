"""``Sequential``: layers in a row, trained with mini-batches on softmax cross-entropy."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import math
import os
import re
import time
import warnings
import zipfile
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_bool, as_float_array, as_int, as_real, as_seed, is_int, shape_text, value_text
from ..i18n import gettext as _
from .layers import LAYER_TYPES, MAX_PARAMS, Layer
from .losses import SoftmaxCrossEntropy, _check_labels, softmax
from .optimizers import Adam, Optimizer
from .schedules import ScheduleLike, as_schedule

__all__ = ["Sequential"]

_FORMAT = "meia-cnn-sequential-1"

#: Limits of a configuration read from a file or given as JSON text: its
#: length in characters, how deeply lists and objects nest, and the number
#: of layers.  A model of this kit needs far less; anything beyond is refused
#: with a ValueError before it is parsed.
MAX_CONFIG_CHARS = 1_000_000
MAX_CONFIG_DEPTH = 8
MAX_LAYERS = 1_000
#: Most epochs ``fit`` runs in one call.
MAX_EPOCHS = 100_000

#: Most parameters a whole model may hold, all layers together (each layer is
#: also limited to :data:`~meia_cnn.nn.layers.MAX_PARAMS`): 50 million,
#: 200 MB of float32 weights, before gradients and the optimiser's moments.
MAX_TOTAL_PARAMS = 50_000_000

Callbacks = Union[None, Callable[..., Any], Sequence[Any], Any]
PathLike = Union[str, "os.PathLike[str]"]


def _progress_bar(total: int, desc: str) -> Any:
    """A tqdm bar in its auto mode (a widget in a notebook, text in a terminal).

    tqdm's notebook detection may warn (experimental mode, missing IProgress):
    those warnings are about the bar, not about training, so they are silenced
    here, and a bar that cannot be built as a widget falls back to text.
    Without tqdm (the numpy core alone: it comes with ``meia-cnn[course]``)
    there is no bar, and training is the same.
    """
    if importlib.util.find_spec("tqdm") is None:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from tqdm.auto import tqdm

            return tqdm(total=total, desc=desc, unit=_("batch"), leave=True)
        except Exception:  # e.g. "IProgress not found" in a notebook without ipywidgets
            from tqdm.std import tqdm

            return tqdm(total=total, desc=desc, unit=_("batch"), leave=True)


def _progress_postfix(logs: dict[str, Any]) -> dict[str, str]:
    """The losses and accuracies of an epoch's logs, as the progress bar shows them (translated)."""
    labels = {
        "loss": _("loss"),
        "accuracy": _("accuracy"),
        "val_loss": _("val_loss"),
        "val_accuracy": _("val_accuracy"),
    }
    return {labels.get(k, k): f"{v:.3f}" for k, v in logs.items() if "loss" in k or "acc" in k}


def _one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """A context that runs BLAS on one thread (a no-op without threadpoolctl).

    The matrices of a small CNN are tiny: waking BLAS threads for each one
    costs more than it saves, and on a shared machine it can cost far more.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _callback_lists(
    callbacks: Callbacks,
) -> tuple[list[Callable[[dict[str, Any]], Any]], list[Callable[[dict[str, Any]], Any]]]:
    """Split ``callbacks`` into per-epoch and per-batch callables."""
    if callbacks is None:
        return [], []
    if callable(callbacks) or hasattr(callbacks, "on_epoch_end") or hasattr(callbacks, "on_batch_end"):
        callbacks = [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"`callbacks` must be a callable or a list of callables, got {type(callbacks).__name__}")
    epoch: list[Callable[[dict[str, Any]], Any]] = []
    batch: list[Callable[[dict[str, Any]], Any]] = []
    for cb in callbacks:
        on_epoch = getattr(cb, "on_epoch_end", None)
        on_batch = getattr(cb, "on_batch_end", None)
        if on_epoch is None and on_batch is None:
            if not callable(cb):
                raise TypeError(f"each callback must be callable, got {cb!r}")
            on_epoch = cb
        if on_epoch is not None:
            epoch.append(on_epoch)
        if on_batch is not None:
            batch.append(on_batch)
    return epoch, batch


class Sequential:
    """A network that applies its layers one after the other.

    The last layer outputs one score (logit) per class; :meth:`predict`
    turns them into probabilities with the softmax, and :meth:`fit` minimises
    the softmax cross-entropy.

    Parameters
    ----------
    layers : list of Layer
    input_shape : tuple of int, optional
        One sample's shape, e.g. ``(8, 8, 1)``.  Given here, every layer's
        shape is checked at once (a ``Dense`` whose ``in_features`` is not the
        flattened size is a ``ValueError`` naming both); otherwise the first
        call to ``fit``/``predict`` builds the model from the data.
    seed : int or None, optional
        Every trainable layer is re-drawn from this seed (He initialisation),
        so the same seed gives the same initial weights.  ``None`` keeps the
        layers' own weights.

    Attributes
    ----------
    layers : list of Layer
    layer_names : list of str
        ``"conv2d_1"``, ``"relu_1"``, ... in order.
    input_shape : tuple of int or None
    output_shapes : list of tuple
        Each layer's output shape for one sample (after building).
    stop_training : bool
        Set it to ``True`` (from a callback or another thread) and ``fit``
        stops after the current batch.

    Examples
    --------
    >>> from meia_cnn.nn import Conv2D, ReLU, MaxPool2D, Flatten, Dense, Adam
    >>> model = Sequential([Conv2D(1, 4, 3, padding="same"), ReLU(), MaxPool2D(2),
    ...                     Flatten(), Dense(4 * 4 * 4, 10)], input_shape=(8, 8, 1), seed=0)
    >>> print(model.summary())
    layer        type                      output shape   parameters
    input                                  8×8×1                   0
    conv2d_1     Conv2D(1→4, 3×3, same)    8×8×4                  40
    relu_1       ReLU                      8×8×4                   0
    maxpool2d_1  MaxPool2D(2)              4×4×4                   0
    flatten_1    Flatten                   64                      0
    dense_1      Dense(64→10)              10                    650
    total                                                        690
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.random((20, 8, 8, 1)), np.arange(20) % 10
    >>> history = model.fit(X, y, epochs=2, batch_size=10, optimizer=Adam(0.01), seed=0, progress=False)
    >>> sorted(history)
    ['accuracy', 'loss', 'val_accuracy', 'val_loss']
    >>> model.predict(X[:3]).shape
    (3, 10)
    """

    def __init__(
        self, layers: Sequence[Layer], *, input_shape: Sequence[int] | int | None = None, seed: int | None = 0
    ) -> None:
        if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)):
            raise TypeError(f"`layers` must be a list of layers, got {type(layers).__name__}")
        if not layers:
            raise ValueError("`layers` must hold at least one layer, got an empty list")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"`layers[{i}]` must be a layer (Conv2D, Dense, ...), got {layer!r}")
        _check_total_params(layers)
        self.layers: list[Layer] = list(layers)
        counts: dict[str, int] = {}
        for layer in self.layers:
            key = type(layer).__name__.lower()
            counts[key] = counts.get(key, 0) + 1
            if layer.name is None:
                layer.name = f"{key}_{counts[key]}"
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique, got {names}")
        self.input_shape: tuple[int, ...] | None = None
        self.output_shapes: list[tuple[int, ...]] | None = None
        self.stop_training = False
        self.loss = SoftmaxCrossEntropy()
        if seed is not None:
            self.initialize(seed)
        if input_shape is not None:
            self.build(input_shape)

    # -- structure ------------------------------------------------------------
    @property
    def layer_names(self) -> list[str]:
        """The layers' names, in order."""
        return [str(layer.name) for layer in self.layers]

    def initialize(self, seed: int | None = 0) -> None:
        """Re-draw every trainable layer's weights (He initialisation) from ``seed``.

        Parameters
        ----------
        seed : int or None
        """
        rng = np.random.default_rng(as_seed(seed))
        for layer in self.layers:
            layer.initialize(rng)

    def build(self, input_shape: Sequence[int] | int) -> tuple[int, ...]:
        """Check every layer's shapes for one sample of ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int
            One sample's shape, e.g. ``(8, 8, 1)``.

        Returns
        -------
        tuple of int
            The last layer's output shape for one sample.
        """
        if is_int(input_shape):
            input_shape = (int(input_shape),)  # type: ignore[arg-type]
        if (
            not isinstance(input_shape, (tuple, list))
            or not input_shape
            or not all(is_int(s) and s >= 1 for s in input_shape)
        ):
            raise ValueError(f"`input_shape` must be a tuple of ints >= 1 such as (8, 8, 1), got {input_shape!r}")
        shape = tuple(int(s) for s in input_shape)
        shapes: list[tuple[int, ...]] = []
        for i, layer in enumerate(self.layers):
            try:
                shape = tuple(int(s) for s in layer.output_shape(shape))
            except ValueError as exc:
                before = f"the output of layer {i - 1} ({self.layers[i - 1].name})" if i else "the input"
                raise ValueError(
                    f"layer {i} ({layer.name}) cannot take {before}, of shape {shape_text(shape)}: {exc} "
                    f"(for `input_shape` {shape_text(input_shape)})"
                ) from None
            shapes.append(shape)
        self.input_shape = tuple(int(s) for s in input_shape)
        self.output_shapes = shapes
        return shapes[-1]

    @property
    def n_classes(self) -> int | None:
        """The number of class scores the model outputs (``None`` before building or without them)."""
        if self.output_shapes is None:
            return None
        out = self.output_shapes[-1]
        return out[0] if len(out) == 1 else None

    @property
    def n_params(self) -> int:
        """The number of trainable parameters."""
        return sum(layer.n_params for layer in self.layers)

    def summary(self) -> str:
        """A table of the layers: name, type, output shape and parameter count.

        Returns
        -------
        str
        """
        if self.output_shapes is None or self.input_shape is None:
            raise ValueError("the model is not built yet: give `input_shape` or call fit/predict first")
        header = (_("layer"), _("type"), _("output shape"), _("parameters"))
        rows = [(_("input"), "", shape_text(self.input_shape), "0")]
        for layer, shape in zip(self.layers, self.output_shapes):
            rows.append((str(layer.name), layer.describe(), shape_text(shape), f"{layer.n_params:,}"))
        rows.append((_("total"), "", "", f"{self.n_params:,}"))
        w = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
        lines = [f"{a:<{w[0]}}  {b:<{w[1]}}  {c:<{w[2]}}  {d:>{w[3]}}" for a, b, c, d in [header, *rows]]
        return "\n".join(line.rstrip() for line in lines)

    def __repr__(self) -> str:
        inner = ", ".join(layer.describe() for layer in self.layers)
        return f"Sequential([{inner}])"

    # -- data -------------------------------------------------------------------
    def _batch(self, data: ArrayLike, name: str = "X") -> tuple[NDArray[Any], bool]:
        """``X`` as a float batch of the model's input shape; also says if it was one sample."""
        X = as_float_array(data, name)
        if self.input_shape is None:
            if X.ndim < 2:
                raise ValueError(f"`{name}` must be a batch (N, ...), got shape {X.shape}")
            sample = X.shape[1:]
            first = self.layers[0]
            if len(sample) == 2 and getattr(first, "in_channels", None) == 1:
                X = X[..., None]  # (N, H, W) grey images: add the channel axis
            self.build(X.shape[1:])
            return X, False
        shape = self.input_shape
        if X.shape[1:] == shape:
            return X, False
        if shape[-1] == 1 and X.shape[1:] == shape[:-1]:
            return X[..., None], False
        if X.shape == shape:
            return X[None], True
        if shape[-1] == 1 and X.shape == shape[:-1]:
            return X[None, ..., None], True
        raise ValueError(
            f"`{name}` must be a batch of shape (N, {', '.join(map(str, shape))}) for this model "
            f"(or one sample of shape {shape}), got shape {X.shape}"
        )

    def _labels(self, y: ArrayLike, n: int, name: str = "y") -> NDArray[Any]:
        k = self.n_classes
        if k is None:
            shown = shape_text(self.output_shapes[-1]) if self.output_shapes else "?"
            raise ValueError(
                f"the last layer must output one score per class (N, classes), but it outputs "
                f"{shown} per sample: end the model with Flatten() and Dense"
            )
        try:
            return _check_labels(y, n, k)
        except (ValueError, TypeError) as exc:
            raise type(exc)(str(exc).replace("`y`", f"`{name}`")) from None

    # -- passes -------------------------------------------------------------------
    def _forward(self, x: NDArray[Any], training: bool) -> NDArray[Any]:
        """The layers' outputs in turn for a batch checked by :meth:`_batch` (each layer's checks skipped)."""
        for layer in self.layers:
            x = layer._forward(x, training)
        return x

    def _backward(self, grad: NDArray[Any]) -> None:
        """Store every layer's parameter gradients for ``grad``, the gradient of the last training output.

        The gradient with respect to the model's input is of no use to
        ``fit``: the first layer is told not to compute it.
        """
        first = len(self.layers) - 1
        g: NDArray[Any] | None = grad
        for i, layer in enumerate(reversed(self.layers)):
            assert g is not None  # only the first layer may skip its input's gradient
            g = layer._backward(g, i != first)

    def forward(self, X: ArrayLike, training: bool = False) -> NDArray[Any]:
        """The last layer's output (logits) for a batch ``X``.

        Parameters
        ----------
        X : (N, ...) array or one sample of ``input_shape``
        training : bool
            Keep what :meth:`backward` needs (and apply dropout).

        Returns
        -------
        (N, classes) array
        """
        X, single = self._batch(X)
        out = _finite_outputs(lambda: self._forward(X, as_bool(training, "training")))
        return out[0] if single else out

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """Back-propagate ``grad_out`` (the loss gradient w.r.t. the output) through every layer.

        Each trainable layer stores its parameter gradients in ``grads``.
        Call after ``forward(X, training=True)``.

        Parameters
        ----------
        grad_out : (N, classes) array

        Returns
        -------
        ndarray
            The gradient with respect to the input.
        """
        grad = np.asarray(grad_out)
        for layer in reversed(self.layers):
            grad = layer.backward(grad)  # each layer checks the gradient it receives
        return grad

    def forward_all(self, X: ArrayLike) -> list[NDArray[Any]]:
        """Every layer's output for ``X`` (prediction mode), in order.

        Parameters
        ----------
        X : (N, ...) array or one sample of ``input_shape``

        Returns
        -------
        list of ndarray
            ``outputs[i]`` is the output of ``layers[i]`` (named
            ``layer_names[i]``): feature maps ``(N, H, W, C)``, vectors ``(N, K)``;
            without the ``N`` axis for one sample.
        """
        batch, single = self._batch(X)
        outs = []

        def run() -> None:
            x = batch
            for layer in self.layers:
                x = layer.forward(x, training=False)
                outs.append(x[0] if single else x)

        _finite_outputs(run)
        return outs

    def predict(self, X: ArrayLike, *, batch_size: int = 256) -> NDArray[Any]:
        """Class probabilities.

        Parameters
        ----------
        X : (N, ...) array or one sample of ``input_shape``
        batch_size : int
            Samples computed at once.

        Returns
        -------
        (N, classes) array, or (classes,) for one sample
        """
        batch, single = self._batch(X)
        self._labels(np.zeros(0, np.int64), 0)  # the model must end in class scores
        batch_size = as_int(batch_size, "batch_size")
        parts = _finite_outputs(
            lambda: [self._forward(batch[i : i + batch_size], False) for i in range(0, len(batch), batch_size)]
        )
        logits = np.concatenate(parts) if parts else np.zeros((0, int(self.n_classes or 0)))
        if not np.isfinite(logits).all():
            raise ValueError(_OVERFLOW)
        p = softmax(logits)
        return p[0] if single else p

    def evaluate(self, X: ArrayLike, y: ArrayLike) -> float:
        """Accuracy: the fraction of samples whose most probable class is the label.

        Parameters
        ----------
        X : (N, ...) array
        y : (N,) array of int

        Returns
        -------
        float
        """
        return self._loss_and_accuracy(X, y, "X", "y")[1]

    def _loss_and_accuracy(
        self, data: ArrayLike, labels: ArrayLike, xname: str, yname: str, batch_size: int = 512
    ) -> tuple[float, float]:
        X, _ = self._batch(data, xname)
        y = self._labels(labels, len(X), yname)
        if not len(X):
            raise ValueError(f"`{xname}` is empty: nothing to evaluate")
        total, correct = 0.0, 0
        for i in range(0, len(X), batch_size):
            logits = self._forward(X[i : i + batch_size], False)
            yb = y[i : i + batch_size]
            total += self.loss.forward(logits, yb) * len(yb)
            correct += int((logits.argmax(axis=1) == yb).sum())
        return total / len(X), correct / len(X)

    # -- training -------------------------------------------------------------------
    def _trainable(self) -> tuple[list[NDArray[Any]], list[NDArray[Any]]]:
        params: list[NDArray[Any]] = []
        grads: list[NDArray[Any]] = []
        for layer in self.layers:
            for key in layer.params:
                params.append(layer.params[key])
                grads.append(layer.grads[key])
        return params, grads

    def fit(
        self,
        X: ArrayLike,
        y: ArrayLike,
        *,
        epochs: int = 10,
        batch_size: int = 32,
        optimizer: Optimizer | None = None,
        seed: int | None = 0,
        validation_data: tuple[ArrayLike, ArrayLike] | None = None,
        progress: bool = True,
        callbacks: Callbacks = None,
        schedule: ScheduleLike = None,
    ) -> dict[str, list[float]]:
        """Train with mini-batch gradient descent on the softmax cross-entropy.

        Parameters
        ----------
        X : (N, ...) array
            Training samples (grey images may omit the channel axis).
        y : (N,) array of int
            Class labels in ``0 .. classes - 1``.
        epochs, batch_size : int
        optimizer : Optimizer, optional
            ``SGD`` or ``Adam``; ``Adam(1e-3)`` by default.
        seed : int
            Seeds the shuffling of every epoch (and dropout masks): the same
            initial weights, data and seed give the same trained weights.
        validation_data : (X_val, y_val), optional
            Evaluated after every epoch.
        progress : bool
            Show a progress bar (tqdm's auto mode: a widget in a notebook,
            text in a terminal) with the loss and accuracy.
        callbacks : callable, object or list of them, optional
            A callable is called after each epoch with the epoch's ``logs``
            (a dict: ``epoch`` counted from 1, ``epochs``, ``loss``,
            ``accuracy``, ``val_loss``, ``val_accuracy``, ``lr`` (the rate of
            the epoch's last update), ``seconds``).  An object may instead
            define ``on_epoch_end(logs)`` and/or ``on_batch_end(logs)``
            (``epoch``, ``batch``, ``batches``, ``loss``, ``lr``).  Set
            ``model.stop_training = True`` to stop after the current batch.
        schedule : {None, 'constant', 'cosine'}, Schedule or callable, optional
            The learning-rate schedule (:mod:`meia_cnn.nn.schedules`): each
            update uses ``optimizer.lr * schedule(epoch, epochs)``, ``epoch``
            being the epochs completed before it (fractional within an epoch).
            ``'cosine'`` is :class:`~meia_cnn.nn.CosineDecay`; ``None`` keeps the
            rate constant.  The optimiser's ``lr`` is not changed.

        Returns
        -------
        history : dict of lists
            ``loss`` and ``accuracy`` (running averages over each epoch's
            batches), ``val_loss`` and ``val_accuracy`` (empty without
            ``validation_data``), one entry per epoch.

        Raises
        ------
        ValueError
            When the loss or the weights stop being finite (the training
            diverged): the last finite weights are put back (those before the
            failing update), the optimiser's state is reset, and the message
            names the cause it can see: the input when no update was made
            yet, the schedule when its multiplier was above 1, else the
            learning rate to lower.  Also when ``schedule`` returns something
            other than a finite number >= 0.

        Notes
        -----
        BLAS runs on one thread during ``fit``: for matrices this small,
        extra threads cost more time than they save.

        Examples
        --------
        >>> from meia_cnn.nn import Conv2D, ReLU, Flatten, Dense, Adam, SGD
        >>> model = Sequential([Conv2D(1, 2, 3), ReLU(), Flatten(), Dense(8, 2)], input_shape=(4, 4, 1))
        >>> rng = np.random.default_rng(0)
        >>> X, y = rng.random((16, 4, 4, 1)), np.arange(16) % 2
        >>> history = model.fit(X, y, epochs=3, optimizer=Adam(0.01), schedule="cosine", progress=False)
        >>> len(history["loss"])
        3
        >>> model.fit(X, y, epochs=3, optimizer=SGD(1e30), progress=False)
        Traceback (most recent call last):
        ...
        ValueError: training diverged at epoch 2, batch 1: overflow encountered in matmul. The learning rate `lr`=1e+30 of SGD(lr=1e+30, momentum=0) is too large: lower it (e.g. by 10) and train again; the weights before the failing update were restored.
        >>> bool(np.isfinite(model.predict(X)).all())  # still usable
        True
        """
        data, _labels = self._batch(X, "X")
        labels = self._labels(y, len(data), "y")
        if not len(data):
            raise ValueError("`X` is empty: nothing to train on")
        epochs = as_int(epochs, "epochs")
        if epochs > MAX_EPOCHS:
            raise ValueError(f"`epochs` must be at most {MAX_EPOCHS:,} (MAX_EPOCHS), got {value_text(epochs)}")
        batch_size = min(as_int(batch_size, "batch_size"), len(data))  # larger: one batch of everything
        if optimizer is None:
            optimizer = Adam(1e-3)
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"`optimizer` must be an optimizer such as Adam(1e-3) or SGD(0.1), got {optimizer!r}")
        seed = as_seed(seed)
        progress = as_bool(progress, "progress")
        rate = as_schedule(schedule)
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("`validation_data` must be a pair (X_val, y_val)")
            Xv, _labels_v = self._batch(validation_data[0], "validation_data[0]")
            yv = self._labels(validation_data[1], len(Xv), "validation_data[1]")
        on_epoch, on_batch = _callback_lists(callbacks)

        rng = np.random.default_rng(seed)
        for layer in self.layers:
            if not layer.trainable:
                layer.initialize(rng)  # dropout masks follow the seed
        params, grads = self._trainable()
        # the last finite weights: what a diverged run leaves in the model
        at_start = [p.copy() for p in params]
        last_good = [p.copy() for p in params]
        updates = 0
        multiplier = 1.0
        n = len(data)
        n_batches = math.ceil(n / batch_size)
        history: dict[str, list[float]] = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
        bar = _progress_bar(epochs * n_batches, _("training")) if progress else None
        self.stop_training = False
        start = time.perf_counter()
        limits = _one_blas_thread()
        limits.__enter__()
        try:
            for epoch in range(1, epochs + 1):
                order = rng.permutation(n)
                total, correct, seen = 0.0, 0, 0
                lr = optimizer.lr
                for b in range(n_batches):
                    idx = order[b * batch_size : (b + 1) * batch_size]
                    xb, yb = data[idx], labels[idx]
                    where = f"at epoch {epoch}, batch {b + 1}"
                    progress_now = (epoch - 1) + b / n_batches
                    multiplier = _multiplier(rate, progress_now, epochs)
                    lr = optimizer.lr * multiplier
                    try:
                        with np.errstate(over="raise", invalid="raise"):
                            logits = self._forward(xb, True)
                            loss = self.loss._forward(logits, yb)
                            if not math.isfinite(loss):
                                raise FloatingPointError(f"the loss is {loss}")
                            self._backward(self.loss.backward())
                            for keep, p in zip(last_good, params):
                                np.copyto(keep, p)
                            optimizer.step(params, grads, lr=lr)
                            updates += 1
                    except FloatingPointError as exc:  # overflow: the weights grew without bound
                        self._diverged(
                            optimizer, f"{where}: {exc}", params, last_good, at_start, updates, multiplier, data
                        )
                    except ValueError as exc:  # a layer refused the non-finite values it received
                        if "finite" not in str(exc) or str(exc).startswith("training diverged"):
                            raise
                        self._diverged(
                            optimizer,
                            f"{where}: the values in the network are no longer finite",
                            params,
                            last_good,
                            at_start,
                            updates,
                            multiplier,
                            data,
                        )
                    total += loss * len(idx)
                    correct += int((logits.argmax(axis=1) == yb).sum())
                    seen += len(idx)
                    if bar is not None:
                        bar.update(1)
                    for cb in on_batch:
                        cb({"epoch": epoch, "batch": b + 1, "batches": n_batches, "loss": loss, "lr": lr})
                    if self.stop_training:
                        break
                if not all(np.isfinite(p).all() for p in params):  # the last update of the epoch
                    self._diverged(
                        optimizer,
                        f"at epoch {epoch}: the weights are no longer finite",
                        params,
                        last_good,
                        at_start,
                        updates,
                        multiplier,
                        data,
                    )
                logs: dict[str, Any] = {
                    "epoch": epoch,
                    "epochs": epochs,
                    "loss": total / seen,
                    "accuracy": correct / seen,
                }
                history["loss"].append(logs["loss"])
                history["accuracy"].append(logs["accuracy"])
                if validation_data is not None:
                    vl, va = self._loss_and_accuracy(Xv, yv, "validation_data[0]", "validation_data[1]")
                    logs["val_loss"], logs["val_accuracy"] = vl, va
                    history["val_loss"].append(vl)
                    history["val_accuracy"].append(va)
                logs["lr"] = lr
                logs["seconds"] = time.perf_counter() - start
                if bar is not None:
                    shown = _progress_postfix(logs)
                    bar.set_description(_("epoch {epoch}/{epochs}").format(epoch=epoch, epochs=epochs), refresh=False)
                    bar.set_postfix(shown)
                for cb in on_epoch:
                    cb(dict(logs))
                if self.stop_training:
                    break
        finally:
            limits.__exit__(None, None, None)
            if bar is not None:
                bar.close()
        return history

    @staticmethod
    def _diverged(
        optimizer: Optimizer,
        where: str,
        params: list[NDArray[Any]],
        last_good: list[NDArray[Any]],
        at_start: list[NDArray[Any]],
        updates: int,
        multiplier: float,
        data: NDArray[Any],
    ) -> NoReturn:
        """Put the last finite weights back, forget the optimiser's state and raise naming the visible cause."""
        restore = last_good if all(np.isfinite(k).all() for k in last_good) else at_start
        for p, keep in zip(params, restore):
            np.copyto(p, keep)
        optimizer.reset()
        restored = (
            "the weights before the failing update were restored"
            if restore is last_good
            else "the weights this training started from were restored"
        )
        if updates == 0:
            largest = float(np.abs(data).max()) if data.size else 0.0
            cause = (
                f"no update had been made yet: the input `X` (largest |X| = {largest:.3g}) or the initial "
                "weights make the network's values overflow; scale the inputs (e.g. to [0, 1]) or "
                "re-initialise the model"
            )
        elif multiplier > 1:
            cause = (
                f"the rate of the failing update was `lr`={optimizer.lr:g} times the schedule's "
                f"multiplier {multiplier:g}: the `schedule` raised it above the optimiser's rate; use a "
                "schedule that stays at or below 1, or lower `lr`"
            )
        else:
            cause = (
                f"the learning rate `lr`={optimizer.lr:g} of {optimizer!r} is too large: lower it "
                "(e.g. by 10) and train again"
            )
        raise ValueError(f"training diverged {where}. {cause[0].upper()}{cause[1:]}; {restored}.")

    # -- weights --------------------------------------------------------------------
    def get_weights(self) -> dict[str, NDArray[Any]]:
        """Copies of every parameter, keyed ``"<layer name>.<param>"`` (e.g. ``"conv2d_1.W"``).

        Returns
        -------
        dict of str -> ndarray
        """
        return {f"{layer.name}.{k}": v.copy() for layer in self.layers for k, v in layer.params.items()}

    def set_weights(self, weights: dict[str, ArrayLike]) -> None:
        """Copy ``weights`` (as from :meth:`get_weights`) into the layers, checking names, shapes and dtypes.

        Parameters
        ----------
        weights : dict of str -> array
            Exactly the model's parameters: float arrays of the right shapes.
        """
        if not isinstance(weights, dict):
            raise TypeError(f"`weights` must be a dict of arrays, got {type(weights).__name__}")
        expected = {f"{layer.name}.{k}": v for layer in self.layers for k, v in layer.params.items()}
        missing = sorted(set(expected) - set(weights))
        extra = sorted(set(weights) - set(expected))
        if missing or extra:
            raise ValueError(f"weights do not fit this model: missing {missing}, unexpected {extra}")
        checked = {}
        for key, target in expected.items():
            value = np.asarray(weights[key])
            if value.shape != target.shape:
                raise ValueError(f"weight {key!r} must have shape {target.shape}, got {value.shape}")
            if value.dtype not in (np.float32, np.float64):
                raise TypeError(f"weight {key!r} must hold float32 or float64 values, got dtype {value.dtype}")
            if not np.isfinite(value).all():
                raise ValueError(f"weight {key!r} must be finite: it contains NaN or infinity")
            checked[key] = value
        for key, target in expected.items():  # all checked first: a bad file changes nothing
            target[...] = checked[key]

    def get_config(self) -> dict[str, Any]:
        """The architecture as plain data (what :meth:`save` stores beside the weights).

        Returns
        -------
        dict
            ``format``, ``input_shape`` and one dict per layer (``class``,
            ``name`` and the constructor's arguments).
        """
        return {
            "format": _FORMAT,
            "input_shape": list(self.input_shape) if self.input_shape else None,
            "layers": [
                {"class": type(layer).__name__, "name": layer.name, **layer.get_config()} for layer in self.layers
            ],
        }

    @classmethod
    def from_config(cls, config: dict[str, Any] | str, *, dtype: Any = np.float32) -> Sequential:
        """Build an (untrained) model from :meth:`get_config`'s output, or that output as JSON text.

        The configuration is checked before anything is built: its size and
        nesting (JSON text longer than ``MAX_CONFIG_CHARS`` characters or
        nested deeper than ``MAX_CONFIG_DEPTH`` is refused before parsing),
        the format, at most ``MAX_LAYERS`` known layer types and their
        arguments, and at most ``MAX_TOTAL_PARAMS`` parameters in all
        (counted layer by layer, so a model over the limit is refused one
        layer past it).  Checking the text is linear in its length.

        Parameters
        ----------
        config : dict or str
        dtype : {float32, float64}, optional
            Precision of the trainable layers.

        Returns
        -------
        Sequential

        Examples
        --------
        >>> from meia_cnn.nn import Dense
        >>> model = Sequential([Dense(3, 2)], input_shape=(3,))
        >>> Sequential.from_config(model.get_config())
        Sequential([Dense(3→2)])
        >>> Sequential.from_config("[" * 100000)
        Traceback (most recent call last):
        ...
        ValueError: the model configuration nests lists or objects 100000 deep: at most 8 is allowed
        """
        if isinstance(config, (str, bytes)):
            config = _parse_config(config)
        _check_plain(config, "the model configuration", 0)
        if not isinstance(config, dict) or config.get("format") != _FORMAT:
            raise ValueError(f"not a meia-cnn Sequential configuration (format {_FORMAT!r} expected)")
        specs = config.get("layers")
        if not isinstance(specs, list) or not specs:
            raise ValueError("the model configuration's `layers` must be a non-empty list of layer dicts")
        if len(specs) > MAX_LAYERS:
            raise ValueError(f"the model configuration has {len(specs)} layers: at most {MAX_LAYERS} are allowed")
        layers = []
        for i, spec in enumerate(specs):
            if (
                not isinstance(spec, dict)
                or not isinstance(spec.get("class"), str)
                or not isinstance(spec.get("name"), str)
            ):
                raise ValueError(
                    f"layer {i} of the model configuration must be a dict with `class` and `name` "
                    f"strings, got {str(spec)[:80]}"
                )
            spec = dict(spec)
            kind, name = spec.pop("class"), spec.pop("name")
            if kind not in LAYER_TYPES:
                raise ValueError(f"unknown layer type {kind!r}; known: {', '.join(LAYER_TYPES)}")
            layer_cls = LAYER_TYPES[kind]
            if "padding" in spec and isinstance(spec["padding"], list):
                spec["padding"] = tuple(tuple(p) if isinstance(p, list) else p for p in spec["padding"])
            for key in ("kernel_size", "stride", "size"):
                if isinstance(spec.get(key), list):
                    spec[key] = tuple(spec[key])
            if layer_cls.trainable:
                spec["dtype"] = dtype
            try:
                layer = layer_cls(**spec)
            except TypeError as exc:
                if "argument" not in str(exc):  # a bad value: the layer's own message
                    raise
                raise ValueError(f"layer {i} ({name}) of the model configuration: {exc}") from None
            layer.name = name
            layers.append(layer)
            _check_total_params(layers)  # before building the next layer
        shape = config.get("input_shape")
        if shape is not None and not isinstance(shape, list):
            raise ValueError(f"the model configuration's `input_shape` must be a list of ints, got {shape!r}")
        return cls(layers, input_shape=tuple(shape) if shape else None, seed=0)

    def save(self, path: PathLike, **metadata: Any) -> None:
        """Write the architecture and the weights to an ``.npz`` file (no pickle).

        Parameters
        ----------
        path : str or path
        **metadata
            Numbers and strings stored as JSON, read back by :meth:`load_metadata`.
        """
        arrays = self.get_weights()
        arrays["__config__"] = np.array(json.dumps(self.get_config()))
        arrays["__metadata__"] = np.array(json.dumps(metadata))
        with open(os.fspath(path), "wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]

    @staticmethod
    def _read(path: PathLike, *, need_config: bool = False) -> dict[str, NDArray[Any]]:
        """The arrays of an ``.npz`` written by :meth:`save`, read without pickle and checked for form."""
        name = os.fspath(path)
        try:
            npz = np.load(name, allow_pickle=False)
        except ValueError as exc:  # object arrays (pickles) and files that are not npz
            raise ValueError(f"{name!r} is not a model file written by Sequential.save: {exc}") from None
        if not isinstance(npz, np.lib.npyio.NpzFile):
            raise ValueError(f"{name!r} is not a model file written by Sequential.save (not an .npz archive)")
        assert npz.zip is not None
        with npz:
            if need_config and "__config__" not in npz.files:
                raise ValueError(f"{name!r} holds no model configuration: was it written by Sequential.save?")
            if len(npz.files) > 4 * MAX_LAYERS:
                raise ValueError(f"{name!r} holds {len(npz.files)} arrays: too many for a model file")
            arrays = {}
            for member in npz.zip.namelist():
                if not member.endswith(".npy"):
                    raise ValueError(f"{name!r} holds {member[:40]!r}, which is not an .npy array: not a model file")
            for key in npz.files:
                if not _KEY.fullmatch(key):
                    raise ValueError(f"{name!r} holds an array named {key[:40]!r}: not a model file")
                size = npz.zip.getinfo(key + ".npy").file_size  # before decompressing anything
                if size > 8 * MAX_PARAMS + 4096:
                    raise ValueError(
                        f"{name!r}: array {key[:40]!r} would take {size:,} bytes, more than a "
                        f"layer may hold ({MAX_PARAMS:,} parameters)"
                    )
                _check_header(npz.zip, key, size, name)
                try:
                    value = npz[key]
                except ValueError as exc:  # an object array: pickles are never loaded
                    raise ValueError(f"{name!r}: array {key[:40]!r} cannot be read without pickle ({exc})") from None
                if key.startswith("__"):
                    if value.shape != () or value.dtype.kind != "U" or value.dtype.itemsize // 4 > MAX_CONFIG_CHARS:
                        raise ValueError(
                            f"{name!r}: {key} must be one JSON text of at most {MAX_CONFIG_CHARS:,} characters"
                        )
                elif value.dtype not in (np.float32, np.float64):
                    raise ValueError(f"{name!r}: weight {key!r} must be float32 or float64, got dtype {value.dtype}")
                arrays[key] = value
        return arrays

    @classmethod
    def load(cls, path: PathLike, *, dtype: Any = np.float32, expected: Sequential | None = None) -> Sequential:
        """A model saved by :meth:`save`: architecture and weights (read without pickle).

        The file's form is checked before use: plain ``.npy`` arrays only,
        each header read first (an array larger than its file is refused
        before anything is allocated), a configuration of bounded size and
        depth (see :meth:`from_config`),
        and exactly the architecture's weights, with their shapes, as floats.

        Parameters
        ----------
        path : str or path
        dtype : {float32, float64}, optional
            Precision of the loaded model.
        expected : Sequential, optional
            When given, the file's architecture must equal this model's
            (:meth:`get_config`), else a ValueError names both.

        Returns
        -------
        Sequential
        """
        arrays = cls._read(path, need_config=True)
        model = cls.from_config(str(arrays.pop("__config__")), dtype=dtype)
        if expected is not None and model.get_config() != expected.get_config():
            raise ValueError(f"{os.fspath(path)!r} holds {model!r}, expected {expected!r}")
        arrays.pop("__metadata__", None)
        model.set_weights(dict(arrays))
        return model

    @classmethod
    def load_metadata(cls, path: PathLike) -> dict[str, Any]:
        """The metadata stored by :meth:`save`.

        Parameters
        ----------
        path : str or path

        Returns
        -------
        dict
        """
        arrays = cls._read(path)
        if "__metadata__" not in arrays:
            return {}
        meta = _parse_config(str(arrays["__metadata__"]))
        _check_plain(meta, "the metadata", 0)
        if not isinstance(meta, dict):
            raise ValueError(f"{os.fspath(path)!r}: the metadata must be a JSON object")
        return meta

    def load_weights(self, path: PathLike) -> None:
        """Load the weights of a file written by :meth:`save` into this model.

        Parameters
        ----------
        path : str or path
        """
        arrays = self._read(path)
        arrays.pop("__config__", None)
        arrays.pop("__metadata__", None)
        self.set_weights(dict(arrays))


_KEY = re.compile(r"__config__|__metadata__|[^\x00-\x1f]{1,160}\.\w{1,32}")
# a string, or an unterminated one up to the end: every match succeeds at its first try and the
# next search starts after it, so skipping the strings is linear in the text (no backtracking)
_STRING = re.compile(r'(?s)"(?:[^"\\]+|\\.)*(?:"|\\?\Z)')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


_OVERFLOW = (
    "the model's outputs for `X` are not finite (NaN or infinity): the values of `X` "
    "or the model's weights are too large"
)


def _finite_outputs(run: Callable[[], Any]) -> Any:
    """``run()``, with a layer's refusal of the non-finite values the one before it gave named as `X`'s."""
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # what matters is checked, by name
            return run()
    except ValueError as exc:
        if "finite" not in str(exc):
            raise
        raise ValueError(_OVERFLOW) from None


def _multiplier(rate: Callable[[float, int], float], epoch: float, epochs: int) -> float:
    """The schedule's multiplier for an update, checked: a finite number >= 0, else a ValueError naming it."""
    value = rate(epoch, epochs)
    try:
        multiplier = as_real(value, "schedule", rule="a number")
    except TypeError:
        raise TypeError(
            f"`schedule` must return a number (the multiplier of `lr`), got {value_text(value)} "
            f"at epoch {epoch:g} of {epochs}"
        ) from None
    if not (math.isfinite(multiplier) and multiplier >= 0):
        raise ValueError(
            f"`schedule` must return a finite multiplier >= 0, got {value_text(value)} at epoch {epoch:g} of {epochs}"
        )
    return multiplier


def _check_total_params(layers: Sequence[Layer]) -> None:
    total = sum(layer.n_params for layer in layers)
    if total > MAX_TOTAL_PARAMS:
        raise ValueError(
            f"the model would hold {total:,} parameters in {len(layers)} layers: at most {MAX_TOTAL_PARAMS:,} "
            "in all (meia_cnn.nn.model.MAX_TOTAL_PARAMS); use fewer or smaller layers"
        )


def _check_header(archive: zipfile.ZipFile, key: str, size: int, name: str) -> None:
    """Read an ``.npy`` member's header (a few bytes) and refuse it unless its data fits in ``size`` bytes.

    numpy allocates the array its header declares before reading the data, so a
    header declaring ``(10**12,)`` in a small file would be a MemoryError.
    """
    with archive.open(key + ".npy") as fh:
        try:
            version = np.lib.format.read_magic(fh)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(fh)
            elif version == (2, 0):
                shape, _, dtype = np.lib.format.read_array_header_2_0(fh)
            else:
                raise ValueError(f"unsupported .npy format version {version}")
        except (ValueError, TypeError, SyntaxError, OverflowError) as exc:
            raise ValueError(f"{name!r}: array {key[:40]!r} has no valid .npy header ({str(exc)[:120]})") from None
    if dtype.hasobject:
        raise ValueError(f"{name!r}: array {key[:40]!r} cannot be read without pickle (dtype {dtype})")
    nbytes = math.prod(int(v) for v in shape) * dtype.itemsize
    if nbytes > size:
        raise ValueError(
            f"{name!r}: array {key[:40]!r} declares shape {tuple(shape)} ({nbytes:,} bytes) "
            f"but its file holds {size:,} bytes"
        )


def _parse_config(text: str | bytes) -> Any:
    """JSON text parsed after checking its length and nesting (linear time, no recursion)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    if len(text) > MAX_CONFIG_CHARS:
        raise ValueError(
            f"the model configuration is {len(text):,} characters long: at most {MAX_CONFIG_CHARS:,} are allowed"
        )
    brackets = _NOT_BRACKET.sub("", _STRING.sub('""', text))
    if brackets:
        steps = np.frombuffer(brackets.encode("ascii"), np.uint8)
        depth = int(np.cumsum(np.where((steps == ord("[")) | (steps == ord("{")), 1, -1)).max())
        if depth > MAX_CONFIG_DEPTH:
            raise ValueError(
                f"the model configuration nests lists or objects {depth} deep: at most {MAX_CONFIG_DEPTH} is allowed"
            )
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"the model configuration is not valid JSON: {str(exc)[:200]}") from None


def _check_plain(value: Any, what: str, depth: int) -> None:
    """Refuse containers nested deeper than ``MAX_CONFIG_DEPTH`` (iterating, never recursing past it)."""
    if depth > MAX_CONFIG_DEPTH:
        raise ValueError(f"{what} nests lists or objects more than {MAX_CONFIG_DEPTH} deep")
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return
    for item in items:
        if isinstance(item, (dict, list, tuple)):
            _check_plain(item, what, depth + 1)
