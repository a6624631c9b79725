"""What the exercise widgets show, as HTML: the verdict, the worked solution, each table row's mark.

Pure text building over :mod:`meia_cnn.exercises` (no widget library): the
widgets of :mod:`meia_cnn.widgets.exercise` put these strings in their HTML
boxes, and the tests read them without a widget.
"""

from __future__ import annotations

import html
import re
from typing import Any

from .. import exercises as _ex
from ._render import PALETTE

__all__ = ["feedback_html", "solution_html", "table_marks"]

_COLOURS = {
    _ex.CORRECT: PALETTE["green"],
    _ex.WAITING: PALETTE["blue"],
    _ex.WRONG: PALETTE["vermillion"],
    _ex.INVALID: PALETTE["vermillion"],
}
_RIGHT = f'<b style="color:{PALETTE["green"]}">&#10003;</b>'
_WRONG = f'<b style="color:{PALETTE["vermillion"]}">&#10007;</b>'


def feedback_html(feedback: _ex.Feedback) -> str:
    """The verdict as HTML whose text starts with the message itself, coloured by its status.

    Parameters
    ----------
    feedback : Feedback

    Returns
    -------
    str

    Examples
    --------
    >>> feedback_html(_ex.check("04.output_size", 7))
    '<span style="color:#009E73;font-weight:bold;font-size:1.1em">Correct!</span>'
    """
    colour = _COLOURS.get(feedback.status, PALETTE["black"])
    return (
        f'<span style="color:{colour};font-weight:bold;font-size:1.1em">'
        f"{html.escape(feedback.message).replace(chr(10), '<br>')}</span>"
    )


def solution_html(text: str) -> str:
    """A worked solution's markdown as HTML: just enough for the solutions (pipe tables, paragraphs, *emphasis*).

    Parameters
    ----------
    text : str
        Markdown, as :func:`meia_cnn.exercises.solution_text` gives it.

    Returns
    -------
    str

    Examples
    --------
    >>> shown = solution_html("A *first* line\\n\\n| a | b |\\n|---|---|\\n| 1 | 2 |")
    >>> shown.startswith("<p>A <em>first</em> line</p><table><tr><th"), shown.count("<th"), shown.count("<td")
    (True, 2, 2)
    """
    out: list[str] = []
    table: list[str] = []

    def flush() -> None:
        if table:
            rows = [r for r in table if not re.fullmatch(r"\|?[\s|:-]+\|?", r)]
            cells = [[html.escape(c.strip()) for c in r.strip().strip("|").split("|")] for r in rows]
            head = "".join(f"<th style='padding:0 0.6em'>{c}</th>" for c in cells[0])
            body = "".join(
                "<tr>" + "".join(f"<td style='padding:0 0.6em;text-align:center'>{c}</td>" for c in r) + "</tr>"
                for r in cells[1:]
            )
            out.append(f"<table><tr>{head}</tr>{body}</table>")
            table.clear()

    for line in text.splitlines():
        if line.strip().startswith("|"):
            table.append(line)
            continue
        flush()
        if line.strip():
            escaped = html.escape(line)
            escaped = re.sub(r"\*([^*$]+)\*", r"<em>\1</em>", escaped)
            out.append(f"<p>{escaped}</p>")
    flush()
    return "".join(out)


def table_marks(answer: dict[str, tuple[Any, ...]], solution: dict[str, tuple[Any, ...]]) -> dict[str, str]:
    """Each row's mark in a table exercise: ✓ when right, ✗ when wrong, nothing while a cell is ``...``.

    Parameters
    ----------
    answer, solution : dict
        Rows by key, ``{"valid/1": (w, h, d), ...}``.

    Returns
    -------
    dict of str to str
        HTML by row.

    Examples
    --------
    >>> marks = table_marks({"a": (1, 2), "b": (1, ...), "c": (0, 0)}, {"a": (1, 2), "b": (1, 2), "c": (1, 2)})
    >>> ["10003" in marks["a"], marks["b"], "10007" in marks["c"]]
    [True, '', True]
    """
    return {
        key: "" if any(v is Ellipsis for v in values) else _RIGHT if values == solution[key] else _WRONG
        for key, values in answer.items()
    }
