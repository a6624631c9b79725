"""Controls declared as a table: name, kind, range or options, label.

An explorer lists its controls as :class:`Control` rows; one row builds its
ipywidget (:meth:`Control.build`), checks the value a constructor was given
(:meth:`Control.check`, a programmer's error) and reads the value back for
the state function (:meth:`Control.read`, a learner's sentence when the value
cannot be used).  Labels are message ids, translated when the control is built.
An explorer whose ranges follow its data (its own array's size) narrows its
table per instance with :func:`narrowed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import ipywidgets as widgets
import numpy as np

from .._validation import as_bool
from ..i18n import TranslatedText, labelled_options, option_values
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._messages import Refusal

__all__ = ["Control", "slider", "build_controls", "check_arguments", "narrowed", "read_controls"]

TEXT = TranslatedText(
    {
        "range": N_("{name} must be a whole number from {lo} to {hi}."),
        "choose": N_("Choose one of the options of {name}."),
    }
)


#: A slider's label, width per character (px), and the room its track and readout keep after it (px).
LABEL_CHAR, TRACK_AND_READOUT = 9, 150


def slider(
    value: int, lo: int, hi: int, description: str, *, width: str = "250px", continuous: bool = True
) -> widgets.IntSlider:
    """An IntSlider with a readable label that (by default) updates while dragged.

    Parameters
    ----------
    value, lo, hi : int
    description : str
        The label, already in the learner's language.
    width : str
        The control's width; one in pixels grows with a long label, so that the track and the
        readout keep their room after it.
    continuous : bool

    Returns
    -------
    ipywidgets.IntSlider
    """
    if width.endswith("px"):  # a long label (Spanish ones are) keeps the track and the readout their room
        width = f"{max(int(width[:-2]), round(len(description) * LABEL_CHAR) + TRACK_AND_READOUT)}px"
    return widgets.IntSlider(
        value=int(value),
        min=lo,
        max=hi,
        step=1,
        description=description,
        continuous_update=continuous,
        style={"description_width": "initial"},
        layout=widgets.Layout(width=width, max_width="100%"),
    )


@dataclass(frozen=True)
class Control:
    """One control of an explorer.

    Parameters
    ----------
    name : str
        The key in ``explorer.controls`` and the state function's argument.
    kind : {"int", "toggle", "menu", "check", "choice"}
        A slider of whole numbers, toggle buttons, a drop-down menu, a
        check box (True or False), or a slider over the options (e.g. learning rates).
    label : str
        The label, a message id (translated when built).
    range : (int, int), optional
        The slider's ends (``"int"``).  Without it the ends depend on the
        explorer's data: the slider is built at its value, the explorer sets
        its ends (and checks a constructor's value), and the value is read
        within them.
    options : tuple, optional
        The choices (``"toggle"``, ``"menu"``, ``"choice"``).
    labelled : bool
        Whether the options are shown through the catalogue's labels.
    width : str, optional
        The control's width.
    refusal : str, optional
        The learner's sentence (a message id) when the value cannot be used, in
        place of the general one (``{name}``, ``{lo}`` and ``{hi}`` are filled in).
    continuous : bool
        Whether a slider updates while it is dragged (else when it is let go).

    Examples
    --------
    >>> stride = Control("stride", "int", "Stride s", range=(1, 3))
    >>> stride.check(2), stride.build(2).value
    (2, 2)
    >>> stride.check(5)
    Traceback (most recent call last):
    ...
    ValueError: `stride` must be between 1 and 3 here, got 5
    """

    name: str
    kind: Literal["int", "toggle", "menu", "check", "choice"]
    label: str
    range: tuple[int, int] | None = None
    options: tuple[Any, ...] | None = None
    labelled: bool = True
    width: str | None = None
    refusal: str | None = None
    continuous: bool = True

    def check(self, value: Any) -> Any:
        """The value a constructor was given, checked (TypeError, ValueError for a programmer)."""
        if self.kind == "int":
            lo, hi = self.range or (0, 0)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"`{self.name}` must be an int, got {value!r}")
            if not lo <= value <= hi:
                raise ValueError(f"`{self.name}` must be between {lo} and {hi} here, got {value}")
            return int(value)
        if self.kind == "check":
            return as_bool(value, self.name)
        if value not in (self.options or ()) or (
            isinstance(value, bool) and not any(isinstance(o, bool) for o in self.options or ())
        ):
            raise ValueError(f"`{self.name}` must be one of {', '.join(map(repr, self.options or ()))}, got {value!r}")
        return value

    def build(self, value: Any) -> widgets.Widget:
        """The ipywidget, set to ``value``."""
        label = _(self.label) if self.label else ""
        if self.kind == "int":
            lo, hi = self.range or (value, value)
            return slider(value, lo, hi, label, width=self.width or "250px", continuous=self.continuous)
        if self.kind == "check":
            return widgets.Checkbox(
                value=value, description=label, indent=False, layout=widgets.Layout(width=self.width or "auto")
            )
        options = labelled_options(self.options or ()) if self.labelled else list(self.options or ())
        if self.kind == "choice":
            return widgets.SelectionSlider(
                options=options,
                value=value,
                description=label,
                continuous_update=self.continuous,
                style={"description_width": "initial"},
                layout=widgets.Layout(width=self.width or "250px", max_width="100%"),
            )
        if self.kind == "toggle":
            return widgets.ToggleButtons(
                options=options, value=value, description=label, style={"button_width": "auto"}
            )
        return widgets.Dropdown(
            options=options,
            value=value,
            description=label,
            layout=widgets.Layout(width=self.width or "auto", max_width="100%"),
        )

    def read(self, control: widgets.Widget) -> Any:
        """The control's value, or :class:`Refusal` (the learner's sentence) when it cannot be used."""
        value = control.value
        if self.kind == "int":
            lo, hi = self.range or (control.min, control.max)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
                raise Refusal(self._refusal("range", control, lo, hi))
            return int(value)
        if isinstance(value, bool) if self.kind == "check" else value in option_values(control.options):
            return value
        raise Refusal(self._refusal("choose", control))

    def _refusal(self, kind: str, control: widgets.Widget, lo: int = 0, hi: int = 0) -> str:
        message = _(self.refusal) if self.refusal else TEXT[kind]
        return message.format(name=control.description, lo=lo, hi=hi)


def check_arguments(spec: Iterable[Control], given: dict[str, Any]) -> dict[str, Any]:
    """Every value of ``given`` checked by its row of ``spec``."""
    return {row.name: row.check(given[row.name]) for row in spec if row.name in given}


def narrowed(spec: Iterable[Control], **ranges: tuple[int, int]) -> tuple[Control, ...]:
    """``spec`` with the ranges of the named rows replaced (an explorer whose ranges follow its data).

    Parameters
    ----------
    spec : iterable of Control
    **ranges : (int, int)
        A row's name and its new ``(lo, hi)``.

    Returns
    -------
    tuple of Control

    Examples
    --------
    >>> spec = (Control("row", "int", "Row", range=(0, 11)), Control("col", "int", "Column", range=(0, 11)))
    >>> [row.range for row in narrowed(spec, row=(0, 3))]
    [(0, 3), (0, 11)]
    """
    return tuple(replace(row, range=ranges[row.name]) if row.name in ranges else row for row in spec)


def build_controls(spec: Iterable[Control], values: dict[str, Any]) -> dict[str, widgets.Widget]:
    """The controls of ``spec``, set to ``values``, by name."""
    return {row.name: row.build(values[row.name]) for row in spec}


def read_controls(spec: Sequence[Control], controls: dict[str, widgets.Widget]) -> dict[str, Any]:
    """The values of the controls of ``spec``, read and checked (a :class:`Refusal` when one cannot be used)."""
    return {row.name: row.read(controls[row.name]) for row in spec}
