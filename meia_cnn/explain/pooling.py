"""Equation (4) at work: max and average pooling, window by window.

:func:`pooling_state` gives every number the pooling explorer shows for a
small grid: the output size from equation (4)
(:func:`meia_cnn.arithmetic.pool_output_size`), the pooled grid
(:func:`meia_cnn.ops.max_pool2d` or :func:`meia_cnn.ops.avg_pool2d`), where
each window's maximum is (``return_indices=True``) and, for every output
cell in reading order, its window.  :func:`pool_image` pools a photo the same
way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic, ops
from .._validation import as_float_array, as_int, check_steps
from ._frozen import frozen

__all__ = ["POOLINGS", "PoolingState", "PoolingStep", "pool_image", "pooling_state"]

#: The two kinds of pooling.
POOLINGS = ("max", "average")


@dataclass(frozen=True)
class PoolingStep:
    """One window.

    Attributes
    ----------
    position : (int, int)
        ``(i, j)``, the output cell computed at this step.
    origin : (int, int)
        Row and column of the window's top-left cell in the input.
    window : (W_w, W_w) array
        The input values in the window.
    value : float
        ``O[i, j]``: the window's maximum or average.
    argmax : (int, int)
        Row and column, in the input, of the window's maximum (the first on ties).

    Examples
    --------
    >>> pooling_state([[1, 3], [4, 2]], 2).steps[0].argmax
    (1, 0)
    """

    position: tuple[int, int]
    origin: tuple[int, int]
    window: NDArray[np.float64]
    value: float
    argmax: tuple[int, int]


@dataclass(frozen=True, eq=False)
class PoolingState:
    """Everything equation (4) gives for one setting, and every window.

    Attributes
    ----------
    input : (H, W) array
    size, stride : int
        The window ``W_w`` and the stride ``s``.
    pooling : {'max', 'average'}
    output : (O_h, O_w) array
    maxima : (O_h, O_w) array
        Each window's maximum (the output when ``pooling='max'``).
    indices : (O_h, O_w, 2) array of int
        Where each window's maximum is in the input.
    steps : tuple of PoolingStep
        One per output cell, in reading order.

    Examples
    --------
    >>> state = pooling_state(np.arange(16.0).reshape(4, 4), 2)
    >>> state.output_shape, len(state.steps), state.params
    ((2, 2), 4, 0)
    """

    input: NDArray[np.float64]
    size: int
    stride: int
    pooling: str
    output: NDArray[np.float64]
    maxima: NDArray[np.float64]
    indices: NDArray[np.int64]
    steps: tuple[PoolingStep, ...]

    @property
    def output_shape(self) -> tuple[int, int]:
        """``(O_h, O_w)``, from equation (4)."""
        return (int(self.output.shape[0]), int(self.output.shape[1]))

    @property
    def params(self) -> int:
        """Weights of a pooling layer: none (:func:`meia_cnn.arithmetic.pool_params`)."""
        return int(arithmetic.pool_params())


def _check_pooling(pooling: str) -> str:
    if pooling not in POOLINGS:
        raise ValueError(f"`pooling` must be 'max' or 'average', got {pooling!r}")
    return pooling


def pooling_state(x: ArrayLike, size: int = 2, *, stride: int | None = None,
                  pooling: str = "max") -> PoolingState:
    """Every number of ``size`` x ``size`` pooling over a small grid ``x``.

    Parameters
    ----------
    x : (H, W) array
        The input grid.
    size : int
        The window ``W_w``.
    stride : int, optional
        ``s``; defaults to ``size`` (non-overlapping windows).
    pooling : {'max', 'average'}

    Returns
    -------
    PoolingState

    Raises
    ------
    ValueError
        From the core, when the window is larger than the input.

    Examples
    --------
    >>> x = [[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 2], [2, 6, 1, 1]]
    >>> state = pooling_state(x, 2)
    >>> state.output.tolist()
    [[4.0, 5.0], [6.0, 3.0]]
    >>> state.steps[2].origin, state.steps[2].argmax
    ((2, 0), (3, 1))
    >>> pooling_state(x, 2, pooling="average").output.tolist()
    [[2.5, 2.0], [2.25, 1.75]]
    """
    pooling = _check_pooling(pooling)
    arr = as_float_array(x, "x", ndim=2)
    k = as_int(size, "size")
    s = k if stride is None else as_int(stride, "stride")
    oh, ow = arithmetic.pool_output_size(arr.shape, k, stride=s)
    check_steps(oh * ow, k * k, name="x", value=arr.shape)
    maxima, indices = ops.max_pool2d(arr, k, stride=s, return_indices=True)
    output = maxima if pooling == "max" else ops.avg_pool2d(arr, k, stride=s)
    windows = ops.sliding_windows(arr, k, stride=s)
    steps = []
    for i in range(oh):
        for j in range(ow):
            r, c = (int(v) for v in indices[i, j])
            steps.append(PoolingStep(position=(i, j), origin=(i * s, j * s),
                                     window=frozen(windows[i, j]), value=float(output[i, j]),
                                     argmax=(r, c)))
    return PoolingState(input=frozen(arr), size=k, stride=s, pooling=pooling, output=frozen(output),
                        maxima=frozen(maxima), indices=frozen(indices, dtype=np.int64), steps=tuple(steps))


def pool_image(image: ArrayLike, size: int = 2, *, stride: int | None = None,
               pooling: str = "max") -> NDArray[np.floating]:
    """A grey photo pooled as :func:`pooling_state` pools the grid.

    Parameters
    ----------
    image : (M, N) array
    size : int
    stride : int, optional
        Defaults to ``size``.
    pooling : {'max', 'average'}

    Returns
    -------
    (O_h, O_w) array

    Examples
    --------
    >>> pool_image(np.arange(16.0).reshape(4, 4), 2, pooling="average").tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    pooling = _check_pooling(pooling)
    pool = ops.max_pool2d if pooling == "max" else ops.avg_pool2d
    out: NDArray[np.floating] = pool(as_float_array(image, "image"), size, stride=stride)
    return out
