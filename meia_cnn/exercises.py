"""Exercises checked on the spot: definitions, solutions and hints.

Every notebook ends with a few exercises.  A student writes an answer in a
cell and calls :func:`check`::

    from meia_cnn.exercises import check
    answer = (26, 26, 8)            # width, height, depth
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

This module is pure logic: no widgets, no plotting.  The widgets around it
are :class:`meia_cnn.widgets.ExerciseWidget` and
:class:`meia_cnn.widgets.ShapeTableExercise`.

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
"""

from __future__ import annotations

import html
import math
import numbers
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import arithmetic as ar
from . import ops

__all__ = [
    "Exercise",
    "Feedback",
    "EXERCISES",
    "TABLE_ROWS",
    "check",
    "get",
    "solution",
    "solution_text",
    "for_notebook",
]

WAITING = "waiting"
CORRECT = "correct"
WRONG = "wrong"
INVALID = "invalid"


# ---------------------------------------------------------------------------
# feedback
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer.

    Attributes
    ----------
    exercise : str
        The exercise id, e.g. ``"04.shape_table"``.
    status : {'correct', 'wrong', 'waiting', 'invalid'}
        ``'invalid'`` means the answer could not be read (wrong type or
        length); ``'waiting'`` means it was left as ``...``.
    message : str
        What the student reads: starts with ``"Correct"`` when right.
    """

    exercise: str
    status: str
    message: str

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def __bool__(self):
        return self.correct

    def __str__(self):
        return self.message

    def __repr__(self):
        return self.message

    def _repr_html_(self):
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


def _has_ellipsis(value) -> bool:
    if value is Ellipsis:
        return True
    if isinstance(value, dict):
        return any(_has_ellipsis(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_ellipsis(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(_has_ellipsis(v) for v in value.ravel())
    return False


def _as_number(value, what="the answer"):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise _Unreadable(f"{what} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise _Unreadable(f"{what} must be a finite number, got {value!r}")
    return value


def _as_int(value, what="the answer"):
    number = _as_number(value, what)
    if number != int(number):
        raise _Unreadable(f"{what} must be a whole number, got {value!r}")
    return int(number)


def _as_ints(value, n, names):
    if isinstance(value, (str, bytes, dict)) or not hasattr(value, "__len__"):
        raise _Unreadable(f"give {n} whole numbers ({', '.join(names)}), got {value!r}")
    if len(value) != n:
        raise _Unreadable(
            f"give {n} numbers ({', '.join(names)}), got {len(value)}: {tuple(value)!r}"
        )
    return tuple(_as_int(v, names[i]) for i, v in enumerate(value))


def _as_array(value, shape):
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _Unreadable(f"the answer must be an array of numbers, got {value!r}") from None
    if arr.shape != shape:
        raise _Unreadable(
            f"the answer must have shape {shape} (rows, columns), got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise _Unreadable("the answer has a value that is not a finite number")
    return arr


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a, float), np.asarray(b, float)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-6, atol=1e-6))
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)
    return a == b


def _whd(hwd):
    """(H, W, D) from the core to the slides' (width, height, depth)."""
    return (hwd[1], hwd[0], hwd[2])


# ---------------------------------------------------------------------------
# the exercise type
# ---------------------------------------------------------------------------
WHD = ("width", "height", "depth")


@dataclass(frozen=True)
class Exercise:
    """One exercise: a question, a solution computed by the core, and hints.

    Parameters
    ----------
    id : str
        ``"NN.name"``, where ``NN`` is the notebook number.
    title : str
    prompt : str
        Markdown (with LaTeX) shown above the answer cell.
    kind : {'int', 'number', 'shape', 'array', 'table'}
        How an answer is read: a whole number, a number, a tuple of
        ``len(names)`` whole numbers, an array of the solution's shape, or the
        slides' shape table.
    solve : callable
        ``solve() -> solution``, calling the core.
    explain : callable
        ``explain(solution) -> str``: the worked solution (markdown).
    mistakes : tuple of (callable, str)
        ``(wrong(), hint)`` pairs: when the answer equals ``wrong()`` the hint
        is given.
    hint : callable, optional
        ``hint(answer, solution) -> str or None`` for structural hints
        (which part of a shape is right).
    fallback : str
        The hint when no specific mistake is recognised.
    template : str
        The answer cell's first line (``answer = ...``) with a comment on the
        expected form.
    names : tuple of str
        The parts of a 'shape' answer.
    """

    id: str
    title: str
    prompt: str
    kind: str
    solve: Callable[[], Any]
    explain: Callable[[Any], str]
    fallback: str
    template: str = "answer = ...   # a whole number"
    mistakes: tuple = ()
    hint: Callable[[Any, Any], str | None] | None = None
    names: tuple = WHD
    praise: str = ""

    @property
    def notebook(self) -> str:
        """The two-digit notebook number the exercise belongs to."""
        return self.id.split(".", 1)[0]

    def solution(self):
        """The solution, computed by the core."""
        return self.solve()

    def solution_text(self) -> str:
        """The worked solution as markdown (computed numbers, not typed ones)."""
        return self.explain(self.solve())

    # -- checking -----------------------------------------------------------
    def read(self, answer):
        """Normalise an answer to the solution's form (raises ``_Unreadable``)."""
        if self.kind == "int":
            return _as_int(answer)
        if self.kind == "number":
            return _as_number(answer)
        if self.kind == "shape":
            return _as_ints(answer, len(self.names), self.names)
        if self.kind == "array":
            return _as_array(answer, np.shape(self.solve()))
        raise ValueError(f"unknown exercise kind {self.kind!r}")  # pragma: no cover

    def check(self, answer) -> Feedback:
        """Say whether ``answer`` is right, with a hint when it is not."""
        if self.kind == "table":
            return _check_table(self, answer)
        if _has_ellipsis(answer):
            return _waiting(self.id)
        try:
            value = self.read(answer)
        except _Unreadable as exc:
            return Feedback(self.id, INVALID, f"Cannot read the answer: {exc}.")
        sol = self.solve()
        if _same(value, sol):
            return Feedback(self.id, CORRECT, "Correct!" + (f" {self.praise}" if self.praise else ""))
        for wrong, text in self.mistakes:
            if _same(value, wrong()):
                return Feedback(self.id, WRONG, _not_yet(text))
        if self.hint is not None:
            text = self.hint(value, sol)
            if text:
                return Feedback(self.id, WRONG, _not_yet(text))
        return Feedback(self.id, WRONG, _not_yet(self.fallback))


def _not_yet(text):
    text = text.strip()
    return "Not yet: " + (text if text[-1] in ".!?" else text + ".")


def _waiting(exercise_id):
    return Feedback(
        exercise_id, WAITING,
        f"Waiting for an answer to {exercise_id}: replace ... with your answer and run the cell again.",
    )


def _shape_hint(depth_rule, size_rule):
    """A hint function for (width, height, depth) answers."""

    def hint(value, sol):
        wh_ok = value[:2] == sol[:2]
        d_ok = value[2] == sol[2]
        if wh_ok and not d_ok:
            return f"width and height are right; {depth_rule}"
        if d_ok and not wh_ok:
            if value[0] == sol[0] or value[1] == sol[1]:
                return f"the depth and one side are right; the input is square, so width and height are equal. {size_rule}"
            return f"the depth is right; {size_rule}"
        return f"{size_rule} And {depth_rule}"

    return hint


# ---------------------------------------------------------------------------
# the slides' table (notebook 04)
# ---------------------------------------------------------------------------
#: The rows of the slides' exercise table: (padding, stride).
TABLE_ROWS = (("valid", 1), ("same", 1), ("valid", 2))
TABLE_INPUT = (28, 28, 3)
TABLE_KERNELS = 8
TABLE_KERNEL_SIZE = 3


def _row_key(padding, stride):
    return f"{padding}/{stride}"


def _table_solution():
    return {
        _row_key(p, s): _whd(ar.feature_map_shape(TABLE_INPUT, TABLE_KERNELS, TABLE_KERNEL_SIZE,
                                                  stride=s, padding=p))
        for p, s in TABLE_ROWS
    }


def _table_row_hint(padding, stride, value, sol):
    """A hint for one row of the table, from mistakes the core computes."""
    i_w, k = TABLE_INPUT[1], TABLE_KERNEL_SIZE
    if value[:2] == sol[:2] and value[2] != sol[2]:
        if value[2] == TABLE_INPUT[2]:
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
    # same padding
    if w == ar.output_size(i_w, k, stride=stride, padding="valid"):
        return "that is the 'valid' size; 'same' adds zeros around the input so that the output keeps its size"
    return "'same' padding adds just enough zeros for the output to keep the input's size (with s = 1)"


def _check_table(ex, answer):
    sol = ex.solve()
    keys = list(sol)
    if answer is Ellipsis:
        return _waiting(ex.id)
    if isinstance(answer, dict):
        unknown = [k for k in answer if k not in sol]
        if unknown:
            return Feedback(ex.id, INVALID,
                            f"Cannot read the answer: unknown row {unknown[0]!r}; the rows are {', '.join(keys)}.")
        rows = {k: answer.get(k, Ellipsis) for k in keys}
    elif isinstance(answer, (list, tuple)) and len(answer) == len(keys):
        rows = dict(zip(keys, answer))
    else:
        return Feedback(ex.id, INVALID,
                        "Cannot read the answer: give a dict {'valid/1': (width, height, depth), "
                        "'same/1': (...), 'valid/2': (...)} or three (width, height, depth) rows, "
                        f"got {answer!r}.")
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
            lines.append(f"{label}: not yet: {_table_row_hint(padding, stride, value, sol[key])}.")
    if n_ok == len(keys):
        return Feedback(ex.id, CORRECT,
                        "Correct! All three rows are right: the depth is always the number of kernels.")
    if n_wait == len(keys):
        return _waiting(ex.id)
    head = f"{n_ok} of {len(keys)} rows right."
    status = WAITING if n_ok + n_wait == len(keys) else WRONG
    return Feedback(ex.id, status, head + "\n" + "\n".join(lines))


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

INPUT_03 = (64, 64, 3)

# The reference CNN of notebook 07 (issue 5): 8x8x1 digits,
# Conv(8, 3, same) -> ReLU -> MaxPool 2 -> Conv(16, 3, same) -> ReLU -> MaxPool 2 -> Flatten -> Dense(10)
REF_INPUT = (8, 8, 1)
REF_CONVS = ((8, 3), (16, 3))
REF_CLASSES = 10


def _ref_shapes():
    """Shapes (H, W, D) after each conv and pool of the reference CNN."""
    shape, out = REF_INPUT, []
    for filters, k in REF_CONVS:
        shape = ar.feature_map_shape(shape, filters, k, padding="same")
        out.append(("conv", shape))
        side = ar.pool_output_size(shape[0], 2)
        shape = (side, side, shape[2])
        out.append(("pool", shape))
    return out


def _chain(shape, layers):
    """Shape (H, W, D) after ("conv", filters, kernel) and ("pool", size) layers (valid)."""
    for layer in layers:
        if layer[0] == "conv":
            shape = ar.feature_map_shape(shape, layer[1], layer[2])
        else:
            shape = (ar.pool_output_size(shape[0], layer[1]), ar.pool_output_size(shape[1], layer[1]), shape[2])
    return shape


def _ref_flat():
    h, w, d = _ref_shapes()[-1][1]
    return h * w * d


def _ref_params(bias=True):
    total, c = 0, REF_INPUT[2]
    for filters, k in REF_CONVS:
        total += ar.conv_params(c, filters, k, bias=bias)
        c = filters
    return total + ar.dense_params(_ref_flat(), REF_CLASSES, bias=bias)


def _shift_peak_distance(shift=5):
    """How far the peak of a feature map moves when the object moves ``shift`` pixels.

    A small cross is drawn in a 20x20 picture, then moved right by ``shift``;
    the response of the cross itself as kernel (conv2d, 'same') peaks on the
    object each time.
    """
    cross = np.array([[0.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])
    peaks = []
    for dx in (0, shift):
        picture = np.zeros((20, 20))
        picture[5:8, 4 + dx:7 + dx] = cross
        response = ops.conv2d(picture, cross, padding="same")
        peaks.append(np.unravel_index(np.argmax(response), response.shape))
    return int(peaks[1][1] - peaks[0][1])


def _flipped_by_core(kernel):
    """``kernel`` rotated by 180 degrees, as the core draws it.

    Cross-correlating a single dot with a kernel writes the kernel rotated by
    180 degrees around the dot: what a convolution does with it.
    """
    kh, kw = kernel.shape
    dot = np.zeros((kh, kw))
    dot[kh // 2, kw // 2] = 1.0
    return ops.conv2d(dot, kernel, padding="same")


def _fmt(x):
    return f"{x:,}"


def _matrix_tex(a):
    rows = " \\\\ ".join(" & ".join(f"{v:g}" for v in row) for row in np.asarray(a))
    return f"\\begin{{bmatrix}} {rows} \\end{{bmatrix}}"


# ---------------------------------------------------------------------------
# the exercises
# ---------------------------------------------------------------------------
def _ex(**kw):
    return Exercise(**kw)


_LIST = [
    # -- 00 index: a warm-up to try the checker ---------------------------------
    _ex(
        id="00.numbers", title="Warm-up: how many numbers is an image?",
        prompt=("A colour image of $28 \\times 28$ pixels has three channels (red, green, blue): "
                "its size is $l_w \\times l_h \\times l_d = 28 \\times 28 \\times 3$. "
                "How many numbers describe it?"),
        kind="int", solve=lambda: int(np.zeros(TABLE_INPUT).size),
        mistakes=((lambda: TABLE_INPUT[0] * TABLE_INPUT[1], "that is one channel; a colour image has three"),
                  (lambda: sum(TABLE_INPUT), "multiply the three sizes, do not add them")),
        fallback="multiply width, height and depth",
        explain=lambda s: f"$28 \\times 28 \\times 3 = {_fmt(s)}$ numbers, one per pixel and channel.",
    ),
    _ex(
        id="00.kernel_numbers", title="Warm-up: how many numbers is a kernel?",
        prompt=("A CNN looks at that colour image with a kernel of $3 \\times 3$ pixels. The kernel "
                "reads all three channels at once. How many weights does it hold?"),
        kind="int", solve=lambda: ar.conv_params(TABLE_INPUT[2], 1, 3, bias=False),
        mistakes=((lambda: ar.conv_params(1, 1, 3, bias=False),
                   "that is one channel; the kernel has the image's depth, K_d = I_d = 3 (notebook 03)"),),
        fallback="K_w · K_h · K_d, with K_d equal to the image's depth",
        explain=lambda s: f"$3 \\times 3 \\times 3 = {s}$ weights: equation (2), $K_d = I_d$ (notebook 03).",
    ),
    # -- 01 position invariance ----------------------------------------------
    _ex(
        id="01.conv_params", title="Parameters of a convolution layer",
        prompt=("A convolution layer reads a $32 \\times 32 \\times 3$ image with 16 kernels of "
                "$3 \\times 3$ (each kernel has depth 3, one bias per kernel). "
                "How many trainable parameters does it have?"),
        kind="int", solve=lambda: ar.conv_params(3, 16, 3),
        mistakes=(
            (lambda: ar.conv_params(3, 16, 3, bias=False), "you counted the weights; each kernel also has one bias"),
            (lambda: ar.conv_params(1, 16, 3), "each kernel has the input's depth, K_d = I_d = 3 (equation (2))"),
            (lambda: ar.conv_params(3, 1, 3), "that is one kernel; the layer has 16"),
            (lambda: ar.conv_params(3, 1, 3, bias=False), "that is one kernel without bias; the layer has 16 kernels, each with a bias"),
        ),
        fallback="count K_w · K_h · K_d weights per kernel, plus one bias, times the number of kernels",
        explain=lambda s: (f"Each kernel has $3 \\times 3 \\times 3 = 27$ weights and 1 bias; "
                           f"16 kernels: $16 \\times 28 = {s}$ parameters, whatever the image size."),
        praise="The count does not depend on the image size: the same kernels slide over every position.",
    ),
    _ex(
        id="01.dense_params", title="The same output from a dense layer",
        prompt=("A fully connected layer maps the same $32 \\times 32 \\times 3$ input to an output "
                "of the same size as the convolution's, $30 \\times 30 \\times 16$ (one weight per "
                "input-output pair, one bias per output). How many parameters?"),
        kind="int", solve=lambda: ar.dense_params(32 * 32 * 3, 30 * 30 * 16),
        mistakes=(
            (lambda: ar.dense_params(32 * 32 * 3, 30 * 30 * 16, bias=False), "you counted the weights; add one bias per output"),
            (lambda: ar.dense_params(32 * 32, 30 * 30), "the input has 3 channels and the output 16: n_in = 32·32·3, n_out = 30·30·16"),
            (lambda: ar.dense_params(32 * 32 * 3, 32 * 32 * 16), "the output is 30 × 30 × 16, not 32 × 32 × 16"),
        ),
        fallback="n_in · n_out + n_out with n_in = 32·32·3 and n_out = 30·30·16",
        explain=lambda s: (f"$n_{{in}} = 3072$, $n_{{out}} = 14400$: $3072 \\times 14400 + 14400 = {_fmt(s)}$, "
                           f"about {s / ar.conv_params(3, 16, 3):,.0f} times the convolution's "
                           f"{ar.conv_params(3, 16, 3)}."),
        praise="Sharing one small kernel across space is what makes a CNN affordable.",
    ),
    _ex(
        id="01.shift", title="Moving the object moves the response",
        prompt=("A picture holds a small cross; we slide the cross itself over it as a kernel and "
                "note where the response peaks. The cross then moves 5 pixels to the right. "
                "By how many pixels does the peak of the response move?"),
        kind="int", solve=_shift_peak_distance,
        mistakes=((lambda: 0, "the peak follows the object: the same kernel is applied at every position"),),
        fallback="the kernel is the same everywhere, so its strongest response moves exactly with the object",
        explain=lambda s: (f"The peak moves by {s} pixels: convolution is *equivariant* to shifts; "
                           "the feature is found wherever it is, with the same peak value."),
    ),
    # -- 02 convolution ------------------------------------------------------
    _ex(
        id="02.one_value", title="One value of equation (1)",
        prompt=("With $I = " + _matrix_tex(PATCH_02) + "$ and $K = " + _matrix_tex(KERNEL_02) +
                "$ (both indexed $-1, 0, 1$ from the centre), compute $G[0, 0]$ with equation (1)."),
        kind="number", solve=lambda: float(ops.convolve2d(PATCH_02, KERNEL_02)[0, 0]),
        template="answer = ...   # a number",
        mistakes=((lambda: float(ops.conv2d(PATCH_02, KERNEL_02)[0, 0]),
                   "that is the cross-correlation (no flip); in equation (1) I[i − u, j − v] "
                   "pairs K[u, v] with the opposite pixel, i.e. the kernel is flipped"),),
        fallback="flip the kernel (rows and columns), multiply element-wise with I and add the nine products",
        explain=lambda s: ("Flipping $K$ (rows and columns) gives $" + _matrix_tex(KERNEL_02[::-1, ::-1]) +
                           f"$; multiplied element-wise with $I$, the nine products add up to $G[0,0] = {s:g}$."),
    ),
    _ex(
        id="02.output_map", title="A whole (valid) output map",
        prompt=("Convolve (equation (1), valid) the $4 \\times 4$ image $I = " + _matrix_tex(IMAGE_02) +
                "$ with the same $K$. Give the output as a list of rows."),
        kind="array", solve=lambda: ops.convolve2d(IMAGE_02, KERNEL_02),
        template="answer = ...   # e.g. [[a, b], [c, d]]",
        mistakes=((lambda: ops.conv2d(IMAGE_02, KERNEL_02),
                   "that is the cross-correlation; flip the kernel first (equation (1))"),),
        fallback="a valid 4 × 4 ∗ 3 × 3 output is 2 × 2: one value per position where the whole kernel fits",
        explain=lambda s: (f"$G = {_matrix_tex(s)}$: this kernel responds to a change from left to right "
                           "(a vertical edge); its sign says which way the brightness changes."),
    ),
    _ex(
        id="02.flip", title="Convolution is cross-correlation with a flipped kernel",
        prompt=("CNN layers compute cross-correlation. Which kernel $K'$ makes cross-correlation "
                "with $K'$ give exactly the convolution with $K = " + _matrix_tex(KERNEL_02_FLIP) +
                "$? Give it as a list of rows."),
        kind="array", solve=lambda: _flipped_by_core(KERNEL_02_FLIP),
        template="answer = ...   # a 3x3 list of rows",
        mistakes=((lambda: KERNEL_02_FLIP, "that is K itself; cross-correlation with K is not convolution with K"),
                  (lambda: KERNEL_02_FLIP[::-1, :], "you flipped the rows only; flip the columns too"),
                  (lambda: KERNEL_02_FLIP[:, ::-1], "you flipped the columns only; flip the rows too"),
                  (lambda: KERNEL_02_FLIP.T, "a transpose is not a flip: rotate the kernel by 180°")),
        fallback="rotate K by 180° (flip rows and columns)",
        explain=lambda s: (f"$K' = {_matrix_tex(s)}$, $K$ rotated by 180°. A CNN learns its kernels, "
                           "so whether they are flipped does not matter to it."),
    ),
    # -- 03 volumes ----------------------------------------------------------
    _ex(
        id="03.kernel_shape", title="The kernel's depth",
        prompt=("An RGB image is $64 \\times 64 \\times 3$. A layer uses kernels of $5 \\times 5$. "
                "What is the shape $K_w \\times K_h \\times K_d$ of each kernel?"),
        kind="shape", solve=lambda: (5, 5, INPUT_03[2]),
        template="answer = ...   # (K_w, K_h, K_d)",
        names=("K_w", "K_h", "K_d"),
        mistakes=((lambda: (5, 5, 1), "the kernel reads every channel at once: K_d = I_d (equation (2))"),),
        fallback="width and height are the kernel size; the depth equals the input's depth (equation (2))",
        explain=lambda s: f"$K = {s[0]} \\times {s[1]} \\times {s[2]}$: equation (2), $K_d = I_d$.",
    ),
    _ex(
        id="03.feature_map", title="The feature map of several kernels",
        prompt=("The $64 \\times 64 \\times 3$ image goes through 10 kernels of $5 \\times 5 \\times 3$ "
                "(valid, stride 1). What is the feature map's $G_w \\times G_h \\times G_d$?"),
        kind="shape", solve=lambda: _whd(ar.feature_map_shape(INPUT_03, 10, 5)),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda: _whd(ar.feature_map_shape(INPUT_03, 3, 5)),
                   "width and height are right; the depth G_d equals the number of kernels, not the input depth"),
                  (lambda: _whd(ar.feature_map_shape(INPUT_03, 10, 5, padding="same")),
                   "the depth is right; without padding the output shrinks: each side loses K − 1 positions")),
        hint=_shape_hint("the depth G_d equals the number of kernels",
                         "a valid convolution's output is I − K + 1 wide."),
        fallback="G_w = I_w − K_w + 1 and G_d = number of kernels",
        explain=lambda s: (f"$G_w = G_h = 64 - 5 + 1 = {s[0]}$, $G_d = 10$ (one map per kernel): "
                           f"${s[0]} \\times {s[1]} \\times {s[2]}$."),
    ),
    _ex(
        id="03.layer_params", title="Parameters of that layer",
        prompt="How many trainable parameters (weights and biases) do those 10 kernels have?",
        kind="int", solve=lambda: ar.conv_params(3, 10, 5),
        mistakes=((lambda: ar.conv_params(3, 10, 5, bias=False), "add one bias per kernel"),
                  (lambda: ar.conv_params(1, 10, 5), "each kernel is 5 × 5 × 3: K_d = I_d"),
                  (lambda: ar.conv_params(1, 10, 5, bias=False), "each kernel is 5 × 5 × 3 (K_d = I_d) and has a bias")),
        fallback="(5 · 5 · 3 + 1) per kernel, times 10 kernels",
        explain=lambda s: f"$(5 \\cdot 5 \\cdot 3 + 1) \\times 10 = {s}$.",
    ),
    # -- 04 stride and padding ----------------------------------------------
    _ex(
        id="04.shape_table", title="The slides' exercise table",
        prompt=("Given an input of $28 \\times 28 \\times 3$ and 8 kernels of $3 \\times 3$, "
                "calculate the width, height and depth of the feature maps for: valid padding with "
                "stride 1, same padding with stride 1, valid padding with stride 2."),
        kind="table", solve=_table_solution,
        template=("answer = {\n    \"valid/1\": (..., ..., ...),   # (width, height, depth)\n"
                  "    \"same/1\": (..., ..., ...),\n    \"valid/2\": (..., ..., ...),\n}"),
        fallback="use equation (3) for width and height; the depth is the number of kernels",
        explain=lambda s: (
            "| Padding | Stride | Width | Height | Depth |\n|---|---|---|---|---|\n" +
            "\n".join(f"| {p} | {st} | {s[_row_key(p, st)][0]} | {s[_row_key(p, st)][1]} | "
                      f"{s[_row_key(p, st)][2]} |" for p, st in TABLE_ROWS) +
            "\n\nvalid/1: $\\lfloor (28 - 3)/1 \\rfloor + 1 = 26$; same/1 keeps 28; "
            "valid/2: $\\lfloor (28 - 3)/2 \\rfloor + 1 = 13$. The depth is always 8, the number of kernels."
        ),
    ),
    _ex(
        id="04.output_size", title="Equation (3) with a stride",
        prompt=("A $7 \\times 7$ input, a $3 \\times 3$ kernel, stride $s = 2$, valid padding. "
                "What is $G_w$?"),
        kind="int", solve=lambda: ar.output_size(7, 3, stride=2),
        mistakes=((lambda: ar.output_size(7, 3, stride=1), "that is stride 1; with s = 2 divide by 2 in equation (3)"),
                  (lambda: (7 - 3) // 2, "almost: equation (3) adds 1 after the division"),
                  (lambda: ar.output_size(7, 3, stride=2, padding="same"), "that is with 'same' padding; valid adds no zeros")),
        fallback="G_w = ⌊(I_w − K_w)/s⌋ + 1",
        explain=lambda s: f"$G_w = \\lfloor (7 - 3)/2 \\rfloor + 1 = {s}$.",
    ),
    _ex(
        id="04.same_zeros", title="How many zeros does 'same' add?",
        prompt=("With a $5 \\times 5$ kernel and stride 1, 'same' padding adds zeros so that the "
                "output keeps the input's width. How many columns of zeros in total (left + right)?"),
        kind="int", solve=lambda: sum(ar.padding_amounts(10, 5, padding="same")[1]),
        mistakes=((lambda: ar.padding_amounts(10, 5, padding="same")[1][0], "that is one side; count both sides"),
                  (lambda: 5, "the output keeps the width when the padded input is K − 1 wider")),
        fallback="for s = 1 the total padding is K_w − 1",
        explain=lambda s: f"$p_{{total}} = K_w - 1 = {s}$: {s // 2} on each side.",
    ),
    # -- 05 pooling ----------------------------------------------------------
    _ex(
        id="05.pool_shape", title="Pooling a feature map",
        prompt=("A $26 \\times 26 \\times 8$ feature map goes through $2 \\times 2$ max pooling "
                "with stride 2. What is the output's width, height and depth?"),
        kind="shape", solve=lambda: (ar.pool_output_size(26, 2), ar.pool_output_size(26, 2), 8),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda: (ar.pool_output_size(26, 2), ar.pool_output_size(26, 2), 1),
                   "width and height are right; pooling works on each channel separately, so the depth is kept"),
                  (lambda: (ar.pool_output_size(26, 2, stride=1), ar.pool_output_size(26, 2, stride=1), 8),
                   "that is stride 1; with stride 2 the windows do not overlap"),),
        hint=_shape_hint("pooling keeps the depth (one pooled map per channel)",
                         "use equation (4): O_w = ⌊(I_w − W_w)/s⌋ + 1."),
        fallback="equation (4) for width and height; the depth does not change",
        explain=lambda s: f"$O_w = \\lfloor (26 - 2)/2 \\rfloor + 1 = {s[0]}$; depth kept: ${s[0]} \\times {s[1]} \\times {s[2]}$.",
    ),
    _ex(
        id="05.max_values", title="Max pooling by hand",
        prompt=("Apply $2 \\times 2$ max pooling with stride 2 to $X = " + _matrix_tex(POOL_05) +
                "$. Give the output as a list of rows."),
        kind="array", solve=lambda: ops.max_pool2d(POOL_05, 2),
        template="answer = ...   # e.g. [[a, b], [c, d]]",
        mistakes=((lambda: ops.avg_pool2d(POOL_05, 2), "that is average pooling; take the largest value of each window"),
                  (lambda: ops.max_pool2d(POOL_05, 2).T, "rows and columns are swapped"),),
        fallback="split X into four 2 × 2 windows and keep the largest value of each",
        explain=lambda s: f"${_matrix_tex(s)}$: the largest value of each $2 \\times 2$ window.",
    ),
    _ex(
        id="05.pool_params", title="Weights of a pooling layer",
        prompt="How many trainable parameters does a $2 \\times 2$ max pooling layer have?",
        kind="int", solve=lambda: ar.pool_params(2),
        mistakes=((lambda: 4, "a pooling window has no weights: it takes a max (or a mean)"),),
        fallback="pooling is 'weights free', as the slides say",
        explain=lambda s: f"{s}: pooling has no weights to learn.",
        praise="Pooling is weights free: it only takes a max (or a mean) of each window.",
    ),
    # -- 06 1x1 and inception ------------------------------------------------
    _ex(
        id="06.one_by_one_params", title="A 1×1 reduction",
        prompt=("A $1 \\times 1$ convolution reduces a $28 \\times 28 \\times 192$ volume to 16 "
                "channels. How many parameters (weights and biases)?"),
        kind="int", solve=lambda: ar.conv1x1_params(192, 16),
        mistakes=((lambda: ar.conv1x1_params(192, 16, bias=False), "add one bias per filter"),
                  (lambda: ar.conv1x1_params(1, 16), "a 1×1 kernel still has the input's depth: 1 × 1 × 192"),),
        fallback="each 1 × 1 kernel has 192 weights (one per channel) and a bias",
        explain=lambda s: f"$(1 \\cdot 1 \\cdot 192 + 1) \\times 16 = {_fmt(s)}$.",
    ),
    _ex(
        id="06.inception_depth", title="Depth of an inception module",
        prompt=("GoogLeNet's inception (3a) reads $28 \\times 28 \\times 192$ with branches of 64 "
                "($1\\times1$), 128 ($3\\times3$ after a reduction to 96), 32 ($5\\times5$ after a "
                "reduction to 16) and a pool projection of 32. What is the output depth?"),
        kind="int", solve=lambda: ar.inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32)["output_shape"][2],
        mistakes=((lambda: 64 + 96 + 128 + 16 + 32 + 32, "the reductions (96, 16) feed the 3×3 and 5×5; only the last layer of each branch is concatenated"),
                  (lambda: ar.inception_cost((28, 28, 192), 64, 96, 128, 16, 32, 32, reduce=False)["output_shape"][2],
                   "with the pool projection the pooling branch has 32 channels, not 192"),),
        fallback="add the depths of the four branches' outputs",
        explain=lambda s: f"$64 + 128 + 32 + 32 = {s}$.",
    ),
    _ex(
        id="06.saving", title="What the reduction saves",
        prompt=("How many multiply-adds does the $5 \\times 5$ branch of inception (3a) need "
                "*without* the reduction (32 kernels $5 \\times 5 \\times 192$, same padding, on "
                "$28 \\times 28$)?"),
        kind="int", solve=lambda: ar.conv_macs((28, 28, 192), 32, 5, padding="same"),
        mistakes=((lambda: ar.conv_macs((28, 28, 16), 32, 5, padding="same") + ar.conv1x1_macs((28, 28, 192), 16),
                   "that is with the reduction; without it the 5 × 5 kernels read all 192 channels"),
                  (lambda: ar.conv_macs((28, 28, 192), 32, 5), "with same padding the output stays 28 × 28"),),
        fallback="H' · W' · F · K_h · K_w · C = 28 · 28 · 32 · 5 · 5 · 192",
        explain=lambda s: (f"$28 \\cdot 28 \\cdot 32 \\cdot 5 \\cdot 5 \\cdot 192 = {_fmt(s)}$; with the "
                           f"1×1 reduction to 16 it is "
                           f"{_fmt(ar.conv1x1_macs((28, 28, 192), 16) + ar.conv_macs((28, 28, 16), 32, 5, padding='same'))}."),
    ),
    # -- 07 classification ---------------------------------------------------
    _ex(
        id="07.flatten", title="What the classifier sees",
        prompt=("The notebook's CNN reads $8 \\times 8 \\times 1$ digits: conv 8 kernels $3\\times3$ "
                "(same) → max pool 2 → conv 16 kernels $3\\times3$ (same) → max pool 2 → flatten. "
                "How many numbers go into the dense classification layer?"),
        kind="int", solve=_ref_flat,
        mistakes=((lambda: 8 * 8 * 16, "each 2 × 2 max pooling halves width and height"),
                  (lambda: 4 * 4 * 16, "there are two poolings: 8 → 4 → 2"),
                  (lambda: 2 * 2 * 8, "the depth after the second convolution is its number of kernels, 16")),
        fallback="follow the shapes: same padding keeps the size, pooling halves it, depth = kernels",
        explain=lambda s: ("$8\\times8\\times1 \\to 8\\times8\\times8 \\to 4\\times4\\times8 \\to "
                           f"4\\times4\\times16 \\to 2\\times2\\times16$: ${s}$ numbers."),
    ),
    _ex(
        id="07.model_params", title="Parameters of the whole CNN",
        prompt=("How many trainable parameters does that CNN have in total (both convolutions and "
                "the dense layer to 10 classes, with biases)?"),
        kind="int", solve=_ref_params,
        mistakes=((lambda: _ref_params(bias=False), "add the biases: one per kernel and one per class"),
                  (lambda: ar.conv_params(1, 8, 3) + ar.conv_params(1, 16, 3) + ar.dense_params(_ref_flat(), 10),
                   "the second convolution's kernels have depth 8 (K_d = I_d)"),),
        fallback="conv: (3·3·1 + 1)·8, conv: (3·3·8 + 1)·16, dense: 64·10 + 10; pooling has none",
        explain=lambda s: (f"${ar.conv_params(1, 8, 3)} + {ar.conv_params(8, 16, 3)} + "
                           f"{ar.dense_params(_ref_flat(), 10)} = {_fmt(s)}$."),
    ),
    # -- 08 architectures ----------------------------------------------------
    _ex(
        id="08.lenet_c1", title="LeNet-5, layer C1",
        prompt=("LeNet-5 reads a $32 \\times 32 \\times 1$ image; C1 has 6 kernels of $5 \\times 5$ "
                "(valid, stride 1). What is C1's output (width, height, depth)?"),
        kind="shape", solve=lambda: _whd(ar.feature_map_shape((32, 32, 1), 6, 5)),
        template="answer = ...   # (width, height, depth)",
        hint=_shape_hint("the depth is the number of kernels", "G_w = ⌊(I_w − K_w)/s⌋ + 1."),
        fallback="equation (3) and G_d = number of kernels",
        explain=lambda s: f"$32 - 5 + 1 = {s[0]}$: ${s[0]} \\times {s[1]} \\times {s[2]}$.",
    ),
    _ex(
        id="08.alexnet_conv1", title="AlexNet, first layer",
        prompt=("AlexNet's first layer: a $227 \\times 227 \\times 3$ input, 96 kernels of "
                "$11 \\times 11$, stride 4, valid. What is its output (width, height, depth)?"),
        kind="shape", solve=lambda: _whd(ar.feature_map_shape((227, 227, 3), 96, 11, stride=4)),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda: _whd(ar.feature_map_shape((227, 227, 3), 96, 11)), "that is stride 1; this layer jumps 4 pixels"),),
        hint=_shape_hint("the depth is the number of kernels", "G_w = ⌊(227 − 11)/4⌋ + 1."),
        fallback="equation (3) with s = 4",
        explain=lambda s: f"$\\lfloor (227 - 11)/4 \\rfloor + 1 = {s[0]}$: ${s[0]} \\times {s[1]} \\times {s[2]}$.",
    ),
    _ex(
        id="08.vgg_field", title="VGG's stacked 3×3 kernels",
        prompt=("VGG stacks $3 \\times 3$ convolutions (stride 1) instead of larger kernels. "
                "Three of them in a row: how wide is the patch of the input that one output "
                "unit sees (its receptive field)?"),
        kind="int", solve=lambda: ar.receptive_field([(3, 1)] * 3),
        mistakes=((lambda: 3, "each further 3 × 3 layer widens the view by 2 pixels"),
                  (lambda: 9, "the fields overlap: they grow by K − 1 = 2 per layer, not by 3"),),
        fallback="a stack of stride-1 layers sees 1 + Σ (K − 1) pixels",
        explain=lambda s: (f"$1 + 3 \\cdot (3 - 1) = {s}$: three $3\\times3$ layers see as much as one "
                           f"${s}\\times{s}$ with {3 * ar.conv_params(64, 64, 3, bias=False):,} instead of "
                           f"{ar.conv_params(64, 64, s, bias=False):,} weights at 64 channels."),
    ),
    # -- 09 in class ---------------------------------------------------------
    _ex(
        id="09.same_stride2", title="Same padding with stride 2",
        prompt=("$32 \\times 32 \\times 3$ input, 16 kernels of $5 \\times 5$, same padding, "
                "stride 2. Output (width, height, depth)?"),
        kind="shape", solve=lambda: _whd(ar.feature_map_shape((32, 32, 3), 16, 5, stride=2, padding="same")),
        template="answer = ...   # (width, height, depth)",
        mistakes=((lambda: _whd(ar.feature_map_shape((32, 32, 3), 16, 5, padding="same")),
                   "'same' keeps the size only with stride 1; with stride s the output is ⌈I/s⌉"),
                  (lambda: _whd(ar.feature_map_shape((32, 32, 3), 16, 5, stride=2)),
                   "that is valid padding; 'same' pads so that the output is ⌈I/s⌉")),
        hint=_shape_hint("the depth is the number of kernels", "with 'same' padding the output is ⌈I_w/s⌉."),
        fallback="'same' gives ⌈I/s⌉; the depth is the number of kernels",
        explain=lambda s: f"$\\lceil 32/2 \\rceil = {s[0]}$: ${s[0]} \\times {s[1]} \\times {s[2]}$.",
    ),
    _ex(
        id="09.chain", title="A small network's shapes",
        prompt=("$28 \\times 28 \\times 1$ → conv 6 kernels $5\\times5$ (valid) → max pool 2 → "
                "conv 16 kernels $5\\times5$ (valid) → max pool 2. Final (width, height, depth)?"),
        kind="shape",
        solve=lambda: _whd(_chain((28, 28, 1), [("conv", 6, 5), ("pool", 2), ("conv", 16, 5), ("pool", 2)])),
        template="answer = ...   # (width, height, depth)",
        hint=_shape_hint("the depth is the number of kernels of the last convolution (pooling keeps it)",
                         "28 → 24 (conv) → 12 (pool) → ? (conv) → ? (pool)."),
        fallback="apply equation (3), then (4), then (3), then (4)",
        explain=lambda s: f"$28 \\to 24 \\to 12 \\to 8 \\to {s[0]}$; depth 16: ${s[0]} \\times {s[1]} \\times {s[2]}$.",
    ),
    _ex(
        id="09.params", title="Parameters of a deeper layer",
        prompt=("A layer with 32 kernels of $3 \\times 3$ reads a $14 \\times 14 \\times 16$ "
                "feature map. How many parameters?"),
        kind="int", solve=lambda: ar.conv_params(16, 32, 3),
        mistakes=((lambda: ar.conv_params(16, 32, 3, bias=False), "add one bias per kernel"),
                  (lambda: ar.conv_params(1, 32, 3), "the kernels have the input's depth, 16"),
                  (lambda: ar.conv_params(3, 32, 3), "the input depth here is 16, not 3")),
        fallback="(3 · 3 · 16 + 1) · 32",
        explain=lambda s: f"$(3 \\cdot 3 \\cdot 16 + 1) \\times 32 = {_fmt(s)}$; the $14 \\times 14$ does not matter.",
    ),
    _ex(
        id="09.pool_stride", title="Overlapping pooling",
        prompt=("AlexNet pools with $3 \\times 3$ windows and stride 2 (overlapping). "
                "On a $55 \\times 55$ map, what is the output width (equation (4))?"),
        kind="int", solve=lambda: ar.pool_output_size(55, 3, stride=2),
        mistakes=((lambda: ar.pool_output_size(55, 3), "that is stride 3; here s = 2"),
                  (lambda: (55 - 3) // 2, "equation (4) adds 1 after the division")),
        fallback="O_w = ⌊(I_w − W_w)/s⌋ + 1",
        explain=lambda s: f"$\\lfloor (55 - 3)/2 \\rfloor + 1 = {s}$.",
    ),
]

#: Every exercise by id, in notebook order.
EXERCISES: dict[str, Exercise] = {ex.id: ex for ex in _LIST}


# ---------------------------------------------------------------------------
# public functions
# ---------------------------------------------------------------------------
def get(exercise_id) -> Exercise:
    """The :class:`Exercise` with this id.

    >>> get("04.output_size").title
    'Equation (3) with a stride'
    """
    try:
        return EXERCISES[exercise_id]
    except (KeyError, TypeError):
        known = ", ".join(EXERCISES)
        raise ValueError(f"`exercise_id` must be one of {known}; got {exercise_id!r}") from None


def check(exercise_id, answer) -> Feedback:
    """Check an answer; the returned :class:`Feedback` displays itself.

    Parameters
    ----------
    exercise_id : str
        E.g. ``"04.shape_table"``.
    answer : object
        The student's answer (``...`` when not answered yet).

    Returns
    -------
    Feedback
        ``.correct`` is True when right; ``.message`` says why not.

    Examples
    --------
    >>> check("04.output_size", 3)
    Correct!
    >>> check("04.output_size", 5)
    Not yet: that is stride 1; with s = 2 divide by 2 in equation (3).
    >>> check("04.shape_table", {"valid/1": (26, 26, 3), "same/1": (28, 28, 8), "valid/2": (..., ..., ...)})
    1 of 3 rows right.
    valid, stride 1: not yet: width and height are right; the depth equals the number of kernels (each kernel gives one map), not the input depth.
    same, stride 1: correct.
    valid, stride 2: waiting for an answer.
    """
    return get(exercise_id).check(answer)


def solution(exercise_id):
    """The solution of an exercise, computed by the core.

    >>> solution("04.shape_table")
    {'valid/1': (26, 26, 8), 'same/1': (28, 28, 8), 'valid/2': (13, 13, 8)}
    """
    return get(exercise_id).solution()


def solution_text(exercise_id) -> str:
    """The worked solution as markdown.

    >>> solution_text("04.output_size")
    '$G_w = \\\\lfloor (7 - 3)/2 \\\\rfloor + 1 = 3$.'
    """
    return get(exercise_id).solution_text()


def for_notebook(number) -> list[Exercise]:
    """The exercises of one notebook, by its number (``4`` or ``"04"``).

    >>> [ex.id for ex in for_notebook(5)]
    ['05.pool_shape', '05.max_values', '05.pool_params']
    """
    key = f"{int(number):02d}" if not isinstance(number, str) else number
    return [ex for ex in _LIST if ex.notebook == key]
