"""The exercise model: reading answers, feedback, variants and hints.

An :class:`Exercise` holds a question, a solution computed by the core and
the known mistakes; :class:`Draw` gives each variant its numbers from a hash
of the exercise id, and :class:`Feedback` is the verdict on one answer.  The
exercises themselves live in one module per notebook (``nb00`` ... ``nb09``);
:mod:`meia_cnn.exercises` gathers them.
"""

from __future__ import annotations

import hashlib
import html
import math
import numbers
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Union

import numpy as np

from ..i18n import gettext as _
from ..i18n import gettext_noop as N_

__all__ = [
    "Exercise",
    "Feedback",
    "Params",
    "Draw",
    "MAX_ITEMS",
    "MAX_MAGNITUDE",
    "MAX_TEXT",
    "MAX_VARIANT",
    "read_text",
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
#: The most characters an answer typed in a box may have (a longer paste is refused unread).
MAX_TEXT = 2000
TOO_LONG = N_("Cannot read the answer: it is {n:,} characters long; an answer here is at most {limit:,}.")


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
    mistake : str
        Which known mistake the answer matched, for the class view: ``"mistake.N"`` (the Nth of
        the exercise's ``mistakes``), ``"several"``, ``"hint"``, ``"other"``, ``"unreadable"``, ``"table.ROW"``;
        ``""`` when right or waiting.

    Examples
    --------
    >>> Feedback("05.pool_params", "correct", "Correct!").correct
    True
    """

    exercise: str
    status: str
    message: str
    mistake: str = ""

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
        if isinstance(value, (str, bytes)):
            return _("a text of {len_value:,} characters").format(len_value=len(value))
        return _("a {kind} of {len_value:,} items").format(kind=kind, len_value=len(value))
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
            return _(
                "Cannot read the answer: it holds {n:,} characters or more; an answer here is a "
                "few numbers (at most {most:,})."
            ).format(n=n, most=MAX_ITEMS)
        return _(
            "Cannot read the answer: it holds {n:,} items or more; an answer here is a few numbers (at most {most:,})."
        ).format(n=n, most=MAX_ITEMS)
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
        raise _Unreadable(_("{what} must be a number, got {short_value}").format(what=what, short_value=_short(value)))
    if isinstance(value, numbers.Integral) and abs(int(value)) > MAX_MAGNITUDE:
        raise _Unreadable(
            _("{what} is far too large ({short_value}); no answer here is above 10^15").format(
                what=what, short_value=_short(value)
            )
        )
    try:
        number = float(value)
    except (OverflowError, ValueError, TypeError):
        raise _Unreadable(_("{what} is far too large to be read as a number").format(what=what)) from None
    if not math.isfinite(number):
        raise _Unreadable(
            _("{what} must be a finite number, got {short_value}").format(what=what, short_value=_short(value))
        )
    if abs(number) > MAX_MAGNITUDE:
        raise _Unreadable(
            _("{what} is far too large ({number:.3g}); no answer here is above 10^15").format(what=what, number=number)
        )
    return number


def _as_int(value: Any, what: str = N_("the answer")) -> int:
    number = _as_number(value, what)
    what = _(what)
    if number != int(number):
        raise _Unreadable(
            _("{what} must be a whole number, got {short_value}").format(what=what, short_value=_short(value))
        )
    return int(number)


def _as_ints(value: Any, n: int, names: tuple[str, ...]) -> tuple[int, ...]:
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        raise _Unreadable(
            _("give {n} whole numbers ({join_names}), got {short_value}").format(
                n=n, join_names=", ".join(_(name) for name in names), short_value=_short(value)
            )
        )
    if len(value) != n:
        shown = _short(tuple(value)) if len(value) <= 20 else _("{len_value:,} numbers").format(len_value=len(value))
        raise _Unreadable(
            _("give {n} numbers ({join_names}), got {len_value}: {shown}").format(
                n=n, join_names=", ".join(_(name) for name in names), len_value=len(value), shown=shown
            )
        )
    return tuple(_as_int(v, names[i]) for i, v in enumerate(value))


def _as_array(value: Any, shape: tuple[int, ...]) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        raise _Unreadable(
            _("the answer must be an array of numbers, got {short_value}").format(short_value=_short(value))
        ) from None
    if arr.shape != shape:
        raise _Unreadable(
            _("the answer must have shape {shape} (rows, columns), got shape {arr_shape}").format(
                shape=shape, arr_shape=arr.shape
            )
        )
    if not np.all(np.isfinite(arr)):
        raise _Unreadable(_("the answer has a value that is not a finite number"))
    if np.any(np.abs(arr) > MAX_MAGNITUDE):
        raise _Unreadable(_("the answer has a value that is far too large; no answer here is above 10^15"))
    return arr


# -- an answer typed as text (the answer boxes) -------------------------------------------
_GROUP_SEP = "[,  \u2009\u202f]"
#: 3,612,672 or 3 612 672 (one separator throughout): a whole number written with thousands separators
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?P<sep>" + _GROUP_SEP + r")\d{3}(?:(?P=sep)\d{3})*")
#: -2,0 or 1,5: a decimal comma (not three digits after it)
_DECIMAL_COMMA = re.compile(r"(?<![\d,])[+-]?\d+,(?:\d{1,2}|\d{4,})(?![\d,])")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d{1,4})?")


def _plain_numbers(line: str) -> list[str] | None:
    """The numbers of a line written without brackets (spaces or commas between them), else None."""
    words = [w for w in re.split(r"[\s,;]+", line.strip()) if w]
    return words if words and all(_PLAIN_NUMBER.fullmatch(w) for w in words) else None


def _number(word: str) -> int | float:
    return int(word) if re.fullmatch(r"[+-]?\d+", word) else float(word)


def read_text(text: str, kind: str, parts: int = 3) -> Any:
    """An answer typed in a box, as the Python value :meth:`Exercise.check` reads.

    Reads what the kit prints and what a student types: ``3,612,672`` and
    ``3 612 672`` (thousands), ``16 16 16``, ``16×16×16`` and ``(16, 16, 16)``,
    the minus sign ``−2``, and an array one row per line (``4 6⏎2 5``).  A
    decimal comma (``-2,0``, ``1,5``) and a text that could mean two things
    (``3,612,672`` where three numbers are asked) raise with a sentence for
    the student instead of a guess.

    Parameters
    ----------
    text : str
        What was typed.
    kind : {'int', 'number', 'shape', 'array'}
        The exercise's kind.
    parts : int
        How many numbers a 'shape' answer has.

    Returns
    -------
    object
        A number, a tuple or a list of rows; ``...`` for an empty text.

    Raises
    ------
    _Unreadable
        With the sentence for the student.

    Examples
    --------
    >>> read_text("3,612,672", "int"), read_text("16×16×16", "shape"), read_text("−2", "number")
    (3612672, (16, 16, 16), -2)
    >>> read_text("4 6\\n2 5", "array")
    [[4, 6], [2, 5]]
    """
    import ast

    t = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    if not t:
        return Ellipsis
    t = re.sub(r"\s*(?:×|\\times)\s*", "×", t)
    t = re.sub(r"(?<=\d)\s*[xX×]\s*(?=[+-]?\d)", ",", t)
    lines = [line for line in re.split(r"[\n;]", t) if line.strip()]
    commas = [
        m.group(0)
        for line in lines
        for m in _DECIMAL_COMMA.finditer(line)
        if kind in ("number", "array", "int") and (kind != "array" or " " in line.strip() or len(lines) == 1)
    ]
    if commas and not (kind == "array" and t.lstrip().startswith("[")):
        raise _Unreadable(
            _("{text} looks like a decimal comma: write decimals with a point, e.g. {fixed}").format(
                text=repr(commas[0]), fixed=commas[0].replace(",", ".")
            )
        )
    thousands = _THOUSANDS.fullmatch(t)
    if thousands and kind in ("int", "number"):
        if kind == "number" and thousands.group("sep") == "," and t.count(",") == 1:
            raise _Unreadable(
                _("{text} could be {a} or {b}: write {b} without the comma, or use a decimal point").format(
                    text=repr(t), a=t.replace(",", "."), b=t.replace(",", "")
                )
            )
        return int(re.sub(_GROUP_SEP, "", t))
    if thousands and kind == "shape" and len(re.split(_GROUP_SEP, t)) == parts:
        raise _Unreadable(
            _(
                "{text} could be one number, {number}, or {parts} numbers, {tuple}: write the number without "
                "separators, or the {parts} numbers in brackets"
            ).format(
                text=repr(t),
                number=re.sub(_GROUP_SEP, "", t),
                parts=parts,
                tuple="(" + ", ".join(re.split(_GROUP_SEP, t)) + ")",
            )
        )
    rows = [_plain_numbers(line) for line in lines]
    if all(row is not None for row in rows):
        values = [[_number(w) for w in row] for row in rows if row]
        if kind == "array":
            return values
        if len(values) == 1:
            return values[0][0] if len(values[0]) == 1 else tuple(values[0])
    try:
        return ast.literal_eval(t.replace("×", ","))
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError, OverflowError):
        raise _Unreadable(
            _("{text} is not a number, a tuple or a list of rows").format(text=repr(text.strip()))
        ) from None


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
    checker : callable, optional
        ``checker(exercise, answer, p) -> Feedback`` for an answer that is
        not one value (the slides' table), instead of the checks above.

    Examples
    --------
    >>> from meia_cnn.exercises import get
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
    checker: Callable[[Exercise, Any, Params], Feedback] | None = None

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
            for b in values[i + 1 :]:
                if np.shape(a) == np.shape(b) and _same(a, b):
                    return False
        return True

    def prompt(self, variant: int = 0) -> str:
        """The question with the numbers of ``variant`` (markdown).

        Parameters
        ----------
        variant : int
            The numbers to ask with: 0 for the notebook's, another whole number for new ones.

        Returns
        -------
        str
            Markdown in the current language; thousands inside math written ``2{,}352``.

        Examples
        --------
        >>> from meia_cnn.exercises import get
        >>> print(get("04.output_size").prompt(variant=0))
        A $15 \\times 15$ input, a $3 \\times 3$ kernel, stride $s = 2$, valid padding. What is $G_w$?
        """
        return tex_thousands(_text(self.question, self.params(variant)))

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
            The numbers whose solution is worked out, as for :meth:`prompt`.

        Returns
        -------
        str
            Markdown: the steps with the core's numbers, then the result.
        """
        p = self.params(variant)
        return tex_thousands(self.explain(p, self.solve(p)))

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
            return Feedback(self.id, INVALID, big, "unreadable")
        if self.checker is not None:
            return self.checker(self, answer, p)
        if _has_ellipsis(answer):
            return _waiting(self.id)
        try:
            value = self.read(answer, variant)
        except _Unreadable as exc:
            return Feedback(self.id, INVALID, _("Cannot read the answer: {exc}.").format(exc=exc), "unreadable")
        sol = self.solve(p)
        if _same(value, sol):
            return Feedback(
                self.id, CORRECT, _("Correct! {praise}").format(praise=_(self.praise)) if self.praise else _("Correct!")
            )
        hints = self.mistake_hints(value, p)
        if len(hints) == 1:
            return Feedback(self.id, WRONG, _not_yet(hints[0]), self._mistake_key(value, p))
        if hints:  # two usual mistakes give this number: naming one would guess
            return Feedback(
                self.id,
                WRONG,
                _not_yet(
                    _("more than one usual mistake gives this number; go step by step: {fallback}").format(
                        fallback=_text(self.fallback, p)
                    )
                ),
                "several",
            )
        if self.hint is not None:
            hint = self.hint(value, sol, p)
            if hint:
                return Feedback(self.id, WRONG, _not_yet(hint), "hint")
        return Feedback(self.id, WRONG, _not_yet(_text(self.fallback, p)), "other")

    def check_text(self, text: str, variant: int = 0) -> Feedback:
        """Say whether an answer typed in a box is right (read by :func:`read_text`; empty: not answered).

        Parameters
        ----------
        text : str
            What was typed; more than :data:`MAX_TEXT` characters is refused unread.
        variant : int
            Which numbers the question was asked with.

        Returns
        -------
        Feedback

        Examples
        --------
        >>> from meia_cnn.exercises import get
        >>> get("04.output_size").check_text(" 7 ").correct
        True
        >>> print(get("04.output_size").check_text("(3"))
        Cannot read the answer: '(3' is not a number, a tuple or a list of rows.
        """
        text = text.strip()
        if len(text) > MAX_TEXT:
            return Feedback(self.id, INVALID, _(TOO_LONG).format(n=len(text), limit=MAX_TEXT))
        try:  # 3,612,672 and 16×16×16 as the kit prints them; a decimal comma or two readings: a sentence
            value = read_text(text, self.kind, len(self.names))
        except _Unreadable as exc:
            return Feedback(self.id, INVALID, _("Cannot read the answer: {exc}.").format(exc=exc))
        return self.check(value, variant)

    def _mistake_key(self, value: Any, p: Params) -> str:
        """``"mistake.N"``: the first known mistake that gives ``value`` (for the class view)."""
        for i, (wrong, _hint) in enumerate(self.mistakes):
            if np.shape(value) == np.shape(wrong(p)) and _same(value, wrong(p)):
                return f"mistake.{i}"
        return "other"

    def mistake_hints(self, value: Any, p: Params) -> list[str]:
        """The different hints of the known mistakes that give ``value`` (none, one, or several).

        Parameters
        ----------
        value : object
            An answer as :meth:`read` returns it.
        p : Params
            The variant's numbers.

        Returns
        -------
        list of str
        """
        hints: list[str] = []
        for wrong, text in self.mistakes:
            mistake = wrong(p)
            if np.shape(value) == np.shape(mistake) and _same(value, mistake):
                hint = _text(text, p)
                if hint not in hints:
                    hints.append(hint)
        return hints


def tex_thousands(text: str) -> str:
    """Thousands separators inside math written ``2{,}352``: LaTeX sets a bare comma in math as punctuation ("2, 352").

    Parameters
    ----------
    text : str
        Markdown with ``$...$`` math.

    Returns
    -------
    str

    Examples
    --------
    >>> tex_thousands("$28 \\times 28 \\times 3 = 2,352$ numbers, 1,000 outside")
    '$28 \\times 28 \\times 3 = 2{,}352$ numbers, 1,000 outside'
    """
    return re.sub(r"\$[^$]+\$", lambda m: re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "{,}", m.group(0)), text)


def _not_yet(text: str) -> str:
    text = text.strip()
    return _("Not yet: {hint}").format(hint=text if text[-1] in ".!?" else text + ".")


def _waiting(exercise_id: str) -> Feedback:
    return Feedback(
        exercise_id,
        WAITING,
        _("Waiting for an answer to {exercise_id}: replace ... with your answer and run the cell again.").format(
            exercise_id=exercise_id
        ),
    )


def _shape_hint(depth_rule: Text, size_rule: Text) -> Callable[[Any, Any, Params], str]:
    """A hint function for (width, height, depth) answers."""

    def hint(value: Any, sol: Any, p: Params) -> str:
        depth, size = _text(depth_rule, p), _text(size_rule, p)
        wh_ok = value[:2] == sol[:2]
        d_ok = value[2] == sol[2]
        if wh_ok and not d_ok:
            return _("width and height are right; {depth}").format(depth=depth)
        if d_ok and not wh_ok:
            if value[0] == sol[0] or value[1] == sol[1]:
                return _(
                    "the depth and one side are right; the input is square, so width and height are equal. {size}"
                ).format(size=size)
            return _("the depth is right; {size}").format(size=size)
        return _("{size} And {depth}").format(size=size, depth=depth)

    return hint


def _fmt(x: Any) -> str:
    return f"{x:,}"


def _matrix_tex(a: Any) -> str:
    rows = " \\\\ ".join(" & ".join(f"{v:g}" for v in row) for row in np.asarray(a))
    return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"
