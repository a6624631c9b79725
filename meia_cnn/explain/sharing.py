"""Parameter sharing: a convolution layer against a dense layer with the same output.

:func:`parameter_sharing_state` gives every number the parameter-sharing
explorer shows for a square ``I x I x C`` input and ``F`` kernels of
``K x K x C`` (stride 1): the output size ``G`` (equation (3)), the
convolution's ``K K C F + F`` parameters, those of a dense layer producing
the same ``G x G x F`` output from the same input, ``(I I C)(G G F) + G G F``,
their multiply-adds and their ratio; and, for a picture, the convolution of
a small one-channel input written as the matrix of a dense layer
(:func:`meia_cnn.ops.conv_as_matrix`): the same ``K x K`` weights in every
row, shifted.  Counts come from :mod:`meia_cnn.arithmetic`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .. import arithmetic, ops
from .._validation import as_int
from ._frozen import frozen

__all__ = ["PICTURE_OUTPUT", "SharingState", "parameter_sharing_state"]

#: Output side of the picture of the two matrices (4 x 4 = 16 rows).
PICTURE_OUTPUT = 4


@dataclass(frozen=True, eq=False)
class SharingState:
    """The two layers' sizes and counts, and the convolution as a matrix.

    Attributes
    ----------
    input_size, channels, kernel_size, filters : int
    padding : str
    output_size : int
        ``G`` (stride 1).
    conv_params, dense_params, conv_macs, dense_macs : int
    n_in, n_out : int
        ``I I C`` inputs and ``G G F`` outputs.
    picture_input : int
        Side of the picture's one-channel input: ``K + 3`` (so 4 x 4 outputs).
    conv_matrix : (16, picture_input ** 2) array
        The picture's convolution as a matrix, weights labelled ``1 .. K*K``
        (0 where an output does not see an input pixel).
    dense_matrix : (16, picture_input ** 2) array
        The same picture for a dense layer: a separate weight for every
        pair (seeded uniform values in [0.05, 1], for the picture only).

    Examples
    --------
    >>> s = parameter_sharing_state(8, 1, 3, 4, padding="same")
    >>> s.output_shape, s.conv_params, s.dense_params, s.n_in, s.n_out
    ((8, 8, 4), 40, 16640, 64, 256)
    >>> s.picture_input, s.dense_matrix_shape
    (6, (16, 36))
    """

    input_size: int
    channels: int
    kernel_size: int
    filters: int
    padding: str
    output_size: int
    conv_params: int
    dense_params: int
    conv_macs: int
    dense_macs: int
    n_in: int
    n_out: int
    picture_input: int
    conv_matrix: NDArray[np.float64]
    dense_matrix: NDArray[np.float64]

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """``(G, G, F)``, the output both layers produce."""
        return (self.output_size, self.output_size, self.filters)

    @property
    def ratio(self) -> float:
        """``dense_params / conv_params``."""
        return self.dense_params / self.conv_params

    @property
    def dense_matrix_shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the picture's dense matrix (the same as the convolution's)."""
        return (int(self.conv_matrix.shape[0]), int(self.conv_matrix.shape[1]))


def parameter_sharing_state(input_size: int, channels: int, kernel_size: int, filters: int, *,
                            padding: str = "valid") -> SharingState:
    """Parameters and multiply-adds of a convolution and of a dense layer with the same output.

    Parameters
    ----------
    input_size : int
        ``I``, the side of the square input.
    channels : int
        ``C``.
    kernel_size : int
        ``K``.
    filters : int
        ``F``.
    padding : {'valid', 'same'}
        Of the convolution (stride 1).

    Returns
    -------
    SharingState

    Raises
    ------
    ValueError
        From :func:`meia_cnn.arithmetic.output_size` when the kernel is larger than the padded input.

    Examples
    --------
    >>> s = parameter_sharing_state(32, 3, 3, 16)
    >>> s.output_shape, s.conv_params, s.dense_params
    ((30, 30, 16), 448, 44251200)
    >>> s.conv_matrix.shape
    (16, 36)
    """
    if padding not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same', got {padding!r}")
    i, c, k, f = (as_int(v, name) for v, name in ((input_size, "input_size"), (channels, "channels"),
                                                   (kernel_size, "kernel_size"), (filters, "filters")))
    g = int(arithmetic.output_size(i, k, padding=padding))
    n_in, n_out = i * i * c, g * g * f
    n = k + PICTURE_OUTPUT - 1
    labels = np.arange(1, k * k + 1, dtype=float).reshape(k, k)
    return SharingState(
        input_size=i, channels=c, kernel_size=k, filters=f, padding=padding, output_size=g,
        conv_params=int(arithmetic.conv_params(c, f, k)), dense_params=int(arithmetic.dense_params(n_in, n_out)),
        conv_macs=int(arithmetic.conv_macs((i, i, c), f, k, padding=padding)),
        dense_macs=int(arithmetic.dense_macs(n_in, n_out)), n_in=n_in, n_out=n_out, picture_input=n,
        conv_matrix=frozen(ops.conv_as_matrix(n, labels)),
        dense_matrix=frozen(np.random.default_rng(0).uniform(0.05, 1.0, size=(PICTURE_OUTPUT ** 2, n * n))),
    )
