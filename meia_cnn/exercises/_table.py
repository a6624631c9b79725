"""The checker of the slides' exercise table (notebook 04): three rows, each (width, height, depth)."""

from __future__ import annotations

from typing import Any

from .. import arithmetic as ar
from ..i18n import gettext as _
from ._model import (
    CORRECT,
    INVALID,
    WAITING,
    WHD,
    WRONG,
    Draw,
    Exercise,
    Feedback,
    Params,
    _as_ints,
    _has_ellipsis,
    _short,
    _Unreadable,
    _waiting,
    _whd,
)

__all__ = [
    "TABLE_ROWS",
    "TABLE_INPUT",
    "TABLE_KERNELS",
    "TABLE_KERNEL_SIZE",
    "check_table",
    "table_draw",
    "table_explain",
    "table_solution",
]

#: The rows of the slides' exercise table: (padding, stride).
TABLE_ROWS = (("valid", 1), ("same", 1), ("valid", 2))
TABLE_INPUT = (28, 28, 3)
TABLE_KERNELS = 8
TABLE_KERNEL_SIZE = 3


def _row_key(padding: str, stride: int) -> str:
    return f"{padding}/{stride}"


def table_solution(p: Params) -> dict:
    return {
        _row_key(pad, s): _whd(
            ar.feature_map_shape((p.size, p.size, p.depth), p.filters, p.kernel, stride=s, padding=pad)
        )
        for pad, s in TABLE_ROWS
    }


def _table_row_hint(padding: str, stride: int, value: tuple, sol: tuple, p: Params) -> str:
    """A hint for one row of the table, from mistakes the core computes."""
    i_w, k = p.size, p.kernel
    if value[:2] == sol[:2] and value[2] != sol[2]:
        if value[2] == p.depth:
            return _(
                "width and height are right; the depth equals the number of kernels "
                "(each kernel gives one map), not the input depth"
            )
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
            return _(
                "that is the size with stride 1; with stride s = {stride} the kernel jumps {stride} pixels"
            ).format(stride=stride)
        return _("use equation (3): G_w = ⌊(I_w − K_w)/s⌋ + 1")
    if w == ar.output_size(i_w, k, stride=stride, padding="valid"):
        return _("that is the 'valid' size; 'same' adds zeros around the input so that the output keeps its size")
    return _("'same' padding adds just enough zeros for the output to keep the input's size (with s = 1)")


def check_table(ex: Exercise, answer: Any, p: Params) -> Feedback:
    sol = ex.solve(p)
    keys = list(sol)
    if answer is Ellipsis:
        return _waiting(ex.id)
    if isinstance(answer, dict):
        unknown = [k for k in answer if k not in sol]
        if unknown:
            return Feedback(
                ex.id,
                INVALID,
                _("Cannot read the answer: unknown row {short_unknown_0}; the rows are {join_keys}.").format(
                    short_unknown_0=_short(unknown[0]), join_keys=", ".join(keys)
                ),
            )
        rows = {k: answer.get(k, Ellipsis) for k in keys}
    elif isinstance(answer, (list, tuple)) and len(answer) == len(keys):
        rows = dict(zip(keys, answer))
    else:
        return Feedback(
            ex.id,
            INVALID,
            _(
                "Cannot read the answer: give a dict {{'valid/1': (width, height, depth), 'same/1': (...), "
                "'valid/2': (...)}} or three (width, height, depth) rows, got {short_answer}."
            ).format(short_answer=_short(answer)),
        )
    lines, n_ok, n_wait, first_wrong = [], 0, 0, ""
    for (padding, stride), key in zip(TABLE_ROWS, keys):
        label = _("{padding}, stride {stride}").format(padding=padding, stride=stride)
        value = rows[key]
        if _has_ellipsis(value):
            n_wait += 1
            lines.append(_("{label}: waiting for an answer.").format(label=label))
            continue
        try:
            value = _as_ints(value, 3, WHD)
        except _Unreadable as exc:
            lines.append(_("{label}: cannot read it: {exc}.").format(label=label, exc=exc))
            continue
        if value == sol[key]:
            n_ok += 1
            lines.append(_("{label}: correct.").format(label=label))
        else:
            hint = _table_row_hint(padding, stride, value, sol[key], p)
            first_wrong = first_wrong or f"table.{key}"
            lines.append(_("{label}: not yet: {n}.").format(label=label, n=hint))
    if n_ok == len(keys):
        return Feedback(
            ex.id, CORRECT, _("Correct! All three rows are right: the depth is always the number of kernels.")
        )
    if n_wait == len(keys):
        return _waiting(ex.id)
    head = _("{n_ok} of {len_keys} rows right.").format(n_ok=n_ok, len_keys=len(keys))
    status = WAITING if n_ok + n_wait == len(keys) else WRONG
    return Feedback(
        ex.id, status, head + "\n" + "\n".join(lines), (first_wrong or "unreadable") if status == WRONG else ""
    )


def table_draw(d: Draw) -> dict:
    kernel = d.choice((3, 5))
    size = d.integer(16, 40)
    if (size - kernel) % 2 == 0:  # an odd I - K: the floor of equation (3) matters on the stride-2 row
        size += 1
    depth = d.choice((1, 3))
    filters = d.choice([f for f in range(4, 33) if f != depth])
    return {"size": size, "depth": depth, "filters": filters, "kernel": kernel}


def table_explain(p: Params, s: dict) -> str:
    rows = "\n".join(
        f"| {pad} | {st} | {s[_row_key(pad, st)][0]} | {s[_row_key(pad, st)][1]} | {s[_row_key(pad, st)][2]} |"
        for pad, st in TABLE_ROWS
    )
    v1, v2 = s["valid/1"][0], s["valid/2"][0]
    return (
        _("| Padding | Stride | Width | Height | Depth |")
        + "\n|---|---|---|---|---|\n"
        + rows
        + _(
            "\n\nvalid/1: $\\lfloor ({size} - {kernel})/1 \\rfloor + 1 = {v1}$; same/1 keeps {size}; valid/2: "
            "$\\lfloor ({size} - {kernel})/2 \\rfloor + 1 = {v2}$. The depth is always {filters}, the number of "
            "kernels."
        ).format(size=p.size, kernel=p.kernel, v1=v1, v2=v2, filters=p.filters)
    )
