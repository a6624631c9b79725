"""Layers of a small CNN: forward and backward passes in numpy, channels last.

Every layer has ``forward(x, training=True)`` and ``backward(grad_out)``,
which returns the gradient with respect to the layer's input and, for a
trainable layer, stores the gradients of its parameters in ``grads`` under
the names used in ``params``.  A batch is ``(N, H, W, C)`` for images and
``(N, features)`` after :class:`Flatten`.

The forward passes reuse the core (:func:`meia_cnn.ops.conv2d`,
:func:`meia_cnn.ops.max_pool2d`, :func:`meia_cnn.ops.avg_pool2d`); the
backward passes are vectorised on the core's window view
(:func:`meia_cnn.ops.sliding_windows`): one matrix product per convolution
plus a scatter over the ``Kh * Kw`` kernel offsets (never a loop over pixels).
Output sizes come from :func:`meia_cnn.arithmetic.output_size`.

Inputs are checked as the core checks them: numbers only (a ``TypeError``
otherwise), finite (a ``ValueError`` naming ``x``), of the layer's rank.  A
trainable layer holds at most :data:`MAX_PARAMS` parameters: a larger one is
a ``ValueError`` when it is built, before any memory is taken.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, DTypeLike, NDArray

from .. import arithmetic, ops
from .._validation import as_float_array, as_int, as_pair, as_seed, check_padding, pair_text, shape_text

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
    "MAX_PARAMS",
]

_FLOATS = (np.float32, np.float64)

#: The most parameters one layer may hold (200 MB in float32): far more than
#: anything trained in numpy in class, and a named ValueError instead of a
#: MemoryError for a typo such as ``Dense(100000, 100000)``.
MAX_PARAMS = 50_000_000

Padding = Any  # 'valid' | 'same' | 'full' | int | ((int, int), (int, int))


def _check_dtype(dtype: DTypeLike) -> np.dtype[Any]:
    dtype = np.dtype(dtype)
    if dtype not in _FLOATS:
        raise TypeError(f"`dtype` must be float32 or float64, got {dtype}")
    return dtype


def _check_params(layer: str, shapes: list[tuple[int, ...]], rule: str) -> None:
    """Refuse a layer whose parameters would exceed :data:`MAX_PARAMS` (counted with Python ints)."""
    total = sum(math.prod(s) for s in shapes)
    if total > MAX_PARAMS:
        raise ValueError(
            f"{layer} would hold {total:,} parameters ({rule}): at most {MAX_PARAMS:,} per layer "
            f"(meia_cnn.nn.layers.MAX_PARAMS); use fewer {rule.split(' ')[0].strip('`')} or a smaller layer"
        )


def _as_batch(x: ArrayLike, layer: Layer, ndim: int | None, rule: str) -> NDArray[Any]:
    """``x`` as a finite float array with ``ndim`` dimensions, or an error naming the rule.

    Numbers only (``TypeError``), finite (``ValueError`` naming ``x``), as
    :func:`meia_cnn._validation.as_float_array` checks them everywhere.
    """
    arr = as_float_array(x, "x")
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{layer!r} expects {rule}, got an array of shape {arr.shape}")
    return arr


def _tuples(value: Any) -> Any:
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

    Examples
    --------
    >>> layer = Layer()
    >>> layer.n_params, layer.output_shape((8, 8, 1))
    (0, (8, 8, 1))
    """

    trainable = False

    def __init__(self) -> None:
        self.params: dict[str, NDArray[Any]] = {}
        self.grads: dict[str, NDArray[Any]] = {}
        self.name: str | None = None

    def forward(self, x: ArrayLike, training: bool = True) -> NDArray[Any]:  # pragma: no cover - abstract
        """The layer's output for a batch ``x``.

        Parameters
        ----------
        x : array
            A batch: ``(N, H, W, C)`` images or ``(N, features)`` vectors.
        training : bool
            Keep what :meth:`backward` needs (and apply dropout).

        Returns
        -------
        ndarray
        """
        raise NotImplementedError

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:  # pragma: no cover - abstract
        """The gradient with respect to the input, given the gradient with respect to the output.

        Parameters
        ----------
        grad_out : array
            Shaped as the last training ``forward``'s output.

        Returns
        -------
        ndarray
            Shaped as that ``forward``'s input.
        """
        raise NotImplementedError

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of one sample's output for one sample's ``input_shape``.

        Parameters
        ----------
        input_shape : tuple of int

        Returns
        -------
        tuple of int
        """
        return tuple(input_shape)

    def initialize(self, rng: np.random.Generator) -> None:
        """Draw fresh parameters from ``rng`` (nothing to do without parameters).

        Parameters
        ----------
        rng : numpy.random.Generator
        """

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, as plain JSON-friendly values.

        Returns
        -------
        dict
        """
        return {}

    @property
    def n_params(self) -> int:
        """The number of trainable parameters."""
        return int(sum(p.size for p in self.params.values()))

    def describe(self) -> str:
        """One short line for summaries and widget titles.

        Returns
        -------
        str
        """
        return type(self).__name__

    def __repr__(self) -> str:
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
        ``W`` of shape ``(Kh, Kw, C, F)`` and ``b`` of shape ``(F,)``; at
        most :data:`MAX_PARAMS` values in all.

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

    def __init__(self, in_channels: int, filters: int, kernel_size: int | tuple[int, int], *,
                 stride: int | tuple[int, int] = 1, padding: Padding = "valid", dtype: DTypeLike = np.float32,
                 seed: int | None = None) -> None:
        super().__init__()
        self.in_channels = as_int(in_channels, "in_channels")
        self.filters = as_int(filters, "filters")
        self.kernel_size = as_pair(kernel_size, "kernel_size")
        self.stride = as_pair(stride, "stride")
        self.padding = check_padding(padding)  # 'valid'/'same'/'full' or ((t, b), (l, r))
        self.dtype = _check_dtype(dtype)
        kh, kw = self.kernel_size
        shape = (kh, kw, self.in_channels, self.filters)
        _check_params(f"Conv2D({self.in_channels}\u2192{self.filters}, {pair_text(self.kernel_size)})",
                      [shape, (self.filters,)], "`filters` × Kh × Kw × `in_channels` + `filters`")
        self.params = {"W": np.zeros(shape, self.dtype), "b": np.zeros(self.filters, self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.initialize(np.random.default_rng(as_seed(seed)))
        self._cache: NDArray[Any] | None = None
        self._memo: dict[tuple[int, int], tuple[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]]] = {}

    def initialize(self, rng: np.random.Generator) -> None:
        """He initialisation: ``W ~ N(0, 2 / (Kh Kw C))``, ``b = 0``.

        Parameters
        ----------
        rng : numpy.random.Generator
        """
        kh, kw = self.kernel_size
        fan_in = kh * kw * self.in_channels
        w = rng.standard_normal(self.params["W"].shape) * np.sqrt(2.0 / fan_in)
        self.params["W"][...] = w
        self.params["b"][...] = 0

    def _geometry(self, h: int, w: int) -> tuple[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]]:
        """``(H', W')`` and the padding ``((t, b), (l, r))`` for an ``H × W`` input, from the core."""
        if (h, w) not in self._memo:
            if len(self._memo) >= 64:  # input sizes seen by one layer are few; never let them pile up
                self._memo.clear()
            oh, ow = arithmetic.output_size((h, w), self.kernel_size, stride=self.stride, padding=self.padding)
            pads = arithmetic.padding_amounts((h, w), self.kernel_size, stride=self.stride, padding=self.padding)
            self._memo[(h, w)] = ((int(oh), int(ow)), pads)
        return self._memo[(h, w)]

    def _sizes(self, h: int, w: int) -> tuple[int, int]:
        """``(H', W')`` for an ``H × W`` input (equation (3), from the core)."""
        return self._geometry(h, w)[0]

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """``(H', W', filters)`` for an ``(H, W, C)`` input.

        Parameters
        ----------
        input_shape : (int, int, int)

        Returns
        -------
        (int, int, int)
        """
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
        return self._sizes(h, w) + (self.filters,)

    def forward(self, x: ArrayLike, training: bool = True) -> NDArray[Any]:
        """The feature maps of a batch.

        Parameters
        ----------
        x : (N, H, W, C) array
        training : bool
            Keep the input for :meth:`backward`.

        Returns
        -------
        (N, H', W', F) array
        """
        arr = _as_batch(x, self, 4, "a batch of images (N, H, W, C)")
        if arr.shape[-1] != self.in_channels:
            raise ValueError(
                f"{self!r}: input depth C={arr.shape[-1]} must equal `in_channels`={self.in_channels} "
                f"(input of shape {arr.shape})"
            )
        arr = arr.astype(self.dtype, copy=False)
        out = ops.conv2d(arr, self.params["W"], self.params["b"], stride=self.stride, padding=self.padding)
        self._cache = arr if training else None
        return np.asarray(out)

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """Gradients of ``W``, ``b`` and the input.

        ``dW[u, v, c, f] = sum over (n, i, j) of g[n, i, j, f] * xp[n, i s + u, j s + v, c]``
        (the input's windows contracted with the output gradient), and the
        input gradient scatters ``g @ W^T`` back onto every window: one
        strided addition per kernel offset ``(u, v)``.

        Parameters
        ----------
        grad_out : (N, H', W', F) array

        Returns
        -------
        (N, H, W, C) array
        """
        x = self._cache
        if x is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        n, h, w, c = x.shape
        kh, kw = self.kernel_size
        sh, sw = self.stride
        f = self.filters
        g = np.asarray(grad_out, dtype=self.dtype)
        (oh, ow), ((t, b), (l, r)) = self._geometry(h, w)
        if g.shape != (n, oh, ow, f):
            raise ValueError(f"{self!r}: `grad_out` must have shape {(n, oh, ow, f)}, got {g.shape}")
        xp = np.asarray(ops.pad(x, ((t, b), (l, r)))) if (t or b or l or r) else x
        win = ops.sliding_windows(xp, (kh, kw), stride=(sh, sw))[:, :oh, :ow]  # (N, H', W', Kh, Kw, C)
        g2 = g.reshape(n * oh * ow, f)
        cols = win.reshape(n * oh * ow, kh * kw * c)  # im2col, in conv2d's order
        self.grads["W"][...] = (cols.T @ g2).reshape(kh, kw, c, f)
        self.grads["b"][...] = g2.sum(axis=0)
        dcols = (g2 @ self.params["W"].reshape(kh * kw * c, f).T).reshape(n, oh, ow, kh, kw, c)
        dxp = np.zeros(xp.shape, self.dtype)
        for u in range(kh):  # col2im: one strided addition per kernel offset
            for v in range(kw):
                dxp[:, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw, :] += dcols[:, :, :, u, v, :]
        return dxp[:, t:t + h, l:l + w, :]

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, as plain JSON-friendly values.

        Returns
        -------
        dict
        """
        pad = self.padding if isinstance(self.padding, str) else [list(p) for p in self.padding]
        return {
            "in_channels": self.in_channels,
            "filters": self.filters,
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "padding": pad,
        }

    def describe(self) -> str:
        """One short line for summaries and widget titles.

        Returns
        -------
        str
        """
        kh, kw = self.kernel_size
        extra = f", stride {pair_text(self.stride)}" if self.stride != (1, 1) else ""
        pad = self.padding if isinstance(self.padding, str) else f"pad {self.padding}"
        return f"Conv2D({self.in_channels}\u2192{self.filters}, {kh}\u00d7{kw}, {pad}{extra})"


# ---------------------------------------------------------------------------
# pooling
# ---------------------------------------------------------------------------
class _Pool(Layer):
    _cache: Any  # each pooling keeps what its backward needs

    def __init__(self, size: int | tuple[int, int] = 2, *, stride: int | tuple[int, int] | None = None,
                 padding: Padding = "valid") -> None:
        super().__init__()
        self.size = as_pair(size, "size")
        self.stride = self.size if stride is None else as_pair(stride, "stride")
        self.padding = check_padding(padding)
        self._cache = None  # what backward needs, kept by forward(training=True)

    def _pool(self, x: NDArray[Any]) -> NDArray[Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _sizes(self, h: int, w: int) -> tuple[int, int]:
        oh, ow = arithmetic.pool_output_size((h, w), self.size, stride=self.stride, padding=self.padding)
        return int(oh), int(ow)

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """``(H', W', C)`` for an ``(H, W, C)`` input.

        Parameters
        ----------
        input_shape : (int, int, int)

        Returns
        -------
        (int, int, int)
        """
        if len(input_shape) != 3:
            raise ValueError(
                f"{self.describe()} expects images (H, W, C), got input of shape {tuple(input_shape)}"
            )
        h, w, c = (int(v) for v in input_shape)
        shape = self._sizes(h, w) + (c,)
        if self.padding != "valid":
            # the core's padding rules (no window wholly in the padding): a dry run on one channel
            self._pool(np.zeros((1, h, w, 1)))
        return shape

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, as plain JSON-friendly values.

        Returns
        -------
        dict
        """
        pad = self.padding if isinstance(self.padding, str) else [list(p) for p in self.padding]
        return {"size": list(self.size), "stride": list(self.stride), "padding": pad}

    def describe(self) -> str:
        """One short line for summaries and widget titles.

        Returns
        -------
        str
        """
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

    _cache: tuple[tuple[int, ...], np.dtype[Any], NDArray[Any]] | None  # shape, dtype, winners (training)

    def _pool(self, x: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(ops.max_pool2d(x, self.size, stride=self.stride, padding=self.padding))

    def forward(self, x: ArrayLike, training: bool = True) -> NDArray[Any]:
        """The pooled maps of a batch.

        Parameters
        ----------
        x : (N, H, W, C) array
        training : bool
            Keep the winners' positions for :meth:`backward`.

        Returns
        -------
        (N, H', W', C) array
        """
        arr = _as_batch(x, self, 4, "a batch of images (N, H, W, C)")
        if not training:
            self._cache = None
            return self._pool(arr)
        out, idx = ops.max_pool2d(arr, self.size, stride=self.stride, padding=self.padding, return_indices=True)
        n, h, w, c = arr.shape
        rows, cols = idx[..., 0], idx[..., 1]
        # flat position of each window's winner in x, shape (N, H', W', C)
        flat = ((np.arange(n)[:, None, None, None] * h + rows) * w + cols) * c + np.arange(c)
        self._cache = (arr.shape, arr.dtype, flat)
        return np.asarray(out)

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """Each output gradient sent to its window's winner.

        Parameters
        ----------
        grad_out : (N, H', W', C) array

        Returns
        -------
        (N, H, W, C) array
        """
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

    Parameters
    ----------
    size : int or (int, int)
        The window.
    stride : int or (int, int), optional
        Defaults to ``size``.
    padding : {'valid', 'same'}, int or ((int, int), (int, int)), optional

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

    _cache: tuple[tuple[int, ...], np.dtype[Any]] | None  # shape and dtype of the input (training)

    def _pool(self, x: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(ops.avg_pool2d(x, self.size, stride=self.stride, padding=self.padding))

    def forward(self, x: ArrayLike, training: bool = True) -> NDArray[Any]:
        """The pooled maps of a batch.

        Parameters
        ----------
        x : (N, H, W, C) array
        training : bool
            Keep the input's shape for :meth:`backward`.

        Returns
        -------
        (N, H', W', C) array
        """
        arr = _as_batch(x, self, 4, "a batch of images (N, H, W, C)")
        out = self._pool(arr)
        self._cache = (arr.shape, arr.dtype) if training else None
        return out

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """Each output gradient shared equally among its window's real cells.

        Parameters
        ----------
        grad_out : (N, H', W', C) array

        Returns
        -------
        (N, H, W, C) array
        """
        if self._cache is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        (n, h, w, c), dtype = self._cache
        (t, b), (l, r) = arithmetic.padding_amounts((h, w), self.size, stride=self.stride, padding=self.padding)
        kh, kw = self.size
        sh, sw = self.stride
        oh, ow = self._sizes(h, w)
        g = np.asarray(grad_out, dtype=dtype)
        if g.shape != (n, oh, ow, c):
            raise ValueError(f"{self!r}: `grad_out` must have shape {(n, oh, ow, c)}, got {g.shape}")
        # number of real (unpadded) cells in each window
        inside = np.asarray(ops.pad(np.ones((h, w), dtype), ((t, b), (l, r))))
        count = ops.sliding_windows(inside, (kh, kw), stride=(sh, sw))[:oh, :ow].sum(axis=(2, 3))
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

    def __init__(self) -> None:
        super().__init__()
        self._mask: NDArray[Any] | None = None

    def forward(self, x: ArrayLike, training: bool = True) -> NDArray[Any]:
        """``max(x, 0)`` element by element.

        Parameters
        ----------
        x : array of numbers
        training : bool
            Keep where ``x`` was positive for :meth:`backward`.

        Returns
        -------
        ndarray
        """
        arr = _as_batch(x, self, None, "")
        self._mask = arr > 0 if training else None
        return np.maximum(arr, 0)

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """The gradient where the input was positive, 0 elsewhere.

        Parameters
        ----------
        grad_out : array

        Returns
        -------
        ndarray
        """
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

    def __init__(self) -> None:
        super().__init__()
        self._shape: tuple[int, ...] | None = None

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """``(H W C,)`` for an ``(H, W, C)`` input.

        Parameters
        ----------
        input_shape : tuple of int

        Returns
        -------
        (int,)
        """
        return (math.prod(int(v) for v in input_shape),)

    def forward(self, x: ArrayLike, training: bool = True) -> NDArray[Any]:
        """One row per sample.

        Parameters
        ----------
        x : (N, ...) array
        training : bool
            Unused (kept for the common interface).

        Returns
        -------
        (N, features) array
        """
        arr = _as_batch(x, self, None, "")
        if arr.ndim < 2:
            raise ValueError(f"Flatten() expects a batch (N, ...), got an array of shape {arr.shape}")
        self._shape = arr.shape
        return arr.reshape(arr.shape[0], -1)

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """The gradient reshaped back to the input's shape.

        Parameters
        ----------
        grad_out : (N, features) array

        Returns
        -------
        ndarray
        """
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
        ``W`` of shape ``(in_features, out_features)`` and ``b`` of shape
        ``(out_features,)``; at most :data:`MAX_PARAMS` values in all.

    Examples
    --------
    >>> layer = Dense(64, 10, seed=0)
    >>> layer.forward(np.zeros((5, 64))).shape
    (5, 10)
    >>> layer.n_params
    650
    """

    trainable = True

    def __init__(self, in_features: int, out_features: int, *, dtype: DTypeLike = np.float32,
                 seed: int | None = None) -> None:
        super().__init__()
        self.in_features = as_int(in_features, "in_features")
        self.out_features = as_int(out_features, "out_features")
        self.dtype = _check_dtype(dtype)
        shape = (self.in_features, self.out_features)
        _check_params(f"Dense({self.in_features}\u2192{self.out_features})", [shape, (self.out_features,)],
                      "`in_features` × `out_features` + `out_features`")
        self.params = {"W": np.zeros(shape, self.dtype), "b": np.zeros(self.out_features, self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.initialize(np.random.default_rng(as_seed(seed)))
        self._x: NDArray[Any] | None = None

    def initialize(self, rng: np.random.Generator) -> None:
        """He initialisation: ``W ~ N(0, 2 / in_features)``, ``b = 0``.

        Parameters
        ----------
        rng : numpy.random.Generator
        """
        w = rng.standard_normal(self.params["W"].shape) * np.sqrt(2.0 / self.in_features)
        self.params["W"][...] = w
        self.params["b"][...] = 0

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """``(out_features,)`` for an ``(in_features,)`` input.

        Parameters
        ----------
        input_shape : (int,)

        Returns
        -------
        (int,)
        """
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

    def forward(self, x: ArrayLike, training: bool = True) -> NDArray[Any]:
        """``x @ W + b`` for a batch of vectors.

        Parameters
        ----------
        x : (N, in_features) array
            Finite numbers.
        training : bool
            Keep the input for :meth:`backward`.

        Returns
        -------
        (N, out_features) array
        """
        arr = _as_batch(x, self, 2, "a batch of vectors (N, in_features); put Flatten() before it")
        if arr.shape[1] != self.in_features:
            raise ValueError(
                f"{self!r}: input has {arr.shape[1]} features, `in_features` is {self.in_features}"
            )
        arr = arr.astype(self.dtype, copy=False)
        self._x = arr if training else None
        return np.asarray(arr @ self.params["W"] + self.params["b"])

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """Gradients of ``W`` (``x^T g``), ``b`` (``g`` summed) and the input (``g W^T``).

        Parameters
        ----------
        grad_out : (N, out_features) array

        Returns
        -------
        (N, in_features) array
        """
        if self._x is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        g = np.asarray(grad_out, dtype=self.dtype)
        if g.shape != (self._x.shape[0], self.out_features):
            raise ValueError(
                f"{self!r}: `grad_out` must have shape {(self._x.shape[0], self.out_features)}, got {g.shape}"
            )
        self.grads["W"][...] = self._x.T @ g
        self.grads["b"][...] = g.sum(axis=0)
        return np.asarray(g @ self.params["W"].T)

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, as plain JSON-friendly values.

        Returns
        -------
        dict
        """
        return {"in_features": self.in_features, "out_features": self.out_features}

    def describe(self) -> str:
        """One short line for summaries and widget titles.

        Returns
        -------
        str
        """
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

    def __init__(self, rate: float, *, seed: int | None = None) -> None:
        super().__init__()
        if not isinstance(rate, numbers.Real) or isinstance(rate, bool):
            raise TypeError(f"`rate` must be a number in [0, 1), got {rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(f"`rate` must be in [0, 1), got {rate}")
        self.rate: float = float(rate)
        self.rng: np.random.Generator = np.random.default_rng(as_seed(seed))
        self._mask: NDArray[Any] | None = None

    def initialize(self, rng: np.random.Generator) -> None:
        """Seed the masks from ``rng``.

        Parameters
        ----------
        rng : numpy.random.Generator
        """
        self.rng = np.random.default_rng(rng.integers(2**63))

    def forward(self, x: ArrayLike, training: bool = True) -> NDArray[Any]:
        """``x`` with values dropped (training) or unchanged (prediction).

        Parameters
        ----------
        x : array of numbers
        training : bool

        Returns
        -------
        ndarray
        """
        arr = _as_batch(x, self, None, "")
        if not training or self.rate == 0:
            self._mask = None if not training else np.ones((), arr.dtype)
            return arr
        keep = self.rng.random(arr.shape) >= self.rate
        self._mask = keep.astype(arr.dtype) / arr.dtype.type(1 - self.rate)
        return arr * self._mask

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """The gradient through the same mask.

        Parameters
        ----------
        grad_out : array

        Returns
        -------
        ndarray
        """
        if self._mask is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        return np.asarray(grad_out) * self._mask

    def get_config(self) -> dict[str, Any]:
        """Constructor arguments, as plain JSON-friendly values.

        Returns
        -------
        dict
        """
        return {"rate": self.rate}

    def describe(self) -> str:
        """One short line for summaries and widget titles.

        Returns
        -------
        str
        """
        return f"Dropout({self.rate:g})"


#: Layer classes by name, for configurations saved with a model.
LAYER_TYPES: dict[str, type[Layer]] = {
    cls.__name__: cls for cls in (Conv2D, MaxPool2D, AvgPool2D, ReLU, Flatten, Dense, Dropout)
}
