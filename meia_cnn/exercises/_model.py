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

from .. import arithmetic as ar
from .. import ops
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_

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
            if number.bit_length() < 10000:
                return _("a number with {digits} digits").format(digits=len(str(abs(number))))
            return _("a number with thousands of digits")
        return repr(number)
    if isinstance(value, (list, tuple, dict, str, bytes, np.ndarray)) and _count(value) > 20:
        kind = type(value).__name__
        return _('a {kind} of {len_value:,} items').format(kind=kind, len_value=len(value)) if not isinstance(value, (str, bytes)) else \
            _('a text of {len_value:,} characters').format(len_value=len(value))
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
        if isinstance(answer, (str, bytes)):
            return _("Cannot read the answer: it holds {n:,} characters or more; an answer here is a "
                     "few numbers (at most {most:,}).").format(n=n, most=MAX_ITEMS)
        return _("Cannot read the answer: it holds {n:,} items or more; an answer here is a "
                 "few numbers (at most {most:,}).").format(n=n, most=MAX_ITEMS)
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


def _as_number(value: Any, what: str = N_("the answer")) -> float:
    what = _(what)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise _Unreadable(_('{what} must be a number, got {short_value}').format(what=what, short_value=_short(value)))
    if isinstance(value, numbers.Integral) and abs(int(value)) > MAX_MAGNITUDE:
        raise _Unreadable(_('{what} is far too large ({short_value}); no answer here is above 10^15').format(what=what, short_value=_short(value)))
    try:
        number = float(value)
    except (OverflowError, ValueError, TypeError):
        raise _Unreadable(_('{what} is far too large to be read as a number').format(what=what)) from None
    if not math.isfinite(number):
        raise _Unreadable(_('{what} must be a finite number, got {short_value}').format(what=what, short_value=_short(value)))
    if abs(number) > MAX_MAGNITUDE:
        raise _Unreadable(_('{what} is far too large ({number:.3g}); no answer here is above 10^15').format(what=what, number=number))
    return number


def _as_int(value: Any, what: str = N_("the answer")) -> int:
    number = _as_number(value, what)
    what = _(what)
    if number != int(number):
        raise _Unreadable(_('{what} must be a whole number, got {short_value}').format(what=what, short_value=_short(value)))
    return int(number)


def _as_ints(value: Any, n: int, names: tuple[str, ...]) -> tuple[int, ...]:
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        raise _Unreadable(_('give {n} whole numbers ({join_names}), got {short_value}').format(n=n, join_names=', '.join(_(name) for name in names), short_value=_short(value)))
    if len(value) != n:
        shown = _short(tuple(value)) if len(value) <= 20 else _('{len_value:,} numbers').format(len_value=len(value))
        raise _Unreadable(_('give {n} numbers ({join_names}), got {len_value}: {shown}').format(n=n, join_names=', '.join(_(name) for name in names), len_value=len(value), shown=shown))
    return tuple(_as_int(v, names[i]) for i, v in enumerate(value))


def _as_array(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise _Unreadable(_('the answer must be an array of numbers, got {short_value}').format(short_value=_short(value))) from None
    if arr.shape != shape:
        raise _Unreadable(
            _('the answer must have shape {shape} (rows, columns), got shape {arr_shape}').format(shape=shape, arr_shape=arr.shape)
        )
    if not np.all(np.isfinite(arr)):
        raise _Unreadable(_("the answer has a value that is not a finite number"))
    if np.any(np.abs(arr) > MAX_MAGNITUDE):
        raise _Unreadable(_("the answer has a value that is far too large; no answer here is above 10^15"))
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
    return text(p) if callable(text) else _(text)


def _variant(variant: Any) -> int:
    if isinstance(variant, (bool, np.bool_)) or not isinstance(variant, numbers.Integral):
        raise TypeError(f"`variant` must be a whole number, got {_short(variant)}")
    if not 0 <= int(variant) <= MAX_VARIANT:
        raise ValueError(f"`variant` must be between 0 and {MAX_VARIANT:,}, got {_short(variant)}")
    return int(variant)


# ---------------------------------------------------------------------------
# the exercise type
# ---------------------------------------------------------------------------
WHD = (N_("width"), N_("height"), N_("depth"))


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
    template: str = N_("answer = ...   # a whole number")
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
            return Feedback(self.id, INVALID, _('Cannot read the answer: {exc}.').format(exc=exc))
        sol = self.solve(p)
        if _same(value, sol):
            return Feedback(self.id, CORRECT, _("Correct! {praise}").format(praise=_(self.praise)) if self.praise
                            else _("Correct!"))
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
    return _("Not yet: {hint}").format(hint=text if text[-1] in ".!?" else text + ".")


def _waiting(exercise_id: str) -> Feedback:
    return Feedback(
        exercise_id, WAITING,
        _('Waiting for an answer to {exercise_id}: replace ... with your answer and run the cell again.').format(exercise_id=exercise_id),
    )


def _shape_hint(depth_rule: Text, size_rule: Text) -> Callable[[Any, Any, Params], str]:
    """A hint function for (width, height, depth) answers."""

    def hint(value: Any, sol: Any, p: Params) -> str:
        depth, size = _text(depth_rule, p), _text(size_rule, p)
        wh_ok = value[:2] == sol[:2]
        d_ok = value[2] == sol[2]
        if wh_ok and not d_ok:
            return _('width and height are right; {depth}').format(depth=depth)
        if d_ok and not wh_ok:
            if value[0] == sol[0] or value[1] == sol[1]:
                return _('the depth and one side are right; the input is square, so width and height are equal. {size}').format(size=size)
            return _('the depth is right; {size}').format(size=size)
        return _('{size} And {depth}').format(size=size, depth=depth)

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
            return _("width and height are right; the depth equals the number of kernels "
                      "(each kernel gives one map), not the input depth")
        return _("width and height are right; the depth equals the number of kernels")
    if value[2] != sol[2]:
        return _("the depth equals the number of kernels, and width and height come from equation (3)")
    w = value[0]
    if value[0] != value[1]:
        return _("the input is square and the kernel too, so width and height are equal")
    if padding == "valid":
        if stride > 1 and w == -(-(i_w - k) // stride) + 1:
            return _("round down: ⌊·⌋ in equation (3) is the floor, the last partial step does not count")
        if w == ar.output_size(i_w, k, stride=stride, padding="same"):
            return _("that is the size with 'same' padding; 'valid' adds no zeros, so the kernel must fit inside")
        if w == (i_w - k) // stride:
            return _("almost: equation (3) adds 1 after the division, G_w = ⌊(I_w − K_w)/s⌋ + 1")
        if stride > 1 and w == ar.output_size(i_w, k, stride=1, padding="valid"):
            return _('that is the size with stride 1; with stride s = {stride} the kernel jumps {stride} pixels').format(stride=stride)
        return _("use equation (3): G_w = ⌊(I_w − K_w)/s⌋ + 1")
    if w == ar.output_size(i_w, k, stride=stride, padding="valid"):
        return _("that is the 'valid' size; 'same' adds zeros around the input so that the output keeps its size")
    return _("'same' padding adds just enough zeros for the output to keep the input's size (with s = 1)")


def _check_table(ex: Exercise, answer: Any, p: Params) -> Feedback:
    sol = ex.solve(p)
    keys = list(sol)
    if answer is Ellipsis:
        return _waiting(ex.id)
    if isinstance(answer, dict):
        unknown = [k for k in answer if k not in sol]
        if unknown:
            return Feedback(ex.id, INVALID,
                            _('Cannot read the answer: unknown row {short_unknown_0}; the rows are {join_keys}.').format(short_unknown_0=_short(unknown[0]), join_keys=', '.join(keys)))
        rows = {k: answer.get(k, Ellipsis) for k in keys}
    elif isinstance(answer, (list, tuple)) and len(answer) == len(keys):
        rows = dict(zip(keys, answer))
    else:
        return Feedback(ex.id, INVALID,
                        _("Cannot read the answer: give a dict {{'valid/1': (width, height, depth), 'same/1': (...), 'valid/2': (...)}} or three (width, height, depth) rows, got {short_answer}.").format(short_answer=_short(answer)))
    lines, n_ok, n_wait = [], 0, 0
    for (padding, stride), key in zip(TABLE_ROWS, keys):
        label = _('{padding}, stride {stride}').format(padding=padding, stride=stride)
        value = rows[key]
        if _has_ellipsis(value):
            n_wait += 1
            lines.append(_('{label}: waiting for an answer.').format(label=label))
            continue
        try:
            value = _as_ints(value, 3, WHD)
        except _Unreadable as exc:
            lines.append(_('{label}: cannot read it: {exc}.').format(label=label, exc=exc))
            continue
        if value == sol[key]:
            n_ok += 1
            lines.append(_('{label}: correct.').format(label=label))
        else:
            lines.append(_('{label}: not yet: {n}.').format(label=label, n=_table_row_hint(padding, stride, value, sol[key], p)))
    if n_ok == len(keys):
        return Feedback(ex.id, CORRECT,
                        _("Correct! All three rows are right: the depth is always the number of kernels."))
    if n_wait == len(keys):
        return _waiting(ex.id)
    head = _('{n_ok} of {len_keys} rows right.').format(n_ok=n_ok, len_keys=len(keys))
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
        _("| Padding | Stride | Width | Height | Depth |") + "\n|---|---|---|---|---|\n" + rows +
        _('\n\nvalid/1: $\\lfloor ({size} - {kernel})/1 \\rfloor + 1 = {v1}$; same/1 keeps {size}; valid/2: $\\lfloor ({size} - {kernel})/2 \\rfloor + 1 = {v2}$. The depth is always {filters}, the number of kernels.').format(size=p.size, kernel=p.kernel, v1=v1, v2=v2, filters=p.filters)
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
        id="00.numbers", title=N_("Warm-up: how many numbers is an image?"),
        defaults={"w": 28, "h": 28},
        draw=lambda d: {"w": d.integer(10, 64), "h": d.integer(10, 64)},
        question=lambda p: (_('A colour image of ${w} \\times {h}$ pixels has three channels (red, green, blue): its size is $l_w \\times l_h \\times l_d = {w} \\times {h} \\times 3$. How many numbers describe it?').format(w=p.w, h=p.h)),
        kind="int", solve=lambda p: int(np.zeros((p.h, p.w, 3)).size),
        mistakes=((lambda p: p.w * p.h, N_("that is one channel; a colour image has three")),
                  (lambda p: p.w + p.h + 3, N_("multiply the three sizes, do not add them"))),
        fallback=N_("multiply width, height and depth"),
        explain=lambda p, s: _('${w} \\times {h} \\times 3 = {s}$ numbers, one per pixel and channel.').format(w=p.w, h=p.h, s=_fmt(s)),
    ),
    _ex(
        id="00.kernel_numbers", title=N_("Warm-up: how many numbers is a kernel?"),
        defaults={"k": 3},
        draw=lambda d: {"k": d.choice((3, 5, 7, 9, 11))},
        question=lambda p: (_('A CNN looks at that colour image with a kernel of ${k} \\times {k}$ pixels. The kernel reads all three channels at once. How many weights does it hold?').format(k=p.k)),
        kind="int", solve=lambda p: ar.conv_params(3, 1, p.k, bias=False),
        mistakes=((lambda p: ar.conv_params(1, 1, p.k, bias=False),
                   N_("that is one channel; the kernel has the image's depth, K_d = I_d = 3 (notebook 03)")),),
        fallback=N_("K_w · K_h · K_d, with K_d equal to the image's depth"),
        explain=lambda p, s: _('${k} \\times {k} \\times 3 = {s}$ weights: equation (2), $K_d = I_d$ (notebook 03).').format(k=p.k, s=s),
    ),
    # -- 01 position invariance ----------------------------------------------
    _ex(
        id="01.conv_params", title=N_("Parameters of a convolution layer"),
        defaults={"size": 32, "k": 5, "filters": 12},
        draw=lambda d: {"size": d.choice((28, 32, 64, 96)), "k": d.choice((3, 5, 7)), "filters": d.integer(4, 64)},
        question=lambda p: (_('A convolution layer reads a ${size} \\times {size} \\times 3$ image with {filters} kernels of ${k} \\times {k}$ (each kernel has depth 3, one bias per kernel). How many trainable parameters does it have?').format(size=p.size, filters=p.filters, k=p.k)),
        kind="int", solve=lambda p: ar.conv_params(3, p.filters, p.k),
        mistakes=(
            (lambda p: ar.conv_params(3, p.filters, p.k, bias=False), N_("you counted the weights; each kernel also has one bias")),
            (lambda p: ar.conv_params(1, p.filters, p.k), N_("each kernel has the input's depth, K_d = I_d = 3 (equation (2))")),
            (lambda p: ar.conv_params(3, 1, p.k), lambda p: _('that is one kernel; the layer has {filters}').format(filters=p.filters)),
            (lambda p: ar.conv_params(3, 1, p.k, bias=False),
             lambda p: _('that is one kernel without bias; the layer has {filters} kernels, each with a bias').format(filters=p.filters)),
        ),
        fallback=N_("count (K_w · K_h · K_d + 1) per kernel, times the number of kernels F"),
        explain=lambda p, s: (_('$(K_w K_h K_d + 1) \\cdot F$: each kernel has ${k} \\times {k} \\times 3 = {n}$ weights and 1 bias; {filters} kernels: ${filters} \\times {n2} = {s}$ parameters, whatever the image size.').format(k=p.k, n=3 * p.k * p.k, filters=p.filters, n2=3 * p.k * p.k + 1, s=_fmt(s))),
        praise=N_("The count does not depend on the image size: the same kernels slide over every position."),
    ),
    _ex(
        id="01.dense_params", title=N_("The same output from a dense layer"),
        defaults={"size": 32, "k": 5, "filters": 12},
        draw=lambda d: {"size": d.choice((16, 28, 32)), "k": d.choice((3, 5)), "filters": d.integer(4, 32)},
        question=lambda p: (_('A fully connected layer maps a ${size} \\times {size} \\times 3$ input to an output of the size a convolution with {filters} kernels of ${k} \\times {k}$ (valid) gives, ${size_k_1} \\times {size_k_1} \\times {filters}$ (one weight per input-output pair, one bias per output). How many parameters?').format(size=p.size, filters=p.filters, k=p.k, size_k_1=p.size - p.k + 1)),
        kind="int", solve=lambda p: ar.dense_params(p.size * p.size * 3, (p.size - p.k + 1) ** 2 * p.filters),
        mistakes=(
            (lambda p: ar.dense_params(p.size * p.size * 3, (p.size - p.k + 1) ** 2 * p.filters, bias=False),
             N_("you counted the weights; add one bias per output")),
            (lambda p: ar.dense_params(p.size * p.size, (p.size - p.k + 1) ** 2),
             N_("the input has 3 channels and the output one per kernel: n_in = W·H·3, n_out = G_w·G_h·G_d")),
            (lambda p: ar.dense_params(p.size * p.size * 3, p.size * p.size * p.filters),
             N_("the output is the valid convolution's size, I − K + 1 wide, not the input's")),
        ),
        fallback=N_("n_in · n_out + n_out with n_in = W·H·3 and n_out = G_w·G_h·G_d"),
        explain=lambda p, s: (_("$n_{{in}} = {size_size_3}$, $n_{{out}} = {n}$: $n_{{in}} n_{{out}} + n_{{out}} = {s}$, about {n2:,.0f} times the convolution's {n3}.").format(size_size_3=_fmt(p.size * p.size * 3), n=_fmt((p.size - p.k + 1) ** 2 * p.filters), s=_fmt(s), n2=s / ar.conv_params(3, p.filters, p.k), n3=_fmt(ar.conv_params(3, p.filters, p.k)))),
        praise=N_("Sharing one small kernel across space is what makes a CNN affordable."),
    ),
    _ex(
        id="01.shift", title=N_("Moving the object moves the response"),
        defaults={"shift": 5},
        draw=lambda d: {"shift": d.integer(2, 12)},
        question=lambda p: (_('A picture holds a small cross; we slide the cross itself over it as a kernel and note where the response peaks. The cross then moves {shift} pixels to the right. By how many pixels does the peak of the response move?').format(shift=p.shift)),
        kind="int", solve=lambda p: _shift_peak_distance(p.shift),
        mistakes=((lambda p: 0, N_("the peak follows the object: the same kernel is applied at every position")),),
        fallback=N_("the kernel is the same everywhere, so its strongest response moves exactly with the object"),
        explain=lambda p, s: (_('The peak moves by {s} pixels: convolution is *equivariant* to shifts; the feature is found wherever it is, with the same peak value.').format(s=s)),
    ),
    # -- 02 convolution ------------------------------------------------------
    _ex(
        id="02.one_value", title=N_("One value of equation (1)"),
        defaults={"patch": PATCH_02, "kernel": KERNEL_02},
        draw=lambda d: {"patch": d.matrix(3, 3, 0, 4), "kernel": d.matrix(3, 3, -2, 2)},
        question=lambda p: _("With $I = {image}$ and $K = {kernel}$ (both indexed $-1, 0, 1$ from the centre), "
                             "compute $G[0, 0]$ with equation (1).").format(image=_matrix_tex(p.patch),
                                                                           kernel=_matrix_tex(p.kernel)),
        kind="number", solve=lambda p: float(ops.convolve2d(p.patch, p.kernel)[0, 0]),
        template=N_("answer = ...   # a number"),
        mistakes=((lambda p: float(ops.conv2d(p.patch, p.kernel)[0, 0]),
                   N_("that is the cross-correlation (no flip); in equation (1) I[i − u, j − v] "
                   "pairs K[u, v] with the opposite pixel, i.e. the kernel is flipped")),),
        fallback=N_("flip the kernel (rows and columns), multiply element-wise with I and add the nine products"),
        explain=lambda p, s: _("Flipping $K$ (rows and columns) gives ${flipped}$; multiplied element-wise with $I$, "
                               "the nine products add up to $G[0,0] = {s:g}$.").format(
                                   flipped=_matrix_tex(p.kernel[::-1, ::-1]), s=s),
    ),
    _ex(
        id="02.output_map", title=N_("A whole (valid) output map"),
        defaults={"image": IMAGE_02, "kernel": KERNEL_02},
        draw=lambda d: {"image": d.matrix(4, 4, 0, 3), "kernel": d.matrix(3, 3, -2, 2)},
        question=lambda p: _("Convolve (equation (1), valid) the $4 \\times 4$ image $I = {image}$ with $K = {kernel}$. "
                             "Give the output as a list of rows.").format(image=_matrix_tex(p.image),
                                                                          kernel=_matrix_tex(p.kernel)),
        kind="array", solve=lambda p: ops.convolve2d(p.image, p.kernel),
        template=N_("answer = ...   # e.g. [[a, b], [c, d]]"),
        mistakes=((lambda p: ops.conv2d(p.image, p.kernel),
                   N_("that is the cross-correlation; flip the kernel first (equation (1))")),),
        fallback=N_("a valid 4 × 4 ∗ 3 × 3 output is 2 × 2: one value per position where the whole kernel fits"),
        explain=lambda p, s: (_('$G = {matrix_tex_s}$: one value per position where the whole (flipped) kernel fits inside the image.').format(matrix_tex_s=_matrix_tex(s))),
    ),
    _ex(
        id="02.flip", title=N_("Convolution is cross-correlation with a flipped kernel"),
        defaults={"kernel": KERNEL_02_FLIP},
        draw=lambda d: {"kernel": d.matrix(3, 3, -2, 3)},
        question=lambda p: _("CNN layers compute cross-correlation. Which kernel $K'$ makes cross-correlation "
                             "with $K'$ give exactly the convolution with $K = {kernel}$? Give it as a list of rows."
                             ).format(kernel=_matrix_tex(p.kernel)),
        kind="array", solve=lambda p: _flipped_by_core(p.kernel),
        template=N_("answer = ...   # a 3x3 list of rows"),
        mistakes=((lambda p: p.kernel, N_("that is K itself; cross-correlation with K is not convolution with K")),
                  (lambda p: p.kernel[::-1, :], N_("you flipped the rows only; flip the columns too")),
                  (lambda p: p.kernel[:, ::-1], N_("you flipped the columns only; flip the rows too")),
                  (lambda p: p.kernel.T, N_("a transpose is not a flip: rotate the kernel by 180°"))),
        fallback=N_("rotate K by 180° (flip rows and columns)"),
        explain=lambda p, s: (_("$K' = {matrix_tex_s}$, $K$ rotated by 180°. A CNN learns its kernels, so whether they are flipped does not matter to it.").format(matrix_tex_s=_matrix_tex(s))),
    ),
    # -- 03 volumes ----------------------------------------------------------
    _ex(
        id="03.kernel_shape", title=N_("The kernel's depth"),
        defaults={"size": 64, "depth": 3, "k": 5},
        draw=lambda d: {"size": d.choice((32, 48, 64, 128)), "depth": d.choice((3, 4, 8, 16, 32)),
                        "k": d.choice((3, 5, 7, 9, 11))},
        question=lambda p: (_("An RGB image is ${size} \\times {size} \\times 3$. A layer uses kernels of ${k} \\times {k}$. "
                              "What is the shape $K_w \\times K_h \\times K_d$ of each kernel?").format(size=p.size, k=p.k)
                            if p.depth == 3 else
                            _("A feature map is ${size} \\times {size} \\times {depth}$. A layer uses kernels of "
                              "${k} \\times {k}$. What is the shape $K_w \\times K_h \\times K_d$ of each kernel?"
                              ).format(size=p.size, depth=p.depth, k=p.k)),
        kind="shape", solve=lambda p: (p.k, p.k, p.depth),
        template=N_("answer = ...   # (K_w, K_h, K_d)"),
        names=("K_w", "K_h", "K_d"),
        mistakes=((lambda p: (p.k, p.k, 1), N_("the kernel reads every channel at once: K_d = I_d (equation (2))")),),
        fallback=N_("width and height are the kernel size; the depth equals the input's depth (equation (2))"),
        explain=lambda p, s: _('$K = {s_0} \\times {s_1} \\times {s_2}$: equation (2), $K_d = I_d$.').format(s_0=s[0], s_1=s[1], s_2=s[2]),
    ),
    _ex(
        id="03.feature_map", title=N_("The feature map of several kernels"),
        defaults={"size": 64, "depth": 3, "filters": 10, "k": 5},
        draw=lambda d: {"size": d.integer(20, 128), "depth": d.choice((1, 3, 4)),
                        "filters": d.integer(5, 64), "k": d.choice((3, 5, 7))},
        question=lambda p: (_("The ${size} \\times {size} \\times {depth}$ image goes through {filters} kernels of ${k} \\times {k} \\times {depth}$ (valid, stride 1). What is the feature map's $G_w \\times G_h \\times G_d$?").format(size=p.size, depth=p.depth, filters=p.filters, k=p.k)),
        kind="shape", solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k)),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=((lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.depth, p.k)),
                   N_("width and height are right; the depth G_d equals the number of kernels, not the input depth")),
                  (lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, padding="same")),
                   N_("the depth is right; without padding the output shrinks: the width loses K − 1 positions "
                   "in total, (K − 1)/2 on each side"))),
        hint=_shape_hint(N_("the depth G_d equals the number of kernels"),
                         N_("a valid convolution's output is I − K + 1 wide.")),
        fallback=N_("G_w = I_w − K_w + 1 and G_d = number of kernels"),
        explain=lambda p, s: (_('$G_w = G_h = {size} - {k} + 1 = {s_0}$, $G_d = {filters}$ (one map per kernel): ${s_0} \\times {s_1} \\times {s_2}$.').format(size=p.size, k=p.k, s_0=s[0], filters=p.filters, s_1=s[1], s_2=s[2])),
    ),
    _ex(
        id="03.layer_params", title=N_("Parameters of that layer"),
        defaults={"depth": 3, "filters": 10, "k": 5},
        draw=lambda d: {"depth": d.choice((3, 8, 16, 32, 64)), "filters": d.integer(4, 64), "k": d.choice((3, 5, 7))},
        question=lambda p: (_('How many trainable parameters (weights and biases) do {filters} kernels of ${k} \\times {k} \\times {depth}$ have?').format(filters=p.filters, k=p.k, depth=p.depth)),
        kind="int", solve=lambda p: ar.conv_params(p.depth, p.filters, p.k),
        mistakes=((lambda p: ar.conv_params(p.depth, p.filters, p.k, bias=False), N_("add one bias per kernel")),
                  (lambda p: ar.conv_params(1, p.filters, p.k), lambda p: _('each kernel is {k} × {k} × {depth}: K_d = I_d').format(k=p.k, depth=p.depth)),
                  (lambda p: ar.conv_params(1, p.filters, p.k, bias=False),
                   lambda p: _('each kernel is {k} × {k} × {depth} (K_d = I_d) and has a bias').format(k=p.k, depth=p.depth))),
        fallback=N_("(K_w · K_h · K_d + 1) per kernel, times the number of kernels F"),
        explain=lambda p, s: _('$(K_w K_h K_d + 1) \\cdot F = ({k} \\cdot {k} \\cdot {depth} + 1) \\times {filters} = {s}$.').format(k=p.k, depth=p.depth, filters=p.filters, s=_fmt(s)),
    ),
    # -- 04 stride and padding ----------------------------------------------
    _ex(
        id="04.shape_table", title=N_("The slides' exercise table"),
        defaults={"size": TABLE_INPUT[0], "depth": TABLE_INPUT[2], "filters": TABLE_KERNELS, "kernel": TABLE_KERNEL_SIZE},
        draw=lambda d: _table_draw(d),
        question=lambda p: (_('Given an input of ${size} \\times {size} \\times {depth}$ and {filters} kernels of ${kernel} \\times {kernel}$, calculate the width, height and depth of the feature maps for: valid padding with stride 1, same padding with stride 1, valid padding with stride 2.').format(size=p.size, depth=p.depth, filters=p.filters, kernel=p.kernel)),
        kind="table", solve=_table_solution,
        template=(N_("answer = {\n    \"valid/1\": (..., ..., ...),   # (width, height, depth)\n"
                  "    \"same/1\": (..., ..., ...),\n    \"valid/2\": (..., ..., ...),\n}")),
        fallback=N_("use equation (3) for width and height; the depth is the number of kernels"),
        explain=_table_explain,
    ),
    _ex(
        id="04.output_size", title=N_("Equation (3) with a stride"),
        defaults={"size": 15, "k": 3, "stride": 2},
        draw=lambda d: {"size": d.integer(8, 40), "k": d.choice((3, 5, 7)), "stride": d.choice((2, 3))},
        question=lambda p: (_('A ${size} \\times {size}$ input, a ${k} \\times {k}$ kernel, stride $s = {stride}$, valid padding. What is $G_w$?').format(size=p.size, k=p.k, stride=p.stride)),
        kind="int", solve=lambda p: ar.output_size(p.size, p.k, stride=p.stride),
        mistakes=((lambda p: ar.output_size(p.size, p.k, stride=1),
                   lambda p: _('that is stride 1; with s = {stride} divide by {stride} in equation (3)').format(stride=p.stride)),
                  (lambda p: (p.size - p.k) // p.stride, N_("almost: equation (3) adds 1 after the division")),
                  (lambda p: ar.output_size(p.size, p.k, stride=p.stride, padding="same"),
                   N_("that is with 'same' padding; valid adds no zeros"))),
        fallback=N_("G_w = ⌊(I_w − K_w)/s⌋ + 1"),
        explain=lambda p, s: _('$G_w = \\lfloor ({size} - {k})/{stride} \\rfloor + 1 = {s}$.').format(size=p.size, k=p.k, stride=p.stride, s=s),
    ),
    _ex(
        id="04.same_zeros", title=N_("How many zeros does 'same' add?"),
        defaults={"k": 5},
        draw=lambda d: {"k": d.choice((3, 5, 7, 9, 11))},
        question=lambda p: (_("With a ${k} \\times {k}$ kernel and stride 1, 'same' padding adds zeros so that the output keeps the input's width. How many columns of zeros in total (left + right)?").format(k=p.k)),
        kind="int", solve=lambda p: sum(ar.padding_amounts(20, p.k, padding="same")[1]),
        mistakes=((lambda p: ar.padding_amounts(20, p.k, padding="same")[1][0], N_("that is one side; count both sides")),
                  (lambda p: p.k, N_("the output keeps the width when the padded input is K − 1 wider"))),
        fallback=N_("for s = 1 the total padding is K_w − 1"),
        explain=lambda p, s: _("$p_{{total}} = K_w - 1 = {s}$: {s_2} on each side (Dumoulin and Visin's $p$ is one side).").format(s=s, s_2=s // 2),
    ),
    # -- 05 pooling ----------------------------------------------------------
    _ex(
        id="05.pool_shape", title=N_("Pooling a feature map"),
        defaults={"size": 30, "depth": 16, "window": 2},
        draw=lambda d: {"size": d.integer(10, 64), "depth": d.integer(3, 64), "window": d.choice((2, 3))},
        question=lambda p: (_("A ${size} \\times {size} \\times {depth}$ feature map goes through ${window} \\times {window}$ max pooling with stride {window}. What is the output's width, height and depth?").format(size=p.size, depth=p.depth, window=p.window)),
        kind="shape", solve=lambda p: (ar.pool_output_size(p.size, p.window),) * 2 + (p.depth,),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=((lambda p: (ar.pool_output_size(p.size, p.window),) * 2 + (1,),
                   N_("width and height are right; pooling works on each channel separately, so the depth is kept")),
                  (lambda p: (ar.pool_output_size(p.size, p.window, stride=1),) * 2 + (p.depth,),
                   lambda p: _('that is stride 1; with stride {window} the windows do not overlap').format(window=p.window)),),
        hint=_shape_hint(N_("pooling keeps the depth (one pooled map per channel)"),
                         N_("use equation (4): O_w = ⌊(I_w − W_w)/s⌋ + 1.")),
        fallback=N_("equation (4) for width and height; the depth does not change"),
        explain=lambda p, s: (_('$O_w = \\lfloor ({size} - {window})/{window} \\rfloor + 1 = {s_0}$; depth kept: ${s_0} \\times {s_1} \\times {s_2}$.').format(size=p.size, window=p.window, s_0=s[0], s_1=s[1], s_2=s[2])),
    ),
    _ex(
        id="05.max_values", title=N_("Max pooling by hand"),
        defaults={"x": POOL_05},
        draw=lambda d: {"x": d.matrix(4, 4, 0, 9)},
        question=lambda p: _("Apply $2 \\times 2$ max pooling with stride 2 to $X = {x}$. "
                             "Give the output as a list of rows.").format(x=_matrix_tex(p.x)),
        kind="array", solve=lambda p: ops.max_pool2d(p.x, 2),
        template=N_("answer = ...   # e.g. [[a, b], [c, d]]"),
        mistakes=((lambda p: ops.avg_pool2d(p.x, 2), N_("that is average pooling; take the largest value of each window")),
                  (lambda p: ops.max_pool2d(p.x, 2).T, N_("rows and columns are swapped")),),
        fallback=N_("split X into four 2 × 2 windows and keep the largest value of each"),
        explain=lambda p, s: _('${matrix_tex_s}$: the largest value of each $2 \\times 2$ window.').format(matrix_tex_s=_matrix_tex(s)),
    ),
    _ex(
        id="05.pool_params", title=N_("Weights of a pooling layer"),
        defaults={"window": 2},
        draw=lambda d: {"window": d.choice((2, 3, 4, 5))},
        question=lambda p: _('How many trainable parameters does a ${window} \\times {window}$ max pooling layer have?').format(window=p.window),
        kind="int", solve=lambda p: ar.pool_params(p.window),
        mistakes=((lambda p: p.window * p.window, N_("a pooling window has no weights: it takes a max (or a mean)")),),
        fallback=N_("pooling is 'weights free', as the slides say"),
        explain=lambda p, s: _('{s}: pooling has no weights to learn.').format(s=s),
        praise=N_("Pooling is weights free: it only takes a max (or a mean) of each window."),
    ),
    # -- 06 1x1 and inception ------------------------------------------------
    _ex(
        id="06.one_by_one_params", title=N_("A 1×1 reduction"),
        defaults={"size": 28, "depth": 192, "filters": 16},
        draw=lambda d: {"size": d.choice((7, 14, 28, 56)), "depth": d.choice((64, 128, 192, 256, 480, 512)),
                        "filters": d.choice((16, 24, 32, 48, 64))},
        question=lambda p: (_('A $1 \\times 1$ convolution reduces a ${size} \\times {size} \\times {depth}$ volume to {filters} channels. How many parameters (weights and biases)?').format(size=p.size, depth=p.depth, filters=p.filters)),
        kind="int", solve=lambda p: ar.conv1x1_params(p.depth, p.filters),
        mistakes=((lambda p: ar.conv1x1_params(p.depth, p.filters, bias=False), N_("add one bias per filter")),
                  (lambda p: ar.conv1x1_params(1, p.filters),
                   lambda p: _("a 1×1 kernel still has the input's depth: 1 × 1 × {depth}").format(depth=p.depth)),),
        fallback=lambda p: _('each 1 × 1 kernel has {depth} weights (one per channel) and a bias').format(depth=p.depth),
        explain=lambda p, s: _('$(1 \\cdot 1 \\cdot {depth} + 1) \\times {filters} = {s}$.').format(depth=p.depth, filters=p.filters, s=_fmt(s)),
    ),
    _ex(
        id="06.inception_depth", title=N_("Depth of an inception module"),
        defaults={"name": N_("GoogLeNet's inception (3b)"), "depth": 256, "b": (128, 128, 192, 32, 96, 64)},
        draw=lambda d: {"name": N_("An inception module"), "depth": d.choice((192, 256, 480, 512)),
                        "b": tuple(16 * d.integer(1, 12) for _ in range(6))},
        question=lambda p: (_('{name} reads $28 \\times 28 \\times {depth}$ with branches of {b_0} ($1\\times1$), {b_2} ($3\\times3$ after a reduction to {b_1}), {b_4} ($5\\times5$ after a reduction to {b_3}) and a pool projection of {b_5}. What is the output depth?').format(name=_(p.name), depth=p.depth, b_0=p.b[0], b_2=p.b[2], b_1=p.b[1], b_4=p.b[4], b_3=p.b[3], b_5=p.b[5])),
        kind="int", solve=lambda p: ar.inception_cost((28, 28, p.depth), *p.b)["output_shape"][2],
        mistakes=((lambda p: sum(p.b),
                   lambda p: _('the reductions ({b_1}, {b_3}) feed the 3×3 and 5×5; only the last layer of each branch is concatenated').format(b_1=p.b[1], b_3=p.b[3])),
                  (lambda p: ar.inception_cost((28, 28, p.depth), *p.b, reduce=False)["output_shape"][2],
                   lambda p: _('with the pool projection the pooling branch has {b_5} channels, not {depth}').format(b_5=p.b[5], depth=p.depth)),),
        fallback=N_("add the depths of the four branches' outputs"),
        explain=lambda p, s: f"${p.b[0]} + {p.b[2]} + {p.b[4]} + {p.b[5]} = {s}$.",
    ),
    _ex(
        id="06.saving", title=N_("What the reduction saves"),
        defaults={"size": 28, "depth": 192, "filters": 32, "k": 5, "reduce": 16},
        draw=lambda d: {"size": d.choice((14, 28)), "depth": d.choice((192, 256, 480)),
                        "filters": d.choice((32, 48, 64, 96)), "k": d.choice((3, 5)), "reduce": d.choice((16, 24, 32))},
        question=lambda p: (_('How many multiply-adds does a ${k} \\times {k}$ branch need *without* a $1 \\times 1$ reduction: {filters} kernels ${k} \\times {k} \\times {depth}$, same padding, on ${size} \\times {size} \\times {depth}$?').format(k=p.k, filters=p.filters, depth=p.depth, size=p.size)),
        kind="int", solve=lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k, padding="same"),
        mistakes=((lambda p: ar.conv_macs((p.size, p.size, p.reduce), p.filters, p.k, padding="same")
                   + ar.conv1x1_macs((p.size, p.size, p.depth), p.reduce),
                   lambda p: _('that is with a reduction; without it the kernels read all {depth} channels').format(depth=p.depth)),
                  (lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k),
                   lambda p: _('with same padding the output stays {size} × {size}').format(size=p.size))),
        fallback=lambda p: f"H′ · W′ · F · K_h · K_w · C = {p.size} · {p.size} · {p.filters} · {p.k} · {p.k} · {p.depth}",
        explain=lambda p, s: (_("$H' W' F K_h K_w C = {size} \\cdot {size} \\cdot {filters} \\cdot {k} \\cdot {k} \\cdot {depth} = {s}$; with a 1×1 reduction to {reduce} it is {n}.").format(size=p.size, filters=p.filters, k=p.k, depth=p.depth, s=_fmt(s), reduce=p.reduce, n=_fmt(ar.conv1x1_macs((p.size, p.size, p.depth), p.reduce) + ar.conv_macs((p.size, p.size, p.reduce), p.filters, p.k, padding='same')))),
    ),
    # -- 07 classification ---------------------------------------------------
    _ex(
        id="07.flatten", title=N_("What the classifier sees"),
        defaults={"size": 16, "f1": 8, "f2": 16},
        draw=lambda d: {"size": d.choice((12, 16, 20, 24, 28, 32)), "f1": d.choice((4, 6, 8, 12)),
                        "f2": d.choice((10, 16, 24, 32))},
        question=lambda p: (_("The notebook's CNN, fed larger digits of ${size} \\times {size} \\times 1$: conv {f1} kernels $3\\times3$ (same) → max pool 2 → conv {f2} kernels $3\\times3$ (same) → max pool 2 → flatten. How many numbers go into the dense classification layer?").format(size=p.size, f1=p.f1, f2=p.f2)),
        kind="int", solve=lambda p: _cnn_flat(p.size, ((p.f1, 3), (p.f2, 3))),
        mistakes=((lambda p: p.size * p.size * p.f2, N_("each 2 × 2 max pooling halves width and height")),
                  (lambda p: (p.size // 2) ** 2 * p.f2, lambda p: _('there are two poolings: {size} → {size_2} → {size_4}').format(size=p.size, size_2=p.size // 2, size_4=p.size // 4)),
                  (lambda p: (p.size // 4) ** 2 * p.f1,
                   lambda p: _('the depth after the second convolution is its number of kernels, {f2}').format(f2=p.f2))),
        fallback=N_("follow the shapes: same padding keeps the size, pooling halves it, depth = kernels"),
        explain=lambda p, s: (_('${size}\\times{size}\\times1 \\to {size}\\times{size}\\times{f1} \\to {size_2}\\times{size_2}\\times{f1} \\to {size_2}\\times{size_2}\\times{f2} \\to {size_4}\\times{size_4}\\times{f2}$: ${s}$ numbers.').format(size=p.size, f1=p.f1, size_2=p.size // 2, f2=p.f2, size_4=p.size // 4, s=_fmt(s))),
    ),
    _ex(
        id="07.model_params", title=N_("Parameters of the whole CNN"),
        defaults={"size": 16, "f1": 8, "f2": 16},
        draw=lambda d: {"size": d.choice((12, 16, 20, 24, 28, 32)), "f1": d.choice((4, 6, 8, 12)),
                        "f2": d.choice((10, 16, 24, 32))},
        question=lambda p: (_('How many trainable parameters does that CNN on ${size} \\times {size} \\times 1$ digits have in total ({f1} and {f2} kernels of $3 \\times 3$, the dense layer to 10 classes, with biases)?').format(size=p.size, f1=p.f1, f2=p.f2)),
        kind="int", solve=lambda p: _cnn_params(p.size, ((p.f1, 3), (p.f2, 3)), REF_CLASSES),
        mistakes=((lambda p: _cnn_params(p.size, ((p.f1, 3), (p.f2, 3)), REF_CLASSES, bias=False),
                   N_("add the biases: one per kernel and one per class")),
                  (lambda p: _cnn_params(p.size, ((p.f1, 3), (p.f2, 3)), REF_CLASSES, depth_one=True),
                   lambda p: _("the second convolution's kernels have depth {f1} (K_d = I_d)").format(f1=p.f1)),),
        fallback=lambda p: (_('conv: (3·3·1 + 1)·{f1}, conv: (3·3·{f1} + 1)·{f2}, dense: {n}·10 + 10; pooling has none').format(f1=p.f1, f2=p.f2, n=_cnn_flat(p.size, ((p.f1, 3), (p.f2, 3))))),
        explain=lambda p, s: (_('${n} + {n2} + {n3} = {s}$; the size of the digits changes only the dense layer.').format(n=ar.conv_params(1, p.f1, 3), n2=_fmt(ar.conv_params(p.f1, p.f2, 3)), n3=_fmt(ar.dense_params(_cnn_flat(p.size, ((p.f1, 3), (p.f2, 3))), 10)), s=_fmt(s))),
    ),
    # -- 08 architectures ----------------------------------------------------
    _ex(
        id="08.lenet_c1", title=N_("LeNet-5's C1 on a smaller digit"),
        defaults={"size": 28, "filters": 6, "k": 5},
        draw=lambda d: {"size": d.integer(20, 48), "filters": d.choice((4, 6, 8, 12)), "k": d.choice((3, 5, 7))},
        question=lambda p: (_("LeNet-5's C1 has {filters} kernels of ${k} \\times {k}$ (valid, stride 1). Fed a ${size} \\times {size} \\times 1$ image instead of the paper's padded $32 \\times 32$, what is C1's output (width, height, depth)?").format(filters=p.filters, k=p.k, size=p.size)),
        kind="shape", solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, 1), p.filters, p.k)),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=((lambda p: _whd(ar.feature_map_shape((p.size, p.size, 1), p.filters, p.k, padding="same")),
                   N_("valid padding: the output shrinks by K − 1")),),
        hint=_shape_hint(N_("the depth is the number of kernels"), N_("G_w = ⌊(I_w − K_w)/s⌋ + 1.")),
        fallback=N_("equation (3) and G_d = number of kernels"),
        explain=lambda p, s: _('${size} - {k} + 1 = {s_0}$: ${s_0} \\times {s_1} \\times {s_2}$.').format(size=p.size, k=p.k, s_0=s[0], s_1=s[1], s_2=s[2]),
    ),
    _ex(
        id="08.alexnet_conv1", title=N_("AlexNet's first layer on another crop"),
        defaults={"size": 195, "filters": 96, "k": 11, "stride": 4},
        draw=lambda d: {"size": d.integer(100, 300), "filters": d.choice((48, 64, 96)), "k": d.choice((7, 11)),
                        "stride": d.choice((2, 4))},
        question=lambda p: (_("A first layer in AlexNet's style: {filters} kernels of ${k} \\times {k}$, stride {stride}, valid, on a ${size} \\times {size} \\times 3$ crop. What is its output (width, height, depth)?").format(filters=p.filters, k=p.k, stride=p.stride, size=p.size)),
        kind="shape", solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, 3), p.filters, p.k, stride=p.stride)),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=((lambda p: _whd(ar.feature_map_shape((p.size, p.size, 3), p.filters, p.k)),
                   lambda p: _('that is stride 1; this layer jumps {stride} pixels').format(stride=p.stride)),),
        hint=_shape_hint(N_("the depth is the number of kernels"), lambda p: f"G_w = ⌊({p.size} − {p.k})/{p.stride}⌋ + 1."),
        fallback=lambda p: _('equation (3) with s = {stride}').format(stride=p.stride),
        explain=lambda p, s: (_('$\\lfloor ({size} - {k})/{stride} \\rfloor + 1 = {s_0}$: ${s_0} \\times {s_1} \\times {s_2}$.').format(size=p.size, k=p.k, stride=p.stride, s_0=s[0], s_1=s[1], s_2=s[2])),
    ),
    _ex(
        id="08.vgg_field", title=N_("VGG's stacked kernels"),
        defaults={"n": 3, "k": 3},
        draw=lambda d: {"n": d.integer(2, 6), "k": d.choice((3, 5))},
        question=lambda p: (_('VGG stacks ${k} \\times {k}$ convolutions (stride 1) instead of larger kernels. {n} of them in a row: how wide is the patch of the input that one output unit sees (its receptive field)?').format(k=p.k, n=p.n)),
        kind="int", solve=lambda p: ar.receptive_field([(p.k, 1)] * p.n),
        mistakes=((lambda p: p.k, lambda p: _('each further {k} × {k} layer widens the view by {k_1} pixels').format(k=p.k, k_1=p.k - 1)),
                  (lambda p: p.n * p.k, lambda p: _('the fields overlap: they grow by K − 1 = {k_1} per layer, not by {k}').format(k_1=p.k - 1, k=p.k)),),
        fallback=N_("a stack of stride-1 layers sees 1 + Σ (K − 1) pixels"),
        explain=lambda p, s: (_('$1 + {n} \\cdot ({k} - 1) = {s}$: {n} ${k}\\times{k}$ layers see as much as one ${s}\\times{s}$ with {n2} instead of {n3} weights at 64 channels.').format(n=p.n, k=p.k, s=s, n2=_fmt(p.n * ar.conv_params(64, 64, p.k, bias=False)), n3=_fmt(ar.conv_params(64, 64, s, bias=False)))),
    ),
    # -- 09 in class ---------------------------------------------------------
    _ex(
        id="09.same_stride2", title=N_("Same padding with a stride"),
        defaults={"size": 32, "depth": 3, "filters": 16, "k": 5, "stride": 2},
        draw=lambda d: {"size": d.integer(15, 64), "depth": d.choice((1, 3, 16)), "filters": d.integer(4, 64),
                        "k": d.choice((3, 5, 7)), "stride": d.choice((2, 3))},
        question=lambda p: (_('${size} \\times {size} \\times {depth}$ input, {filters} kernels of ${k} \\times {k}$, same padding, stride {stride}. Output (width, height, depth)?').format(size=p.size, depth=p.depth, filters=p.filters, k=p.k, stride=p.stride)),
        kind="shape", solve=lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k,
                                                                stride=p.stride, padding="same")),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=((lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, padding="same")),
                   N_("'same' keeps the size only with stride 1; with stride s the output is ⌈I/s⌉")),
                  (lambda p: _whd(ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.k, stride=p.stride)),
                   N_("that is valid padding; 'same' pads so that the output is ⌈I/s⌉"))),
        hint=_shape_hint(N_("the depth is the number of kernels"), N_("with 'same' padding the output is ⌈I_w/s⌉.")),
        fallback=N_("'same' gives ⌈I/s⌉; the depth is the number of kernels"),
        explain=lambda p, s: _('$\\lceil {size}/{stride} \\rceil = {s_0}$: ${s_0} \\times {s_1} \\times {s_2}$.').format(size=p.size, stride=p.stride, s_0=s[0], s_1=s[1], s_2=s[2]),
    ),
    _ex(
        id="09.chain", title=N_("A small network's shapes"),
        defaults={"size": 28, "f1": 6, "k1": 5, "f2": 16, "k2": 5},
        draw=lambda d: {"size": 4 * d.integer(7, 16), "f1": d.choice((4, 6, 8)), "k1": d.choice((3, 5)),
                        "f2": d.choice((12, 16, 32)), "k2": d.choice((3, 5))},
        question=lambda p: (_('${size} \\times {size} \\times 1$ → conv {f1} kernels ${k1}\\times{k1}$ (valid) → max pool 2 → conv {f2} kernels ${k2}\\times{k2}$ (valid) → max pool 2. Final (width, height, depth)?').format(size=p.size, f1=p.f1, k1=p.k1, f2=p.f2, k2=p.k2)),
        kind="shape",
        solve=lambda p: _whd(_chain((p.size, p.size, 1), [("conv", p.f1, p.k1), ("pool", 2), ("conv", p.f2, p.k2), ("pool", 2)])),
        template=N_("answer = ...   # (width, height, depth)"),
        mistakes=((lambda p: _whd(_chain((p.size, p.size, 1), [("conv", p.f1, p.k1), ("pool", 2), ("conv", p.f1, p.k2), ("pool", 2)])),
                   lambda p: _("width and height are right; the depth is the last convolution's number of kernels, {f2}").format(f2=p.f2)),),
        hint=_shape_hint(N_("the depth is the number of kernels of the last convolution (pooling keeps it)"),
                         lambda p: (_('{size} → {size_k1_1} (conv) → {size_k1_1_2} (pool) → ? (conv) → ? (pool).').format(size=p.size, size_k1_1=p.size - p.k1 + 1, size_k1_1_2=(p.size - p.k1 + 1) // 2))),
        fallback=N_("apply equation (3), then (4), then (3), then (4)"),
        explain=lambda p, s: (_('${size} \\to {size_k1_1} \\to {size_k1_1_2} \\to {size_k1_1_2_k2_1} \\to {s_0}$; depth {f2}: ${s_0} \\times {s_1} \\times {s_2}$.').format(size=p.size, size_k1_1=p.size - p.k1 + 1, size_k1_1_2=(p.size - p.k1 + 1) // 2, size_k1_1_2_k2_1=(p.size - p.k1 + 1) // 2 - p.k2 + 1, s_0=s[0], f2=p.f2, s_1=s[1], s_2=s[2])),
    ),
    _ex(
        id="09.params", title=N_("Parameters of a deeper layer"),
        defaults={"size": 14, "depth": 16, "filters": 32, "k": 3},
        draw=lambda d: {"size": d.choice((7, 14, 28, 56)), "depth": d.choice((8, 16, 32, 64)),
                        "filters": d.choice((16, 32, 64, 128)), "k": d.choice((1, 3, 5))},
        question=lambda p: (_('A layer with {filters} kernels of ${k} \\times {k}$ reads a ${size} \\times {size} \\times {depth}$ feature map. How many parameters?').format(filters=p.filters, k=p.k, size=p.size, depth=p.depth)),
        kind="int", solve=lambda p: ar.conv_params(p.depth, p.filters, p.k),
        mistakes=((lambda p: ar.conv_params(p.depth, p.filters, p.k, bias=False), N_("add one bias per kernel")),
                  (lambda p: ar.conv_params(1, p.filters, p.k), lambda p: _("the kernels have the input's depth, {depth}").format(depth=p.depth)),
                  (lambda p: ar.conv_params(3, p.filters, p.k), lambda p: _('the input depth here is {depth}, not 3').format(depth=p.depth))),
        fallback=lambda p: f"({p.k} · {p.k} · {p.depth} + 1) · {p.filters}",
        explain=lambda p, s: (_('$({k} \\cdot {k} \\cdot {depth} + 1) \\times {filters} = {s}$; the ${size} \\times {size}$ does not matter.').format(k=p.k, depth=p.depth, filters=p.filters, s=_fmt(s), size=p.size)),
    ),
    _ex(
        id="09.pool_stride", title=N_("Overlapping pooling"),
        defaults={"size": 55, "window": 3, "stride": 2},
        draw=lambda d: {"size": d.integer(12, 64), "window": d.choice((3, 5)), "stride": 2},
        question=lambda p: (_('Pooling with ${window} \\times {window}$ windows and stride {stride} overlaps (AlexNet pools this way). On a ${size} \\times {size}$ map, what is the output width (equation (4))?').format(window=p.window, stride=p.stride, size=p.size)),
        kind="int", solve=lambda p: ar.pool_output_size(p.size, p.window, stride=p.stride),
        mistakes=((lambda p: ar.pool_output_size(p.size, p.window), lambda p: _('that is stride {window}; here s = {stride}').format(window=p.window, stride=p.stride)),
                  (lambda p: (p.size - p.window) // p.stride, N_("equation (4) adds 1 after the division"))),
        fallback=N_("O_w = ⌊(I_w − W_w)/s⌋ + 1"),
        explain=lambda p, s: _('$\\lfloor ({size} - {window})/{stride} \\rfloor + 1 = {s}$.').format(size=p.size, window=p.window, stride=p.stride, s=s),
    ),
    _ex(
        id="09.macs", title=N_("Multiply-adds of a layer"),
        defaults={"size": 14, "depth": 32, "filters": 64, "k": 3},
        draw=lambda d: {"size": d.choice((7, 14, 28)), "depth": d.choice((3, 16, 32, 64)),
                        "filters": d.choice((16, 32, 64)), "k": d.choice((3, 5))},
        question=lambda p: (_('A layer with {filters} kernels of ${k} \\times {k}$ (same padding, stride 1) reads a ${size} \\times {size} \\times {depth}$ map. How many multiply-adds does it take?').format(filters=p.filters, k=p.k, size=p.size, depth=p.depth)),
        kind="int", solve=lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k, padding="same"),
        mistakes=((lambda p: ar.conv_macs((p.size, p.size, 1), p.filters, p.k, padding="same"),
                   lambda p: _('each kernel reads all {depth} channels: multiply by C too').format(depth=p.depth)),
                  (lambda p: ar.conv_params(p.depth, p.filters, p.k),
                   N_("that is the number of parameters; every output position uses them all again")),
                  (lambda p: ar.conv_macs((p.size, p.size, p.depth), p.filters, p.k),
                   lambda p: _('with same padding the output stays {size} × {size}').format(size=p.size))),
        fallback=N_("H′ · W′ · F · K_h · K_w · C"),
        explain=lambda p, s: (_("$H' W' F K_h K_w C = {size} \\cdot {size} \\cdot {filters} \\cdot {k} \\cdot {k} \\cdot {depth} = {s}$.").format(size=p.size, filters=p.filters, k=p.k, depth=p.depth, s=_fmt(s))),
    ),
    _ex(
        id="09.correlation", title=N_("What a CNN layer computes at one place"),
        defaults={"patch": PATCH_09, "kernel": KERNEL_09},
        draw=lambda d: {"patch": d.matrix(3, 3, 0, 5), "kernel": d.matrix(3, 3, -2, 2)},
        question=lambda p: _("A CNN layer computes cross-correlation (no flip). With $I = {image}$ and $K = {kernel}$, "
                             "what value does it give at the centre?").format(image=_matrix_tex(p.patch),
                                                                              kernel=_matrix_tex(p.kernel)),
        kind="number", solve=lambda p: float(ops.conv2d(p.patch, p.kernel)[0, 0]),
        template=N_("answer = ...   # a number"),
        mistakes=((lambda p: float(ops.convolve2d(p.patch, p.kernel)[0, 0]),
                   N_("that is the convolution of equation (1), with the kernel flipped; a CNN layer does not flip")),),
        fallback=N_("multiply I and K element by element, without flipping, and add the nine products"),
        explain=lambda p, s: _('$\\sum_{{u,v}} I[u, v]\\, K[u, v] = {s:g}$ (no flip).').format(s=s),
    ),
    _ex(
        id="09.field_pool", title=N_("The receptive field through a pooling"),
        defaults={"k1": 3, "window": 2, "k2": 3},
        draw=lambda d: {"k1": d.choice((3, 5, 7)), "window": d.choice((2, 3)), "k2": d.choice((3, 5))},
        question=lambda p: (_('conv ${k1} \\times {k1}$ (stride 1) → max pool ${window} \\times {window}$ (stride {window}) → conv ${k2} \\times {k2}$ (stride 1). How wide is the patch of the input that one output unit sees?').format(k1=p.k1, window=p.window, k2=p.k2)),
        kind="int", solve=lambda p: ar.receptive_field([(p.k1, 1), (p.window, p.window), (p.k2, 1)]),
        mistakes=((lambda p: 1 + (p.k1 - 1) + (p.window - 1) + (p.k2 - 1),
                   lambda p: _('after a pooling of stride {window}, one step of the next layer is {window} input pixels').format(window=p.window)),
                  (lambda p: 1 + (p.k1 - 1) + (p.k2 - 1) * p.window,
                   lambda p: _('the pooling window widens the field too, by W − 1 = {window_1}').format(window_1=p.window - 1)),),
        fallback=N_("each layer adds (K − 1) times the product of the strides below it"),
        explain=lambda p, s: (_("$1 + ({k1} - 1) + ({window} - 1) \\cdot 1 + ({k2} - 1) \\cdot {window} = {s}$: the pooling's stride multiplies what the next layer adds.").format(k1=p.k1, window=p.window, k2=p.k2, s=s)),
    ),
]

from .nb04b import DEFINITIONS as _TRANSPOSED  # noqa: E402 - notebook 04b's exercises

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
