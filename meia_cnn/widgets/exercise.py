"""Exercise widgets: type an answer, press Check, read a hint; reveal on demand.

The checking is done by :mod:`meia_cnn.exercises` (pure logic); these widgets
only collect the answer and show the verdict.  Like the explorers they expose
their controls by name in ``.controls``, so an instructor or a test drives
them the same way a student does::

    from meia_cnn.widgets import ShapeTableExercise
    table = ShapeTableExercise()
    table.controls["valid/1/width"].value = 26
    table.controls["check"].click()
    table.feedback_text          # 'Correct! ...' or a hint per row

A solution is never sent to the page before it is asked for: the worked
solution is computed and shown only when *Show solution* is pressed (the
widget's state holds no trace of it before).  :class:`SolutionButton` is that
button alone, for the exercises answered in code.  *New numbers* draws another
variant of the exercise (:func:`meia_cnn.exercises.prompt`).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as widgets

from .. import exercises as _ex
from ..classroom import client as _classroom
from ..explain.exercise import feedback_html, solution_html, table_marks
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._explorer import _close_tree
from ._explorer import plain_text as _plain

__all__ = ["ExerciseWidget", "ShapeTableExercise", "SolutionButton"]

#: What a widget says before an answer is given (there is no cell to run).
WAITING_BOXES = N_("Waiting for an answer: type your answer in the boxes and press Check.")
WAITING_BOX = N_("Waiting for an answer: type your answer in the box and press Check.")


class SolutionButton(widgets.VBox):
    """A *Show solution* button: the worked solution appears only when it is pressed.

    For exercises answered in code (``check("id", answer)``): nothing of the
    solution is computed or sent to the page before the press, so *Run All*,
    Voilà and the slides show only the button.  The exercise widgets below
    have the same button beside their own.

    Parameters
    ----------
    exercise_id : str
        Any id of :data:`meia_cnn.exercises.EXERCISES`.
    variant : int, optional
        Which numbers (0: the notebook's).

    Attributes
    ----------
    controls : dict
        ``"reveal"`` (Button).
    solution : ipywidgets.HTMLMath
        CSS class ``meia-solution``; empty and hidden until the press.

    Examples
    --------
    >>> b = SolutionButton("04.output_size")
    >>> b.solution.value
    ''
    >>> b.controls["reveal"].click()
    >>> "= 7" in b.solution.value
    True
    >>> b.close()
    """

    #: The button's tooltip (a message id; ``{exercise_id}`` is filled in) and the widget's CSS class.
    reveal_tooltip = N_("Show the worked solution of {exercise_id}")
    css_class = "meia-solution-button"

    def __init__(self, exercise_id: str, *, variant: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.exercise = _ex.get(exercise_id)
        self.variant = _ex._variant(variant)
        self.controls: dict[str, widgets.Widget] = {
            "reveal": widgets.Button(
                description=_("Show solution"),
                icon="eye",
                tooltip=_(self.reveal_tooltip).format(exercise_id=exercise_id),
            )
        }
        self.solution = widgets.HTMLMath(value="", layout=widgets.Layout(display="none"))
        self.solution.add_class("meia-solution")
        self.controls["reveal"].on_click(lambda _button: self.reveal())
        self.children = [self.controls["reveal"], self.solution]
        self.add_class(self.css_class)

    @property
    def revealed(self) -> bool:
        """True once the solution is shown."""
        return self.solution.layout.display != "none"

    def reveal(self) -> None:
        """Show the worked solution (computed by the core only now)."""
        self.solution.value = solution_html(self.exercise.solution_text(self.variant))
        self.solution.layout.display = None
        self.controls["reveal"].disabled = True

    def _hide(self) -> None:
        self.solution.value = ""
        self.solution.layout.display = "none"
        self.controls["reveal"].disabled = False

    def close(self) -> None:
        """Close every widget it built, boxes included, so no front end waits on a closed one."""
        _close_tree(self.controls.values())
        _close_tree(self.children)
        super().close()


class _ExerciseBase(SolutionButton):
    """Shared parts: title, prompt, Check, New numbers and Show-solution buttons, feedback."""

    waiting_text = WAITING_BOX
    reveal_tooltip = N_("Show the worked solution")
    css_class = "meia-exercise"

    def __init__(self, exercise_id: str, *, variant: int = 0, **kwargs: Any) -> None:
        super().__init__(exercise_id, variant=variant, **kwargs)
        self.title = widgets.HTML(f"<b style='font-size:1.15em'>{html.escape(_(self.exercise.title))}</b>")
        self.prompt = widgets.HTMLMath(html.escape(self.exercise.prompt(self.variant)))
        self.feedback = widgets.HTML(value="", layout=widgets.Layout(min_height="1.6em"))
        self.feedback.add_class("meia-feedback")
        reveal = self.controls.pop("reveal")  # the buttons in the order they are shown
        self.controls["check"] = widgets.Button(
            description=_("Check"), button_style="primary", tooltip=_("Check your answer")
        )
        self.controls["new"] = widgets.Button(
            description=_("New numbers"), icon="refresh", tooltip=_("The same exercise with other numbers")
        )
        self.controls["reveal"] = reveal
        self.controls["check"].on_click(lambda _button: self.check())
        self.controls["new"].on_click(lambda _button: self.new_numbers())
        #: The row of buttons, built once (a front end keeps a view of it).
        self.buttons = widgets.HBox([self.controls["check"], self.controls["new"], self.controls["reveal"]])
        self.last: _ex.Feedback | None = None

    @property
    def feedback_text(self) -> str:
        """The feedback as plain text ('' before the first check)."""
        return _plain(self.feedback.value)

    def answer(self) -> Any:  # pragma: no cover - abstract
        """The answer as a Python value."""
        raise NotImplementedError

    def _show(self, feedback: _ex.Feedback) -> _ex.Feedback:
        if feedback.status == _ex.WAITING and feedback.message == _ex._waiting(feedback.exercise).message:
            feedback = _ex.Feedback(feedback.exercise, feedback.status, _(self.waiting_text))
        self.last = feedback
        self.feedback.value = feedback_html(feedback)
        _classroom.record_feedback(feedback, self.variant)  # on the hub only; never waits (meia_cnn.classroom)
        return feedback

    def check(self) -> _ex.Feedback:
        """Check the current answer, show and return the :class:`~meia_cnn.exercises.Feedback`.

        Returns
        -------
        Feedback
        """
        return self._show(self.exercise.check(self.answer(), self.variant))

    def new_numbers(self, variant: int | None = None) -> None:
        """Ask the same exercise with other numbers; the answer, verdict and solution are cleared.

        Parameters
        ----------
        variant : int, optional
            The variant to show; by default the next one (:func:`meia_cnn.exercises.next_variant`).
        """
        self.variant = _ex.next_variant(self.exercise.id, self.variant) if variant is None else _ex._variant(variant)
        self.prompt.value = html.escape(self.exercise.prompt(self.variant))
        self._hide()
        self.feedback.value = ""
        self.last = None
        self._clear()

    def _clear(self) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class ExerciseWidget(_ExerciseBase):
    """One exercise with a text box for the answer.

    The answer is typed as Python would read it: ``448``, ``(26, 26, 8)``,
    ``[[4, 6], [2, 5]]``.  An empty box means "not answered yet".

    Parameters
    ----------
    exercise_id : str
        Any id of :data:`meia_cnn.exercises.EXERCISES`, e.g. ``"04.output_size"``.
    answer : str, optional
        Text to start the box with.
    prompt : bool, optional
        Show the exercise's question (default); ``False`` when the notebook
        already shows it above the widget.
    variant : int, optional
        Which numbers (0: the notebook's); *New numbers* draws others.

    Attributes
    ----------
    controls : dict
        ``"answer"`` (Text, or Textarea for array answers), ``"check"``,
        ``"new"`` and ``"reveal"`` (Buttons).
    feedback : ipywidgets.HTML
        CSS class ``meia-feedback``; its text starts with "Correct" when right.

    Examples
    --------
    >>> w = ExerciseWidget("04.output_size")
    >>> w.controls["answer"].value = "7"
    >>> w.check().correct
    True
    >>> w.controls["answer"].value = "(3"
    >>> w.check().message
    "Cannot read the answer: '(3' is not a number, a tuple or a list of rows."
    >>> w.close()
    """

    waiting_text = WAITING_BOX

    def __init__(
        self,
        exercise_id: str = "04.output_size",
        *,
        answer: str = "",
        prompt: bool = True,
        variant: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(exercise_id, variant=variant, **kwargs)
        template = _(self.exercise.template).split("#", 1)
        placeholder = template[1].strip() if len(template) == 2 else _("your answer")
        box = widgets.Textarea if self.exercise.kind == "array" else widgets.Text
        self.controls["answer"] = box(
            value=answer,
            placeholder=placeholder,
            description=_("Answer:"),
            continuous_update=False,
            layout=widgets.Layout(width="28em"),
        )
        # Enter (or leaving the box) checks too: continuous_update=False sends the value then.
        self.controls["answer"].observe(self._on_answer, names="value")
        head = [self.title, self.prompt] if prompt else []
        self.children = [*head, self.controls["answer"], self.buttons, self.feedback, self.solution]

    def _on_answer(self, change: Any) -> None:
        if change["new"].strip():
            self.check()

    def answer(self) -> str:
        """The typed answer, as it is in the box.

        Returns
        -------
        str
        """
        return str(self.controls["answer"].value)

    def check(self) -> _ex.Feedback:
        """Check the typed answer (:meth:`meia_cnn.exercises.Exercise.check_text`), show and return the verdict.

        Returns
        -------
        Feedback
        """
        return self._show(self.exercise.check_text(self.answer(), self.variant))

    def _clear(self) -> None:
        with self.hold_trait_notifications():
            self.controls["answer"].unobserve(self._on_answer, names="value")
            self.controls["answer"].value = ""
            self.controls["answer"].observe(self._on_answer, names="value")


class ShapeTableExercise(_ExerciseBase):
    """The slides' exercise table as a widget.

    A 28×28×3 input and 8 kernels of 3×3 (variant 0): for each row (valid
    padding and stride 1, same and 1, valid and 2) type the feature map's
    width, height and depth, then press Check.  A field left at 0 counts as
    not answered.

    Parameters
    ----------
    answer : dict, optional
        Values to start with, ``{"valid/1": (w, h, d), ...}``.
    variant : int, optional
        Which numbers (0: the lecture's); *New numbers* draws others.

    Attributes
    ----------
    controls : dict
        ``"<padding>/<stride>/<width|height|depth>"`` (IntText, one per cell,
        e.g. ``"same/1/depth"``), ``"check"``, ``"new"`` and ``"reveal"`` (Buttons).
    feedback : ipywidgets.HTML
        CSS class ``meia-feedback``; its text starts with "Correct" when all
        rows are right, otherwise it gives a hint for each row.
    marks : dict
        Per row, an HTML widget showing ✓ or ✗ after a check.

    Examples
    --------
    >>> t = ShapeTableExercise(answer={"valid/1": (26, 26, 8), "same/1": (28, 28, 8), "valid/2": (13, 13, 8)})
    >>> t.check().correct
    True
    >>> t.controls["valid/2/width"].value = 12
    >>> t.check().correct
    False
    >>> t.close()
    """

    ROWS = _ex.TABLE_ROWS
    COLUMNS = ("width", "height", "depth")
    waiting_text = WAITING_BOXES

    def __init__(self, *, answer: dict | None = None, variant: int = 0, **kwargs: Any) -> None:
        super().__init__("04.shape_table", variant=variant, **kwargs)
        cell = widgets.Layout(width="6em")
        head = widgets.HBox(
            [
                widgets.HTML(f"<b>{_(name) if name else name}</b>", layout=cell)
                for name in (N_("Padding"), N_("Stride"), N_("Width"), N_("Height"), N_("Depth"), "")
            ]
        )
        rows = [head]
        self.marks: dict[str, widgets.HTML] = {}
        for padding, stride in self.ROWS:
            key = f"{padding}/{stride}"
            inputs = []
            for col in self.COLUMNS:
                box = widgets.IntText(
                    value=0,
                    layout=cell,
                    description="",
                    tooltip=_("{col} for {padding} padding, stride {stride}").format(
                        col=_(col), padding=padding, stride=stride
                    ),
                )
                self.controls[f"{key}/{col}"] = box
                inputs.append(box)
            self.marks[key] = widgets.HTML("", layout=cell)
            rows.append(
                widgets.HBox(
                    [
                        widgets.HTML(padding, layout=cell),
                        widgets.HTML(str(stride), layout=cell),
                        *inputs,
                        self.marks[key],
                    ]
                )
            )
        self.table = widgets.VBox(rows)
        if answer is not None:
            self.set_answer(answer)
        self.children = [self.title, self.prompt, self.table, self.buttons, self.feedback, self.solution]

    def set_answer(self, answer: dict) -> None:
        """Fill the table from ``{"valid/1": (w, h, d), ...}``.

        Parameters
        ----------
        answer : dict
            Rows by key; ``...`` or 0 leaves a cell empty.
        """
        for key, values in dict(answer).items():
            for col, value in zip(self.COLUMNS, values):
                name = f"{key}/{col}"
                if name not in self.controls:
                    raise ValueError(
                        f"`answer` has an unknown row {key!r}; rows are {', '.join(f'{p}/{s}' for p, s in self.ROWS)}"
                    )
                self.controls[name].value = 0 if value is Ellipsis else int(value)

    def answer(self) -> dict:
        """The table as ``{"valid/1": (w, h, d), ...}``; a 0 reads as ``...``.

        Returns
        -------
        dict
        """
        out = {}
        for padding, stride in self.ROWS:
            key = f"{padding}/{stride}"
            out[key] = tuple(self.controls[f"{key}/{col}"].value or Ellipsis for col in self.COLUMNS)
        return out

    def check(self) -> _ex.Feedback:
        """Check the table, mark each row ✓ or ✗, show and return the verdict.

        Returns
        -------
        Feedback
        """
        feedback = super().check()
        for key, mark in table_marks(self.answer(), self.exercise.solution(self.variant)).items():
            self.marks[key].value = mark
        return feedback

    def _clear(self) -> None:
        for padding, stride in self.ROWS:
            for col in self.COLUMNS:
                self.controls[f"{padding}/{stride}/{col}"].value = 0
            self.marks[f"{padding}/{stride}"].value = ""
