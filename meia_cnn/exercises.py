"""Exercises checked on the spot: definitions, solutions, hints and new numbers.

Every notebook ends with a few exercises.  A student writes an answer in a
cell and calls :func:`check`::

    from meia_cnn.exercises import check
    answer = (60, 60, 10)            # width, height, depth
    check("03.feature_map", answer)

:func:`check` returns a :class:`Feedback` that says *Correct* or gives a hint
aimed at the likely mistake ("width and height are right; the depth equals
the number of kernels").  An answer left as ``...`` (Ellipsis) gets a
*waiting for an answer* note and raises nothing, so a notebook runs top to
bottom before anyone has answered.

Solutions are never typed in here: each exercise *computes* its solution
with the core (:mod:`meia_cnn.arithmetic`, :mod:`meia_cnn.ops`), and the
known mistakes (forgetting the bias, flipping or not flipping the kernel,
"same" instead of "valid"...) are computed the same way, so a hint fires
exactly when the student's number equals what that mistake gives.

**New numbers.**  Every exercise has variants: ``variant=0`` is the one the
notebook prints; ``variant=k`` for any other whole number draws new numbers
from a hash of the exercise id and ``k`` (the same numbers on every machine
and in every process), so neighbours in class can work on different numbers
and a student can practise until right::

    prompt("04.output_size", variant=7)      # the question with its numbers
    check("04.output_size", 4, variant=7)
    solution("04.output_size", variant=7)

A variant is drawn again until its known mistakes give numbers that differ
from the solution and from each other, so every hint still fires.

Answers are read defensively: a number too large for a float, a pasted list
of a million items or a huge string gets a short sentence back, never an
exception or an echo of the input.

This module is pure logic: no widgets, no plotting.  The widgets around it
are :class:`meia_cnn.widgets.ExerciseWidget`,
:class:`meia_cnn.widgets.ShapeTableExercise` and
:class:`meia_cnn.widgets.exercise.SolutionButton`.

Examples
--------
>>> check("04.shape_table", ...)
Waiting for an answer to 04.shape_table: replace ... with your answer and run the cell again.
>>> check("05.pool_params", 0)
Correct! Pooling is weights free: it only takes a max (or a mean) of each window.
>>> fb = check("03.feature_map", (60, 60, 3))
>>> fb.correct
False
>>> print(fb)
Not yet: width and height are right; the depth G_d equals the number of kernels, not the input depth.
>>> check("00.numbers", 10**400).status
'invalid'
"""

from __future__ import annotations

import hashlib
import html
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable, Union

import numpy as np

from . import arithmetic as ar
from . import ops

__all__ = [
    "Exercise",
    "Feedback",
    "EXERCISES",
    "TABLE_ROWS",
    "MAX_ITEMS",
    "MAX_MAGNITUDE",
    "check",
    "get",
    "prompt",
    "solution",
    "solution_text",
    "for_notebook",
]

WAITING = "waiting"
CORRECT = "correct"
WRONG = "wrong"
INVALID = "invalid"

#: The most numbers (and characters of text) an answer may hold before it is refused unread.
MAX_ITEMS = 1000
#: Answers larger than this in magnitude are refused (no exercise's answer comes near it).
MAX_MAGNITUDE = 10**15
#: Variants are whole numbers in ``[0, MAX_VARIANT]``.
MAX_VARIANT = 10**9


# ---------------------------------------------------------------------------
# feedback
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer.

    Parameters
    ----------
    exercise : str
        The exercise id, e.g. ``"04.shape_table"``.
    status : {'correct', 'wrong', 'waiting', 'invalid'}
        ``'invalid'`` means the answer could not be read (wrong type or
        length); ``'waiting'`` means it was left as ``...``.
    message : str
        What the student reads: starts with ``"Correct"`` when right.

    Examples
    --------
    >>> Feedback("05.pool_params", "correct", "Correct!").correct
    True
    """

    exercise: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        """True when the answer is right."""
        return self.status == CORRECT

    def __bool__(self) -> bool:
        return self.correct

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return self.message

    def _repr_html_(self) -> str:
        colour = {CORRECT: "#009E73", WAITING: "#0072B2"}.get(self.status, "#D55E00")
        return (
            f'<div class="meia-feedback" style="border-left:4px solid {colour};'
            f'padding:0.3em 0.6em;font-size:1.1em">{html.escape(self.message).replace(chr(10), "<br>")}</div>'
        )


# ---------------------------------------------------------------------------
# reading answers
# ---------------------------------------------------------------------------
class _Unreadable(Exception):
    """The answer has the wrong type or length (a message for the student)."""


def _short(value: Any) -> str:
    """A short description of ``value`` for a message: never long, never raises."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        number = int(value)
        if abs(number) > MAX_MAGNITUDE:
            return f"a number with {len(str(abs(number))) if number.bit_length() < 10000 else 'thousands of'} digits"
        return repr(number)
    if isinstance(value, (list, tuple, dict, str, bytes, np.ndarray)) and _count(value) > 20:
        kind = type(value).__name__
        return f"a {kind} of {len(value):,} items" if not isinstance(value, (str, bytes)) else \
            f"a text of {len(value):,} characters"
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 - a repr that fails says only its type
        text = f"a {type(value).__name__}"
    return text if len(text) <= 80 else text[:77] + "..."


def _count(value: Any, limit: int = MAX_ITEMS + 1, depth: int = 0) -> int:
    """How many items ``value`` holds, counting nested ones, stopping past ``limit``."""
    if depth > 8:
        return limit
    if isinstance(value, np.ndarray):
        return int(value.size) if value.dtype != object else _count(list(value.ravel()), limit, depth + 1)
    if isinstance(value, (str, bytes)):
        return len(value)
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        if len(value) > limit:
            return len(value)
        total = 0
        for item in value:
            total += max(1, _count(item, limit - total, depth + 1))
            if total > limit:
                return total
        return total
    return 1


def _too_big(answer: Any) -> str | None:
    """A message when the answer is too large to read, else None."""
    n = _count(answer)
    if n > MAX_ITEMS:
        what = "characters" if isinstance(answer, (str, bytes)) else "items"
        return (f"Cannot read the answer: it holds {n:,} {what} or more; an answer here is a "
                f"few numbers (at most {MAX_ITEMS:,}).")
    return None


def _has_ellipsis(value: Any) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, dict):
        return any(_has_ellipsis(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_ellipsis(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(_has_ellipsis(v) for v in value.ravel())
    return False


def _as_number(value: Any, what: str = "the answer") -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise _Unreadable(f"{what} must be a number, got {_short(value)}")
    if isinstance(value, numbers.Integral) and abs(int(value)) > MAX_MAGNITUDE:
        raise _Unreadable(f"{what} is far too large ({_short(value)}); no answer here is above 10^15")
    try:
        number = float(value)
    except (OverflowError, ValueError, TypeError):
        raise _Unreadable(f"{what} is far too large to be read as a number") from None
    if not math.isfinite(number):
        raise _Unreadable(f"{what} must be a finite number, got {_short(value)}")
    if abs(number) > MAX_MAGNITUDE:
        raise _Unreadable(f"{what} is far too large ({number:.3g}); no answer here is above 10^15")
    return number


def _as_int(value: Any, what: str = "the answer") -> int:
    number = _as_number(value, what)
    if number != int(number):
        raise _Unreadable(f"{what} must be a whole number, got {_short(value)}")
    return int(number)


def _as_ints(value: Any, n: int, names: tuple[str, ...]) -> tuple[int, ...]:
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        raise _Unreadable(f"give {n} whole numbers ({', '.join(names)}), got {_short(value)}")
    if len(value) != n:
        shown = _short(tuple(value)) if len(value) <= 20 else f"{len(value):,} numbers"
        raise _Unreadable(f"give {n} numbers ({', '.join(names)}), got {len(value)}: {shown}")
    return tuple(_as_int(v, names[i]) for i, v in enumerate(value))


def _as_array(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise _Unreadable(f"the answer must be an array of numbers, got {_short(value)}") from None
    if arr.shape != shape:
        raise _Unreadable(
            f"the answer must have shape {shape} (rows, columns), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise _Unreadable("the answer has a value that is not a finite number")
    if np.any(np.abs(arr) > MAX_MAGNITUDE):
        raise _Unreadable("the answer has a value that is far too large; no answer here is above 10^15")
    return arr


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a, float), np.asarray(b, float)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-6))
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)
    return bool(a == b)


def _whd(hwd: tuple[int, int, int]) -> tuple[int, int, int]:
    """(H, W, D) from the core to the slides' (width, height, depth)."""
    return (hwd[1], hwd[0], hwd[2])


# ---------------------------------------------------------------------------
# parameters and variants
# ---------------------------------------------------------------------------
class Params(dict):
    """An exercise's numbers, read as attributes (``p.size``).

    Examples
    --------
    >>> Params(size=7).size
    7
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Draw:
    """Reproducible choices from a hash of a key: the same on every machine.

    Parameters
    ----------
    key : str
        E.g. ``"04.output_size/7/0"`` (exercise, variant, attempt).

    Examples
    --------
    >>> Draw("x").integer(1, 6) == Draw("x").integer(1, 6)
    True
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self._n = 0

    def _next(self) -> int:
        digest = hashlib.sha256(f"{self.key}#{self._n}".encode()).digest()
        self._n += 1
        return int.from_bytes(digest[:8], "big")

    def integer(self, low: int, high: int) -> int:
        """A whole number in ``[low, high]``.

        Parameters
        ----------
        low, high : int
            The bounds, both included.

        Returns
        -------
        int
        """
        return low + self._next() % (high - low + 1)

    def choice(self, options: Any) -> Any:
        """One of ``options``.

        Parameters
        ----------
        options : iterable
            The choices (at least one).

        Returns
        -------
        object
            One item of ``options``.
        """
        options = list(options)
        return options[self._next() % len(options)]

    def matrix(self, rows: int, cols: int, low: int, high: int) -> np.ndarray:
        """A ``(rows, cols)`` float array of whole numbers in ``[low, high]``.

        Parameters
        ----------
        rows, cols : int
            The shape.
        low, high : int
            The bounds of every entry, both included.

        Returns
        -------
        (rows, cols) array of float64
        """
        return np.array([[float(self.integer(low, high)) for _ in range(cols)] for _ in range(rows)])


Text = Union[str, Callable[[Params], str]]


def _text(text: Text, p: Params) -> str:
    return text(p) if callable(text) else text


def _variant(variant: Any) -> int:
    if isinstance(variant, (bool, np.bool_)) or not isinstance(variant, numbers.Integral):
        raise TypeError(f"`variant` must be a whole number, got {_short(variant)}")
    if not 0 <= int(variant) <= MAX_VARIANT:
        raise ValueError(f"`variant` must be between 0 and {MAX_VARIANT:,}, got {_short(variant)}")
    return int(variant)


# ---------------------------------------------------------------------------
# the exercise type
# ---------------------------------------------------------------------------
WHD = ("width", "height", "depth")


@dataclass(frozen=True)
class Exercise:
    """One exercise: a question, a solution computed by the core, and hints.

    Every text and function receives the exercise's numbers, a
    :class:`Params`: ``defaults`` for variant 0, ``draw(Draw)`` for the others.

    Parameters
    ----------
    id : str
        ``"NN.name"``, where ``NN`` is the notebook number.
    title : str
        A short title.
    question : str or callable
        ``question(p) -> str``: markdown (with LaTeX) shown above the answer cell.
    kind : {'int', 'number', 'shape', 'array', 'table'}
        How an answer is read: a whole number, a number, a tuple of
        ``len(names)`` whole numbers, an array of the solution's shape, or the
        slides' shape table.
    solve : callable
        ``solve(p) -> solution``, calling the core.
    explain : callable
        ``explain(p, solution) -> str``: the worked solution (markdown).
    fallback : str or callable
        The hint when no specific mistake is recognised.
    defaults : dict
        The numbers of variant 0 (the ones the notebook prints).
    draw : callable, optional
        ``draw(Draw) -> dict``: the numbers of another variant.
    template : str
        The answer cell's first line (``answer = ...``) with a comment on the
        expected form.
    mistakes : tuple of (callable, str or callable)
        ``(wrong(p), hint)`` pairs: when the answer equals ``wrong(p)`` the
        hint is given.
    hint : callable, optional
        ``hint(answer, solution, p) -> str or None`` for structural hints.
    names : tuple of str
        The parts of a 'shape' answer.
    praise : str
        Added to "Correct!".

    Examples
    --------
    >>> ex = get("04.output_size")
    >>> ex.solution() == ex.solution(variant=0)
    True
    >>> ex.params(3) == ex.params(3)
    True
    """

    id: str
    title: str
    question: Text
    kind: str
    solve: Callable[[Params], Any]
    explain: Callable[[Params, Any], str]
    fallback: Text
    defaults: dict = field(default_factory=dict)
    draw: Callable[[Draw], dict] | None = None
    template: str = "answer = ...   # a whole number"
    mistakes: tuple = ()
    hint: Callable[[Any, Any, Params], str | None] | None = None
    names: tuple = WHD
    praise: str = ""

    @property
    def notebook(self) -> str:
        """The two-digit notebook number the exercise belongs to."""
        return self.id.split(".", 1)[0]

    def params(self, variant: int = 0) -> Params:
        """The numbers of one variant (0: the notebook's own).

        Parameters
        ----------
        variant : int
            0 for the notebook's numbers, any other whole number for new ones.

        Returns
        -------
        Params
        """
        variant = _variant(variant)
        if variant == 0 or self.draw is None:
            return Params(self.defaults)
        for attempt in range(200):
            p = Params(self.defaults)
            p.update(self.draw(Draw(f"{self.id}/{variant}/{attempt}")))
            if self._distinct(p):
                return p
        return Params(self.defaults)  # pragma: no cover - every draw is tested

    def _distinct(self, p: Params) -> bool:
        """True when the solution and every known mistake differ from one another."""
        try:
            values = [self.solve(p)] + [wrong(p) for wrong, _ in self.mistakes]
        except ValueError:
            return False
        if self.kind == "table":
            return True
        for i, a in enumerate(values):
            for b in values[i + 1:]:
                if np.shape(a) == np.shape(b) and _same(a, b):
                    return False
        return True

    def prompt(self, variant: int = 0) -> str:
        """The question with the numbers of ``variant`` (markdown).

        Parameters
        ----------
        variant : int
            Which numbers.

        Returns
        -------
        str
        """
        return _text(self.question, self.params(variant))

    def solution(self, variant: int = 0) -> Any:
        """The solution, computed by the core.

        Parameters
        ----------
        variant : int
            Which numbers.

        Returns
        -------
        object
            A number, a tuple, an array or a dict (the table).
        """
        return self.solve(self.params(variant))

    def solution_text(self, variant: int = 0) -> str:
        """The worked solution as markdown (computed numbers, not typed ones).

        Parameters
        ----------
        variant : int
            Which numbers.

        Returns
        -------
        str
        """
        p = self.params(variant)
        return self.explain(p, self.solve(p))

    # -- checking -----------------------------------------------------------
    def read(self, answer: Any, variant: int = 0) -> Any:
        """Normalise an answer to the solution's form (raises ``_Unreadable``).

        Parameters
        ----------
        answer : object
            The student's answer.
        variant : int
            Which numbers.

        Returns
        -------
        object
        """
        if self.kind == "int":
            return _as_int(answer)
        if self.kind == "number":
            return _as_number(answer)
        if self.kind == "shape":
            return _as_ints(answer, len(self.names), self.names)
        if self.kind == "array":
            return _as_array(answer, np.shape(self.solution(variant)))
        raise ValueError(f"unknown exercise kind {self.kind!r}")  # pragma: no cover

    def check(self, answer: Any, variant: int = 0) -> Feedback:
        """Say whether ``answer`` is right, with a hint when it is not.

        Parameters
        ----------
        answer : object
            The student's answer (``...`` when not answered yet).
        variant : int
            Which numbers the question was asked with.

        Returns
        -------
        Feedback
        """
        p = self.params(variant)
        big = _too_big(answer)
        if big is not None:
            return Feedback(self.id, INVALID, big)
        if self.kind == "table":
            return _check_table(self, answer, p)
        if _has_ellipsis(answer):
            return _waiting(self.id)
        try:
            value = self.read(answer, variant)
        except _Unreadable as exc:
            return Feedback(self.id, INVALID, f"Cannot read the answer: {exc}.")
        sol = self.solve(p)
        if _same(value, sol):
            return Feedback(self.id, CORRECT, "Correct!" + (f" {self.praise}" if self.praise else ""))
        for wrong, text in self.mistakes:
            if np.shape(value) == np.shape(wrong(p)) and _same(value, wrong(p)):
                return Feedback(self.id, WRONG, _not_yet(_text(text, p)))
        if self.hint is not None:
            hint = self.hint(value, sol, p)
            if hint:
                return Feedback(self.id, WRONG, _not_yet(hint))
        return Feedback(self.id, WRONG, _not_yet(_text(self.fallback, p)))


def _not_yet(text: str) -> str:
    text = text.strip()
    return "Not yet: " + (text if text[-1] in ".!?" else text + ".")


def _waiting(exercise_id: str) -> Feedback:
    return Feedback(
        exercise_id, WAITING,
        f"Waiting for an answer to {exercise_id}: replace ... with your answer and run the cell again.",
    )


def _shape_hint(depth_rule: Text, size_rule: Text) -> Callable[[Any, Any, Params], str]:
    """A hint function for (width, height, depth) answers."""

    def hint(value: Any, sol: Any, p: Params) -> str:
        depth, size = _text(depth_rule, p), _text(size_rule, p)
        wh_ok = value[:2] == sol[:2]
        d_ok = value[2] == sol[2]
        if wh_ok and not d_ok:
            return f"width and height are right; {depth}"
        if d_ok and not wh_ok:
            if value[0] == sol[0] or value[1] == sol[1]:
                return f"the depth and one side are right; the input is square, so width and height are equal. {size}"
            return f"the depth is right; {size}"
        return f"{size} And {depth}"

    return hint


# ---------------------------------------------------------------------------
# the slides' table (notebook 04)
# ---------------------------------------------------------------------------
#: The rows of the slides' exercise table: (padding, stride).
TABLE_ROWS = (("valid", 1), ("same", 1), ("valid", 2))
TABLE_INPUT = (28, 28, 3)
TABLE_KERNELS = 8
TABLE_KERNEL_SIZE = 3


def _row_key(padding: str, stride: int) -> str:
    return f"{padding}/{stride}"


def _table_solution(p: Params) -> dict:
    return {
        _row_key(pad, s): _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.kernel,
                                                    stride=s, padding=pad))
        for pad, s in TABLE_ROWS
    }


def _table_row_hint(padding: str, stride: int, value: tuple, sol: tuple, p: Params) -> str:
    """A hint for one row of the table, from mistakes the core computes."""
    i_w, k = p.size, p.kernel
    if value[:2] == sol[:2] and value[2] != sol[2]:
        if value[2] == p.depth:
            return ("width and height are right; the depth equals the number of kernels "
                    "(each kernel gives one map), not the input depth")
        return "width and height are right; the depth equals the number of kernels"
    if value[2] != sol[2]:
        return "the depth equals the number of kernels, and width and height come from equation (3)"
    w = value[0]
    if value[0] != value[1]:
        return "the input is square and the kernel too, so width and height are equal"
    if padding == "valid":
        if stride > 1 and w == -(-(i_w - k) // stride) + 1:
            return "round down: ⌊·⌋ in equation (3) is the floor, the last partial step does not count"
        if w == ar.output_size(i_w, k, stride=stride, padding="same"):
            return "that is the size with 'same' padding; 'valid' adds no zeros, so the kernel must fit inside"
        if w == (i_w - k) // stride:
            return "almost: equation (3) adds 1 after the division, G_w = ⌊(I_w − K_w)/s⌋ + 1"
        if stride > 1 and w == ar.output_size(i_w, k, stride=1, padding="valid"):
            return f"that is the size with stride 1; with stride s = {stride} the kernel jumps {stride} pixels"
        return "use equation (3): G_w = ⌊(I_w − K_w)/s⌋ + 1"
    if w == ar.output_size(i_w, k, stride=stride, padding="valid"):
        return "that is the 'valid' size; 'same' adds zeros around the input so that the output keeps its size"
    return "'same' padding adds just enough zeros for the output to keep the input's size (with s = 1)"


def _check_table(ex: Exercise, answer: Any, p: Params) -> Feedback:
    sol = ex.solve(p)
    keys = list(sol)
    if answer is Ellipsis:
        return _waiting(ex.id)
    if isinstance(answer, dict):
        unknown = [k for k in answer if k not in sol]
        if unknown:
            return Feedback(ex.id, INVALID,
                            f"Cannot read the answer: unknown row {_short(unknown[0])}; the rows are {', '.join(keys)}.")
        rows = {k: answer.get(k, Ellipsis) for k in keys}
    elif isinstance(answer, (list, tuple)) and len(answer) == len(keys):
        rows = dict(zip(keys, answer))
    else:
        return Feedback(ex.id, INVALID,
                        "Cannot read the answer: give a dict {'valid/1': (width, height, depth), "
                        "'same/1': (...), 'valid/2': (...)} or three (width, height, depth) rows, "
                        f"got {_short(answer)}.")
    lines, n_ok, n_wait = [], 0, 0
    for (padding, stride), key in zip(TABLE_ROWS, keys):
        label = f"{padding}, stride {stride}"
        value = rows[key]
        if _has_ellipsis(value):
            n_wait += 1
            lines.append(f"{label}: waiting for an answer.")
            continue
        try:
            value = _as_ints(value, 3, WHD)
        except _Unreadable as exc:
            lines.append(f"{label}: cannot read it: {exc}.")
            continue
        if value == sol[key]:
            n_ok += 1
            lines.append(f"{label}: correct.")
        else:
            lines.append(f"{label}: not yet: {_table_row_hint(padding, stride, value, sol[key], p)}.")
    if n_ok == len(keys):
        return Feedback(ex.id, CORRECT,
                        "Correct! All three rows are right: the depth is always the number of kernels.")
    if n_wait == len(keys):
        return _waiting(ex.id)
    head = f"{n_ok} of {len(keys)} rows right."
    status = WAITING if n_ok + n_wait == len(keys) else WRONG
    return Feedback(ex.id, status, head + "\n" + "\n".join(lines))


def _table_draw(d: Draw) -> dict:
    kernel = d.choice((3, 5))
    size = d.integer(16, 40)
    if (size - kernel) % 2 == 0:  # an odd I - K: the floor of equation (3) matters on the stride-2 row
        size += 1
    depth = d.choice((1, 3))
    filters = d.choice([f for f in range(4, 33) if f != depth])
    return {"size": size, "depth": depth, "filters": filters, "kernel": kernel}


def _table_explain(p: Params, s: dict) -> str:
    rows = "\n".join(
        f"| {pad} | {st} | {s[_row_key(pad, st)][0]} | {s[_row_key(pad, st)][1]} | {s[_row_key(pad, st)][2]} |"
        for pad, st in TABLE_ROWS)
    v1, v2 = s["valid/1"][0], s["valid/2"][0]
    return (
        "| Padding | Stride | Width | Height | Depth |\n|---|---|---|---|---|\n" + rows +
        f"\n\nvalid/1: $\\lfloor ({p.size} - {p.kernel})/1 \\rfloor + 1 = {v1}$; same/1 keeps {p.size}; "
        f"valid/2: $\\lfloor ({p.size} - {p.kernel})/2 \\rfloor + 1 = {v2}$. "
        f"The depth is always {p.filters}, the number of kernels."
    )


# ---------------------------------------------------------------------------
# fixed data of some exercises (the questions, not the answers)
# ---------------------------------------------------------------------------
PATCH_02 = np.array([[1.0, 2.0, 0.0],
                     [0.0, 1.0, 3.0],
                     [2.0, 0.0, 1.0]])
KERNEL_02 = np.array([[1.0, 0.0, -1.0],
                      [2.0, 0.0, -2.0],
                      [1.0, 0.0, -1.0]])  # Sobel, as the slides' equation (1) is applied
IMAGE_02 = np.array([[0.0, 0.0, 1.0, 1.0],
                     [0.0, 0.0, 1.0, 1.0],
                     [0.0, 1.0, 1.0, 1.0],
                     [0.0, 1.0, 1.0, 1.0]])
KERNEL_02_FLIP = np.array([[1.0, 2.0, 0.0],
                           [0.0, 1.0, 0.0],
                           [-1.0, 0.0, 3.0]])
POOL_05 = np.array([[1.0, 3.0, 6.0, 0.0],
                    [4.0, 2.0, 1.0, 1.0],
                    [0.0, 1.0, 5.0, 2.0],
                    [2.0, 2.0, 3.0, 4.0]])
PATCH_09 = np.array([[2.0, 0.0, 1.0],
                     [1.0, 3.0, 0.0],
                     [0.0, 2.0, 1.0]])
KERNEL_09 = np.array([[1.0, 2.0, 1.0],
                      [0.0, 0.0, 0.0],
                      [-1.0, -2.0, -1.0]])  # Sobel, horizontal edges

INPUT_03 = (64, 64, 3)

# The CNN of notebook 07: 8x8x1 digits,
# Conv(8, 3, same) -> ReLU -> MaxPool 2 -> Conv(16, 3, same) -> ReLU -> MaxPool 2 -> Flatten -> Dense(10)
REF_INPUT = (8, 8, 1)
REF_CONVS = ((8, 3), (16, 3))
REF_CLASSES = 10


def _cnn_shapes(size: int, convs: tuple) -> list:
    """Shapes (H, W, D) after each conv (same) and 2x2 pool of notebook 07's CNN shape."""
    shape, out = (size, size, 1), []
    for filters, k in convs:
        shape = ar.feature_map_shape(shape, filters, k, padding="same")
        out.append(("conv", shape))
        side = ar.pool_output_size(shape[0], 2)
        shape = (side, side, shape[2])
        out.append(("pool", shape))
    return out


def _ref_shapes() -> list:
    """Shapes (H, W, D) after each conv and pool of notebook 07's CNN."""
    return _cnn_shapes(REF_INPUT[0], REF_CONVS)


def _cnn_flat(size: int, convs: tuple) -> int:
    h, w, d = _cnn_shapes(size, convs)[-1][1]
    return h * w * d


def _cnn_params(size: int, convs: tuple, classes: int, *, bias: bool = True, depth_one: bool = False) -> int:
    total, c = 0, 1
    for filters, k in convs:
        total += ar.conv_params(1 if depth_one else c, filters, k, bias=bias)
        c = filters
    return total + ar.dense_params(_cnn_flat(size, convs), classes, bias=bias)


def _ref_flat() -> int:
    return _cnn_flat(REF_INPUT[0], REF_CONVS)


def _ref_params(bias: bool = True) -> int:
    return _cnn_params(REF_INPUT[0], REF_CONVS, REF_CLASSES, bias=bias)


def _chain(shape: tuple, layers: list) -> tuple:
    """Shape (H, W, D) after ("conv", filters, kernel) and ("pool", size) layers (valid)."""
    for layer in layers:
        if layer[0] == "conv":
            shape = ar.feature_map_shape(shape, layer[1], layer[2])
        else:
            shape = (ar.pool_output_size(shape[0], layer[1]), ar.pool_output_size(shape[1], layer[1]), shape[2])
    return shape


def _shift_peak_distance(shift: int = 5) -> int:
    """How far the peak of a feature map moves when the object moves ``shift`` pixels.

    A small cross is drawn in a 24x24 picture, then moved right by ``shift``;
    the response of the cross itself as kernel (conv2d, 'same') peaks on the
    object each time.
    """
    cross = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])
    peaks = []
    for dx in (0, shift):
        picture = np.zeros((24, 24))
        picture[5:8, 4 + dx:7 + dx] = cross
        response = ops.conv2d(picture, cross, padding="same")
        peaks.append(np.unravel_index(np.argmax(response), response.shape))
    return int(peaks[1][1] - peaks[0][1])


def _flipped_by_core(kernel: np.ndarray) -> np.ndarray:
    """``kernel`` rotated by 180 degrees, as the core draws it.

    Cross-correlating a single dot with a kernel writes the kernel rotated by
    180 degrees around the dot: what a convolution does with it.
    """
    kh, kw = kernel.shape
    dot = np.zeros((kh, kw))
    dot[kh // 2, kw // 2] = 1.0
    return ops.conv2d(dot, kernel, padding="same")


def _fmt(x: Any) -> str:
    return f"{x:,}"


def _matrix_tex(a: Any) -> str:
    rows = " \\\\ ".join(" & ".join(f"{v:g}" for v in row) for row in np.asarray(a))
    return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"


def _square(d: Draw, low: int, high: int) -> int:
    return d.integer(low, high)


# ---------------------------------------------------------------------------
# the exercises
# ---------------------------------------------------------------------------
_ex = Exercise

_LIST = [
    # -- 00 index: a warm-up to try the checker ---------------------------------
    _ex(
        id="00.numbers", title="Warm-up: how many numbers is an image?",
        defaults={"w": 28, "h": 28},
        draw=lambda d: {"w": d.integer(10, 64), "h": d.integer(10, 64)},
        question=lambda p: (f"A colour image of ${p.w} \\times {p.h}$ pixels has three channels (red, green, blue): "
                            f"its size is $l_w \\times l_h \\times l_d = {p.w} \\times {p.h} \\times 3$. "
                            "How many numbers describe it?"),
        kind="int", solve=lambda p: int(np.zeros((p.h, p.w, 3)).size),
        mistakes=((lambda p: p.w * p.h, "that is one channel; a colour image has three"),
                  (lambda p: p.w + p.h + 3, "multiply the three sizes, do not add them")),
        fallback="multiply width, height and depth",
        explain=lambda p, s: f"${p.w} \\times {p.h} \\times 3 = {_fmt(s)}$ numbers, one per pixel and channel.",
    ),
    _ex(
        id="00.kernel_numbers", title="Warm-up: how many numbers is a kernel?",
        defaults={"k": 3},
        draw=lambda d: {"k": d.choice((3, 5, 7, 9, 11))},
        question=lambda p: (f"A CNN looks at that colour image with a kernel of ${p.k} \\times {p.k}$ pixels. "
                            "The kernel reads all three channels at once. How many weights does it hold?"),
        kind="int", solve=lambda p: ar.conv_params(3, 1, p.k, bias=False),
        mistakes=((lambda p: ar.conv_params(1, 1, p.k, bias=False),
                   "that is one channel; the kernel has the image's depth, K_d = I_d = 3 (notebook 03)"),),
        fallback="K_w · K_h · K_d, with K_d equal to the image's depth",
        explain=lambda p, s: f"${p.k} \\times {p.k} \\times 3 = {s}$ weights: equation (2), $K_d = I_d$ (notebook 03).",
    ),
    # -- 01 position invariance ----------------------------------------------
    _ex(
        id="01.conv_params", title="Parameters of a convolution layer",
        defaults={"size": 32, "k": 5, "filters": 12},
        draw=lambda d: {"size": d.choice((28, 32, 64, 96)), "k": d.choice((3, 5, 7)), "filters": d.integer(4, 64)},
        question=lambda p: (f"A convolution layer reads a ${p.size} \\times {p.size} \\times 3$ image with {p.filters} "
                            f"kernels of ${p.k} \\times {p.k}$ (each kernel has depth 3, one bias per kernel). "
                            "How many trainable parameters does it have?"),
        kind="int", solve=lambda p: ar.conv_params(3, p.filters, p.k),
        mistakes=(
            (lambda p: ar.conv_params(3, p.filters, p.k, bias=False), "you counted the weights; each kernel also has one bias"),
            (lambda p: ar.conv_params(1, p.filters, p.k), "each kernel has the input's depth, K_d = I_d = 3 (equation (2))"),
            (lambda p: ar.conv_params(3, 1, p.k), lambda p: f"that is one kernel; the layer has {p.filters}"),
            (lambda p: ar.conv_params(3, 1, p.k, bias=False),
             lambda p: f"that is one kernel without bias; the layer has {p.filters} kernels, each with a bias"),
        ),
        fallback="count (K_w · K_h · K_d + 1) per kernel, times the number of kernels F",
        explain=lambda p, s: (f"$(K_w K_h K_d + 1) \\cdot F$: each kernel has ${p.k} \\times {p.k} \\times 3 = {3 * p.k * p.k}$ "
                              f"weights and 1 bias; {p.filters} kernels: ${p.filters} \\times {3 * p.k * p.k + 1} = {_fmt(s)}$ "
                              "parameters, whatever the image size."),
        praise="The count does not depend on the image size: the same kernels slide over every position.",
    ),
    _ex(
        id="01.dense_params", title="The same output from a dense layer",
        defaults={"size": 32, "k": 5, "filters": 12},
        draw=lambda d: {"size": d.choice((16, 28, 32)), "k": d.choice((3, 5)), "filters": d.integer(4, 32)},
        question=lambda p: (f"A fully connected layer maps a ${p.size} \\times {p.size} \\times 3$ input to an output "
                            f"of the size a convolution with {p.filters} kernels of ${p.k} \\times {p.k}$ (valid) gives, "
                            f"${p.size - p.k + 1} \\times {p.size - p.k + 1} \\times {p.filters}$ (one weight per "
                            "input-output pair, one bias per output). How many parameters?"),
        kind="int", solve=lambda p: ar.dense_params(p.size * p.size * 3, (p.size - p.k + 1) ** 2 * p.filters),
        mistakes=(
            (lambda p: ar.dense_params(p.size * p.size * 3, (p.size - p.k + 1) ** 2 * p.filters, bias=False),
             "you counted the weights; add one bias per output"),
            (lambda p: ar.dense_params(p.size * p.size, (p.size - p.k + 1) ** 2),
             "the input has 3 channels and the output one per kernel: n_in = W·H·3, n_out = G_w·G_h·G_d"),
            (lambda p: ar.dense_params(p.size * p.size * 3, p.size * p.size * p.filters),
             "the output is the valid convolution's size, I − K + 1 wide, not the input's"),
        ),
        fallback="n_in · n_out + n_out with n_in = W·H·3 and n_out = G_w·G_h·G_d",
        explain=lambda p, s: (f"$n_{{in}} = {_fmt(p.size * p.size * 3)}$, $n_{{out}} = {_fmt((p.size - p.k + 1) ** 2 * p.filters)}$: "
                              f"$n_{{in}} n_{{out}} + n_{{out}} = {_fmt(s)}$, about "
                              f"{s / ar.conv_params(3, p.filters, p.k):,.0f} times the convolution's "
                              f"{_fmt(ar.conv_params(3, p.filters, p.k))}."),
        praise="Sharing one small kernel across space is what makes a CNN affordable.",
    ),
    _ex(
        id="01.shift", title="Moving the object moves the response",
        defaults={"shift": 5},
        draw=lambda d: {"shift": d.integer(2, 12)},
        question=lambda p: ("A picture holds a small cross; we slide the cross itself over it as a kernel and "
                            f"note where the response peaks. The cross then moves {p.shift} pixels to the right. "
                            "By how many pixels does the peak of the response move?"),
        kind="int", solve=lambda p: _shift_peak_distance(p.shift),
        mistakes=((lambda p: 0, "the peak follows the object: the same kernel is applied at every position"),),
        fallback="the kernel is the same everywhere, so its strongest response moves exactly with the object",
        explain=lambda p, s: (f"The peak moves by {s} pixels: convolution is *equivariant* to shifts; "
                              "the feature is found wherever it is, with the same peak value."),
    ),
    # -- 02 convolution ------------------------------------------------------
    _ex(
        id="02.one_value", title="One value of equation (1)",
        defaults={"patch": PATCH_02, "kernel": KERNEL_02},
        draw=lambda d: {"patch": d.matrix(3, 3, 0, 4), "kernel": d.matrix(3, 3, -2, 2)},
        question=lambda p: ("With $I = " + _matrix_tex(p.patch) + "$ and $K = " + _matrix_tex(p.kernel) +
                            "$ (both indexed $-1, 0, 1$ from the centre), compute $G[0, 0]$ with equation (1)."),
        kind="number", solve=lambda p: float(ops.convolve2d(p.patch, p.kernel)[0, 0]),
        template="answer = ...   # a number",
        mistakes=((lambda p: float(ops.conv2d(p.patch, p.kernel)[0, 0]),
                   "that is the cross-correlation (no flip); in equation (1) I[i − u, j − v] "
                   "pairs K[u, v] with the opposite pixel, i.e. the kernel is flipped"),),
        fallback="flip the kernel (rows and columns), multiply element-wise with I and add the nine products",
        explain=lambda p, s: ("Flipping $K$ (rows and columns) gives $" + _matrix_tex(p.kernel[::-1, ::-1]) +
                              f"$; multiplied element-wise with $I$, the nine products add up to $G[0,0] = {s:g}$."),
    ),
    _ex(
        id="02.output_map", title="A whole (valid) output map",
        defaults={"image": IMAGE_02, "kernel": KERNEL_02},
        draw=lambda d: {"image": d.matrix(4, 4, 0, 3), "kernel": d.matrix(3, 3, -2, 2)},
        question=lambda p: ("Convolve (equation (1), valid) the $4 \\times 4$ image $I = " + _matrix_tex(p.image) +
                            "$ with $K = " + _matrix_tex(p.kernel) + "$. Give the output as a list of rows."),
        kind="array", solve=lambda p: ops.convolve2d(p.image, p.kernel),
        template="answer = ...   # e.g. [[a, b], [c, d]]",
        mistakes=((lambda p: ops.conv2d(p.image, p.kernel),
                   "that is the cross-correlation; flip the kernel first (equation (1))"),),
        fallback="a valid 4 × 4 ∗ 3 × 3 output is 2 × 2: one value per position where the whole kernel fits",
        explain=lambda p, s: (f"$G = {_matrix_tex(s)}$: one value per position where the whole (flipped) "
                              "kernel fits inside the image."),
    ),
    _ex(
        id="02.flip", title="Convolution is cross-correlation with a flipped kernel",
        defaults={"kernel": KERNEL_02_FLIP},
        draw=lambda d: {"kernel": d.matrix(3, 3, -2, 3)},
        question=lambda p: ("CNN layers compute cross-correlation. Which kernel $K'$ makes cross-correlation "
                            "with $K'$ give exactly the convolution with $K = " + _matrix_tex(p.kernel) +
                            "$? Give it as a list of rows."),
        kind="array", solve=lambda p: _flipped_by_core(p.kernel),
        template="answer = ...   # a 3x3 list of rows",
        mistakes=((lambda p: p.kernel, "that is K itself; cross-correlation with K is not convolution with K"),
                  (lambda p: p.kernel[::-1, :], "you flipped the rows only; flip the columns too"),
                  (lambda p: p.kernel[:, ::-1], "you flipped the columns only; flip the rows too"),
                  (lambda p: p.kernel.T, "a transpose is not a flip: rotate the kernel by 180°")),
        fallback="rotate K by 180° (flip rows and columns)",
        explain=lambda p, s: (f"$K' = {_matrix_tex(s)}$, $K$ rotated by 180°. A CNN learns its kernels, "
                              "so whether they are flipped does not matter to it."),
    ),
    # -- 03 volumes ----------------------------------------------------------
    _ex(
        id="03.kernel_shape", title="The kernel's depth",
        defaults={"size": 64, "depth": 3, "k": 5},
        draw=lambda d: {"size": d.choice((32, 48, 64, 128)), "depth": d.choice((3, 4, 8, 16, 32)),
                        "k": d.choice((3, 5, 7, 9, 11))},
        question=lambda p: ((f"An RGB image is ${p.size} \\times {p.size} \\times 3$." if p.depth == 3 else
                             f"A feature map is ${p.size} \\times {p.size} \\times {p.depth}$.") +
                            f" A layer uses kernels of ${p.k} \\times {p.k}$. "
                            "What is the shape $K_w \\times K_h \\times K_d$ of each kernel?"),
        kind="shape", solve=lambda p: (p.k, p.k, p.depth),
        template="answer = ...   # (K_w, K_h, K_d)",
        names=("K_w", "K_h", "K_d"),
        mistakes=((lambda p: (p.k, p.k, 1), "the kernel reads every channel at once: K_d = I_d (equation (2))"),),
        fallback="width and height are the kernel size; the depth equals the input's depth (equation (2))",
        explain=lambda p, s: f"$K = {s[0]} \\times {s[1]} \\times {s[2]}$: equation (2), $K_d = I_d$.",
    ),
    _ex(
        id="03.feature_map", title="The feature map of several kernels",
        defaults={"size": 64, "depth": 3, "filters": 10, "k": 5},
        draw=lambda d: {"size": d.integer(20, 128), "depth": d.choice((1, 3, 4)),
                        "filters": d.integer(5, 64), "k": d.choice((3, 5, 7))},
        question=lambda p: (f"The ${p.size} \\times {p.size} \\times {p.depth}$ image goes through {p.filters} kernels "
                            f"of ${p.k} \\times {p.k} \\times {p.depth}$ (valid, stride 1). "
                            "What is the feature map's $G_w \\times G_h \\times G_d$?"),
        kind="shape", solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k)),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.depth, p.k)),
                   "width and height are right; the depth G_d equals the number of kernels, not the input depth"),
                  (lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, padding="same")),
                   "the depth is right; without padding the output shrinks: the width loses K − 1 positions "
                   "in total, (K − 1)/2 on each side")),
        hint=_shape_hint("the depth G_d equals the number of kernels",
                         "a valid convolution's output is I − K + 1 wide."),
        fallback="G_w = I_w − K_w + 1 and G_d = number of kernels",
        explain=lambda p, s: (f"$G_w = G_h = {p.size} - {p.k} + 1 = {s[0]}$, $G_d = {p.filters}$ (one map per kernel): "
                              f"${s[0]} \\times {s[1]} \\times {s[2]}$."),
    ),
    _ex(
        id="03.layer_params", title="Parameters of that layer",
        defaults={"depth": 3, "filters": 10, "k": 5},
        draw=lambda d: {"depth": d.choice((3, 8, 16, 32, 64)), "filters": d.integer(4, 64), "k": d.choice((3, 5, 7))},
        question=lambda p: (f"How many trainable parameters (weights and biases) do {p.filters} kernels of "
                            f"${p.k} \\times {p.k} \\times {p.depth}$ have?"),
        kind="int", solve=lambda p: ar.conv_params(p.depth, p.filters, p.k),
        mistakes=((lambda p: ar.conv_params(p.depth, p.filters, p.k, bias=False), "add one bias per kernel"),
                  (lambda p: ar.conv_params(1, p.filters, p.k), lambda p: f"each kernel is {p.k} × {p.k} × {p.depth}: K_d = I_d"),
                  (lambda p: ar.conv_params(1, p.filters, p.k, bias=False),
                   lambda p: f"each kernel is {p.k} × {p.k} × {p.depth} (K_d = I_d) and has a bias")),
        fallback="(K_w · K_h · K_d + 1) per kernel, times the number of kernels F",
        explain=lambda p, s: f"$(K_w K_h K_d + 1) \\cdot F = ({p.k} \\cdot {p.k} \\cdot {p.depth} + 1) \\times {p.filters} = {_fmt(s)}$.",
    ),
    # -- 04 stride and padding ----------------------------------------------
    _ex(
        id="04.shape_table", title="The slides' exercise table",
        defaults={"size": TABLE_INPUT[0], "depth": TABLE_INPUT[2], "filters": TABLE_KERNELS, "kernel": TABLE_KERNEL_SIZE},
        draw=lambda d: _table_draw(d),
        question=lambda p: (f"Given an input of ${p.size} \\times {p.size} \\times {p.depth}$ and {p.filters} kernels of "
                            f"${p.kernel} \\times {p.kernel}$, calculate the width, height and depth of the feature "
                            "maps for: valid padding with stride 1, same padding with stride 1, valid padding with "
                            "stride 2."),
        kind="table", solve=_table_solution,
        template=("answer = {\n    \"valid/1\": (..., ..., ...),   # (width, height, depth)\n"
                  "    \"same/1\": (..., ..., ...),\n    \"valid/2\": (..., ..., ...),\n}"),
        fallback="use equation (3) for width and height; the depth is the number of kernels",
        explain=_table_explain,
    ),
    _ex(
        id="04.output_size", title="Equation (3) with a stride",
        defaults={"size": 15, "k": 3, "stride": 2},
        draw=lambda d: {"size": d.integer(8, 40), "k": d.choice((3, 5, 7)), "stride": d.choice((2, 3))},
        question=lambda p: (f"A ${p.size} \\times {p.size}$ input, a ${p.k} \\times {p.k}$ kernel, stride $s = {p.stride}$, "
                            "valid padding. What is $G_w$?"),
        kind="int", solve=lambda p: ar.output_size(p.size, p.k, stride=p.stride),
        mistakes=((lambda p: ar.output_size(p.size, p.k, stride=1),
                   lambda p: f"that is stride 1; with s = {p.stride} divide by {p.stride} in equation (3)"),
                  (lambda p: (p.size - p.k) // p.stride, "almost: equation (3) adds 1 after the division"),
                  (lambda p: ar.output_size(p.size, p.k, stride=p.stride, padding="same"),
                   "that is with 'same' padding; valid adds no zeros")),
        fallback="G_w = ⌊(I_w − K_w)/s⌋ + 1",
        explain=lambda p, s: f"$G_w = \\lfloor ({p.size} - {p.k})/{p.stride} \\rfloor + 1 = {s}$.",
    ),
    _ex(
        id="04.same_zeros", title="How many zeros does 'same' add?",
        defaults={"k": 5},
        draw=lambda d: {"k": d.choice((3, 5, 7, 9, 11))},
        question=lambda p: (f"With a ${p.k} \\times {p.k}$ kernel and stride 1, 'same' padding adds zeros so that the "
                            "output keeps the input's width. How many columns of zeros in total (left + right)?"),
        kind="int", solve=lambda p: sum(ar.padding_amounts(20, p.k, padding="same")[1]),
        mistakes=((lambda p: ar.padding_amounts(20, p.k, padding="same")[1][0], "that is one side; count both sides"),
                  (lambda p: p.k, "the output keeps the width when the padded input is K − 1 wider")),
        fallback="for s = 1 the total padding is K_w − 1",
        explain=lambda p, s: f"$p_{{total}} = K_w - 1 = {s}$: {s // 2} on each side (Dumoulin and Visin's $p$ is one side).",
    ),
    # -- 05 pooling ----------------------------------------------------------
    _ex(
        id="05.pool_shape", title="Pooling a feature map",
        defaults={"size": 30, "depth": 16, "window": 2},
        draw=lambda d: {"size": d.integer(10, 64), "depth": d.integer(3, 64), "window": d.choice((2, 3))},
        question=lambda p: (f"A ${p.size} \\times {p.size} \\times {p.depth}$ feature map goes through "
                            f"${p.window} \\times {p.window}$ max pooling with stride {p.window}. "
                            "What is the output's width, height and depth?"),
        kind="shape", solve=lambda p: (ar.pool_output_size(p.size, p.window),) * 2 + (p.depth,),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda p: (ar.pool_output_size(p.size, p.window),) * 2 + (1,),
                   "width and height are right; pooling works on each channel separately, so the depth is kept"),
                  (lambda p: (ar.pool_output_size(p.size, p.window, stride=1),) * 2 + (p.depth,),
                   lambda p: f"that is stride 1; with stride {p.window} the windows do not overlap"),),
        hint=_shape_hint("pooling keeps the depth (one pooled map per channel)",
                         "use equation (4): O_w = ⌊(I_w − W_w)/s⌋ + 1."),
        fallback="equation (4) for width and height; the depth does not change",
        explain=lambda p, s: (f"$O_w = \\lfloor ({p.size} - {p.window})/{p.window} \\rfloor + 1 = {s[0]}$; "
                              f"depth kept: ${s[0]} \\times {s[1]} \\times {s[2]}$."),
    ),
    _ex(
        id="05.max_values", title="Max pooling by hand",
        defaults={"x": POOL_05},
        draw=lambda d: {"x": d.matrix(4, 4, 0, 9)},
        question=lambda p: ("Apply $2 \\times 2$ max pooling with stride 2 to $X = " + _matrix_tex(p.x) +
                            "$. Give the output as a list of rows."),
        kind="array", solve=lambda p: ops.max_pool2d(p.x, 2),
        template="answer = ...   # e.g. [[a, b], [c, d]]",
        mistakes=((lambda p: ops.avg_pool2d(p.x, 2), "that is average pooling; take the largest value of each window"),
                  (lambda p: ops.max_pool2d(p.x, 2).T, "rows and columns are swapped"),),
        fallback="split X into four 2 × 2 windows and keep the largest value of each",
        explain=lambda p, s: f"${_matrix_tex(s)}$: the largest value of each $2 \\times 2$ window.",
    ),
    _ex(
        id="05.pool_params", title="Weights of a pooling layer",
        defaults={"window": 2},
        draw=lambda d: {"window": d.choice((2, 3, 4, 5))},
        question=lambda p: f"How many trainable parameters does a ${p.window} \\times {p.window}$ max pooling layer have?",
        kind="int", solve=lambda p: ar.pool_params(p.window),
        mistakes=((lambda p: p.window * p.window, "a pooling window has no weights: it takes a max (or a mean)"),),
        fallback="pooling is 'weights free', as the slides say",
        explain=lambda p, s: f"{s}: pooling has no weights to learn.",
        praise="Pooling is weights free: it only takes a max (or a mean) of each window.",
    ),
    # -- 06 1x1 and inception ------------------------------------------------
    _ex(
        id="06.one_by_one_params", title="A 1×1 reduction",
        defaults={"size": 28, "depth": 192, "filters": 16},
        draw=lambda d: {"size": d.choice((7, 14, 28, 56)), "depth": d.choice((64, 128, 192, 256, 480, 512)),
                        "filters": d.choice((16, 24, 32, 48, 64))},
        question=lambda p: (f"A $1 \\times 1$ convolution reduces a ${p.size} \\times {p.size} \\times {p.depth}$ volume to "
                            f"{p.filters} channels. How many parameters (weights and biases)?"),
        kind="int", solve=lambda p: ar.conv1x1_params(p.depth, p.filters),
        mistakes=((lambda p: ar.conv1x1_params(p.depth, p.filters, bias=False), "add one bias per filter"),
                  (lambda p: ar.conv1x1_params(1, p.filters),
                   lambda p: f"a 1×1 kernel still has the input's depth: 1 × 1 × {p.depth}"),),
        fallback=lambda p: f"each 1 × 1 kernel has {p.depth} weights (one per channel) and a bias",
        explain=lambda p, s: f"$(1 \\cdot 1 \\cdot {p.depth} + 1) \\times {p.filters} = {_fmt(s)}$.",
    ),
    _ex(
        id="06.inception_depth", title="Depth of an inception module",
        defaults={"name": "GoogLeNet's inception (3b)", "depth": 256, "b": (128, 128, 192, 32, 96, 64)},
        draw=lambda d: {"name": "An inception module", "depth": d.choice((192, 256, 480, 512)),
                        "b": tuple(16 * d.integer(1, 12) for _ in range(6))},
        question=lambda p: (f"{p.name} reads $28 \\times 28 \\times {p.depth}$ with branches of {p.b[0]} "
                            f"($1\\times1$), {p.b[2]} ($3\\times3$ after a reduction to {p.b[1]}), {p.b[4]} ($5\\times5$ "
                            f"after a reduction to {p.b[3]}) and a pool projection of {p.b[5]}. What is the output depth?"),
        kind="int", solve=lambda p: ar.inception_cost((28, 28, p.depth), *p.b)["output_shape"][2],
        mistakes=((lambda p: sum(p.b),
                   lambda p: f"the reductions ({p.b[1]}, {p.b[3]}) feed the 3×3 and 5×5; only the last layer of each branch is concatenated"),
                  (lambda p: ar.inception_cost((28, 28, p.depth), *p.b, reduce=False)["output_shape"][2],
                   lambda p: f"with the pool projection the pooling branch has {p.b[5]} channels, not {p.depth}"),),
        fallback="add the depths of the four branches' outputs",
        explain=lambda p, s: f"${p.b[0]} + {p.b[2]} + {p.b[4]} + {p.b[5]} = {s}$.",
    ),
    _ex(
        id="06.saving", title="What the reduction saves",
        defaults={"size": 28, "depth": 192, "filters": 32, "k": 5, "reduce": 16},
        draw=lambda d: {"size": d.choice((14, 28)), "depth": d.choice((192, 256, 480)),
                        "filters": d.choice((32, 48, 64, 96)), "k": d.choice((3, 5)), "reduce": d.choice((16, 24, 32))},
        question=lambda p: (f"How many multiply-adds does a ${p.k} \\times {p.k}$ branch need *without* a $1 \\times 1$ "
                            f"reduction: {p.filters} kernels ${p.k} \\times {p.k} \\times {p.depth}$, same padding, on "
                            f"${p.size} \\times {p.size} \\times {p.depth}$?"),
        kind="int", solve=lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k, padding="same"),
        mistakes=((lambda p: ar.conv_macs((p.size, p.size, p.reduce), p.filters, p.k, padding="same")
                   + ar.conv1x1_macs((p.size, p.size, p.depth), p.reduce),
                   lambda p: f"that is with a reduction; without it the kernels read all {p.depth} channels"),
                  (lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k),
                   lambda p: f"with same padding the output stays {p.size} × {p.size}")),
        fallback=lambda p: f"H′ · W′ · F · K_h · K_w · C = {p.size} · {p.size} · {p.filters} · {p.k} · {p.k} · {p.depth}",
        explain=lambda p, s: (f"$H' W' F K_h K_w C = {p.size} \\cdot {p.size} \\cdot {p.filters} \\cdot {p.k} \\cdot {p.k} "
                              f"\\cdot {p.depth} = {_fmt(s)}$; with a 1×1 reduction to {p.reduce} it is "
                              f"{_fmt(ar.conv1x1_macs((p.size, p.size, p.depth), p.reduce) + ar.conv_macs((p.size, p.size, p.reduce), p.filters, p.k, padding='same'))}."),
    ),
    # -- 07 classification ---------------------------------------------------
    _ex(
        id="07.flatten", title="What the classifier sees",
        defaults={"size": 16, "f1": 8, "f2": 16},
        draw=lambda d: {"size": d.choice((12, 16, 20, 24, 28, 32)), "f1": d.choice((4, 6, 8, 12)),
                        "f2": d.choice((10, 16, 24, 32))},
        question=lambda p: (f"The notebook's CNN, fed larger digits of ${p.size} \\times {p.size} \\times 1$: conv {p.f1} "
                            f"kernels $3\\times3$ (same) → max pool 2 → conv {p.f2} kernels $3\\times3$ (same) → max pool 2 "
                            "→ flatten. How many numbers go into the dense classification layer?"),
        kind="int", solve=lambda p: _cnn_flat(p.size, ((p.f1, 3), (p.f2, 3))),
        mistakes=((lambda p: p.size * p.size * p.f2, "each 2 × 2 max pooling halves width and height"),
                  (lambda p: (p.size // 2) ** 2 * p.f2, lambda p: f"there are two poolings: {p.size} → {p.size // 2} → {p.size // 4}"),
                  (lambda p: (p.size // 4) ** 2 * p.f1,
                   lambda p: f"the depth after the second convolution is its number of kernels, {p.f2}")),
        fallback="follow the shapes: same padding keeps the size, pooling halves it, depth = kernels",
        explain=lambda p, s: (f"${p.size}\\times{p.size}\\times1 \\to {p.size}\\times{p.size}\\times{p.f1} \\to "
                              f"{p.size // 2}\\times{p.size // 2}\\times{p.f1} \\to {p.size // 2}\\times{p.size // 2}\\times{p.f2} "
                              f"\\to {p.size // 4}\\times{p.size // 4}\\times{p.f2}$: ${_fmt(s)}$ numbers."),
    ),
    _ex(
        id="07.model_params", title="Parameters of the whole CNN",
        defaults={"size": 16, "f1": 8, "f2": 16},
        draw=lambda d: {"size": d.choice((12, 16, 20, 24, 28, 32)), "f1": d.choice((4, 6, 8, 12)),
                        "f2": d.choice((10, 16, 24, 32))},
        question=lambda p: (f"How many trainable parameters does that CNN on ${p.size} \\times {p.size} \\times 1$ digits "
                            f"have in total ({p.f1} and {p.f2} kernels of $3 \\times 3$, the dense layer to 10 classes, "
                            "with biases)?"),
        kind="int", solve=lambda p: _cnn_params(p.size, ((p.f1, 3), (p.f2, 3)), REF_CLASSES),
        mistakes=((lambda p: _cnn_params(p.size, ((p.f1, 3), (p.f2, 3)), REF_CLASSES, bias=False),
                   "add the biases: one per kernel and one per class"),
                  (lambda p: _cnn_params(p.size, ((p.f1, 3), (p.f2, 3)), REF_CLASSES, depth_one=True),
                   lambda p: f"the second convolution's kernels have depth {p.f1} (K_d = I_d)"),),
        fallback=lambda p: (f"conv: (3·3·1 + 1)·{p.f1}, conv: (3·3·{p.f1} + 1)·{p.f2}, "
                            f"dense: {_cnn_flat(p.size, ((p.f1, 3), (p.f2, 3)))}·10 + 10; pooling has none"),
        explain=lambda p, s: (f"${ar.conv_params(1, p.f1, 3)} + {_fmt(ar.conv_params(p.f1, p.f2, 3))} + "
                              f"{_fmt(ar.dense_params(_cnn_flat(p.size, ((p.f1, 3), (p.f2, 3))), 10))} = {_fmt(s)}$; "
                              "the size of the digits changes only the dense layer."),
    ),
    # -- 08 architectures ----------------------------------------------------
    _ex(
        id="08.lenet_c1", title="LeNet-5's C1 on a smaller digit",
        defaults={"size": 28, "filters": 6, "k": 5},
        draw=lambda d: {"size": d.integer(20, 48), "filters": d.choice((4, 6, 8, 12)), "k": d.choice((3, 5, 7))},
        question=lambda p: (f"LeNet-5's C1 has {p.filters} kernels of ${p.k} \\times {p.k}$ (valid, stride 1). Fed a "
                            f"${p.size} \\times {p.size} \\times 1$ image instead of the paper's padded "
                            "$32 \\times 32$, what is C1's output (width, height, depth)?"),
        kind="shape", solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, 1), p.filters, p.k)),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda p: _whd(ar.feature_map_shape((p.size, p.size, 1), p.filters, p.k, padding="same")),
                   "valid padding: the output shrinks by K − 1"),),
        hint=_shape_hint("the depth is the number of kernels", "G_w = ⌊(I_w − K_w)/s⌋ + 1."),
        fallback="equation (3) and G_d = number of kernels",
        explain=lambda p, s: f"${p.size} - {p.k} + 1 = {s[0]}$: ${s[0]} \\times {s[1]} \\times {s[2]}$.",
    ),
    _ex(
        id="08.alexnet_conv1", title="AlexNet's first layer on another crop",
        defaults={"size": 195, "filters": 96, "k": 11, "stride": 4},
        draw=lambda d: {"size": d.integer(100, 300), "filters": d.choice((48, 64, 96)), "k": d.choice((7, 11)),
                        "stride": d.choice((2, 4))},
        question=lambda p: (f"A first layer in AlexNet's style: {p.filters} kernels of ${p.k} \\times {p.k}$, stride "
                            f"{p.stride}, valid, on a ${p.size} \\times {p.size} \\times 3$ crop. What is its output "
                            "(width, height, depth)?"),
        kind="shape", solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, 3), p.filters, p.k, stride=p.stride)),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda p: _whd(ar.feature_map_shape((p.size, p.size, 3), p.filters, p.k)),
                   lambda p: f"that is stride 1; this layer jumps {p.stride} pixels"),),
        hint=_shape_hint("the depth is the number of kernels", lambda p: f"G_w = ⌊({p.size} − {p.k})/{p.stride}⌋ + 1."),
        fallback=lambda p: f"equation (3) with s = {p.stride}",
        explain=lambda p, s: (f"$\\lfloor ({p.size} - {p.k})/{p.stride} \\rfloor + 1 = {s[0]}$: "
                              f"${s[0]} \\times {s[1]} \\times {s[2]}$."),
    ),
    _ex(
        id="08.vgg_field", title="VGG's stacked kernels",
        defaults={"n": 3, "k": 3},
        draw=lambda d: {"n": d.integer(2, 6), "k": d.choice((3, 5))},
        question=lambda p: (f"VGG stacks ${p.k} \\times {p.k}$ convolutions (stride 1) instead of larger kernels. "
                            f"{p.n} of them in a row: how wide is the patch of the input that one output "
                            "unit sees (its receptive field)?"),
        kind="int", solve=lambda p: ar.receptive_field([(p.k, 1)] * p.n),
        mistakes=((lambda p: p.k, lambda p: f"each further {p.k} × {p.k} layer widens the view by {p.k - 1} pixels"),
                  (lambda p: p.n * p.k, lambda p: f"the fields overlap: they grow by K − 1 = {p.k - 1} per layer, not by {p.k}"),),
        fallback="a stack of stride-1 layers sees 1 + Σ (K − 1) pixels",
        explain=lambda p, s: (f"$1 + {p.n} \\cdot ({p.k} - 1) = {s}$: {p.n} ${p.k}\\times{p.k}$ layers see as much as one "
                              f"${s}\\times{s}$ with {_fmt(p.n * ar.conv_params(64, 64, p.k, bias=False))} instead of "
                              f"{_fmt(ar.conv_params(64, 64, s, bias=False))} weights at 64 channels."),
    ),
    # -- 09 in class ---------------------------------------------------------
    _ex(
        id="09.same_stride2", title="Same padding with a stride",
        defaults={"size": 32, "depth": 3, "filters": 16, "k": 5, "stride": 2},
        draw=lambda d: {"size": d.integer(15, 64), "depth": d.choice((1, 3, 16)), "filters": d.integer(4, 64),
                        "k": d.choice((3, 5, 7)), "stride": d.choice((2, 3))},
        question=lambda p: (f"${p.size} \\times {p.size} \\times {p.depth}$ input, {p.filters} kernels of "
                            f"${p.k} \\times {p.k}$, same padding, stride {p.stride}. Output (width, height, depth)?"),
        kind="shape", solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k,
                                                                stride=p.stride, padding="same")),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, padding="same")),
                   "'same' keeps the size only with stride 1; with stride s the output is ⌈I/s⌉"),
                  (lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, stride=p.stride)),
                   "that is valid padding; 'same' pads so that the output is ⌈I/s⌉")),
        hint=_shape_hint("the depth is the number of kernels", "with 'same' padding the output is ⌈I_w/s⌉."),
        fallback="'same' gives ⌈I/s⌉; the depth is the number of kernels",
        explain=lambda p, s: f"$\\lceil {p.size}/{p.stride} \\rceil = {s[0]}$: ${s[0]} \\times {s[1]} \\times {s[2]}$.",
    ),
    _ex(
        id="09.chain", title="A small network's shapes",
        defaults={"size": 28, "f1": 6, "k1": 5, "f2": 16, "k2": 5},
        draw=lambda d: {"size": 4 * d.integer(7, 16), "f1": d.choice((4, 6, 8)), "k1": d.choice((3, 5)),
                        "f2": d.choice((12, 16, 32)), "k2": d.choice((3, 5))},
        question=lambda p: (f"${p.size} \\times {p.size} \\times 1$ → conv {p.f1} kernels ${p.k1}\\times{p.k1}$ (valid) → "
                            f"max pool 2 → conv {p.f2} kernels ${p.k2}\\times{p.k2}$ (valid) → max pool 2. "
                            "Final (width, height, depth)?"),
        kind="shape",
        solve=lambda p: _whd(_chain((p.size, p.size, 1), [("conv", p.f1, p.k1), ("pool", 2), ("conv", p.f2, p.k2), ("pool", 2)])),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda p: _whd(_chain((p.size, p.size, 1), [("conv", p.f1, p.k1), ("pool", 2), ("conv", p.f1, p.k2), ("pool", 2)])),
                   lambda p: f"width and height are right; the depth is the last convolution's number of kernels, {p.f2}"),),
        hint=_shape_hint("the depth is the number of kernels of the last convolution (pooling keeps it)",
                         lambda p: (f"{p.size} → {p.size - p.k1 + 1} (conv) → {(p.size - p.k1 + 1) // 2} (pool) → "
                                    "? (conv) → ? (pool).")),
        fallback="apply equation (3), then (4), then (3), then (4)",
        explain=lambda p, s: (f"${p.size} \\to {p.size - p.k1 + 1} \\to {(p.size - p.k1 + 1) // 2} \\to "
                              f"{(p.size - p.k1 + 1) // 2 - p.k2 + 1} \\to {s[0]}$; depth {p.f2}: "
                              f"${s[0]} \\times {s[1]} \\times {s[2]}$."),
    ),
    _ex(
        id="09.params", title="Parameters of a deeper layer",
        defaults={"size": 14, "depth": 16, "filters": 32, "k": 3},
        draw=lambda d: {"size": d.choice((7, 14, 28, 56)), "depth": d.choice((8, 16, 32, 64)),
                        "filters": d.choice((16, 32, 64, 128)), "k": d.choice((1, 3, 5))},
        question=lambda p: (f"A layer with {p.filters} kernels of ${p.k} \\times {p.k}$ reads a "
                            f"${p.size} \\times {p.size} \\times {p.depth}$ feature map. How many parameters?"),
        kind="int", solve=lambda p: ar.conv_params(p.depth, p.filters, p.k),
        mistakes=((lambda p: ar.conv_params(p.depth, p.filters, p.k, bias=False), "add one bias per kernel"),
                  (lambda p: ar.conv_params(1, p.filters, p.k), lambda p: f"the kernels have the input's depth, {p.depth}"),
                  (lambda p: ar.conv_params(3, p.filters, p.k), lambda p: f"the input depth here is {p.depth}, not 3")),
        fallback=lambda p: f"({p.k} · {p.k} · {p.depth} + 1) · {p.filters}",
        explain=lambda p, s: (f"$({p.k} \\cdot {p.k} \\cdot {p.depth} + 1) \\times {p.filters} = {_fmt(s)}$; "
                              f"the ${p.size} \\times {p.size}$ does not matter."),
    ),
    _ex(
        id="09.pool_stride", title="Overlapping pooling",
        defaults={"size": 55, "window": 3, "stride": 2},
        draw=lambda d: {"size": d.integer(12, 64), "window": d.choice((3, 5)), "stride": 2},
        question=lambda p: (f"Pooling with ${p.window} \\times {p.window}$ windows and stride {p.stride} overlaps "
                            f"(AlexNet pools this way). On a ${p.size} \\times {p.size}$ map, what is the output width "
                            "(equation (4))?"),
        kind="int", solve=lambda p: ar.pool_output_size(p.size, p.window, stride=p.stride),
        mistakes=((lambda p: ar.pool_output_size(p.size, p.window), lambda p: f"that is stride {p.window}; here s = {p.stride}"),
                  (lambda p: (p.size - p.window) // p.stride, "equation (4) adds 1 after the division")),
        fallback="O_w = ⌊(I_w − W_w)/s⌋ + 1",
        explain=lambda p, s: f"$\\lfloor ({p.size} - {p.window})/{p.stride} \\rfloor + 1 = {s}$.",
    ),
    _ex(
        id="09.macs", title="Multiply-adds of a layer",
        defaults={"size": 14, "depth": 32, "filters": 64, "k": 3},
        draw=lambda d: {"size": d.choice((7, 14, 28)), "depth": d.choice((3, 16, 32, 64)),
                        "filters": d.choice((16, 32, 64)), "k": d.choice((3, 5))},
        question=lambda p: (f"A layer with {p.filters} kernels of ${p.k} \\times {p.k}$ (same padding, stride 1) reads a "
                            f"${p.size} \\times {p.size} \\times {p.depth}$ map. How many multiply-adds does it take?"),
        kind="int", solve=lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k, padding="same"),
        mistakes=((lambda p: ar.conv_macs((p.size, p.size, 1), p.filters, p.k, padding="same"),
                   lambda p: f"each kernel reads all {p.depth} channels: multiply by C too"),
                  (lambda p: ar.conv_params(p.depth, p.filters, p.k),
                   "that is the number of parameters; every output position uses them all again"),
                  (lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k),
                   lambda p: f"with same padding the output stays {p.size} × {p.size}")),
        fallback="H′ · W′ · F · K_h · K_w · C",
        explain=lambda p, s: (f"$H' W' F K_h K_w C = {p.size} \\cdot {p.size} \\cdot {p.filters} \\cdot {p.k} \\cdot {p.k} "
                              f"\\cdot {p.depth} = {_fmt(s)}$."),
    ),
    _ex(
        id="09.correlation", title="What a CNN layer computes at one place",
        defaults={"patch": PATCH_09, "kernel": KERNEL_09},
        draw=lambda d: {"patch": d.matrix(3, 3, 0, 5), "kernel": d.matrix(3, 3, -2, 2)},
        question=lambda p: ("A CNN layer computes cross-correlation (no flip). With $I = " + _matrix_tex(p.patch) +
                            "$ and $K = " + _matrix_tex(p.kernel) + "$, what value does it give at the centre?"),
        kind="number", solve=lambda p: float(ops.conv2d(p.patch, p.kernel)[0, 0]),
        template="answer = ...   # a number",
        mistakes=((lambda p: float(ops.convolve2d(p.patch, p.kernel)[0, 0]),
                   "that is the convolution of equation (1), with the kernel flipped; a CNN layer does not flip"),),
        fallback="multiply I and K element by element, without flipping, and add the nine products",
        explain=lambda p, s: f"$\\sum_{{u,v}} I[u, v]\\, K[u, v] = {s:g}$ (no flip).",
    ),
    _ex(
        id="09.field_pool", title="The receptive field through a pooling",
        defaults={"k1": 3, "window": 2, "k2": 3},
        draw=lambda d: {"k1": d.choice((3, 5, 7)), "window": d.choice((2, 3)), "k2": d.choice((3, 5))},
        question=lambda p: (f"conv ${p.k1} \\times {p.k1}$ (stride 1) → max pool ${p.window} \\times {p.window}$ "
                            f"(stride {p.window}) → conv ${p.k2} \\times {p.k2}$ (stride 1). How wide is the patch of the "
                            "input that one output unit sees?"),
        kind="int", solve=lambda p: ar.receptive_field([(p.k1, 1), (p.window, p.window), (p.k2, 1)]),
        mistakes=((lambda p: 1 + (p.k1 - 1) + (p.window - 1) + (p.k2 - 1),
                   lambda p: f"after a pooling of stride {p.window}, one step of the next layer is {p.window} input pixels"),
                  (lambda p: 1 + (p.k1 - 1) + (p.k2 - 1) * p.window,
                   lambda p: f"the pooling window widens the field too, by W − 1 = {p.window - 1}"),),
        fallback="each layer adds (K − 1) times the product of the strides below it",
        explain=lambda p, s: (f"$1 + ({p.k1} - 1) + ({p.window} - 1) \\cdot 1 + ({p.k2} - 1) \\cdot {p.window} = {s}$: "
                              "the pooling's stride multiplies what the next layer adds."),
    ),
]

from .exercises_transposed import DEFINITIONS as _TRANSPOSED  # noqa: E402 - notebook 04b's exercises

_LIST[_LIST.index(next(e for e in _LIST if e.id.startswith("05."))):0] = [_ex(**d) for d in _TRANSPOSED]

#: Every exercise by id, in notebook order.
EXERCISES: dict[str, Exercise] = {ex.id: ex for ex in _LIST}


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------
def get(exercise_id: str) -> Exercise:
    """The :class:`Exercise` with this id.

    Parameters
    ----------
    exercise_id : str
        E.g. ``"04.output_size"``.

    Returns
    -------
    Exercise

    Examples
    --------
    >>> get("04.output_size").title
    'Equation (3) with a stride'
    """
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        known = ", ".join(EXERCISES)
        raise ValueError(f"`exercise_id` must be one of {known}; got {_short(exercise_id)}") from None


def check(exercise_id: str, answer: Any, *, variant: int = 0) -> Feedback:
    """Check an answer; the returned :class:`Feedback` displays itself.

    Parameters
    ----------
    exercise_id : str
        E.g. ``"04.shape_table"``.
    answer : object
        The student's answer (``...`` when not answered yet).
    variant : int
        The numbers the question was asked with (0: the notebook's; see
        :func:`prompt`).

    Returns
    -------
    Feedback
        ``.correct`` is True when right; ``.message`` says why not.

    Examples
    --------
    >>> check("04.output_size", 7)
    Correct!
    >>> check("04.output_size", 13)
    Not yet: that is stride 1; with s = 2 divide by 2 in equation (3).
    >>> check("04.shape_table", {"valid/1": (26, 26, 3), "same/1": (28, 28, 8), "valid/2": (..., ..., ...)})
    1 of 3 rows right.
    valid, stride 1: not yet: width and height are right; the depth equals the number of kernels (each kernel gives one map), not the input depth.
    same, stride 1: correct.
    valid, stride 2: waiting for an answer.
    >>> check("04.output_size", solution("04.output_size", variant=5), variant=5)
    Correct!
    """
    return get(exercise_id).check(answer, _variant(variant))


def prompt(exercise_id: str, *, variant: int = 0) -> str:
    """The question of an exercise with the numbers of one variant (markdown).

    Parameters
    ----------
    exercise_id : str
        E.g. ``"04.output_size"``.
    variant : int
        0 for the notebook's numbers, any other whole number for new ones.

    Returns
    -------
    str

    Examples
    --------
    >>> prompt("05.pool_params", variant=0)
    'How many trainable parameters does a $2 \\\\times 2$ max pooling layer have?'
    """
    return get(exercise_id).prompt(variant)


def solution(exercise_id: str, *, variant: int = 0) -> Any:
    """The solution of an exercise, computed by the core.

    Parameters
    ----------
    exercise_id : str
        E.g. ``"04.shape_table"``.
    variant : int
        Which numbers.

    Returns
    -------
    object

    Examples
    --------
    >>> solution("04.shape_table")
    {'valid/1': (26, 26, 8), 'same/1': (28, 28, 8), 'valid/2': (13, 13, 8)}
    """
    return get(exercise_id).solution(variant)


def solution_text(exercise_id: str, *, variant: int = 0) -> str:
    """The worked solution as markdown.

    Parameters
    ----------
    exercise_id : str
        E.g. ``"04.output_size"``.
    variant : int
        Which numbers.

    Returns
    -------
    str

    Examples
    --------
    >>> solution_text("04.output_size")
    '$G_w = \\\\lfloor (15 - 3)/2 \\\\rfloor + 1 = 7$.'
    """
    return get(exercise_id).solution_text(variant)


def for_notebook(number: int | str) -> list[Exercise]:
    """The exercises of one notebook, by its number (``4`` or ``"04"``).

    Parameters
    ----------
    number : int or str
        The notebook's number.

    Returns
    -------
    list of Exercise

    Examples
    --------
    >>> [ex.id for ex in for_notebook(5)]
    ['05.pool_shape', '05.max_values', '05.pool_params']
    """
    key = f"{int(number):02d}" if not isinstance(number, str) else number
    return [ex for ex in _LIST if ex.notebook == key]
