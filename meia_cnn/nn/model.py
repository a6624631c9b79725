"""``Sequential``: layers in a row, trained with mini-batches on softmax cross-entropy."""

from __future__ import annotations

import contextlib
import json
import math
import os
import time
import warnings

import numpy as np

from .._validation import as_float_array, as_int, is_int, shape_text
from .layers import LAYER_TYPES, Layer
from .losses import SoftmaxCrossEntropy, _check_labels, softmax
from .optimizers import Adam, Optimizer

__all__ = ["Sequential"]

_FORMAT = "meia-cnn-sequential-1"


def _progress_bar(total, desc):
    """A tqdm bar in its auto mode (a widget in a notebook, text in a terminal).

    tqdm's notebook detection may warn (experimental mode, missing IProgress):
    those warnings are about the bar, not about training, so they are silenced
    here, and a bar that cannot be built as a widget falls back to text.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from tqdm.auto import tqdm

            return tqdm(total=total, desc=desc, unit="batch", leave=True)
        except Exception:  # e.g. "IProgress not found" in a notebook without ipywidgets
            from tqdm.std import tqdm

            return tqdm(total=total, desc=desc, unit="batch", leave=True)


def _one_blas_thread():
    """A context that runs BLAS on one thread (a no-op without threadpoolctl).

    The matrices of a small CNN are tiny: waking BLAS threads for each one
    costs more than it saves, and on a shared machine it can cost far more.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _callback_lists(callbacks):
    """Split ``callbacks`` into per-epoch and per-batch callables."""
    if callbacks is None:
        return [], []
    if callable(callbacks) or hasattr(callbacks, "on_epoch_end") or hasattr(callbacks, "on_batch_end"):
        callbacks = [callbacks]
    if not isinstance(callbacks, (list, tuple)):
        raise TypeError(f"`callbacks` must be a callable or a list of callables, got {type(callbacks).__name__}")
    epoch, batch = [], []
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

    def __init__(self, layers, *, input_shape=None, seed=0):
        if isinstance(layers, Layer) or not isinstance(layers, (list, tuple)):
            raise TypeError(f"`layers` must be a list of layers, got {type(layers).__name__}")
        if not layers:
            raise ValueError("`layers` must hold at least one layer, got an empty list")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(f"`layers[{i}]` must be a layer (Conv2D, Dense, ...), got {layer!r}")
        self.layers = list(layers)
        counts = {}
        for layer in self.layers:
            key = type(layer).__name__.lower()
            counts[key] = counts.get(key, 0) + 1
            if layer.name is None:
                layer.name = f"{key}_{counts[key]}"
        names = [layer.name for layer in self.layers]
        if len(set(names)) != len(names):
            raise ValueError(f"layer names must be unique, got {names}")
        self.input_shape = None
        self.output_shapes = None
        self.stop_training = False
        self.loss = SoftmaxCrossEntropy()
        if seed is not None:
            self.initialize(seed)
        if input_shape is not None:
            self.build(input_shape)

    # -- structure ------------------------------------------------------------
    @property
    def layer_names(self):
        return [layer.name for layer in self.layers]

    def initialize(self, seed=0):
        """Re-draw every trainable layer's weights (He initialisation) from ``seed``."""
        if seed is not None and not is_int(seed):
            raise TypeError(f"`seed` must be an int or None, got {seed!r}")
        rng = np.random.default_rng(seed)
        for layer in self.layers:
            layer.initialize(rng)

    def build(self, input_shape):
        """Check every layer's shapes for one sample of ``input_shape``; return the output shape."""
        if is_int(input_shape):
            input_shape = (input_shape,)
        if not isinstance(input_shape, (tuple, list)) or not input_shape or not all(
            is_int(s) and s >= 1 for s in input_shape
        ):
            raise ValueError(f"`input_shape` must be a tuple of ints >= 1 such as (8, 8, 1), got {input_shape!r}")
        shape = tuple(int(s) for s in input_shape)
        shapes = []
        for i, layer in enumerate(self.layers):
            try:
                shape = tuple(int(s) for s in layer.output_shape(shape))
            except ValueError as exc:
                before = f"the output of layer {i - 1} ({self.layers[i - 1].name})" if i else "the input"
                raise ValueError(
                    f"layer {i} ({layer.name}) cannot take {before}, of shape {shape_text(shape)}: {exc}"
                ) from None
            shapes.append(shape)
        self.input_shape = tuple(int(s) for s in input_shape)
        self.output_shapes = shapes
        return shapes[-1]

    @property
    def n_classes(self):
        if self.output_shapes is None:
            return None
        out = self.output_shapes[-1]
        return out[0] if len(out) == 1 else None

    @property
    def n_params(self):
        return sum(layer.n_params for layer in self.layers)

    def summary(self):
        """A table of the layers: name, type, output shape and parameter count."""
        if self.output_shapes is None:
            raise ValueError("the model is not built yet: give `input_shape` or call fit/predict first")
        rows = [("input", "", shape_text(self.input_shape), "0")]
        for layer, shape in zip(self.layers, self.output_shapes):
            rows.append((layer.name, layer.describe(), shape_text(shape), f"{layer.n_params:,}"))
        rows.append(("total", "", "", f"{self.n_params:,}"))
        w = [max(len(r[i]) for r in rows + [("layer", "type", "output shape", "parameters")]) for i in range(4)]
        lines = [f"{'layer':<{w[0]}}  {'type':<{w[1]}}  {'output shape':<{w[2]}}  {'parameters':>{w[3]}}"]
        lines += [f"{a:<{w[0]}}  {b:<{w[1]}}  {c:<{w[2]}}  {d:>{w[3]}}" for a, b, c, d in rows]
        return "\n".join(line.rstrip() for line in lines)

    def __repr__(self):
        inner = ", ".join(layer.describe() for layer in self.layers)
        return f"Sequential([{inner}])"

    # -- data -------------------------------------------------------------------
    def _batch(self, X, name="X"):
        """``X`` as a float batch of the model's input shape; also says if it was one sample."""
        X = as_float_array(X, name)
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

    def _labels(self, y, n, name="y"):
        k = self.n_classes
        if k is None:
            raise ValueError(
                f"the last layer must output one score per class (N, classes), but it outputs "
                f"{shape_text(self.output_shapes[-1])} per sample: end the model with Flatten() and Dense"
            )
        try:
            return _check_labels(y, n, k)
        except (ValueError, TypeError) as exc:
            raise type(exc)(str(exc).replace("`y`", f"`{name}`")) from None

    # -- passes -------------------------------------------------------------------
    def _forward(self, x, training):
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def _backward(self, grad):
        for layer in reversed(self.layers):
            grad = layer.backward(grad)
        return grad

    def forward(self, X, training=False):
        """The last layer's output (logits) for a batch ``X``, shape (N, classes)."""
        X, single = self._batch(X)
        out = self._forward(X, training)
        return out[0] if single else out

    def backward(self, grad_out):
        """Back-propagate ``grad_out`` (the loss gradient w.r.t. the output) through every layer.

        Each trainable layer stores its parameter gradients in ``grads``; the
        gradient with respect to the input is returned.  Call after
        ``forward(X, training=True)``.
        """
        return self._backward(grad_out)

    def forward_all(self, X):
        """Every layer's output for ``X`` (prediction mode), in order.

        Parameters
        ----------
        X : ndarray of shape (N, ...) or one sample of ``input_shape``

        Returns
        -------
        list of ndarray
            ``outputs[i]`` is the output of ``layers[i]`` (named
            ``layer_names[i]``): feature maps ``(N, H, W, C)``, vectors ``(N, K)``;
            without the ``N`` axis for one sample.
        """
        X, single = self._batch(X)
        outs = []
        x = X
        for layer in self.layers:
            x = layer.forward(x, training=False)
            outs.append(x[0] if single else x)
        return outs

    def predict(self, X, *, batch_size=256):
        """Class probabilities, shape (N, classes) (or (classes,) for one sample)."""
        X, single = self._batch(X)
        self._labels(np.zeros(0, np.int64), 0)  # the model must end in class scores
        batch_size = as_int(batch_size, "batch_size")
        parts = [self._forward(X[i:i + batch_size], False) for i in range(0, len(X), batch_size)]
        logits = np.concatenate(parts) if parts else np.zeros((0, self.n_classes))
        p = softmax(logits)
        return p[0] if single else p

    def evaluate(self, X, y):
        """Accuracy: the fraction of samples whose most probable class is the label."""
        return self._loss_and_accuracy(X, y, "X", "y")[1]

    def _loss_and_accuracy(self, X, y, xname, yname, batch_size=512):
        X, _ = self._batch(X, xname)
        y = self._labels(y, len(X), yname)
        if not len(X):
            raise ValueError(f"`{xname}` is empty: nothing to evaluate")
        total, correct = 0.0, 0
        for i in range(0, len(X), batch_size):
            logits = self._forward(X[i:i + batch_size], False)
            yb = y[i:i + batch_size]
            total += self.loss.forward(logits, yb) * len(yb)
            correct += int((logits.argmax(axis=1) == yb).sum())
        return total / len(X), correct / len(X)

    # -- training -------------------------------------------------------------------
    def _trainable(self):
        params, grads = [], []
        for layer in self.layers:
            for key in layer.params:
                params.append(layer.params[key])
                grads.append(layer.grads[key])
        return params, grads

    def fit(self, X, y, *, epochs=10, batch_size=32, optimizer=None, seed=0, validation_data=None,
            progress=True, callbacks=None):
        """Train with mini-batch gradient descent on the softmax cross-entropy.

        Parameters
        ----------
        X : ndarray of shape (N, ...)
            Training samples (grey images may omit the channel axis).
        y : ndarray of int, shape (N,)
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
            ``accuracy``, ``val_loss``, ``val_accuracy``, ``seconds``).  An
            object may instead define ``on_epoch_end(logs)`` and/or
            ``on_batch_end(logs)`` (``batch``, ``batches``, ``loss``).  Set
            ``model.stop_training = True`` to stop after the current batch.

        Notes
        -----
        BLAS runs on one thread during ``fit``: for matrices this small,
        extra threads cost more time than they save.

        Returns
        -------
        history : dict of lists
            ``loss`` and ``accuracy`` (running averages over each epoch's
            batches), ``val_loss`` and ``val_accuracy`` (empty without
            ``validation_data``), one entry per epoch.
        """
        X, _ = self._batch(X, "X")
        y = self._labels(y, len(X), "y")
        if not len(X):
            raise ValueError("`X` is empty: nothing to train on")
        epochs = as_int(epochs, "epochs")
        batch_size = as_int(batch_size, "batch_size")
        if optimizer is None:
            optimizer = Adam(1e-3)
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"`optimizer` must be an optimizer such as Adam(1e-3) or SGD(0.1), got {optimizer!r}")
        if seed is not None and not is_int(seed):
            raise TypeError(f"`seed` must be an int, got {seed!r}")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise TypeError("`validation_data` must be a pair (X_val, y_val)")
            Xv, _ = self._batch(validation_data[0], "validation_data[0]")
            yv = self._labels(validation_data[1], len(Xv), "validation_data[1]")
        on_epoch, on_batch = _callback_lists(callbacks)

        rng = np.random.default_rng(seed)
        for layer in self.layers:
            if not layer.trainable:
                layer.initialize(rng)  # dropout masks follow the seed
        params, grads = self._trainable()
        n = len(X)
        n_batches = math.ceil(n / batch_size)
        history = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
        bar = _progress_bar(epochs * n_batches, "training") if progress else None
        self.stop_training = False
        start = time.perf_counter()
        limits = _one_blas_thread()
        limits.__enter__()
        try:
            for epoch in range(1, epochs + 1):
                order = rng.permutation(n)
                total, correct, seen = 0.0, 0, 0
                for b in range(n_batches):
                    idx = order[b * batch_size:(b + 1) * batch_size]
                    xb, yb = X[idx], y[idx]
                    logits = self._forward(xb, True)
                    loss = self.loss.forward(logits, yb)
                    self._backward(self.loss.backward())
                    optimizer.step(params, grads)
                    total += loss * len(idx)
                    correct += int((logits.argmax(axis=1) == yb).sum())
                    seen += len(idx)
                    if bar is not None:
                        bar.update(1)
                    for cb in on_batch:
                        cb({"epoch": epoch, "batch": b + 1, "batches": n_batches, "loss": loss})
                    if self.stop_training:
                        break
                logs = {"epoch": epoch, "epochs": epochs, "loss": total / seen, "accuracy": correct / seen}
                history["loss"].append(logs["loss"])
                history["accuracy"].append(logs["accuracy"])
                if validation_data is not None:
                    vl, va = self._loss_and_accuracy(Xv, yv, "validation_data[0]", "validation_data[1]")
                    logs["val_loss"], logs["val_accuracy"] = vl, va
                    history["val_loss"].append(vl)
                    history["val_accuracy"].append(va)
                logs["seconds"] = time.perf_counter() - start
                if bar is not None:
                    shown = {k: f"{v:.3f}" for k, v in logs.items() if "loss" in k or "acc" in k}
                    bar.set_description(f"epoch {epoch}/{epochs}", refresh=False)
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

    # -- weights --------------------------------------------------------------------
    def get_weights(self):
        """Copies of every parameter, keyed ``"<layer name>.<param>"`` (e.g. ``"conv2d_1.W"``)."""
        return {f"{layer.name}.{k}": v.copy() for layer in self.layers for k, v in layer.params.items()}

    def set_weights(self, weights):
        """Copy ``weights`` (as from :meth:`get_weights`) into the layers, checking names and shapes."""
        expected = {f"{layer.name}.{k}": v for layer in self.layers for k, v in layer.params.items()}
        missing = sorted(set(expected) - set(weights))
        extra = sorted(set(weights) - set(expected))
        if missing or extra:
            raise ValueError(f"weights do not fit this model: missing {missing}, unexpected {extra}")
        for key, target in expected.items():
            value = np.asarray(weights[key])
            if value.shape != target.shape:
                raise ValueError(f"weight {key!r} must have shape {target.shape}, got {value.shape}")
            if value.dtype.kind != "f":
                raise TypeError(f"weight {key!r} must hold floats, got dtype {value.dtype}")
            target[...] = value

    def get_config(self):
        """The architecture as plain data (what :meth:`save` stores beside the weights)."""
        return {
            "format": _FORMAT,
            "input_shape": list(self.input_shape) if self.input_shape else None,
            "layers": [{"class": type(layer).__name__, "name": layer.name, **layer.get_config()}
                       for layer in self.layers],
        }

    @classmethod
    def from_config(cls, config, *, dtype=np.float32):
        """Build an (untrained) model from :meth:`get_config`'s output."""
        if not isinstance(config, dict) or config.get("format") != _FORMAT:
            raise ValueError(f"not a meia-cnn Sequential configuration (format {_FORMAT!r} expected)")
        layers = []
        for spec in config["layers"]:
            spec = dict(spec)
            kind, name = spec.pop("class"), spec.pop("name")
            if kind not in LAYER_TYPES:
                raise ValueError(f"unknown layer type {kind!r}; known: {', '.join(LAYER_TYPES)}")
            layer_cls = LAYER_TYPES[kind]
            if "padding" in spec and isinstance(spec["padding"], list):
                spec["padding"] = tuple(tuple(p) for p in spec["padding"])
            for key in ("kernel_size", "stride", "size"):
                if isinstance(spec.get(key), list):
                    spec[key] = tuple(spec[key])
            if layer_cls.trainable:
                spec["dtype"] = dtype
            layer = layer_cls(**spec)
            layer.name = name
            layers.append(layer)
        shape = config.get("input_shape")
        return cls(layers, input_shape=tuple(shape) if shape else None, seed=0)

    def save(self, path, **metadata):
        """Write the architecture and the weights to an ``.npz`` file (no pickle).

        Extra keyword arguments (numbers, strings) are stored as JSON
        metadata, read back by :meth:`load_metadata`.
        """
        arrays = self.get_weights()
        arrays["__config__"] = np.array(json.dumps(self.get_config()))
        arrays["__metadata__"] = np.array(json.dumps(metadata))
        with open(os.fspath(path), "wb") as fh:
            np.savez_compressed(fh, **arrays)

    @staticmethod
    def _read(path):
        with np.load(os.fspath(path), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}

    @classmethod
    def load(cls, path, *, dtype=np.float32):
        """A model saved by :meth:`save`: architecture and weights (read without pickle)."""
        arrays = cls._read(path)
        if "__config__" not in arrays:
            raise ValueError(f"{os.fspath(path)!r} holds no model configuration: was it written by Sequential.save?")
        model = cls.from_config(json.loads(str(arrays.pop("__config__"))), dtype=dtype)
        arrays.pop("__metadata__", None)
        model.set_weights(arrays)
        return model

    @classmethod
    def load_metadata(cls, path):
        """The metadata stored by :meth:`save` (a dict)."""
        arrays = cls._read(path)
        return json.loads(str(arrays["__metadata__"])) if "__metadata__" in arrays else {}

    def load_weights(self, path):
        """Load the weights of a file written by :meth:`save` into this model."""
        arrays = self._read(path)
        arrays.pop("__config__", None)
        arrays.pop("__metadata__", None)
        self.set_weights(arrays)
