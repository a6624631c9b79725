"""Gradient descent with momentum, and Adam: both update parameters in place."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._validation import as_real, value_text

__all__ = ["Optimizer", "SGD", "Adam"]


def _positive(value: object, name: str) -> float:
    v = as_real(value, name, rule="a positive number")
    if not math.isfinite(v) or v <= 0:
        raise ValueError(f"`{name}` must be > 0, got {value_text(value)}")
    return v


def _fraction(value: object, name: str) -> float:
    v = as_real(value, name, rule="a number in [0, 1)")
    if not 0 <= v < 1:
        raise ValueError(f"`{name}` must be in [0, 1), got {value_text(value)}")
    return v


class Optimizer:
    """Base class: ``step(params, grads)`` updates each array of ``params`` in place.

    The state (velocities, moments) is kept per position in the list, so
    one optimiser serves one model; :meth:`reset` forgets it.

    Parameters
    ----------
    lr : float
        The learning rate (> 0).  A schedule passed to
        :meth:`~meia_cnn.nn.Sequential.fit` multiplies it update by update
        without changing this attribute.

    Examples
    --------
    >>> opt = SGD(0.5)
    >>> w = np.array([1.0])
    >>> opt.step([w], [np.array([1.0])], lr=0.1)  # this update only
    >>> w, opt.lr
    (array([0.9]), 0.5)
    """

    def __init__(self, lr: float) -> None:
        self.lr = _positive(lr, "lr")
        self._state: dict[str, Any] | None = None

    def reset(self) -> None:
        """Forget the state (momenta, moment estimates, step count)."""
        self._state = None

    def step(self, params: list[NDArray[Any]], grads: list[NDArray[Any]], *, lr: float | None = None) -> None:
        """Apply one update to every array in ``params`` using ``grads`` (same shapes).

        Parameters
        ----------
        params : list of ndarray
            Updated in place.
        grads : list of ndarray
            The gradient of the loss with respect to each array of ``params``.
        lr : float, optional
            The learning rate of this update (>= 0; a schedule's value);
            ``self.lr`` by default.
        """
        if len(params) != len(grads):
            raise ValueError(f"`params` and `grads` must have the same length, got {len(params)} and {len(grads)}")
        rate = self.lr if lr is None else as_real(lr, "lr", rule="a finite number >= 0")
        if not (math.isfinite(rate) and rate >= 0):
            raise ValueError(f"`lr` must be a finite number >= 0, got {value_text(lr)}")
        shapes = [p.shape for p in params]
        if self._state is None or self._state["shapes"] != shapes:
            self._state = {"shapes": shapes, **self._new_state(params)}
        self._update(params, grads, self._state, rate)

    def _new_state(self, params: list[NDArray[Any]]) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(
        self, params: list[NDArray[Any]], grads: list[NDArray[Any]], state: dict[str, Any], lr: float
    ) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum.

    ``v <- momentum v - lr g``, then ``w <- w + v`` (plain ``w <- w - lr g``
    when ``momentum`` is 0).

    Parameters
    ----------
    lr : float
        The learning rate (> 0).
    momentum : float in [0, 1), optional
        How much of the previous step is kept.

    Examples
    --------
    >>> w = np.array([1.0, -2.0])
    >>> SGD(0.1).step([w], [np.array([1.0, 1.0])])
    >>> w
    array([ 0.9, -2.1])
    """

    def __init__(self, lr: float, momentum: float = 0.0) -> None:
        super().__init__(lr)
        self.momentum = _fraction(momentum, "momentum")

    def _new_state(self, params: list[NDArray[Any]]) -> dict[str, Any]:
        return {"v": [np.zeros_like(p) for p in params]}

    def _update(self, params: list[NDArray[Any]], grads: list[NDArray[Any]], state: dict[str, Any], lr: float) -> None:
        for p, g, v in zip(params, grads, state["v"]):
            if self.momentum:
                v *= self.momentum
                v -= lr * g
                p += v
            else:
                p -= lr * g

    def __repr__(self) -> str:
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running moments of the gradient.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2`` and
    ``w <- w - lr m_hat / (sqrt(v_hat) + eps)`` with the bias-corrected
    ``m_hat = m / (1 - b1^t)``, ``v_hat = v / (1 - b2^t)``.

    Parameters
    ----------
    lr : float, optional
        The learning rate (> 0).
    beta1, beta2 : float in [0, 1), optional
        Decay rates of the first and second moment estimates.
    eps : float, optional
        Added to ``sqrt(v_hat)`` so that no division is by zero.

    Examples
    --------
    The first step moves every weight by about ``lr``, whatever the gradient's size:

    >>> w = np.array([1.0, 1.0])
    >>> Adam(0.01).step([w], [np.array([100.0, -0.001])])
    >>> w.round(6)
    array([0.99, 1.01])
    """

    def __init__(self, lr: float = 1e-3, *, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1 = _fraction(beta1, "beta1")
        self.beta2 = _fraction(beta2, "beta2")
        self.eps = _positive(eps, "eps")

    def _new_state(self, params: list[NDArray[Any]]) -> dict[str, Any]:
        # the moments of every weight in two vectors: each update is a few
        # operations on all the weights at once instead of a dozen per array
        size = sum(p.size for p in params)
        dtype = np.result_type(*params) if params else np.float64
        return {"t": 0, "m": np.zeros(size, dtype), "v": np.zeros(size, dtype)}

    def _update(self, params: list[NDArray[Any]], grads: list[NDArray[Any]], state: dict[str, Any], lr: float) -> None:
        state["t"] += 1
        t = state["t"]
        b1, b2 = self.beta1, self.beta2
        step = float(lr * np.sqrt(1 - b2**t) / (1 - b1**t))
        eps = float(self.eps * np.sqrt(1 - b2**t))  # eps added to sqrt(v_hat), rewritten for sqrt(v)
        m, v = state["m"], state["v"]
        if not params:
            return
        g = np.concatenate([np.ravel(x) for x in grads]).astype(m.dtype, copy=False)
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * (g * g)
        update = step * m
        update /= np.sqrt(v) + eps
        start = 0
        for p in params:
            p -= update[start : start + p.size].reshape(p.shape)
            start += p.size

    def __repr__(self) -> str:
        return f"Adam(lr={self.lr:g})"
