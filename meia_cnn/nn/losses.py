"""Softmax and the cross-entropy loss of a classifier, numerically stable."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import as_float_array, as_real_array

__all__ = ["softmax", "log_softmax", "SoftmaxCrossEntropy"]


def log_softmax(logits: ArrayLike) -> NDArray[Any]:
    """``log softmax(z)`` along the last axis, computed as ``z - logsumexp(z)``.

    Subtracting the row maximum first keeps ``exp`` from overflowing.

    Parameters
    ----------
    logits : (N, K) array
        Real and finite (a ``ValueError`` otherwise; complex is a ``TypeError``).

    Returns
    -------
    (N, K) array
        Log-probabilities: each row's ``exp`` sums to 1.

    Examples
    --------
    >>> log_softmax(np.array([[0.0, 0.0]]))
    array([[-0.69314718, -0.69314718]])
    >>> log_softmax(np.array([[1000.0, 0.0]]))[0, 0]
    np.float64(0.0)
    """
    return _log_softmax(_logits(logits))


def _logits(logits: ArrayLike) -> NDArray[Any]:
    """Checked logits: real, finite, at least 1-D, within MAX_ELEMENTS (float32 kept)."""
    z = as_float_array(logits, "logits")
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"`logits` must have at least one class along the last axis, got shape {z.shape}")
    return z


def _log_softmax(z: NDArray[Any]) -> NDArray[Any]:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def softmax(logits: ArrayLike) -> NDArray[Any]:
    """Class probabilities ``exp(z_k) / sum_j exp(z_j)`` along the last axis.

    Parameters
    ----------
    logits : (N, K) array

    Returns
    -------
    (N, K) array
        Rows are non-negative and sum to 1.

    Examples
    --------
    >>> softmax(np.array([[1.0, 1.0, 1.0, 1.0]]))
    array([[0.25, 0.25, 0.25, 0.25]])
    >>> softmax(np.array([[800.0, 0.0]])).round(6)
    array([[1., 0.]])
    """
    z = _logits(logits)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _check_labels(y: ArrayLike, n: int, k: int) -> NDArray[Any]:
    y = as_real_array(y, "y") if isinstance(y, np.ndarray) else np.asarray(y)  # subclasses, masks refused
    if y.ndim != 1 or y.shape[0] != n:
        raise ValueError(f"`y` must be a 1-D array of {n} class labels, got shape {y.shape}")
    if y.dtype.kind not in "iu":
        if y.dtype.kind == "f" and y.size and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        elif y.size:
            raise TypeError(f"`y` must hold integer class labels, got dtype {y.dtype}")
        else:
            y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= k):
        raise ValueError(f"`y` labels must be in 0..{k - 1} (the model has {k} outputs), got {y.min()}..{y.max()}")
    return y


class SoftmaxCrossEntropy:
    """Mean cross-entropy of ``softmax(logits)`` against integer labels.

    ``L = -(1/N) sum_n log p[n, y_n]`` and its gradient with respect to the
    logits, ``(p - onehot(y)) / N``: the softmax and the loss together have
    this simple gradient, which is why a classifier's last layer outputs raw
    scores (logits) and the loss applies the softmax.

    Non-finite logits (a diverging training) give a non-finite loss, which
    :meth:`~meia_cnn.nn.Sequential.fit` reports.

    Examples
    --------
    >>> loss = SoftmaxCrossEntropy()
    >>> round(loss.forward(np.zeros((2, 4)), np.array([0, 3])), 6)  # log 4
    1.386294
    >>> loss.backward()
    array([[-0.375,  0.125,  0.125,  0.125],
           [ 0.125,  0.125,  0.125, -0.375]])
    """

    def __init__(self) -> None:
        self._cache: tuple[NDArray[Any], NDArray[Any]] | None = None

    def forward(self, logits: ArrayLike, y: ArrayLike) -> float:
        """The mean loss.

        Parameters
        ----------
        logits : (N, K) array
        y : (N,) array of int
            Labels in ``0 .. K - 1``.

        Returns
        -------
        float
        """
        z = np.asarray(logits)
        if z.ndim != 2:
            raise ValueError(f"`logits` must be 2-D (N, classes), got shape {z.shape}")
        y = _check_labels(y, z.shape[0], z.shape[1])
        if z.dtype.kind != "f":
            z = z.astype(np.float64)
        return self._forward(z, y)

    def _forward(self, logits: NDArray[Any], y: NDArray[Any]) -> float:
        """:meth:`forward` for float logits ``(N, K)`` and labels already checked (``fit`` checks them once)."""
        logp = _log_softmax(logits)  # unchecked: non-finite logits give a non-finite loss for fit to report
        n = logits.shape[0]
        self._cache = (logp, y)
        return float(-logp[np.arange(n), y].mean()) if n else 0.0

    def backward(self) -> NDArray[Any]:
        """Gradient of the mean loss with respect to the logits of the last :meth:`forward`.

        Returns
        -------
        (N, K) array
        """
        if self._cache is None:
            raise ValueError("SoftmaxCrossEntropy: call forward before backward")
        logp, y = self._cache
        n = logp.shape[0]
        grad = np.exp(logp)
        grad[np.arange(n), y] -= 1
        grad /= max(n, 1)
        return grad
