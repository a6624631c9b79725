"""The 1x1 convolution: channel mixing at every pixel, and what it costs.

:func:`one_by_one_state` gives every number the 1x1 explorer shows: the
output volume (:func:`meia_cnn.ops.conv1x1`), one pixel's ``C`` values, one
kernel's ``C`` weights, their products and sum, and the parameters and
multiply-adds of a 1x1, a 3x3 and a 5x5 layer giving the same ``H x W x F``
volume (:mod:`meia_cnn.arithmetic`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic, ops
from .._validation import as_float_array, as_int, check_steps
from ._frozen import frozen

__all__ = ["OneByOnePixel", "OneByOneState", "one_by_one_state"]


@dataclass(frozen=True, eq=False)
class OneByOnePixel:
    """One pixel's dot product with the chosen kernel.

    Attributes
    ----------
    row, col : int
        The pixel.
    pixel, products : (C,) array
        ``x[row, col, :]`` and its element-wise product with the kernel's weights.
    value : float
        ``output[row, col, kernel]``, the sum of the products (no bias).

    Examples
    --------
    >>> state = one_by_one_state(np.arange(8.0).reshape(2, 2, 2), [[1.0], [-1.0]])
    >>> here = state.pixels[3]  # row 1, col 1 (reading order)
    >>> (here.row, here.col), here.pixel.tolist(), here.products.tolist(), here.value
    ((1, 1), [6.0, 7.0], [6.0, -7.0], -1.0)
    """

    row: int
    col: int
    pixel: NDArray[np.float64]
    products: NDArray[np.float64]
    value: float


@dataclass(frozen=True, eq=False)
class OneByOneState:
    """A 1x1 convolution, one pixel's dot product and the costs beside 3x3 and 5x5.

    Attributes
    ----------
    input : (H, W, C) array
    weights : (C, F) array
        Column ``f`` is kernel ``f``.
    output : (H, W, F) array
    row, col, kernel : int
        The pixel and the kernel whose dot product is written out.
    pixel, kernel_weights, products : (C,) array
        ``x[row, col, :]``, ``weights[:, kernel]`` and their element-wise product.
    value : float
        ``output[row, col, kernel]``, the sum of the products (no bias).
    costs : dict
        ``{"1x1" | "3x3" | "5x5": {"params": int, "macs": int}}`` for the same output
        (``'same'`` padding).
    pixels : tuple of OneByOnePixel
        Every pixel's dot product with the same kernel, in reading order
        (``pixels[r * W + c]`` is pixel ``(r, c)``): all the choices of the
        pixel, computed at once.

    Examples
    --------
    >>> state = one_by_one_state(np.ones((2, 2, 3)), np.ones((3, 1)))
    >>> state.output_shape, state.value, state.costs["1x1"]
    ((2, 2, 1), 3.0, {'params': 4, 'macs': 12})
    """

    input: NDArray[np.float64]
    weights: NDArray[np.float64]
    output: NDArray[np.float64]
    row: int
    col: int
    kernel: int
    pixel: NDArray[np.float64]
    kernel_weights: NDArray[np.float64]
    products: NDArray[np.float64]
    value: float
    costs: dict[str, dict[str, int]]
    pixels: tuple[OneByOnePixel, ...]

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """``(H, W, F)``: height and width kept, depth ``F``."""
        h, w, f = self.output.shape
        return (int(h), int(w), int(f))


def one_by_one_state(x: ArrayLike, weights: ArrayLike, *, row: int = 0, col: int = 0,
                     kernel: int = 0) -> OneByOneState:
    """A 1x1 convolution of ``x`` by ``weights``, with one pixel's dot product written out.

    Parameters
    ----------
    x : (H, W, C) array
    weights : (C, F) array
        One column per kernel.
    row, col : int
        The pixel.
    kernel : int
        The kernel (column of ``weights``).

    Returns
    -------
    OneByOneState

    Examples
    --------
    >>> x = np.arange(12.0).reshape(2, 2, 3)
    >>> state = one_by_one_state(x, [[1.0, 0.0], [2.0, 1.0], [-1.0, 1.0]], row=1, col=0, kernel=0)
    >>> state.pixel.tolist(), state.products.tolist(), state.value
    ([6.0, 7.0, 8.0], [6.0, 14.0, -8.0], 12.0)
    >>> state.costs["3x3"]["params"]
    56
    """
    arr = as_float_array(x, "x", ndim=3)
    w = as_float_array(weights, "weights", ndim=2)
    h, wd, c = arr.shape
    if w.shape[0] != c:
        raise ValueError(f"`weights` must have one row per input channel: x has C={c}, "
                         f"weights has shape {w.shape}")
    f_count = w.shape[1]
    check_steps(h * wd, 2 * c, name="x", value=arr.shape)
    r, cc, f = (as_int(v, n, minimum=0) for v, n in ((row, "row"), (col, "col"), (kernel, "kernel")))
    for name, value, size in (("row", r, h), ("col", cc, wd), ("kernel", f, f_count)):
        if value >= size:
            raise ValueError(f"`{name}` must be less than {size}, got {value}")
    out = ops.conv1x1(arr, w)
    costs = {"1x1": {"params": int(arithmetic.conv1x1_params(c, f_count)),
                     "macs": int(arithmetic.conv1x1_macs((h, wd, c), f_count))}}
    for k in (3, 5):
        costs[f"{k}x{k}"] = {"params": int(arithmetic.conv_params(c, f_count, k)),
                             "macs": int(arithmetic.conv_macs((h, wd, c), f_count, k, padding="same"))}
    x_: NDArray[np.float64] = frozen(arr)
    w_: NDArray[np.float64] = frozen(w)
    out_: NDArray[np.float64] = frozen(out)
    kw: NDArray[np.float64] = w_[:, f]
    products: NDArray[np.float64] = frozen(x_ * kw)  # (H, W, C): every pixel's products with kernel f
    pixels = tuple(OneByOnePixel(row=i, col=j, pixel=x_[i, j], products=products[i, j],
                                 value=float(out_[i, j, f])) for i in range(h) for j in range(wd))
    here = pixels[r * wd + cc]
    return OneByOneState(input=x_, weights=w_, output=out_, row=r, col=cc, kernel=f, pixel=here.pixel,
                         kernel_weights=kw, products=here.products, value=here.value, costs=costs, pixels=pixels)
