"""Equation (3) at work: padding, stride and dilation, position by position.

:func:`stride_padding_state` gives every number the stride-and-padding
explorer shows for a square input of small numbers and a square kernel of
ones: the zeros added on each side, the padded input, the output (each value
the sum of the cells under the kernel's taps) and, for every output cell in
reading order, where the kernel's taps sit in the padded input.

The sizes come from :func:`meia_cnn.arithmetic.output_size` and
:func:`meia_cnn.arithmetic.padding_amounts`, the padded input from
:func:`meia_cnn.ops.pad` and the output from :func:`meia_cnn.ops.conv2d`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import arithmetic, ops
from .._validation import check_steps
from ._frozen import frozen
from ._sweep import SquareOutput, small_numbers, sweep

__all__ = ["StridePaddingState", "StridePaddingStep", "input_values", "stride_padding_state"]


def input_values(size: int) -> NDArray:
    """The input drawn: small numbers 1..9 in reading order.

    Parameters
    ----------
    size : int
        The side of the square input.

    Returns
    -------
    (size, size) array

    Examples
    --------
    >>> input_values(3)
    array([[1., 2., 3.],
           [4., 5., 6.],
           [7., 8., 9.]])
    """
    return small_numbers(size, "size")


@dataclass(frozen=True)
class StridePaddingStep:
    """One position of the kernel.

    Attributes
    ----------
    position : (int, int)
        ``(i, j)``, the output cell computed at this step.
    origin : (int, int)
        Row and column, in the padded input, of the kernel's top-left tap.
    taps : (K*K, 2) array of int
        Row and column of every tap in the padded input (``d`` cells apart).
    value : float
        ``G[i, j]``: the sum of the padded input under the taps.

    Examples
    --------
    >>> stride_padding_state(3, 2).steps[1].origin
    (0, 1)
    """

    position: tuple[int, int]
    origin: tuple[int, int]
    taps: NDArray[np.int64]
    value: float


@dataclass(frozen=True, eq=False)
class StridePaddingState(SquareOutput):
    """Everything equation (3) gives for one setting, and every step.

    Attributes
    ----------
    input_size, kernel_size, stride, dilation : int
    padding : str or int
        As given: ``'valid'``, ``'same'``, ``'full'`` or zeros per side.
    pads : ((int, int), (int, int))
        Zeros added ``((top, bottom), (left, right))``.
    input : (I, I) array
    padded : (I + top + bottom, I + left + right) array
    output : (G, G) array
        Cross-correlation of the input with a ``K x K`` kernel of ones.
    output_size : int
        ``G``, from equation (3).
    effective_kernel : int
        ``d (K - 1) + 1``, the cells the dilated kernel spans.
    steps : tuple of StridePaddingStep
        One per output cell, in reading order.

    Examples
    --------
    >>> state = stride_padding_state(5, 3, stride=2)
    >>> state.output_shape, state.output_size, len(state.steps)
    ((2, 2), 2, 4)
    """

    input_size: int
    kernel_size: int
    stride: int
    padding: str | int
    dilation: int
    pads: tuple[tuple[int, int], tuple[int, int]]
    input: NDArray[np.float64]
    padded: NDArray[np.float64]
    output: NDArray[np.float64]
    output_size: int
    effective_kernel: int
    steps: tuple[StridePaddingStep, ...]

    @property
    def padded_size(self) -> int:
        """Side of the padded input (rows; the columns are the same for a square input)."""
        return int(self.padded.shape[0])

    @property
    def p_total(self) -> int:
        """Zeros added along one axis: ``top + bottom``."""
        return int(sum(self.pads[0]))


def stride_padding_state(input_size: int, kernel_size: int, *, stride: int = 1,
                         padding: str | int = "valid", dilation: int = 1) -> StridePaddingState:
    """Every number of a ``kernel_size`` kernel sliding over an ``input_size`` input.

    Parameters
    ----------
    input_size : int
        ``I``: the side of the square input (its values are :func:`input_values`).
    kernel_size : int
        ``K``: the side of the square kernel (all ones).
    stride : int
        ``s``.
    padding : {'valid', 'same', 'full'} or int
        As :func:`meia_cnn.arithmetic.output_size` takes it (an int: zeros on every side).
    dilation : int
        ``d``: the taps are ``d`` cells apart.

    Returns
    -------
    StridePaddingState

    Raises
    ------
    ValueError
        From the core, when the (dilated) kernel is larger than the padded input.

    Examples
    --------
    >>> state = stride_padding_state(5, 3, padding="same")
    >>> state.pads, state.output_size
    (((1, 1), (1, 1)), 5)
    >>> state.steps[0].taps[:3].tolist()
    [[0, 0], [0, 1], [0, 2]]
    >>> float(state.output[0, 0]) == float(state.padded[:3, :3].sum())
    True
    """
    g = arithmetic.output_size(input_size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    check_steps(int(g) ** 2, 2 * int(kernel_size) ** 2, name="input_size", value=input_size)
    pads = arithmetic.padding_amounts(input_size, kernel_size, stride=stride, padding=padding,
                                      dilation=dilation)
    i, k, s, d = (int(v) for v in (input_size, kernel_size, stride, dilation))
    x = input_values(i)
    padded = ops.pad(x, pads)
    output = ops.conv2d(x, np.ones((k, k)), stride=s, padding=pads, dilation=d)
    steps = [StridePaddingStep(position=(r, c), origin=origin, taps=frozen(taps, dtype=np.int64),
                               value=float(output[r, c]))
             for (r, c), origin, taps in sweep(int(g), k, stride=s, dilation=d)]
    pads_int = ((int(pads[0][0]), int(pads[0][1])), (int(pads[1][0]), int(pads[1][1])))
    return StridePaddingState(
        input_size=i, kernel_size=k, stride=s, padding=padding, dilation=d, pads=pads_int,
        input=frozen(x), padded=frozen(padded), output=frozen(output), output_size=int(g),
        effective_kernel=d * (k - 1) + 1, steps=tuple(steps),
    )
