"""Read-only arrays for the frozen state dataclasses."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def frozen(values: ArrayLike, dtype: type = float) -> NDArray:
    """A read-only copy of ``values`` as an array of ``dtype``.

    Parameters
    ----------
    values : array_like
        Any array or nested sequence.
    dtype : type
        The copy's dtype.

    Returns
    -------
    array
        Same shape as ``values``, not writeable.

    Examples
    --------
    >>> a = frozen([1, 2])
    >>> a.flags.writeable
    False
    """
    out: NDArray = np.array(values, dtype=dtype)
    out.flags.writeable = False
    return out
