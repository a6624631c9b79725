"""Equation (1) step by step: the window, the products, their sum, the output map.

:func:`convolution_steps` runs a kernel over a small grid of numbers and
keeps every step: where the window is, the numbers under it, the products
with the kernel as applied (turned 180 degrees by true convolution,
unchanged by cross-correlation) and their sum, which is the output there.
:func:`filter_photo` runs the same kernel over a whole picture.

The windows come from :func:`meia_cnn.ops.sliding_windows`, the output map
from :func:`meia_cnn.ops.convolve2d` (convolution) or
:func:`meia_cnn.ops.conv2d` (cross-correlation).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic, ops
from .._validation import as_bool, as_float_array, check_steps
from ._frozen import frozen

__all__ = ["ConvolutionState", "ConvolutionStep", "ConvolutionSteps", "convolution_state", "convolution_steps",
           "filter_photo"]


@dataclass(frozen=True, eq=False)
class ConvolutionStep:
    """One position of the window.

    Attributes
    ----------
    position : (int, int)
        ``(i, j)``: the output cell computed, and the window's top-left cell.
    window : (K, K) array
        The input under the kernel.
    products : (K, K) array
        ``window * applied``, element by element.
    sum : float
        ``G[i, j]``, the sum of the products.

    Examples
    --------
    >>> steps = convolution_steps(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
    >>> steps.steps[3].position, steps.steps[3].sum
    ((1, 1), 24.0)
    """

    position: tuple[int, int]
    window: NDArray
    products: NDArray
    sum: float


@dataclass(frozen=True, eq=False)
class ConvolutionSteps:
    """Every step of a kernel over a grid (valid positions, stride 1).

    Attributes
    ----------
    image : (H, W) array
    kernel : (K, K) array
        As given (before any flip).
    applied : (K, K) array
        The kernel as it multiplies the window: ``kernel[::-1, ::-1]`` when ``flip``.
    flip : bool
        True convolution (equation (1)) or cross-correlation.
    output : (H - K + 1, W - K + 1) array
    steps : tuple of ConvolutionStep
        One per output cell, in reading order.

    Examples
    --------
    >>> s = convolution_steps(np.ones((4, 4)), np.eye(3))
    >>> s.output_shape, len(s.steps), s.so_far(0)[0, :2].tolist()
    ((2, 2), 4, [3.0, nan])
    """

    image: NDArray
    kernel: NDArray
    applied: NDArray
    flip: bool
    output: NDArray
    steps: tuple[ConvolutionStep, ...]

    @property
    def output_shape(self) -> tuple[int, int]:
        """``(G_h, G_w)``."""
        return (int(self.output.shape[0]), int(self.output.shape[1]))

    @property
    def symmetric(self) -> bool:
        """Whether the kernel is unchanged by the flip (both operations then agree)."""
        return bool(np.allclose(self.kernel, self.kernel[::-1, ::-1]))

    def so_far(self, step: int) -> NDArray:
        """The output map after ``step`` (0-based): later cells are NaN.

        Parameters
        ----------
        step : int

        Returns
        -------
        (G_h, G_w) array
        """
        n = len(self.steps)
        if not 0 <= step < n:
            raise ValueError(f"`step` must be between 0 and {n - 1}, got {step}")
        out = np.array(self.output, dtype=float)
        out.ravel()[step + 1:] = np.nan
        return out


def convolution_steps(image: ArrayLike, kernel: ArrayLike, *, flip: bool = True) -> ConvolutionSteps:
    """Every step of ``kernel`` sliding over ``image`` (valid positions, stride 1).

    Parameters
    ----------
    image : (H, W) array
        A small grid of finite numbers.
    kernel : (K, K) array
        Finite numbers; ``K`` at most ``min(H, W)``.
    flip : bool
        True: convolution, equation (1), the kernel turned 180 degrees.
        False: cross-correlation, what CNN layers compute.

    Returns
    -------
    ConvolutionSteps

    Raises
    ------
    ValueError
        From the core: a kernel larger than the image, a non-finite value.

    Examples
    --------
    >>> grid = np.arange(16.0).reshape(4, 4)
    >>> k = np.array([[0.0, 0, 0], [1, 0, -1], [0, 0, 0]])
    >>> s = convolution_steps(grid, k)
    >>> s.output.tolist()
    [[2.0, 2.0], [2.0, 2.0]]
    >>> s.steps[0].products.tolist()[1], s.steps[0].sum
    ([-4.0, 0.0, 6.0], 2.0)
    """
    grid = as_float_array(image, "image", ndim=2)
    k = as_float_array(kernel, "kernel", ndim=2)
    oh, ow = arithmetic.output_size(grid.shape, k.shape)  # the core's check that the kernel fits
    check_steps(oh * ow, 2 * k.size, name="image", value=grid.shape)
    flip = as_bool(flip, "flip")
    if flip:
        output = ops.convolve2d(grid, k, mode="valid")
        applied = k[::-1, ::-1]
    else:
        output = ops.conv2d(grid, k)
        applied = k
    windows = ops.sliding_windows(grid, k.shape)
    steps = []
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            window = windows[i, j]
            steps.append(ConvolutionStep(position=(i, j), window=frozen(window),
                                         products=frozen(window * applied), sum=float(output[i, j])))
    return ConvolutionSteps(image=frozen(grid), kernel=frozen(k), applied=frozen(applied), flip=bool(flip),
                            output=frozen(output), steps=tuple(steps))


def filter_photo(photo: ArrayLike, kernel: ArrayLike, *, flip: bool = True) -> NDArray:
    """``photo`` filtered by ``kernel``, the same size ('same' padding, zeros around).

    Parameters
    ----------
    photo : (M, N) array
        A grey picture.
    kernel : (K, K) array
    flip : bool
        Convolution (True) or cross-correlation (False).

    Returns
    -------
    (M, N) array

    Examples
    --------
    >>> filter_photo(np.ones((4, 5)), np.ones((3, 3)) / 9).shape
    (4, 5)
    """
    grey = as_float_array(photo, "photo", ndim=2)
    k = as_float_array(kernel, "kernel", ndim=2)
    if as_bool(flip, "flip"):
        return ops.convolve2d(grey, k, mode="same")
    return ops.conv2d(grey, k, padding="same")


@dataclass(frozen=True, eq=False)
class ConvolutionState:
    """What the convolution explorer shows: every step over a small grid, and a filtered photo.

    Attributes
    ----------
    grid : ConvolutionSteps
        The kernel stepping over the small grid of numbers.
    photo : (M, N) array
        The grey picture.
    filtered : (M, N) array
        ``photo`` filtered by the same kernel and operation (:func:`filter_photo`).

    Examples
    --------
    >>> st = convolution_state(np.ones((3, 3)), np.ones((3, 3)), np.ones((5, 6)), flip=False)
    >>> st.grid.output.tolist(), st.filtered.shape
    ([[9.0]], (5, 6))
    """

    grid: ConvolutionSteps
    photo: NDArray
    filtered: NDArray


def convolution_state(image: ArrayLike, kernel: ArrayLike, photo: ArrayLike, *,
                      flip: bool = True) -> ConvolutionState:
    """:func:`convolution_steps` over ``image`` and :func:`filter_photo` of ``photo``, together.

    Parameters
    ----------
    image : (H, W) array
        The small grid.
    kernel : (K, K) array
    photo : (M, N) array
        A grey picture.
    flip : bool
        Convolution (True) or cross-correlation (False).

    Returns
    -------
    ConvolutionState

    Examples
    --------
    >>> st = convolution_state(np.eye(4), np.ones((3, 3)), np.zeros((8, 8)))
    >>> len(st.grid.steps), float(st.filtered.max())
    (4, 0.0)
    """
    grid = convolution_steps(image, kernel, flip=flip)
    picture = frozen(as_float_array(photo, "photo", ndim=2))
    return ConvolutionState(grid=grid, photo=picture, filtered=frozen(filter_photo(picture, grid.kernel, flip=flip)))
