"""A small trainable CNN in numpy: layers, loss, optimisers and ``Sequential``.

Everything is visible code on numpy arrays, channels last like the rest of
the kit; the forward passes call the core (:func:`meia_cnn.ops.conv2d` and
the pooling functions), the backward passes are written out and checked
against finite differences in the tests.

* layers: :class:`Conv2D`, :class:`MaxPool2D`, :class:`AvgPool2D`,
  :class:`ReLU`, :class:`Flatten`, :class:`Dense`, :class:`Dropout`;
* :class:`SoftmaxCrossEntropy`, :func:`softmax`;
* optimisers: :class:`SGD`, :class:`Adam`;
* learning-rate schedules for ``fit(..., schedule=...)``: :class:`Constant`,
  :class:`CosineDecay`, :class:`StepDecay` (``schedule="cosine"`` for short,
  :func:`as_schedule`);
* :class:`Sequential` with ``fit``, ``predict``, ``evaluate``, ``forward_all``,
  ``summary``, ``save``/``load`` (``.npz``, no pickle);
* the reference digits CNN: :func:`reference_model`, :func:`train_reference`,
  :func:`load_reference` (weights shipped in ``meia_cnn/assets/digits_cnn.npz``;
  ``python -m meia_cnn.nn`` retrains and rewrites them with the recipe of
  :data:`REFERENCE_SETTINGS`), :func:`digits_split`;
* :mod:`meia_cnn.nn.background`: the reference CNN trained in a background
  thread, reporting every batch and epoch, stopping when asked;
* :mod:`meia_cnn.nn.learn_kernel`: gradient descent recovering one kernel
  (the Sobel edge detector) from filtered images, with the gradient of a
  one-filter :class:`Conv2D`.

Examples
--------
>>> from meia_cnn.nn import load_reference, digits_split
>>> model = load_reference()
>>> X_train, X_test, y_train, y_test = digits_split()
>>> model.predict(X_test[:1]).shape
(1, 10)
"""

from .layers import AvgPool2D, Conv2D, Dense, Dropout, Flatten, Layer, MaxPool2D, ReLU
from .losses import SoftmaxCrossEntropy, log_softmax, softmax
from .model import Sequential
from .optimizers import SGD, Adam, Optimizer
from .reference import (
    REFERENCE_SETTINGS,
    REFERENCE_WEIGHTS,
    SHAPES_CNN_WEIGHTS,
    SHAPES_DENSE_WEIGHTS,
    digits_split,
    load_reference,
    reference_model,
    train_reference,
)
from .schedules import Constant, CosineDecay, Schedule, StepDecay, as_schedule

__all__ = [
    "Layer",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "ReLU",
    "Flatten",
    "Dense",
    "Dropout",
    "SoftmaxCrossEntropy",
    "softmax",
    "log_softmax",
    "Optimizer",
    "SGD",
    "Adam",
    "Schedule",
    "Constant",
    "CosineDecay",
    "StepDecay",
    "as_schedule",
    "Sequential",
    "REFERENCE_SETTINGS",
    "REFERENCE_WEIGHTS",
    "SHAPES_DENSE_WEIGHTS",
    "SHAPES_CNN_WEIGHTS",
    "digits_split",
    "reference_model",
    "train_reference",
    "load_reference",
]
