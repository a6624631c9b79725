"""Kernels by name and kernels typed as text.

:data:`KERNEL_PRESETS` are the classic 3x3 and 5x5 image kernels (identity,
blurs, sharpen, Sobel, Laplacian, emboss), written the way a CNN layer
applies them (cross-correlation).  :func:`parse_kernel` reads a kernel a
student typed, in time linear in the text, with a length cap, and refuses
anything that is not a finite, reasonably sized number with a sentence that
says which entry and why; :func:`kernel_text` writes a kernel back as text
that reads as the same kernel.

>>> kernel_preset("sobel_x")
array([[-1.,  0.,  1.],
       [-2.,  0.,  2.],
       [-1.,  0.,  1.]])
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import KitValueError
from .i18n import gettext_noop as N_
from .i18n import register_option_labels

__all__ = [
    "KERNEL_PRESETS",
    "KERNEL_SIZES",
    "MAX_KERNEL_TEXT",
    "MAX_WEIGHT",
    "common_denominator",
    "kernel_preset",
    "kernel_text",
    "parse_kernel",
]

#: Sides of the kernels the presets and the parser give.
KERNEL_SIZES = (3, 5)
#: The longest kernel text read (characters); longer text is refused before it is parsed.
MAX_KERNEL_TEXT = 2000
#: The largest weight (in absolute value) a typed kernel may hold.
MAX_WEIGHT = 1e6
#: The longest single entry (characters), e.g. ``-0.000123456789/12345``.
_MAX_TOKEN = 40

_BINOMIAL = {3: np.array([1.0, 2.0, 1.0]), 5: np.array([1.0, 4.0, 6.0, 4.0, 1.0])}
_DERIVATIVE = {3: np.array([-1.0, 0.0, 1.0]), 5: np.array([-1.0, -2.0, 0.0, 2.0, 1.0])}


def _identity(k: int) -> NDArray:
    out = np.zeros((k, k))
    out[k // 2, k // 2] = 1.0
    return out


def _sharpen(k: int) -> NDArray:
    if k == 3:
        return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])
    # unsharp masking: 2 * identity - gaussian
    return 2.0 * _identity(5) - np.outer(_BINOMIAL[5], _BINOMIAL[5]) / 256.0


def _laplacian(k: int) -> NDArray:
    if k == 3:
        return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    return np.array(
        [
            [0.0, 0.0, 1.0, 0.0, 0.0],
            [0.0, 1.0, 2.0, 1.0, 0.0],
            [1.0, 2.0, -16.0, 2.0, 1.0],
            [0.0, 1.0, 2.0, 1.0, 0.0],
            [0.0, 0.0, 1.0, 0.0, 0.0],
        ]
    )


def _emboss(k: int) -> NDArray:
    if k == 3:
        return np.array([[-2.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 1.0, 2.0]])
    i, j = np.indices((5, 5))
    return np.clip((i + j - 4).astype(float), -2, 2) + _identity(5)


#: The kernel presets, each a function of the size (3 or 5).  Written the way
#: a CNN layer applies them (cross-correlation): ``sobel_x`` is positive where
#: the image gets brighter to the right.
KERNEL_PRESETS: dict[str, Callable[[int], NDArray]] = {
    "identity": _identity,
    "box blur": lambda k: np.full((k, k), 1.0 / (k * k)),
    "gaussian": lambda k: np.outer(_BINOMIAL[k], _BINOMIAL[k]) / _BINOMIAL[k].sum() ** 2,
    "sharpen": _sharpen,
    "sobel_x": lambda k: np.outer(_BINOMIAL[k], _DERIVATIVE[k]),
    "sobel_y": lambda k: np.outer(_DERIVATIVE[k], _BINOMIAL[k]),
    "laplacian": _laplacian,
    "emboss": _emboss,
}
# What an explorer's menu shows for each preset, and for a kernel typed by hand ("custom").
register_option_labels(
    {
        "identity": N_("identity"),
        "box blur": N_("box blur"),
        "gaussian": N_("gaussian"),
        "sharpen": N_("sharpen"),
        "sobel_x": N_("sobel_x"),
        "sobel_y": N_("sobel_y"),
        "laplacian": N_("laplacian"),
        "emboss": N_("emboss"),
        "custom": N_("custom"),
    }
)


def kernel_preset(name: str, size: int = 3) -> NDArray:
    """One of :data:`KERNEL_PRESETS` as a ``(size, size)`` array.

    Parameters
    ----------
    name : str
        A key of :data:`KERNEL_PRESETS`.
    size : {3, 5}

    Returns
    -------
    (size, size) array

    Examples
    --------
    >>> kernel_preset("sobel_x")
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> float(kernel_preset("gaussian", 5).sum())
    1.0
    """
    if not isinstance(name, str) or name not in KERNEL_PRESETS:
        raise ValueError(f"`kernel` preset must be one of {', '.join(KERNEL_PRESETS)}; got {name!r}")
    if isinstance(size, bool) or size not in KERNEL_SIZES:
        raise ValueError(f"`kernel_size` must be 3 or 5, got {size!r}")
    return KERNEL_PRESETS[name](int(size))


# One entry: digits with an optional point, an optional exponent.  Applied to
# tokens of at most _MAX_TOKEN characters, so its cost is bounded per token.
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?")
_SEPARATORS = re.compile(r"[ \t,]+")
_DECIMAL_COMMA = re.compile(r"[-+−]?\d+,\d+")


def _out_of_range(where: str, text: str, row: int, col: int) -> KitValueError:
    low, high = f"-{MAX_WEIGHT:,.0f}", f"{MAX_WEIGHT:,.0f}"
    return KitValueError(
        f"{where} is {text!r}: every entry must be a finite number between {low} and {high}",
        code="kernel_out_of_range",
        row=row,
        col=col,
        text=text,
        low=low,
        high=high,
    )


def _token(text: str, row: int, col: int) -> float:
    where = f"kernel row {row}, number {col}"
    if len(text) > _MAX_TOKEN:
        raise KitValueError(
            f"{where} is {len(text)} characters long: type a number such as 1, -0.5, 2e-1 or 1/9",
            code="kernel_token_too_long",
            row=row,
            col=col,
            length=len(text),
        )
    word = text.replace("−", "-")
    parts = word.split("/")
    if len(parts) > 2 or not all(_NUMBER.fullmatch(p) for p in parts):
        raise KitValueError(
            f"{where}: {text!r} is not a number (write numbers such as 1, -0.5, 2e-1 or 1/9)",
            code="kernel_not_a_number",
            row=row,
            col=col,
            text=text,
        )
    values = [float(p) for p in parts]
    if not all(math.isfinite(v) and abs(v) <= MAX_WEIGHT for v in values):
        raise _out_of_range(where, text, row, col)
    if len(values) == 2:
        if values[1] == 0:
            raise KitValueError(
                f"{where}: {text!r} divides by zero", code="kernel_divides_by_zero", row=row, col=col, text=text
            )
        value = values[0] / values[1]
    else:
        value = values[0]
    if not (math.isfinite(value) and abs(value) <= MAX_WEIGHT):
        raise _out_of_range(where, text, row, col)
    if value != 0 and abs(value) < 1e-12:
        value = 0.0  # below any visible effect; keeps fractions and products tame
    return value


def parse_kernel(text: str) -> NDArray:
    """Read a kernel typed as text: one row per line, numbers separated by spaces or commas.

    The rule: 3 rows of 3 numbers or 5 rows of 5 numbers; each entry a
    finite number between ``-MAX_WEIGHT`` and ``MAX_WEIGHT`` (fractions such
    as ``1/9`` are fine; ``;`` also ends a row).  The text is read in time
    linear in its length and refused when longer than :data:`MAX_KERNEL_TEXT`.

    Parameters
    ----------
    text : str

    Returns
    -------
    (3, 3) or (5, 5) array

    Raises
    ------
    ValueError
        Naming the rule and what was typed.
    TypeError
        When ``text`` is not a string.

    Examples
    --------
    >>> parse_kernel("0 -1 0\\n-1 5 -1\\n0 -1 0")[1]
    array([-1.,  5., -1.])
    >>> parse_kernel("-2,0 1 0\\n0 0 0\\n0 0 0")
    Traceback (most recent call last):
    ...
    meia_cnn.errors.KitValueError: kernel row 1: '-2,0' has a decimal comma; write decimals with a point, '-2.0'
    >>> parse_kernel("1 2\\n3 4")
    Traceback (most recent call last):
    ...
    meia_cnn.errors.KitValueError: the kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; got 2 rows
    >>> parse_kernel("1e308 0 0; 0 0 0; 0 0 0")
    Traceback (most recent call last):
    ...
    meia_cnn.errors.KitValueError: kernel row 1, number 1 is '1e308': every entry must be a finite number between -1,000,000 and 1,000,000
    """
    if not isinstance(text, str):
        raise TypeError(f"the kernel text must be a string, got {type(text).__name__}")
    if len(text) > MAX_KERNEL_TEXT:
        raise KitValueError(
            f"the kernel text is {len(text):,} characters long: a kernel needs far fewer (at most {MAX_KERNEL_TEXT:,})",
            code="kernel_text_too_long",
            length=len(text),
            most=MAX_KERNEL_TEXT,
        )
    lines = [line for line in text.replace(";", "\n").splitlines() if line.strip()]
    for r, line in enumerate(lines, 1):
        # "-2,0 1 0": a comma inside a number in a row whose numbers are spaced is a decimal comma
        found = _DECIMAL_COMMA.search(line)
        if found and re.search(r"\d\s+[-+−.\d]", line.strip()):
            text, fixed = found.group(0), found.group(0).replace(",", ".")
            raise KitValueError(
                f"kernel row {r}: {text!r} has a decimal comma; write decimals with a point, {fixed!r}",
                code="kernel_decimal_comma",
                row=r,
                text=text,
                fixed=fixed,
            )
    rows = [[t for t in _SEPARATORS.split(line.strip()) if t] for line in lines]
    n = len(rows)
    if n not in KERNEL_SIZES:
        raise KitValueError(
            f"the kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; got {n} row{'s' * (n != 1)}",
            code="kernel_row_count",
            n=n,
        )
    for r, row in enumerate(rows, 1):
        if len(row) != n:
            raise KitValueError(
                f"the kernel must be {n} rows of {n} numbers; row {r} has {len(row)} number{'s' * (len(row) != 1)}",
                code="kernel_row_length",
                size=n,
                row=r,
                n=len(row),
            )
    return np.array([[_token(t, r, c) for c, t in enumerate(row, 1)] for r, row in enumerate(rows, 1)])


def common_denominator(values: ArrayLike, limit: int = 1024) -> int:
    """The smallest ``d <= limit`` that makes every value times ``d`` a whole number below 1000.

    Kernels such as the Gaussian are written as whole numbers times ``1/d``
    (``1/16 x [[1, 2, 1], ...]``), as in textbooks; 1 when there is no such ``d``.

    Parameters
    ----------
    values : array_like
    limit : int
        The largest denominator tried.

    Returns
    -------
    int

    Examples
    --------
    >>> common_denominator(kernel_preset("gaussian", 5)), common_denominator([[0.5, 0.25], [1, 2]])
    (256, 4)
    >>> common_denominator([[0.1234567, 1.0]]), common_denominator([[1e300, 1.0]])
    (1, 1)
    """
    arr = np.asarray(values, dtype=float).ravel()
    if not np.isfinite(arr).all() or (arr.size and np.abs(arr).max() >= 1000):
        return 1
    if np.all(np.abs(arr - np.round(arr)) <= 1e-9 * np.maximum(1.0, np.abs(arr))):
        return 1  # whole numbers already
    den = 1
    for v in arr.tolist():
        q = _denominator(v, int(limit))
        if not q:
            return 1
        den = math.lcm(den, q)
        if den > limit:
            return 1
    if den > 1 and np.abs(arr * den).max() >= 1000:
        return 1
    return den


@functools.lru_cache(maxsize=8192)
def _denominator(value: float, limit: int) -> int:
    """The denominator of ``value`` as a fraction with denominator <= ``limit`` (0: none)."""
    f = Fraction(value).limit_denominator(limit)
    if abs(float(f) - value) > 1e-9 * max(1.0, abs(value)):
        return 0
    return f.denominator


def kernel_text(kernel: ArrayLike) -> str:
    """The text a kernel is typed as: one row per line, exact (it reads back as the same kernel).

    Kernels with a small common denominator are written as fractions.

    Parameters
    ----------
    kernel : (M, N) array

    Returns
    -------
    str

    Examples
    --------
    >>> print(kernel_text(np.array([[1, 0], [0.25, -1]])))
    1 0
    1/4 -1
    >>> print(kernel_text(np.full((3, 3), 1 / 9)))
    1/9 1/9 1/9
    1/9 1/9 1/9
    1/9 1/9 1/9
    >>> print(kernel_text([[0.1234567, 2.0]]))
    0.1234567 2
    """
    arr = np.asarray(kernel, dtype=float)
    den = common_denominator(arr)

    def word(v: float) -> str:
        if den > 1:
            n = int(round(v * den))
            return str(n // den) if n % den == 0 else f"{n}/{den}"
        if abs(v - round(v)) < 1e-12 and abs(v) < 1e15:
            return str(int(round(v)))
        return repr(float(v))  # the shortest text that reads back as the same number

    return "\n".join(" ".join(word(float(v)) for v in row) for row in arr)
