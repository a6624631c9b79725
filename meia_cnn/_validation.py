"""Argument checking shared by the core: one place for each rule.

Every message names the parameter, the rule and the value received, so a
student reading a traceback (or a widget's message line) knows what to fix.

The size limit :data:`MAX_ELEMENTS` lives here too: every array the core
allocates (a result or an intermediate such as a padded copy or the im2col
matrix) is checked against it *before* it is allocated, so asking for the
impossible (``pad(np.ones((1, 1)), 10**5)``) is a ``ValueError`` naming the
parameter responsible, never a ``MemoryError``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any, Union

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "IntOrPair",
    "Padding",
    "MAX_ELEMENTS",
    "is_int",
    "as_int",
    "as_bool",
    "as_seed",
    "as_pair",
    "is_pair",
    "pair_text",
    "shape_text",
    "check_padding",
    "as_float_array",
    "as_real_array",
    "to_float_array",
    "check_finite",
    "check_elements",
    "MAX_STEPS",
    "check_steps",
    "check_fill_value",
    "as_real",
    "value_text",
]

#: An int (square) or a pair ``(h, w)`` of ints.
IntOrPair = Union[int, Sequence[int]]
#: ``'valid'``, ``'same'``, ``'full'``, an int, ``(ph, pw)`` or ``((top, bottom), (left, right))``.
Padding = Union[str, int, Sequence[int], Sequence[Sequence[int]]]

#: Largest array, in elements, that the core allocates for one result or
#: intermediate (2**27 = 134,217,728 elements: 1 GiB of float64).
MAX_ELEMENTS = 2**27

#: Most steps a step-by-step explanation lists (one small record per output
#: cell: its window, products, taps), and most numbers all its steps hold
#: together.  An explorer's grids are far smaller; a state asking for more is a
#: ``ValueError`` naming the parameter, before anything is computed.
MAX_STEPS = 10_000
MAX_STEP_VALUES = 2_000_000

PADDING_RULE = "'valid', 'same', 'full', an int >= 0 or ((top, bottom), (left, right)) of ints >= 0"


def is_int(value: object) -> bool:
    """True for Python and numpy integers (0-d integer arrays too); False for bools and floats.

    Parameters
    ----------
    value : object

    Returns
    -------
    bool

    Examples
    --------
    >>> is_int(3), is_int(np.int8(3)), is_int(np.array(3)), is_int(True), is_int(3.0)
    (True, True, True, False, False)
    """
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iu"
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def as_int(value: Any, name: str, *, minimum: int = 1) -> int:
    """Return ``value`` as an int after checking it is an int >= ``minimum``.

    Parameters
    ----------
    value : int
        Any integer (numpy integers and 0-d integer arrays too).
    name : str
        The parameter's name, for the message.
    minimum : int, optional
        The smallest value accepted.

    Returns
    -------
    int

    Examples
    --------
    >>> as_int(np.uint8(3), "filters")
    3
    >>> as_int(0, "filters")
    Traceback (most recent call last):
    ...
    ValueError: `filters` must be >= 1, got 0
    """
    if not is_int(value):
        raise TypeError(f"`{name}` must be an int >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}, got {value}")
    return int(value)


def as_bool(value: Any, name: str) -> bool:
    """Return ``value`` as a bool after checking it is ``True`` or ``False``.

    Only ``bool`` and ``np.bool_`` are accepted: a flag given ``"False"`` or
    ``0`` is a ``TypeError`` rather than being read by its truthiness
    (``bool("False")`` is ``True``).

    Parameters
    ----------
    value : bool
        ``True`` or ``False`` (a numpy bool too).
    name : str
        The parameter's name, for the message.

    Returns
    -------
    bool

    Examples
    --------
    >>> as_bool(np.bool_(False), "bias")
    False
    >>> as_bool("False", "bias")
    Traceback (most recent call last):
    ...
    TypeError: `bias` must be True or False, got 'False'
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind == "b":
        return bool(value)
    raise TypeError(f"`{name}` must be True or False, got {value!r}")


def as_seed(value: Any, name: str = "seed") -> int | None:
    """A random seed checked: ``None`` or an int >= 0 (numpy's rule), named in the message otherwise.

    Parameters
    ----------
    value : int or None
    name : str, optional
        The parameter's name, for the message.

    Returns
    -------
    int or None

    Examples
    --------
    >>> as_seed(np.int64(3)), as_seed(None)
    (3, None)
    >>> as_seed(-1)
    Traceback (most recent call last):
    ...
    ValueError: `seed` must be >= 0, got -1
    """
    return None if value is None else as_int(value, name, minimum=0)


def as_pair(value: Any, name: str, *, minimum: int = 1) -> tuple[int, int]:
    """Normalise an int-or-pair argument to a tuple ``(h, w)`` of ints.

    Parameters
    ----------
    value : int or (int, int)
        One int means the same for both axes.
    name : str
        The parameter's name, for the message.
    minimum : int, optional
        The smallest value accepted.

    Returns
    -------
    (int, int)

    Examples
    --------
    >>> as_pair(3, "kernel_size")
    (3, 3)
    >>> as_pair((2, 1), "stride")
    (2, 1)
    """
    if is_int(value):
        value = (value, value)
    elif is_pair(value):
        value = tuple(value)
    else:
        raise TypeError(f"`{name}` must be an int or a pair of ints (h, w), got {value!r}")
    for v in value:
        if not is_int(v):
            raise TypeError(f"`{name}` must be an int or a pair of ints (h, w), got {value!r}")
        if v < minimum:
            raise ValueError(f"`{name}` must be >= {minimum}, got {pair_text(value)}")
    return (int(value[0]), int(value[1]))


def is_pair(value: object) -> bool:
    """True for a tuple, list or 1-D array of length 2.

    Parameters
    ----------
    value : object

    Returns
    -------
    bool

    Examples
    --------
    >>> is_pair((3, 3)), is_pair(np.array([1, 2])), is_pair(np.array(5)), is_pair(3)
    (True, True, False, False)
    """
    if isinstance(value, np.ndarray):
        return value.ndim == 1 and len(value) == 2
    return isinstance(value, (tuple, list)) and len(value) == 2


def pair_text(pair: Sequence[Any]) -> str:
    """``(h, w)`` as written in messages and tables: ``'3'`` when square, else ``'(2, 1)'``.

    Parameters
    ----------
    pair : (h, w)

    Returns
    -------
    str

    Examples
    --------
    >>> pair_text((3, 3)), pair_text((2, 1))
    ('3', '(2, 1)')
    """
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def shape_text(shape: Sequence[Any]) -> str:
    """A shape in the slides' notation: ``(28, 28, 3)`` -> ``'28×28×3'``.

    Parameters
    ----------
    shape : sequence of int

    Returns
    -------
    str

    Examples
    --------
    >>> shape_text((28, 28, 3))
    '28×28×3'
    """
    return "\u00d7".join(str(v) for v in shape)


def check_padding(padding: Any) -> Any:
    """Validate ``padding`` and return it as a mode string or ``((t, b), (l, r))``.

    Parameters
    ----------
    padding : {'valid', 'same', 'full'}, int, (int, int) or ((int, int), (int, int))
        Mode names are case-insensitive; ``(ph, pw)`` pads symmetrically per axis.

    Returns
    -------
    str or ((int, int), (int, int))
        The lower-case mode, or the zeros on each side.

    Examples
    --------
    >>> check_padding("SAME"), check_padding(1), check_padding((1, 2))
    ('same', ((1, 1), (1, 1)), ((1, 1), (2, 2)))
    """
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


def as_real_array(x: ArrayLike, name: str, *, ndim: int | Sequence[int] | None = None) -> np.ndarray:
    """``x`` as an ndarray of real numbers, its shape and size checked, not yet converted.

    The first half of :func:`as_float_array`, for functions that check the
    shapes (and the sizes of what they will allocate) before they copy or
    scan the data: a wrong number of dimensions is a ``ValueError`` listing
    the accepted shapes, more than :data:`MAX_ELEMENTS` elements a
    ``ValueError``, non-numeric values a ``TypeError``.  Finish with
    :func:`to_float_array`.

    Parameters
    ----------
    x : array_like
        Numbers (bool, int or float).
    name : str
        The parameter's name, for the message.
    ndim : int or sequence of int, optional
        The accepted numbers of dimensions.

    Returns
    -------
    ndarray
        ``x`` itself when it is already an ndarray (no copy), else ``np.asarray(x)``.
        An ndarray subclass (``np.matrix``, a custom subclass) comes back as a
        view of its data as a base ``np.ndarray``, so no subclass behaviour
        (matrix products, 2-D-only indexing) reaches the computation.  A masked
        array is accepted only when no value is masked (its data is used); a
        masked value is a ``ValueError``, because no function of the kit skips
        masked values and ignoring the mask would silently give wrong results.

    Examples
    --------
    >>> as_real_array([[1, 2], [3, 4]], "x", ndim=2).dtype
    dtype('int64')
    >>> as_real_array([1, 2], "x", ndim=(2, 3))
    Traceback (most recent call last):
    ...
    ValueError: `x` must be 2-D (H, W) or 3-D (H, W, C), got 1-D array of shape (2,)
    >>> class Tagged(np.ndarray): ...
    >>> type(as_real_array(np.ones((2, 2)).view(Tagged), "kernel", ndim=2)).__name__
    'ndarray'
    >>> as_real_array(np.ma.masked_array([[1, 2]], mask=[[0, 1]]), "x")
    Traceback (most recent call last):
    ...
    ValueError: `x` is a masked array with masked values: the kit does not skip masked values; fill them first, e.g. `x.filled(0)`
    """
    if isinstance(x, np.ma.MaskedArray):
        if np.ma.getmaskarray(x).any():
            raise ValueError(
                f"`{name}` is a masked array with masked values: the kit does not skip masked values; "
                f"fill them first, e.g. `{name}.filled(0)`"
            )
        arr = np.asarray(x.data)
    elif type(x) is np.ndarray:
        arr = x
    elif isinstance(x, np.ndarray):  # np.matrix and other subclasses: their data as a base ndarray
        arr = x.view(np.ndarray)
    else:
        try:
            arr = np.asarray(x)
        except (ValueError, TypeError) as exc:  # ragged nested lists
            raise TypeError(f"`{name}` must be an array of numbers, got {type(x).__name__}: {exc}") from None
    if ndim is not None:
        allowed: tuple[int, ...] = (int(ndim),) if isinstance(ndim, (int, np.integer)) else tuple(ndim)
        if arr.ndim not in allowed:
            raise ValueError(f"`{name}` must be {_ndim_text(allowed)}, got {arr.ndim}-D array of shape {arr.shape}")
    if arr.size > MAX_ELEMENTS:
        raise ValueError(
            f"`{name}` is too large: {shape_text(arr.shape)} = {arr.size:,} elements, "
            f"more than the limit of {MAX_ELEMENTS:,} (MAX_ELEMENTS)"
        )
    kind = arr.dtype.kind
    if kind == "c":
        raise TypeError(f"`{name}` must hold real numbers, got dtype {arr.dtype}")
    if kind == "O" and arr.size:
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError):
            raise TypeError(f"`{name}` must hold numbers, got values of dtype object") from None
        kind = "f"
    if kind not in "biuf" and not (kind == "O" and arr.size == 0):
        raise TypeError(f"`{name}` must hold numbers, got dtype {arr.dtype}")
    return arr


def to_float_array(arr: np.ndarray, name: str, *, allow_nan: bool = False) -> NDArray[np.floating]:
    """Apply the kit's dtype policy to a checked array, then check it is finite.

    float32 and float64 keep their dtype; bool, integer and other float
    types become float64.  NaN or infinity is a ``ValueError`` unless
    ``allow_nan``.  The input is never modified.

    Parameters
    ----------
    arr : ndarray
        An array returned by :func:`as_real_array`.
    name : str
        The parameter's name, for the message.
    allow_nan : bool, optional
        Accept NaN and infinity.

    Returns
    -------
    ndarray of float32 or float64

    Examples
    --------
    >>> to_float_array(np.array([1, 2]), "x")
    array([1., 2.])
    >>> to_float_array(np.array([1.0, np.nan]), "x")
    Traceback (most recent call last):
    ...
    ValueError: `x` must be finite: it contains NaN or infinity
    """
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if not allow_nan:
        check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise a ``ValueError`` naming ``name`` if ``arr`` holds NaN or infinity.

    Parameters
    ----------
    arr : ndarray
    name : str
        The parameter's name, for the message.

    Examples
    --------
    >>> check_finite(np.ones(3), "x")
    >>> check_finite(np.array([np.inf]), "kernels")
    Traceback (most recent call last):
    ...
    ValueError: `kernels` must be finite: it contains NaN or infinity
    """
    if arr.size and arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        raise ValueError(f"`{name}` must be finite: it contains NaN or infinity")


def check_elements(shape: Sequence[int], *, name: str, what: str) -> None:
    """Refuse, before allocating it, an array of more than :data:`MAX_ELEMENTS` elements.

    Parameters
    ----------
    shape : sequence of int
        The shape of the array about to be allocated.
    name : str
        The parameter responsible, named in the message (e.g. ``"padding"``).
    what : str
        What the array is (e.g. ``"the padded input"``).

    Examples
    --------
    >>> check_elements((100, 100), name="x", what="the output")
    >>> check_elements((200001, 200001), name="padding", what="the padded input")
    Traceback (most recent call last):
    ...
    ValueError: `padding` asks for too much memory: the padded input would be 200001×200001 = 40,000,400,001 elements, more than the limit of 134,217,728 (MAX_ELEMENTS)
    """
    count = math.prod(int(v) for v in shape)
    if count > MAX_ELEMENTS:
        raise ValueError(
            f"`{name}` asks for too much memory: {what} would be {shape_text(shape)} = "
            f"{count:,} elements, more than the limit of {MAX_ELEMENTS:,} (MAX_ELEMENTS)"
        )


def check_steps(steps: int, per_step: int, *, name: str, value: Any) -> None:
    """Refuse a step-by-step explanation of more than :data:`MAX_STEPS` steps, before it is built.

    Parameters
    ----------
    steps : int
        The number of steps (output cells) the explanation would list.
    per_step : int
        The numbers each step holds (its window, taps or products).
    name : str
        The parameter responsible, named in the message.
    value : object
        Its value, shown in the message.

    Examples
    --------
    >>> check_steps(9, 9, name="input_size", value=5)
    >>> check_steps(99998**2, 9, name="input_size", value=10**5)
    Traceback (most recent call last):
    ...
    ValueError: `input_size`=100000 asks for 9,999,600,004 steps, more than the 10,000 an explanation shows step by step (MAX_STEPS)
    """
    if steps > MAX_STEPS:
        raise ValueError(
            f"`{name}`={value_text(value)} asks for {steps:,} steps, more than the "
            f"{MAX_STEPS:,} an explanation shows step by step (MAX_STEPS)"
        )
    if steps * per_step > MAX_STEP_VALUES:
        raise ValueError(
            f"`{name}`={value_text(value)} asks for {steps:,} steps of {per_step:,} numbers each, "
            f"more than the {MAX_STEP_VALUES:,} an explanation holds (MAX_STEP_VALUES)"
        )


def check_fill_value(value: Any, name: str = "value") -> float:
    """Return a fill value as a float after checking it is a real number.

    Parameters
    ----------
    value : int or float
        Python or numpy real number (infinity and NaN allowed); not a bool,
        a string or ``None``.
    name : str, optional
        The parameter's name, for the message.

    Returns
    -------
    float

    Examples
    --------
    >>> check_fill_value(0), check_fill_value(np.float32(0.5))
    (0.0, 0.5)
    >>> check_fill_value(None)
    Traceback (most recent call last):
    ...
    TypeError: `value` must be a real number, got None
    """
    return as_real(value, name)


def value_text(value: Any) -> str:
    """``repr(value)`` for a message, an integer too long to print described by its size.

    Parameters
    ----------
    value : object

    Returns
    -------
    str

    Examples
    --------
    >>> value_text(10**400)
    'an integer of 401 digits'
    >>> value_text(2.5)
    '2.5'
    """
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return f"an integer of {len(str(abs(value))) if value.bit_length() < 10_000 else 'thousands of'} digits"
    return repr(value)


def as_real(value: Any, name: str, *, rule: str = "a real number") -> float:
    """Return a real number as a Python float; a ``TypeError`` or ``ValueError`` naming ``name`` otherwise.

    Python and numpy ints and floats (and 0-d arrays of them) are accepted,
    infinity and NaN included (callers check the range they need); bools,
    strings, ``None`` and complex numbers are a ``TypeError``; an integer too
    large for a float (``10**400``) a ``ValueError``, never an ``OverflowError``.

    Parameters
    ----------
    value : int or float
    name : str
        The parameter's name, for the message.
    rule : str, optional
        What is expected, for the ``TypeError``'s message.

    Returns
    -------
    float

    Examples
    --------
    >>> as_real(np.float32(0.5), "lr")
    0.5
    >>> as_real(10**400, "lr")
    Traceback (most recent call last):
    ...
    ValueError: `lr` is too large for a float, got an integer of 401 digits
    """
    if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind in "iuf":
        value = value[()]
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be {rule}, got {value_text(value)}")
    try:
        return float(value)
    except OverflowError:
        raise ValueError(f"`{name}` is too large for a float, got {value_text(value)}") from None


def as_float_array(
    x: ArrayLike,
    name: str,
    *,
    ndim: int | Sequence[int] | None = None,
    allow_nan: bool = False,
) -> NDArray[np.floating]:
    """Return ``x`` as a float ndarray following the kit's dtype policy.

    float32 and float64 keep their dtype; bool, integer and other float types
    compute in float64.  Non-numeric input is a ``TypeError``; a wrong number
    of dimensions a ``ValueError`` listing the accepted shapes, checked before
    the values are converted or scanned; NaN or infinity a ``ValueError``
    (unless ``allow_nan``).  The input is never modified.

    Parameters
    ----------
    x : array_like
        Numbers.
    name : str
        The parameter's name, for the message.
    ndim : int or sequence of int, optional
        The accepted numbers of dimensions.
    allow_nan : bool, optional
        Accept NaN and infinity.

    Returns
    -------
    ndarray of float32 or float64

    Examples
    --------
    >>> as_float_array([[1, 2]], "x", ndim=2)
    array([[1., 2.]])
    """
    return to_float_array(as_real_array(x, name, ndim=ndim), name, allow_nan=allow_nan)


_NDIM_NAMES = {2: "2-D (H, W)", 3: "3-D (H, W, C)", 4: "4-D (N, H, W, C)"}


def _ndim_text(allowed: Sequence[int]) -> str:
    names = [_NDIM_NAMES.get(n, f"{n}-D") for n in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
