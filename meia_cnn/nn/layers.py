"""Layers of a small CNN: forward and backward passes in numpy, channels last.

Every layer has ``forward(x, training=True)`` and ``backward(grad_out)``,
which returns the gradient with respect to the layer's input and, for a
trainable layer, stores the gradients of its parameters in ``grads`` under
the names used in ``params``.  A batch is ``(N, H, W, C)`` for images and
``(N, features)`` after :class:`Flatten`.

The forward passes reuse the core (:func:`meia_cnn.ops.conv2d`,
:func:`meia_cnn.ops.max_pool2d`, :func:`meia_cnn.ops.avg_pool2d`); the
backward passes are vectorised: one matrix product per convolution plus a
scatter over the ``Kh * Kw`` kernel offsets (never a loop over pixels).
"""

from __future__ import annotations

import numbers

import numpy as np

from .. import arithmetic, ops
from .._validation import as_int, as_pair, check_padding, pair_text, shape_text

__all__ = [
    "Layer",
    "Conv2D",
    "MaxPool2D",
    "AvgPool2D",
    "ReLU",
    "Flatten",
    "Dense",
    "Dropout",
    "LAYER_TYPES",
]

_FLOATS = (np.float32, np.float64)


def _check_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype not in _FLOATS:
        raise TypeError(f"`dtype` must be float32 or float64, got {dtype}")
    return dtype


def _as_batch(x, layer, ndim, rule):
    """``x`` as a float array with ``ndim`` dimensions, or a ValueError naming the layer."""
    if not isinstance(x, np.ndarray):
        x = np.asarray(x)
    if x.dtype.kind not in "biuf":
        raise TypeError(f"{layer!r}: input must hold numbers, got dtype {x.dtype}")
    if x.ndim != ndim:
        raise ValueError(f"{layer!r} expects {rule}, got an array of shape {x.shape}")
    if x.dtype not in _FLOATS:
        x = x.astype(np.float64)
    return x


def _tuples(value):
    """Lists (as in a JSON configuration) back to tuples, for reprs."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


class Layer:
    """Base class: a layer without parameters.

    Attributes
    ----------
    params, grads : dict of str -> ndarray
        Trainable arrays and their gradients (empty for parameter-free layers).
    name : str or None
        Set by :class:`~meia_cnn.nn.Sequential` (``"conv2d_1"``...).
    """

    trainable = False

    def __init__(self):
        self.params = {}
        self.grads = {}
        self.name = None

    def forward(self, x, training=True):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, grad_out):  # pragma: no cover - abstract
        raise NotImplementedError

    def output_shape(self, input_shape):
        """Shape of one sample's output for one sample's ``input_shape``."""
        return tuple(input_shape)

    def initialize(self, rng):
        """Draw fresh parameters from ``rng`` (nothing to do without parameters)."""

    def get_config(self):
        """Constructor arguments, as plain JSON-friendly values."""
        return {}

    @property
    def n_params(self):
        return int(sum(p.size for p in self.params.values()))

    def describe(self):
        """One short line for summaries and widget titles."""
        return type(self).__name__

    def __repr__(self):
        args = ", ".join(f"{k}={_tuples(v)!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ---------------------------------------------------------------------------
# convolution
# ---------------------------------------------------------------------------
class Conv2D(Layer):
    """A convolution layer: ``filters`` kernels of shape ``(Kh, Kw, in_channels)``.

    Computes :func:`meia_cnn.ops.conv2d` (cross-correlation summed over the
    input depth, the slides' "CNN convolution") plus one bias per filter.

    Parameters
    ----------
    in_channels : int
        ``C``, the depth of the input (``K_d = I_d``, equation (2)).
    filters : int
        ``F``, the number of kernels: the depth of the feature map.
    kernel_size : int or (int, int)
    stride : int or (int, int), optional
    padding : {'valid', 'same', 'full'}, int or ((int, int), (int, int)), optional
    dtype : {float32, float64}, optional
        Precision of the parameters and of the computation.
    seed : int, optional
        Seed of the He initialisation (a :class:`~meia_cnn.nn.Sequential`
        re-draws every layer from its own seed).

    Attributes
    ----------
    params : dict
        ``W`` of shape ``(Kh, Kw, C, F)`` and ``b`` of shape ``(F,)``.

    Examples
    --------
    >>> layer = Conv2D(1, 8, 3, padding="same", seed=0)
    >>> layer.params["W"].shape, layer.params["b"].shape
    ((3, 3, 1, 8), (8,))
    >>> layer.forward(np.zeros((2, 8, 8, 1))).shape
    (2, 8, 8, 8)
    >>> layer.output_shape((28, 28, 1))
    (28, 28, 8)
    """

    trainable = True

    def __init__(self, in_channels, filters, kernel_size, *, stride=1, padding="valid",
                 dtype=np.float32, seed=None):
        super().__init__()
        self.in_channels = as_int(in_channels, "in_channels")
        self.filters = as_int(filters, "filters")
        self.kernel_size = as_pair(kernel_size, "kernel_size")
        self.stride = as_pair(stride, "stride")
        self.padding = check_padding(padding)  # 'valid'/'same'/'full' or ((t, b), (l, r))
        self.dtype = _check_dtype(dtype)
        kh, kw = self.kernel_size
        self.params = {
            "W": np.zeros((kh, kw, self.in_channels, self.filters), self.dtype),
            "b": np.zeros(self.filters, self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.initialize(np.random.default_rng(seed))
        self._cache = None

    def initialize(self, rng):
        """He initialisation: ``W ~ N(0, 2 / (Kh Kw C))``, ``b = 0``."""
        kh, kw = self.kernel_size
        fan_in = kh * kw * self.in_channels
        w = rng.standard_normal(self.params["W"].shape) * np.sqrt(2.0 / fan_in)
        self.params["W"][...] = w
        self.params["b"][...] = 0

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"{self.describe()} expects images (H, W, C), got input of shape {tuple(input_shape)}"
            )
        h, w, c = input_shape
        if c != self.in_channels:
            raise ValueError(
                f"{self.describe()}: `in_channels`={self.in_channels} does not match the input depth "
                f"C={c} (input shape {shape_text(input_shape)})"
            )
        oh, ow = arithmetic.output_size((h, w), self.kernel_size, stride=self.stride, padding=self.padding)
        return (oh, ow, self.filters)

    def _pads(self, h, w):
        return arithmetic.padding_amounts((h, w), self.kernel_size, stride=self.stride, padding=self.padding)

    def forward(self, x, training=True):
        x = _as_batch(x, self, 4, "a batch of images (N, H, W, C)")
        if x.shape[-1] != self.in_channels:
            raise ValueError(
                f"{self!r}: input depth C={x.shape[-1]} must equal `in_channels`={self.in_channels} "
                f"(input of shape {x.shape})"
            )
        x = x.astype(self.dtype, copy=False)
        out = ops.conv2d(x, self.params["W"], self.params["b"], stride=self.stride, padding=self.padding)
        self._cache = x if training else None
        return out

    def backward(self, grad_out):
        """Gradients of ``W``, ``b`` and the input.

        ``dW[u, v, c, f] = sum over (n, i, j) of g[n, i, j, f] * xp[n, i s + u, j s + v, c]``
        (the input's windows contracted with the output gradient), and the
        input gradient scatters ``g @ W^T`` back onto every window: one
        strided addition per kernel offset ``(u, v)``.
        """
        x = self._cache
        if x is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        n, h, w, c = x.shape
        kh, kw = self.kernel_size
        sh, sw = self.stride
        f = self.filters
        g = np.asarray(grad_out, dtype=self.dtype)
        (t, b), (l, r) = self._pads(h, w)
        oh = (h + t + b - kh) // sh + 1
        ow = (w + l + r - kw) // sw + 1
        if g.shape != (n, oh, ow, f):
            raise ValueError(f"{self!r}: `grad_out` must have shape {(n, oh, ow, f)}, got {g.shape}")
        xp = np.pad(x, ((0, 0), (t, b), (l, r), (0, 0))) if (t or b or l or r) else x
        win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(1, 2))
        win = win[:, ::sh, ::sw][:, :oh, :ow]  # (N, H', W', C, Kh, Kw)
        g2 = g.reshape(n * oh * ow, f)
        cols = win.transpose(0, 1, 2, 4, 5, 3).reshape(n * oh * ow, kh * kw * c)  # im2col
        self.grads["W"][...] = (cols.T @ g2).reshape(kh, kw, c, f)
        self.grads["b"][...] = g2.sum(axis=0)
        dcols = (g2 @ self.params["W"].reshape(kh * kw * c, f).T).reshape(n, oh, ow, kh, kw, c)
        dxp = np.zeros(xp.shape, self.dtype)
        for u in range(kh):  # col2im: one strided addition per kernel offset
            for v in range(kw):
                dxp[:, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw, :] += dcols[:, :, :, u, v, :]
        return dxp[:, t:t + h, l:l + w, :]

    def get_config(self):
        pad = self.padding if isinstance(self.padding, str) else [list(p) for p in self.padding]
        return {
            "in_channels": self.in_channels,
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "padding": pad,
        }

    def describe(self):
        kh, kw = self.kernel_size
        extra = f", stride {pair_text(self.stride)}" if self.stride != (1, 1) else ""
        pad = self.padding if isinstance(self.padding, str) else f"pad {self.padding}"
        return f"Conv2D({self.in_channels}\u2192{self.filters}, {kh}\u00d7{kw}, {pad}{extra})"


# ---------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------
class _Pool(Layer):
    def __init__(self, size=2, *, stride=None, padding="valid"):
        super().__init__()
        self.size = as_pair(size, "size")
        self.stride = self.size if stride is None else as_pair(stride, "stride")
        self.padding = check_padding(padding)
        self._cache = None

    def output_shape(self, input_shape):
        if len(input_shape) != 3:
            raise ValueError(
                f"{self.describe()} expects images (H, W, C), got input of shape {tuple(input_shape)}"
            )
        # a dry run on one zero image: the core checks sizes and padding
        return self._pool(np.zeros((1,) + tuple(input_shape)))[0].shape

    def _pads(self, h, w):
        return arithmetic.padding_amounts((h, w), self.size, stride=self.stride, padding=self.padding)

    def get_config(self):
        pad = self.padding if isinstance(self.padding, str) else [list(p) for p in self.padding]
        return {"size": list(self.size), "stride": list(self.stride), "padding": pad}

    def describe(self):
        extra = f", stride {pair_text(self.stride)}" if self.stride != self.size else ""
        if self.padding != "valid":
            extra += f", {self.padding}" if isinstance(self.padding, str) else f", pad {self.padding}"
        return f"{type(self).__name__}({pair_text(self.size)}{extra})"


class MaxPool2D(_Pool):
    """Max pooling per channel (the slides' "Max Pooling", equation (4)).

    Parameters
    ----------
    size : int or (int, int)
        The window.
    stride : int or (int, int), optional
        Defaults to ``size``.
    padding : {'valid', 'same'}, int or ((int, int), (int, int)), optional

    Notes
    -----
    Only the winner of each window receives gradient: the backward pass
    sends each output gradient to the position :func:`meia_cnn.ops.max_pool2d`
    reports with ``return_indices=True``, summing (one ``bincount``) where
    overlapping windows share a winner.

    Examples
    --------
    >>> pool = MaxPool2D(2)
    >>> x = np.arange(16.0).reshape(1, 4, 4, 1)
    >>> pool.forward(x)[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]])
    >>> pool.backward(np.ones((1, 2, 2, 1)))[0, :, :, 0]
    array([[0., 0., 0., 0.],
           [0., 1., 0., 1.],
           [0., 0., 0., 0.],
           [0., 1., 0., 1.]])
    """

    def _pool(self, x):
        return ops.max_pool2d(x, self.size, stride=self.stride, padding=self.padding)

    def forward(self, x, training=True):
        x = _as_batch(x, self, 4, "a batch of images (N, H, W, C)")
        if not training:
            self._cache = None
            return ops.max_pool2d(x, self.size, stride=self.stride, padding=self.padding)
        out, idx = ops.max_pool2d(x, self.size, stride=self.stride, padding=self.padding, return_indices=True)
        n, h, w, c = x.shape
        rows, cols = idx[..., 0], idx[..., 1]
        # flat position of each window's winner in x, shape (N, H', W', C)
        flat = ((np.arange(n)[:, None, None, None] * h + rows) * w + cols) * c + np.arange(c)
        self._cache = (x.shape, x.dtype, flat)
        return out

    def backward(self, grad_out):
        if self._cache is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        shape, dtype, flat = self._cache
        g = np.asarray(grad_out)
        if g.shape != flat.shape:
            raise ValueError(f"{self!r}: `grad_out` must have shape {flat.shape}, got {g.shape}")
        if self.stride[0] >= self.size[0] and self.stride[1] >= self.size[1]:
            dx = np.zeros(int(np.prod(shape)), dtype)  # disjoint windows: winners are distinct
            dx[flat.ravel()] = g.ravel()
        else:
            dx = np.bincount(flat.ravel(), weights=g.ravel(), minlength=int(np.prod(shape)))
        return dx.astype(dtype, copy=False).reshape(shape)


class AvgPool2D(_Pool):
    """Average pooling per channel.

    With padding, each window averages only its real cells (as Keras does);
    the backward pass shares each output gradient equally among them.

    Examples
    --------
    >>> pool = AvgPool2D(2)
    >>> pool.forward(np.arange(16.0).reshape(1, 4, 4, 1))[0, :, :, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> pool.backward(np.ones((1, 2, 2, 1)))[0, :2, :2, 0]
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """

    def _pool(self, x):
        return ops.avg_pool2d(x, self.size, stride=self.stride, padding=self.padding)

    def forward(self, x, training=True):
        x = _as_batch(x, self, 4, "a batch of images (N, H, W, C)")
        out = ops.avg_pool2d(x, self.size, stride=self.stride, padding=self.padding)
        self._cache = (x.shape, x.dtype) if training else None
        return out

    def backward(self, grad_out):
        if self._cache is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        (n, h, w, c), dtype = self._cache
        (t, b), (l, r) = self._pads(h, w)
        kh, kw = self.size
        sh, sw = self.stride
        oh = (h + t + b - kh) // sh + 1
        ow = (w + l + r - kw) // sw + 1
        g = np.asarray(grad_out, dtype=dtype)
        if g.shape != (n, oh, ow, c):
            raise ValueError(f"{self!r}: `grad_out` must have shape {(n, oh, ow, c)}, got {g.shape}")
        # number of real (unpadded) cells in each window
        inside = np.zeros((h + t + b, w + l + r), dtype)
        inside[t:t + h, l:l + w] = 1
        count = np.lib.stride_tricks.sliding_window_view(inside, (kh, kw))[::sh, ::sw][:oh, :ow].sum(axis=(2, 3))
        share = g / count[None, :, :, None]
        dxp = np.zeros((n, h + t + b, w + l + r, c), dtype)
        for u in range(kh):
            for v in range(kw):
                dxp[:, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw, :] += share
        return dxp[:, t:t + h, l:l + w, :]


# ---------------------------------------------------------------------------
# element-wise and reshaping layers
# ---------------------------------------------------------------------------
class ReLU(Layer):
    """``max(x, 0)``; the gradient passes where the input was positive.

    Examples
    --------
    >>> relu = ReLU()
    >>> relu.forward(np.array([[-1.0, 0.0, 2.0]]))
    array([[0., 0., 2.]])
    >>> relu.backward(np.array([[5.0, 5.0, 5.0]]))
    array([[0., 0., 5.]])
    """

    def __init__(self):
        super().__init__()
        self._mask = None

    def forward(self, x, training=True):
        if not isinstance(x, np.ndarray) or x.dtype not in _FLOATS:
            x = np.asarray(x, dtype=np.float64)
        self._mask = x > 0 if training else None
        return np.maximum(x, 0)

    def backward(self, grad_out):
        if self._mask is None:
            raise ValueError("ReLU(): call forward(x, training=True) before backward")
        g = np.asarray(grad_out)
        if g.shape != self._mask.shape:
            raise ValueError(f"ReLU(): `grad_out` must have shape {self._mask.shape}, got {g.shape}")
        return g * self._mask


class Flatten(Layer):
    """``(N, H, W, C)`` to ``(N, H W C)``, keeping the ``(H, W, C)`` order.

    Examples
    --------
    >>> Flatten().forward(np.zeros((2, 4, 4, 16))).shape
    (2, 256)
    >>> Flatten().output_shape((2, 2, 16))
    (64,)
    """

    def __init__(self):
        super().__init__()
        self._shape = None

    def output_shape(self, input_shape):
        return (int(np.prod(input_shape)),)

    def forward(self, x, training=True):
        x = np.asarray(x)
        if x.ndim < 2:
            raise ValueError(f"Flatten() expects a batch (N, ...), got an array of shape {x.shape}")
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad_out):
        if self._shape is None:
            raise ValueError("Flatten(): call forward before backward")
        return np.asarray(grad_out).reshape(self._shape)


class Dense(Layer):
    """A fully connected layer: ``x @ W + b``.

    Parameters
    ----------
    in_features, out_features : int
    dtype : {float32, float64}, optional
    seed : int, optional
        Seed of the He initialisation.

    Attributes
    ----------
    params : dict
        ``W`` of shape ``(in_features, out_features)`` and ``b`` of shape ``(out_features,)``.

    Examples
    --------
    >>> layer = Dense(64, 10, seed=0)
    >>> layer.forward(np.zeros((5, 64))).shape
    (5, 10)
    >>> layer.n_params
    650
    """

    trainable = True

    def __init__(self, in_features, out_features, *, dtype=np.float32, seed=None):
        super().__init__()
        self.in_features = as_int(in_features, "in_features")
        self.out_features = as_int(out_features, "out_features")
        self.dtype = _check_dtype(dtype)
        self.params = {
            "W": np.zeros((self.in_features, self.out_features), self.dtype),
            "b": np.zeros(self.out_features, self.dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.initialize(np.random.default_rng(seed))
        self._x = None

    def initialize(self, rng):
        """He initialisation: ``W ~ N(0, 2 / in_features)``, ``b = 0``."""
        w = rng.standard_normal(self.params["W"].shape) * np.sqrt(2.0 / self.in_features)
        self.params["W"][...] = w
        self.params["b"][...] = 0

    def output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) != 1:
            raise ValueError(
                f"{self.describe()} expects a flat input (features,), got shape "
                f"{shape_text(input_shape)}: put Flatten() before it"
            )
        if input_shape[0] != self.in_features:
            raise ValueError(
                f"{self.describe()}: `in_features`={self.in_features} does not match the "
                f"{input_shape[0]} features it receives"
            )
        return (self.out_features,)

    def forward(self, x, training=True):
        x = _as_batch(x, self, 2, "a batch of vectors (N, in_features); put Flatten() before it")
        if x.shape[1] != self.in_features:
            raise ValueError(
                f"{self!r}: input has {x.shape[1]} features, `in_features` is {self.in_features}"
            )
        x = x.astype(self.dtype, copy=False)
        self._x = x if training else None
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad_out):
        if self._x is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        g = np.asarray(grad_out, dtype=self.dtype)
        if g.shape != (self._x.shape[0], self.out_features):
            raise ValueError(
                f"{self!r}: `grad_out` must have shape {(self._x.shape[0], self.out_features)}, got {g.shape}"
            )
        self.grads["W"][...] = self._x.T @ g
        self.grads["b"][...] = g.sum(axis=0)
        return g @ self.params["W"].T

    def get_config(self):
        return {"in_features": self.in_features, "out_features": self.out_features}

    def describe(self):
        return f"Dense({self.in_features}\u2192{self.out_features})"


class Dropout(Layer):
    """During training, zero each value with probability ``rate`` (inverted dropout).

    Kept values are scaled by ``1 / (1 - rate)`` so that nothing changes at
    prediction time, when the layer lets everything through.

    Parameters
    ----------
    rate : float in [0, 1)
    seed : int, optional
        Seed of the masks (a :class:`~meia_cnn.nn.Sequential` re-seeds it from ``fit``'s seed).

    Examples
    --------
    >>> drop = Dropout(0.5, seed=0)
    >>> drop.forward(np.ones((1, 6)), training=False)
    array([[1., 1., 1., 1., 1., 1.]])
    >>> sorted(set(drop.forward(np.ones((1, 1000))).ravel().tolist()))
    [0.0, 2.0]
    """

    def __init__(self, rate, *, seed=None):
        super().__init__()
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
            raise TypeError(f"`rate` must be a number in [0, 1), got {rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(f"`rate` must be in [0, 1), got {rate}")
        self.rate = float(rate)
        self.rng = np.random.default_rng(seed)
        self._mask = None

    def initialize(self, rng):
        self.rng = np.random.default_rng(rng.integers(2**63))

    def forward(self, x, training=True):
        if not isinstance(x, np.ndarray) or x.dtype not in _FLOATS:
            x = np.asarray(x, dtype=np.float64)
        if not training or self.rate == 0:
            self._mask = None if not training else np.ones((), x.dtype)
            return x
        keep = self.rng.random(x.shape) >= self.rate
        self._mask = keep.astype(x.dtype) / x.dtype.type(1 - self.rate)
        return x * self._mask

    def backward(self, grad_out):
        if self._mask is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        return np.asarray(grad_out) * self._mask

    def get_config(self):
        return {"rate": self.rate}

    def describe(self):
        return f"Dropout({self.rate:g})"


#: Layer classes by name, for configurations saved with a model.
LAYER_TYPES = {cls.__name__: cls for cls in (Conv2D, MaxPool2D, AvgPool2D, ReLU, Flatten, Dense, Dropout)}
