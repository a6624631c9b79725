"""Layers of a small CNN: forward and backward passes in numpy, channels last.

Every layer has ``forward(x, training=True)`` and ``backward(grad_out)``,
which returns the gradient with respect to the layer's input and, for a
trainable layer, stores the gradients of its parameters in ``grads`` under
the names used in ``params``.  A batch is ``(N, H, W, C)`` for images and
``(N, features)`` after :class:`Flatten`.

The passes compute what the core computes (:func:`meia_cnn.ops.conv2d`,
:func:`meia_cnn.ops.max_pool2d`, :func:`meia_cnn.ops.avg_pool2d`), on the
core's padding and window view, vectorised: a convolution is one im2col
matrix and one matrix product, kept for the backward pass, whose input
gradient is a transposed convolution (one more product); pooling copies its
windows once.  Output sizes come from :mod:`meia_cnn.arithmetic`.

Each layer's public ``forward``/``backward`` checks its arguments, then
calls ``_forward``/``_backward``, which :class:`~meia_cnn.nn.Sequential`
calls directly with the batch it checked once (the layers' outputs need no
checking).  In ``float32`` (the default) every pass stays in ``float32``.

Inputs are checked as the core checks them: numbers only (a ``TypeError``
otherwise), finite (a ``ValueError`` naming ``x``), of the layer's rank.  A
trainable layer holds at most :data:`MAX_PARAMS` parameters: a larger one is
a ``ValueError`` when it is built, before any memory is taken.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any, TypeVar

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
_T = TypeVar("_T")

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


def _im2col(
    x: NDArray[Any], kernel: tuple[int, int], stride: tuple[int, int], pads: tuple[tuple[int, int], tuple[int, int]]
) -> NDArray[Any]:
    """The im2col matrix ``(N H' W', Kh Kw C)`` of a checked batch, zero-padded, as :func:`meia_cnn.ops.conv2d` builds it."""
    return ops._im2col(ops._windows4(ops._pad_hw(x, pads, 0.0), kernel, stride, (1, 1)))


Geometry = tuple[tuple[int, int], tuple[tuple[int, int], tuple[int, int]]]  # (H', W'), ((t, b), (l, r))


def _remember(memo: dict[tuple[int, int], Geometry], h: int, w: int, compute: Callable[[], Geometry]) -> Geometry:
    """``memo[(h, w)]``, computed once; input sizes seen by one layer are few, never let them pile up."""
    if (h, w) not in memo:
        if len(memo) >= 64:
            memo.clear()
        memo[(h, w)] = compute()
    return memo[(h, w)]


def _spread(start: int, step: int, count: int, length: int) -> tuple[slice, slice]:
    """Where ``count`` values placed ``step`` apart from ``start`` fall on an axis of ``length``.

    Returns the slice of the axis they land on and the slice of the values
    that land (those before 0 or past the end are dropped).
    """
    first = max(0, -(start // step) if start < 0 else 0)
    last = min(count, -((start - length) // step))  # values with start + i step < length
    if last <= first:
        return slice(0, 0), slice(0, 0)
    return slice(start + first * step, start + (last - 1) * step + 1, step), slice(first, last)


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

    def _forward(self, x: NDArray[Any], training: bool) -> NDArray[Any]:
        """:meth:`forward` on a batch already checked (finite floats of the model's input).

        :class:`~meia_cnn.nn.Sequential` checks its input once and passes
        every layer's output to the next through this method; a layer whose
        checks cost time overrides it, the others inherit :meth:`forward`.
        """
        return self.forward(x, training=training)

    def _backward(self, grad_out: NDArray[Any], input_grad: bool = True) -> NDArray[Any] | None:
        """:meth:`backward` for a gradient already shaped as the last output.

        With ``input_grad=False`` (the model's first layer, during ``fit``)
        a layer may store its parameters' gradients and skip the gradient
        with respect to its input, returning ``None``.
        """
        return self.backward(grad_out)

    def _kept(self, kept: _T | None) -> _T:
        """What the last ``forward(x, training=True)`` kept for :meth:`backward`; a ValueError if nothing."""
        if kept is None:
            raise ValueError(f"{self!r}: call forward(x, training=True) before backward")
        return kept

    def _input_gradient(
        self, grad_out: ArrayLike, shape: tuple[int, ...], dtype: DTypeLike | None = None
    ) -> NDArray[Any]:
        """:meth:`backward`'s work: ``grad_out`` checked against the last output's ``shape``, then :meth:`_backward`."""
        g = np.asarray(grad_out, dtype=dtype)
        if g.shape != shape:
            raise ValueError(f"{self!r}: `grad_out` must have shape {shape}, got {g.shape}")
        dx = self._backward(g)
        assert dx is not None  # the input's gradient was asked for
        return dx

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

    def __init__(
        self,
        in_channels: int,
        filters: int,
        kernel_size: int | tuple[int, int],
        *,
        stride: int | tuple[int, int] = 1,
        padding: Padding = "valid",
        dtype: DTypeLike = np.float32,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self.in_channels = as_int(in_channels, "in_channels")
        self.filters = as_int(filters, "filters")
        self.kernel_size = as_pair(kernel_size, "kernel_size")
        self.stride = as_pair(stride, "stride")
        self.padding = check_padding(padding)  # 'valid'/'same'/'full' or ((t, b), (l, r))
        self.dtype = _check_dtype(dtype)
        kh, kw = self.kernel_size
        shape = (kh, kw, self.in_channels, self.filters)
        _check_params(
            f"Conv2D({self.in_channels}\u2192{self.filters}, {pair_text(self.kernel_size)})",
            [shape, (self.filters,)],
            "`filters` × Kh × Kw × `in_channels` + `filters`",
        )
        self.params = {"W": np.zeros(shape, self.dtype), "b": np.zeros(self.filters, self.dtype)}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.initialize(np.random.default_rng(as_seed(seed)))
        self._cache: tuple[tuple[int, ...], NDArray[Any]] | None = None  # input shape, im2col (training)
        self._memo: dict[tuple[int, int], Geometry] = {}

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

    def _geometry(self, h: int, w: int) -> Geometry:
        """``(H', W')`` and the padding ``((t, b), (l, r))`` for an ``H × W`` input, from the core."""

        def compute() -> Geometry:
            oh, ow = arithmetic.output_size((h, w), self.kernel_size, stride=self.stride, padding=self.padding)
            pads = arithmetic.padding_amounts((h, w), self.kernel_size, stride=self.stride, padding=self.padding)
            return (int(oh), int(ow)), pads

        return _remember(self._memo, h, w, compute)

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
            raise ValueError(f"{self.describe()} expects images (H, W, C), got input of shape {tuple(input_shape)}")
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
            Keep the input's im2col matrix for :meth:`backward`.

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
        return self._forward(arr, training)

    def _forward(self, x: NDArray[Any], training: bool) -> NDArray[Any]:
        x = x.astype(self.dtype, copy=False)
        n, h, w, _ = x.shape
        (oh, ow), pads = self._geometry(h, w)
        cols = _im2col(x, self.kernel_size, self.stride, pads)  # (N H' W', Kh Kw C), as ops.conv2d builds it
        out = cols @ self.params["W"].reshape(-1, self.filters)
        out += self.params["b"]
        self._cache = (x.shape, cols) if training else None
        return out.reshape(n, oh, ow, self.filters)

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """Gradients of ``W``, ``b`` and the input.

        ``dW[u, v, c, f] = sum over (n, i, j) of g[n, i, j, f] * xp[n, i s + u, j s + v, c]``:
        the forward pass's im2col matrix (kept, not rebuilt) contracted with
        the output gradient in one matrix product.

        The input gradient is the *transposed convolution* of ``g`` with the
        same kernels, ``dx[n, a, b, c] = sum over (i, j, u, v, f) with
        i s + u = a + t, j s + v = b + l of g[n, i, j, f] * W[u, v, c, f]``.
        It is computed as one: ``g`` is spread ``s`` apart on a zero grid
        framed by ``Kh - 1 - t`` rows and ``Kw - 1 - l`` columns, and that grid
        is cross-correlated with the kernels turned by 180° and with ``C``
        and ``F`` swapped: one im2col and one matrix product, no scatter.
        :func:`meia_cnn.ops.conv_transpose2d` computes the same operation,
        but checks its arguments first: three times slower for the reference
        CNN's batches, so the layer calls the private helpers it shares with
        :func:`meia_cnn.ops.conv2d` on the arrays it made itself.

        Parameters
        ----------
        grad_out : (N, H', W', F) array

        Returns
        -------
        (N, H, W, C) array
        """
        n, h, w, _ = self._kept(self._cache)[0]
        (oh, ow), _ = self._geometry(h, w)
        return self._input_gradient(grad_out, (n, oh, ow, self.filters), self.dtype)

    def _backward(self, g: NDArray[Any], input_grad: bool = True) -> NDArray[Any] | None:
        assert self._cache is not None  # a training forward pass came first
        (n, h, w, c), cols = self._cache
        kh, kw = self.kernel_size
        f = self.filters
        g2 = g.reshape(-1, f)
        np.matmul(cols.T, g2, out=self.grads["W"].reshape(-1, f))
        # the sum of g2's rows as a product with ones: BLAS does it several times faster
        # than numpy's reduction over thousands of short rows
        np.matmul(np.ones(len(g2), self.dtype), g2, out=self.grads["b"])
        if not input_grad:
            return None
        (oh, ow), ((t, _), (l, _)) = self._geometry(h, w)
        sh, sw = self.stride
        grid = np.zeros((n, h + kh - 1, w + kw - 1, f), self.dtype)
        rows, g_rows = _spread(kh - 1 - t, sh, oh, h + kh - 1)
        cols_, g_cols = _spread(kw - 1 - l, sw, ow, w + kw - 1)
        grid[:, rows, cols_] = g[:, g_rows, g_cols]
        turned = self.params["W"][::-1, ::-1].transpose(0, 1, 3, 2).reshape(-1, c)  # (Kh Kw F, C)
        dx = _im2col(grid, self.kernel_size, (1, 1), ((0, 0), (0, 0))) @ turned
        return dx.reshape(n, h, w, c)

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

    def __init__(
        self,
        size: int | tuple[int, int] = 2,
        *,
        stride: int | tuple[int, int] | None = None,
        padding: Padding = "valid",
    ) -> None:
        super().__init__()
        self.size = as_pair(size, "size")
        self.stride = self.size if stride is None else as_pair(stride, "stride")
        self.padding = check_padding(padding)
        self._cache = None  # what backward needs, kept by forward(training=True)
        self._memo: dict[tuple[int, int], Geometry] = {}

    def _pool(self, x: NDArray[Any]) -> NDArray[Any]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _geometry(self, h: int, w: int) -> Geometry:
        """``(H', W')`` and the padding ``((t, b), (l, r))`` for an ``H × W`` input, checked by the core."""

        def compute() -> Geometry:
            *_, pads, out_hw = ops._pool_setup(np.zeros((h, w)), self.size, self.stride, self.padding)
            return out_hw, pads

        return _remember(self._memo, h, w, compute)

    def _cells(self, x: NDArray[Any], pads: tuple[tuple[int, int], tuple[int, int]], fill: float) -> NDArray[Any]:
        """Every window's cells, ``(Kh Kw, N, H', W', C)``: one copy of the core's window view.

        Offset ``k = u Kw + v`` first, so that a reduction over the window
        is ``Kh Kw - 1`` element-wise operations on whole maps.
        """
        win = ops._windows4(ops._pad_hw(x, pads, fill), self.size, self.stride, (1, 1))  # (N, H', W', Kh, Kw, C)
        n, oh, ow, kh, kw, c = win.shape
        return win.transpose(3, 4, 0, 1, 2, 5).reshape(kh * kw, n, oh, ow, c)

    def _scatter(
        self, cells: NDArray[Any], shape: tuple[int, ...], pads: tuple[tuple[int, int], tuple[int, int]]
    ) -> NDArray[Any]:
        """Add window cells ``(Kh Kw, N, H', W', C)`` back where :meth:`_cells` took them: ``(N, H, W, C)``.

        Windows that do not overlap (stride >= size, the usual pooling) own
        their cells: the padded grid is cut into ``stride``-sized blocks (a
        view) and the cells are written into them at once.  Overlapping
        windows add up where they meet: one strided addition per window
        cell, as no vectorised numpy form (``np.add.at``, ``bincount``) is
        faster for a handful of offsets.
        """
        n, h, w, c = shape
        (kh, kw), (t, b), (l, r) = self.size, *pads
        _, _, oh, ow, _ = cells.shape
        hp, wp = h + t + b, w + l + r
        sh, sw = min(self.stride[0], hp), min(self.stride[1], wp)  # a step past the input: one window
        cells = cells.reshape(kh, kw, n, oh, ow, c)
        if sh >= kh and sw >= kw:
            grid = np.zeros((n, max(hp, oh * sh), max(wp, ow * sw), c), cells.dtype)
            blocks = grid[:, : oh * sh, : ow * sw].reshape(n, oh, sh, ow, sw, c)
            blocks[:, :, :kh, :, :kw].transpose(2, 4, 0, 1, 3, 5)[...] = cells
        else:
            grid = np.zeros((n, hp, wp, c), cells.dtype)
            for u in range(kh):
                for v in range(kw):
                    grid[:, u : u + sh * (oh - 1) + 1 : sh, v : v + sw * (ow - 1) + 1 : sw] += cells[u, v]
        return grid[:, t : t + h, l : l + w]

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
            raise ValueError(f"{self.describe()} expects images (H, W, C), got input of shape {tuple(input_shape)}")
        h, w, c = (int(v) for v in input_shape)
        shape = self._sizes(h, w) + (c,)
        self._geometry(h, w)  # the core's padding rules (no window wholly in the padding)
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
    Only the winner of each window receives gradient: the forward pass keeps
    a mask of the winners (the first maximum on ties, as
    :func:`meia_cnn.ops.max_pool2d` reports with ``return_indices=True``), and
    the backward pass writes each output gradient into its winner's cell
    (adding where overlapping windows share a cell).

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

    _cache: tuple[tuple[int, ...], NDArray[np.bool_]] | None  # input shape, winners (training)

    def _pool(self, x: NDArray[Any]) -> NDArray[Any]:
        return np.asarray(ops.max_pool2d(x, self.size, stride=self.stride, padding=self.padding))

    def forward(self, x: ArrayLike, training: bool = True) -> NDArray[Any]:
        """The pooled maps of a batch.

        Parameters
        ----------
        x : (N, H, W, C) array
        training : bool
            Keep the winners for :meth:`backward`.

        Returns
        -------
        (N, H', W', C) array
        """
        return self._forward(_as_batch(x, self, 4, "a batch of images (N, H, W, C)"), training)

    def _forward(self, x: NDArray[Any], training: bool) -> NDArray[Any]:
        _, pads = self._geometry(x.shape[1], x.shape[2])
        cells = self._cells(x, pads, -np.inf)  # padded cells never win
        out = cells.max(axis=0)
        self._cache = None
        if training:
            won = cells == out
            seen = won[0].copy()
            for k in range(1, len(won)):  # ties: the first maximum wins alone, as argmax picks
                won[k] &= ~seen
                seen |= won[k]
            self._cache = (x.shape, won)
        return out

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """Each output gradient sent to its window's winner.

        Parameters
        ----------
        grad_out : (N, H', W', C) array

        Returns
        -------
        (N, H, W, C) array
        """
        return self._input_gradient(grad_out, self._kept(self._cache)[1].shape[1:])

    def _backward(self, g: NDArray[Any], input_grad: bool = True) -> NDArray[Any]:
        assert self._cache is not None  # a training forward pass came first
        shape, won = self._cache
        _, pads = self._geometry(shape[1], shape[2])
        return self._scatter(won * g, shape, pads)


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
        return self._forward(_as_batch(x, self, 4, "a batch of images (N, H, W, C)"), training)

    def _forward(self, x: NDArray[Any], training: bool) -> NDArray[Any]:
        out = self._pool(x)
        self._cache = (x.shape, x.dtype) if training else None
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
        (n, h, w, c), dtype = self._kept(self._cache)
        (oh, ow), _ = self._geometry(h, w)
        return self._input_gradient(grad_out, (n, oh, ow, c), dtype)

    def _backward(self, g: NDArray[Any], input_grad: bool = True) -> NDArray[Any]:
        assert self._cache is not None  # a training forward pass came first
        (n, h, w, c), dtype = self._cache
        _, pads = self._geometry(h, w)
        # number of real (unpadded) cells in each window
        count = self._cells(np.ones((1, h, w, 1), dtype), pads, 0.0).sum(axis=0)
        share = g.astype(dtype, copy=False) / count
        cells = np.broadcast_to(share, (self.size[0] * self.size[1],) + share.shape)  # every cell its share
        return self._scatter(cells, (n, h, w, c), pads)


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
        return self._forward(_as_batch(x, self, None, ""), training)

    def _forward(self, x: NDArray[Any], training: bool) -> NDArray[Any]:
        self._mask = x > 0 if training else None
        return np.maximum(x, 0)

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """The gradient where the input was positive, 0 elsewhere.

        Parameters
        ----------
        grad_out : array

        Returns
        -------
        ndarray
        """
        return self._input_gradient(grad_out, self._kept(self._mask).shape)

    def _backward(self, grad_out: NDArray[Any], input_grad: bool = True) -> NDArray[Any]:
        assert self._mask is not None  # a training forward pass came first
        return grad_out * self._mask


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
        return self._forward(arr, training)

    def _forward(self, x: NDArray[Any], training: bool) -> NDArray[Any]:
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

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
        return self._backward(np.asarray(grad_out))

    def _backward(self, grad_out: NDArray[Any], input_grad: bool = True) -> NDArray[Any]:
        assert self._shape is not None  # a forward pass came first
        return grad_out.reshape(self._shape)


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

    def __init__(
        self, in_features: int, out_features: int, *, dtype: DTypeLike = np.float32, seed: int | None = None
    ) -> None:
        super().__init__()
        self.in_features = as_int(in_features, "in_features")
        self.out_features = as_int(out_features, "out_features")
        self.dtype = _check_dtype(dtype)
        shape = (self.in_features, self.out_features)
        _check_params(
            f"Dense({self.in_features}\u2192{self.out_features})",
            [shape, (self.out_features,)],
            "`in_features` × `out_features` + `out_features`",
        )
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
            raise ValueError(f"{self!r}: input has {arr.shape[1]} features, `in_features` is {self.in_features}")
        return self._forward(arr, training)

    def _forward(self, x: NDArray[Any], training: bool) -> NDArray[Any]:
        x = x.astype(self.dtype, copy=False)
        self._x = x if training else None
        out = x @ self.params["W"]
        out += self.params["b"]
        return out

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """Gradients of ``W`` (``x^T g``), ``b`` (``g`` summed) and the input (``g W^T``).

        Parameters
        ----------
        grad_out : (N, out_features) array

        Returns
        -------
        (N, in_features) array
        """
        return self._input_gradient(grad_out, (len(self._kept(self._x)), self.out_features), self.dtype)

    def _backward(self, grad_out: NDArray[Any], input_grad: bool = True) -> NDArray[Any] | None:
        assert self._x is not None  # a training forward pass came first
        np.matmul(self._x.T, grad_out, out=self.grads["W"])
        np.sum(grad_out, axis=0, out=self.grads["b"])
        return grad_out @ self.params["W"].T if input_grad else None

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
        return self._forward(_as_batch(x, self, None, ""), training)

    def _forward(self, x: NDArray[Any], training: bool) -> NDArray[Any]:
        if not training or self.rate == 0:
            self._mask = None if not training else np.ones((), x.dtype)
            return x
        keep = self.rng.random(x.shape) >= self.rate
        self._mask = keep.astype(x.dtype) / x.dtype.type(1 - self.rate)
        return x * self._mask

    def backward(self, grad_out: ArrayLike) -> NDArray[Any]:
        """The gradient through the same mask.

        Parameters
        ----------
        grad_out : array

        Returns
        -------
        ndarray
        """
        self._kept(self._mask)  # a training forward pass came first
        return self._backward(np.asarray(grad_out))

    def _backward(self, grad_out: NDArray[Any], input_grad: bool = True) -> NDArray[Any]:
        assert self._mask is not None  # a training forward pass came first
        return grad_out * self._mask

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
