"""A square kernel swept over a grid: the input's numbers and where the taps sit at every step.

Shared by :mod:`meia_cnn.explain.stride_padding` (a kernel of ones over a
padded input, stride ``s``) and :mod:`meia_cnn.explain.transposed` (the
flipped kernel over the stretched input, stride 1).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from numpy.typing import NDArray

from .._validation import as_int

__all__ = ["SquareOutput", "small_numbers", "sweep"]


def small_numbers(size: int, name: str = "size") -> NDArray[np.float64]:
    """A square grid of small numbers 1..9 in reading order, the input the explorers draw.

    Parameters
    ----------
    size : int
        The side of the square.
    name : str
        The parameter named in the error when ``size`` is not a whole number.

    Returns
    -------
    (size, size) array

    Examples
    --------
    >>> small_numbers(4)[-1].tolist()
    [4.0, 5.0, 6.0, 7.0]
    """
    size = as_int(size, name)
    return np.asarray(np.arange(size * size) % 9 + 1.0, dtype=np.float64).reshape(size, size)


def sweep(
    output_size: int, kernel_size: int, *, stride: int = 1, dilation: int = 1
) -> Iterator[tuple[tuple[int, int], tuple[int, int], NDArray[np.int64]]]:
    """Every step of a square kernel, in reading order of the output cells.

    Step ``(r, c)`` puts the kernel's top-left tap at ``(r * stride, c * stride)``
    and its taps ``dilation`` cells apart.

    Parameters
    ----------
    output_size : int
        The side of the square output: one step per output cell.
    kernel_size : int
    stride, dilation : int

    Yields
    ------
    position : (int, int)
        The output cell.
    origin : (int, int)
        Row and column of the top-left tap.
    taps : (kernel_size**2, 2) array of int
        Row and column of every tap, row by row.

    Examples
    --------
    >>> steps = list(sweep(2, 2, stride=2, dilation=2))
    >>> [(position, origin) for position, origin, _ in steps][1]
    ((0, 1), (0, 2))
    >>> steps[1][2].tolist()
    [[0, 2], [0, 4], [2, 2], [2, 4]]
    """
    offsets = dilation * np.arange(kernel_size)
    grid = np.stack(np.meshgrid(offsets, offsets, indexing="ij"), axis=-1).reshape(-1, 2)
    for r in range(output_size):
        for c in range(output_size):
            origin = (r * stride, c * stride)
            yield (r, c), origin, (grid + origin).astype(np.int64)


class SquareOutput:
    """What a state with a square output of side ``output_size`` answers (a mixin of the frozen states)."""

    output_size: int

    @property
    def output_shape(self) -> tuple[int, int]:
        """``(output_size, output_size)``: the square output's rows and columns."""
        return (self.output_size, self.output_size)
