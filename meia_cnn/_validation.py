"""Argument checking shared by the core: one place for each rule.

Every message names the parameter, the rule and the value received, so a
student reading a traceback (or a widget's message line) knows what to fix.
"""

from __future__ import annotations

import numbers

import numpy as np

PADDING_RULE = (
    "'valid', 'same', 'full', an int >= 0 or ((top, bottom), (left, right)) of ints >= 0"
)


def is_int(value) -> bool:
    """True for Python and numpy integers, False for bools and floats."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def as_int(value, name, *, minimum=1):
    """Return ``value`` as an int after checking it is an int >= ``minimum``."""
    if not is_int(value):
        raise TypeError(f"`{name}` must be an int >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}, got {value}")
    return int(value)


def as_pair(value, name, *, minimum=1):
    """Normalise an int-or-pair argument to a tuple ``(h, w)`` of ints.

    >>> as_pair(3, "kernel_size")
    (3, 3)
    >>> as_pair((2, 1), "stride")
    (2, 1)
    """
    if is_int(value):
        value = (value, value)
    elif isinstance(value, (tuple, list, np.ndarray)) and len(value) == 2:
        value = tuple(value)
    else:
        raise TypeError(f"`{name}` must be an int or a pair of ints (h, w), got {value!r}")
    for v in value:
        if not is_int(v):
            raise TypeError(f"`{name}` must be an int or a pair of ints (h, w), got {value!r}")
        if v < minimum:
            raise ValueError(f"`{name}` must be >= {minimum}, got {pair_text(value)}")
    return (int(value[0]), int(value[1]))


def is_pair(value) -> bool:
    return isinstance(value, (tuple, list, np.ndarray)) and len(value) == 2


def pair_text(pair):
    """``(h, w)`` as written in messages and tables: ``'3'`` when square, else ``'(2, 1)'``.

    >>> pair_text((3, 3)), pair_text((2, 1))
    ('3', '(2, 1)')
    """
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def shape_text(shape):
    """A shape in the slides' notation: ``(28, 28, 3)`` -> ``'28×28×3'``.

    >>> shape_text((28, 28, 3))
    '28×28×3'
    """
    return "\u00d7".join(str(v) for v in shape)


def check_padding(padding):
    """Validate ``padding`` and return it as a mode string or ``((t, b), (l, r))``."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode not in ("valid", "same", "full"):
            raise ValueError(f"`padding` must be {PADDING_RULE}, got {padding!r}")
        return mode
    if is_int(padding):
        if padding < 0:
            raise ValueError(f"`padding` must be >= 0 when an int, got {padding}")
        p = int(padding)
        return ((p, p), (p, p))
    if is_pair(padding) and all(is_pair(p) for p in padding):
        pairs = tuple(tuple(p) for p in padding)
        if all(is_int(v) and v >= 0 for p in pairs for v in p):
            return tuple((int(a), int(b)) for a, b in pairs)
    if is_pair(padding) and all(is_int(p) for p in padding):
        # (ph, pw): symmetric padding per axis
        ph, pw = padding
        if ph >= 0 and pw >= 0:
            return ((int(ph), int(ph)), (int(pw), int(pw)))
    raise ValueError(f"`padding` must be {PADDING_RULE}, got {padding!r}")


def as_float_array(x, name, *, ndim=None, allow_nan=False):
    """Return ``x`` as a float ndarray following the kit's dtype policy.

    float32 and float64 keep their dtype; bool, integer and other float types
    compute in float64.  Non-numeric input is a ``TypeError``; NaN or infinity
    a ``ValueError`` (unless ``allow_nan``); a wrong number of dimensions a
    ``ValueError`` listing the accepted shapes.  The input is never modified.
    """
    if isinstance(x, np.ndarray):
        arr = x
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:  # ragged nested lists
            raise TypeError(f"`{name}` must be an array of numbers, got {type(x).__name__}: {exc}") from None
    if arr.dtype == object and arr.size:
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError):
            raise TypeError(f"`{name}` must hold numbers, got values of dtype object") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"`{name}` must hold real numbers, got dtype {arr.dtype}")
    if kind not in "biuf" and not (kind == "O" and arr.size == 0):
        raise TypeError(f"`{name}` must hold numbers, got dtype {arr.dtype}")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if is_int(ndim) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(
                f"`{name}` must be {_ndim_text(allowed)}, got {arr.ndim}-D array of shape {arr.shape}"
            )
    if not allow_nan and arr.size and not np.isfinite(arr).all():
        raise ValueError(f"`{name}` must be finite: it contains NaN or infinity")
    return arr


_NDIM_NAMES = {2: "2-D (H, W)", 3: "3-D (H, W, C)", 4: "4-D (N, H, W, C)"}


def _ndim_text(allowed):
    names = [_NDIM_NAMES.get(n, f"{n}-D") for n in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
