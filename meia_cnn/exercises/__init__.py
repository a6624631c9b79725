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

This package is pure logic: no widgets, no plotting.  The widgets around it
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

import difflib
from typing import Any

from ..classroom import client as _classroom
from ..i18n import gettext as _
from . import nb00, nb01, nb02, nb03, nb04, nb04b, nb05, nb06, nb07, nb08, nb09

# the statuses, Draw and the variant check are also read from here by meia_cnn.widgets.exercise
from ._model import (
    CORRECT,
    INVALID,
    MAX_ITEMS,
    MAX_MAGNITUDE,
    MAX_TEXT,
    MAX_VARIANT,
    WAITING,
    WRONG,
    Draw,
    Exercise,
    Feedback,
    Params,
    _short,
    _variant,
    _waiting,
)
from ._table import TABLE_ROWS

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
    "statement",
    "solution",
    "solution_text",
    "next_variant",
    "for_notebook",
]

#: The notebooks' exercise modules, in lecture order.
NOTEBOOKS = (nb00, nb01, nb02, nb03, nb04, nb04b, nb05, nb06, nb07, nb08, nb09)

#: Every exercise by id, in notebook order.
EXERCISES: dict[str, Exercise] = {ex.id: ex for notebook in NOTEBOOKS for ex in notebook.EXERCISES}


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
        # a mistyped id is a student's slip, not a programmer's: the message speaks their language
        known = ", ".join(EXERCISES)
        message = _("`exercise_id` must be one of {known}; got {got}").format(known=known, got=_short(exercise_id))
        close = difflib.get_close_matches(str(exercise_id), list(EXERCISES), n=1)
        if close:
            message += _(" (did you mean {close!r}?)").format(close=close[0])
        raise ValueError(message) from None


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
    >>> check("04.shape_table", {"valid/1": (26, 26, 3), "same/1": (28, 28, 8),
    ...                          "valid/2": (..., ..., ...)})  # doctest: +NORMALIZE_WHITESPACE
    1 of 3 rows right.
    valid, stride 1: not yet: width and height are right; the depth equals the number of kernels
    (each kernel gives one map), not the input depth.
    same, stride 1: correct.
    valid, stride 2: waiting for an answer.
    >>> check("04.output_size", solution("04.output_size", variant=5), variant=5)
    Correct!
    """
    feedback = get(exercise_id).check(answer, _variant(variant))
    _classroom.record_feedback(feedback, variant)  # on the hub only; never waits (meia_cnn.classroom)
    return feedback


class Prompt(str):
    """A question as markdown: displayed in a notebook as formatted text (its formulas set), a ``str`` otherwise."""

    __slots__ = ()

    def _repr_markdown_(self) -> str:
        return str(self)


def prompt(exercise_id: str, *, variant: int = 0) -> Prompt:
    """The question of an exercise with the numbers of one variant (markdown).

    Parameters
    ----------
    exercise_id : str
        E.g. ``"04.output_size"``.
    variant : int
        0 for the notebook's numbers, any other whole number for new ones.

    Returns
    -------
    Prompt
        A ``str`` that a notebook shows as markdown (the question's formulas set).

    Examples
    --------
    >>> prompt("05.pool_params", variant=0)
    'How many trainable parameters does a $2 \\\\times 2$ max pooling layer have?'
    """
    return Prompt(get(exercise_id).prompt(variant))


def statement(exercise_id: str, *, variant: int = 0) -> Prompt:
    """The exercise as a notebook states it: a heading with its id and title, then its question.

    The one source of an exercise's statement in every language: the notebooks'
    exercise cells hold this text (:mod:`tools.translate_notebooks` writes it
    into the English notebooks and, in the current language, into the
    translated ones), and :func:`prompt` and the exercise widgets show the
    same title and question.

    Parameters
    ----------
    exercise_id : str
        The exercise, as for :func:`prompt`.
    variant : int
        Whose numbers the question holds (0: the notebook's).

    Returns
    -------
    Prompt
        Markdown: a level-3 heading, a blank line, the question.

    Examples
    --------
    >>> print(statement("05.pool_params"))
    ### Exercise 05.pool_params: Weights of a pooling layer
    <BLANKLINE>
    How many trainable parameters does a $2 \\times 2$ max pooling layer have?
    """
    exercise = get(exercise_id)
    heading = _("Exercise {id}: {title}").format(id=exercise.id, title=_(exercise.title))
    return Prompt(f"### {heading}\n\n{exercise.prompt(variant)}")


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


def next_variant(exercise_id: str, variant: int) -> int:
    """The variant *New numbers* moves to from ``variant`` (the same on every machine).

    Parameters
    ----------
    exercise_id : str
        The exercise.
    variant : int
        The current variant.

    Returns
    -------
    int
        A variant >= 1, different from ``variant``.

    Examples
    --------
    >>> next_variant("04.output_size", 0) == next_variant("04.output_size", 0)
    True
    >>> next_variant("04.output_size", 0) != 0
    True
    """
    n = Draw(f"{exercise_id}/next/{variant}").integer(1, MAX_VARIANT)
    return n if n != variant else n % MAX_VARIANT + 1


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
    return [ex for ex in EXERCISES.values() if ex.notebook == key]
