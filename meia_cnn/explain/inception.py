"""The inception module: four branches side by side, concatenated along depth.

:func:`inception_state` gives every number the inception explorer shows:
each branch's shape, parameters and multiply-adds with the 1x1 reductions
and without them (the paper's naive module), the concatenated depth and what
the reductions save, all from :func:`meia_cnn.arithmetic.inception_cost`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import arithmetic
from .._validation import as_int

__all__ = ["COUNTS", "InceptionState", "inception_state"]

#: The filter counts of a module, in the order of :func:`meia_cnn.arithmetic.inception_cost`.
COUNTS = ("n1x1", "n3x3_reduce", "n3x3", "n5x5_reduce", "n5x5", "pool_proj")


@dataclass(frozen=True, eq=False)
class InceptionState:
    """An inception module's shapes and costs, with and without the 1x1 reductions.

    Attributes
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)``.
    counts : dict of str to int
        The filter counts, named as :data:`COUNTS`.
    cost, naive : dict
        :func:`~meia_cnn.arithmetic.inception_cost` with ``reduce=True`` and ``reduce=False``.
    wide : tuple of str
        The reductions (``"n3x3_reduce"``, ``"n5x5_reduce"``) with at least as many
        filters as input channels: they do not reduce.

    Examples
    --------
    >>> state = inception_state((28, 28, 192), 64, 96, 128, 16, 32, 32)
    >>> state.depths, state.output_shape, state.naive_depths
    ((64, 128, 32, 32), (28, 28, 256), (64, 128, 32, 192))
    """

    input_shape: tuple[int, int, int]
    counts: dict[str, int]
    cost: dict[str, Any]
    naive: dict[str, Any]
    wide: tuple[str, ...]

    @property
    def depths(self) -> tuple[int, ...]:
        """Depth of each branch's output, concatenated in this order."""
        return tuple(int(b["output_shape"][2]) for b in self.cost["branches"])

    @property
    def naive_depths(self) -> tuple[int, ...]:
        """The same for the naive module (the pooling branch keeps the input's depth)."""
        return tuple(int(b["output_shape"][2]) for b in self.naive["branches"])

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """``(H, W, sum of the depths)``."""
        h, w, d = self.cost["output_shape"]
        return (int(h), int(w), int(d))

    @property
    def saved(self) -> dict[str, float]:
        """The fraction of parameters and multiply-adds the reductions save (negative: they cost more)."""
        return {what: 1.0 - self.cost[what] / self.naive[what] for what in ("params", "macs")}


def inception_state(input_shape: tuple[int, int, int], n1x1: int, n3x3_reduce: int, n3x3: int,
                    n5x5_reduce: int, n5x5: int, pool_proj: int) -> InceptionState:
    """Shapes and costs of an inception module, with and without its 1x1 reductions.

    Parameters
    ----------
    input_shape : (int, int, int)
        ``(H, W, C)`` of the previous layer.
    n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5, pool_proj : int
        The filter counts, as in GoogLeNet's Table 1.

    Returns
    -------
    InceptionState

    Examples
    --------
    >>> state = inception_state((28, 28, 192), 64, 96, 128, 16, 32, 32)
    >>> state.cost["params"], state.naive["params"], round(state.saved["params"], 3)
    (163696, 387296, 0.577)
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"`input_shape` must be (H, W, C), got {input_shape!r}")
    h, w, c = (as_int(v, "input_shape") for v in input_shape)
    counts = {name: as_int(v, name) for name, v in zip(COUNTS, (n1x1, n3x3_reduce, n3x3, n5x5_reduce, n5x5,
                                                                pool_proj))}
    n1, r3, n3, r5, n5, proj = (counts[name] for name in COUNTS)
    cost = arithmetic.inception_cost((h, w, c), n1, r3, n3, r5, n5, proj)
    naive = arithmetic.inception_cost((h, w, c), n1, r3, n3, r5, n5, proj, reduce=False)
    wide = tuple(name for name in ("n3x3_reduce", "n5x5_reduce") if counts[name] >= c)
    return InceptionState(input_shape=(h, w, c), counts=counts, cost=cost, naive=naive, wide=wide)
