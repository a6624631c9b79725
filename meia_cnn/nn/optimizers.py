"""Gradient descent with momentum, and Adam: both update parameters in place."""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["Optimizer", "SGD", "Adam"]


def _positive(value, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"`{name}` must be a positive number, got {value!r}")
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be > 0, got {value}")
    return float(value)


def _fraction(value, name):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"`{name}` must be a number in [0, 1), got {value!r}")
    if not 0 <= value < 1:
        raise ValueError(f"`{name}` must be in [0, 1), got {value}")
    return float(value)


class Optimizer:
    """Base class: ``step(params, grads)`` updates each array of ``params`` in place.

    The state (velocities, moments) is kept per position in the list, so
    one optimiser serves one model; :meth:`reset` forgets it.
    """

    def __init__(self, lr):
        self.lr = _positive(lr, "lr")
        self._state = None

    def reset(self):
        """Forget the state (momenta, moment estimates, step count)."""
        self._state = None

    def step(self, params, grads):
        """Apply one update to every array in ``params`` using ``grads`` (same shapes)."""
        if len(params) != len(grads):
            raise ValueError(f"`params` and `grads` must have the same length, got {len(params)} and {len(grads)}")
        shapes = [p.shape for p in params]
        if self._state is None or self._state["shapes"] != shapes:
            self._state = {"shapes": shapes, **self._new_state(params)}
        self._update(params, grads, self._state)

    def _new_state(self, params):  # pragma: no cover - abstract
        raise NotImplementedError

    def _update(self, params, grads, state):  # pragma: no cover - abstract
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}(lr={self.lr:g})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum.

    ``v <- momentum v - lr g``, then ``w <- w + v`` (plain ``w <- w - lr g``
    when ``momentum`` is 0).

    Examples
    --------
    >>> w = np.array([1.0, -2.0])
    >>> SGD(0.1).step([w], [np.array([1.0, 1.0])])
    >>> w
    array([ 0.9, -2.1])
    """

    def __init__(self, lr, momentum=0.0):
        super().__init__(lr)
        self.momentum = _fraction(momentum, "momentum")

    def _new_state(self, params):
        return {"v": [np.zeros_like(p) for p in params]}

    def _update(self, params, grads, state):
        for p, g, v in zip(params, grads, state["v"]):
            if self.momentum:
                v *= self.momentum
                v -= self.lr * g
                p += v
            else:
                p -= self.lr * g

    def __repr__(self):
        return f"SGD(lr={self.lr:g}, momentum={self.momentum:g})"


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015): steps scaled by running moments of the gradient.

    ``m <- b1 m + (1 - b1) g``, ``v <- b2 v + (1 - b2) g^2`` and
    ``w <- w - lr m_hat / (sqrt(v_hat) + eps)`` with the bias-corrected
    ``m_hat = m / (1 - b1^t)``, ``v_hat = v / (1 - b2^t)``.

    Examples
    --------
    The first step moves every weight by about ``lr``, whatever the gradient's size:

    >>> w = np.array([1.0, 1.0])
    >>> Adam(0.01).step([w], [np.array([100.0, -0.001])])
    >>> w.round(6)
    array([0.99, 1.01])
    """

    def __init__(self, lr=1e-3, *, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = _fraction(beta1, "beta1")
        self.beta2 = _fraction(beta2, "beta2")
        self.eps = _positive(eps, "eps")

    def _new_state(self, params):
        return {"t": 0, "m": [np.zeros_like(p) for p in params], "v": [np.zeros_like(p) for p in params]}

    def _update(self, params, grads, state):
        state["t"] += 1
        t = state["t"]
        b1, b2 = self.beta1, self.beta2
        step = float(self.lr * np.sqrt(1 - b2**t) / (1 - b1**t))
        eps = float(self.eps * np.sqrt(1 - b2**t))  # eps added to sqrt(v_hat), rewritten for sqrt(v)
        for p, g, m, v in zip(params, grads, state["m"], state["v"]):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= step * m / (np.sqrt(v) + eps)

    def __repr__(self):
        return f"Adam(lr={self.lr:g})"
