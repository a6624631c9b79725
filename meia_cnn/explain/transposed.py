"""Transposed convolution, position by position, as the guide animates it.

:func:`transposed_conv_state` gives every number the transposed-convolution
explorer shows for a square input of small numbers and a square kernel of
small numbers: the input spread ``s - 1`` zeros apart and bordered with
``d (k - 1) - p`` zeros (the stretched input, with the output padding at the
bottom and the right), what each of its cells is (an input pixel, a zero
inserted between pixels, a border zero, an output-padding zero), the kernel
flipped, and, for every output cell in reading order, where the flipped
kernel's taps sit on the stretched input and the products they add up.

The numbers come from the core: the output from
:func:`~meia_cnn.ops.conv_transpose2d`, the stretched input from
:func:`~meia_cnn.ops.stretched_input`, the size from
:func:`~meia_cnn.arithmetic.conv_transpose_output_size`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, TypedDict, cast

import numpy as np
from numpy.typing import NDArray

from .._validation import as_int, check_steps
from ..arithmetic import conv_transpose_output_size
from ..i18n import TranslatedText, ngettext, ngettext_noop
from ..i18n import gettext_noop as N_
from ..ops import conv_transpose2d, stretched_input
from ._frozen import frozen
from ._render import PALETTE, colours, format_number
from ._sweep import SquareOutput, small_numbers, sweep

__all__ = [
    "PADDING_ZERO",
    "INSERTED_ZERO",
    "INPUT_PIXEL",
    "OUTPUT_PADDING_ZERO",
    "TEXT",
    "TransposedConvScene",
    "TransposedConvState",
    "transposed_conv_scene",
    "TransposedConvStep",
    "input_values",
    "kernel_values",
    "transposed_conv_problem",
    "transposed_conv_state",
]

#: What a cell of the stretched input is (the values of ``TransposedConvState.kinds``).
PADDING_ZERO, INSERTED_ZERO, INPUT_PIXEL, OUTPUT_PADDING_ZERO = 0, 1, 2, 3

# -- what a student reads (one place) ---------------------------------------------------
TEXT = TranslatedText(
    {
        "formula": ("o = s·(i − 1) + d·(k − 1) + 1 − 2p + a = {s}·({i} − 1) + {d}·({k} − 1) + 1 − 2·{p} + {a} = {o}"),
        "too_much_padding": N_(
            "Padding p = {p} removes {two_p} rows (and columns) from an output of only "
            "{full}: nothing would be left. Use less padding, a larger input or a larger "
            "kernel."
        ),
        "output_padding_too_large": N_(
            "The output padding a = {a} must be smaller than the stride or the "
            "dilation (here at most {most}): a larger one would add rows that no "
            "input pixel reaches."
        ),
        "step": N_(
            "Step {n} of {total}: output y[{r}, {c}] = the flipped kernel times the stretched input "
            "under it = {terms} = {value}."
        ),
        "step_zeros": N_(
            "Step {n} of {total}: output y[{r}, {c}]: the flipped kernel covers only zeros here, so y[{r}, {c}] = 0."
        ),
    }
)


def input_values(size: int) -> NDArray[np.floating]:
    """The input drawn: small numbers 1..9 in reading order.

    Parameters
    ----------
    size : int
        The side of the square input.

    Returns
    -------
    (size, size) array

    Examples
    --------
    >>> input_values(2)
    array([[1., 2.],
           [3., 4.]])
    """
    return small_numbers(size, "input_size")


def kernel_values(size: int) -> NDArray[np.floating]:
    """The kernel drawn: 1, 2, 3 repeated in reading order (not symmetric, so its flip shows).

    Parameters
    ----------
    size : int
        The side of the square kernel.

    Returns
    -------
    (size, size) array

    Examples
    --------
    >>> kernel_values(3)
    array([[1., 2., 3.],
           [1., 2., 3.],
           [1., 2., 3.]])
    """
    size = as_int(size, "kernel_size")
    return (np.arange(size * size) % 3 + 1.0).reshape(size, size)


@dataclass(frozen=True, eq=False)
class TransposedConvStep:
    """One position of the flipped kernel on the stretched input.

    Attributes
    ----------
    position : (int, int)
        ``(r, c)``, the output cell computed at this step.
    taps : (k*k, 2) array of int
        Row and column of every tap in the stretched input, ``d`` cells apart,
        the top-left tap at ``(r, c)`` (the stride of this direct convolution
        is 1).
    products : (k*k,) array
        Each tap's stretched-input value times the flipped kernel's weight.
    on_input : (k*k,) array of bool
        Which taps lie on an input pixel (the others multiply a zero).
    value : float
        ``y[r, c]``, the sum of the products.
    text : str
        The step as the readout writes it.

    Examples
    --------
    >>> import numpy as np
    >>> step = transposed_conv_state(2, 2).steps[0]
    >>> step.position, bool(np.isclose(step.products.sum(), step.value))
    ((0, 0), True)
    """

    position: tuple[int, int]
    taps: NDArray[np.int64]
    products: NDArray[np.float64]
    on_input: NDArray[np.bool_]
    value: float
    text: str


@dataclass(frozen=True, eq=False)
class TransposedConvState(SquareOutput):
    """Everything the transposed convolution computes for one setting, and every step.

    Attributes
    ----------
    input_size, kernel_size, stride, padding, output_padding, dilation : int
        ``i``, ``k``, ``s``, ``p``, ``a``, ``d``.
    input : (i, i) array
    kernel : (k, k) array
    flipped_kernel : (k, k) array
        The kernel rotated by 180 degrees, as the direct convolution uses it.
    stretched : (o + d (k - 1), o + d (k - 1)) array
        The input spread and bordered with zeros.
    kinds : array of int, the shape of ``stretched``
        ``INPUT_PIXEL``, ``INSERTED_ZERO``, ``PADDING_ZERO`` or
        ``OUTPUT_PADDING_ZERO`` for each cell.
    border : int
        ``d (k - 1) - p``: zeros on each side of the spread input (negative:
        rows and columns cut off).
    output : (o, o) array
    output_size : int
        ``o``.
    formula : str
        The output-size formula with the current numbers.
    steps : tuple of TransposedConvStep
        One per output cell, in reading order.

    Examples
    --------
    >>> state = transposed_conv_state(2, 3, stride=2)
    >>> state.output_size, state.stretched.shape, len(state.steps)
    (5, (7, 7), 25)
    >>> print(state.formula)
    o = s·(i − 1) + d·(k − 1) + 1 − 2p + a = 2·(2 − 1) + 1·(3 − 1) + 1 − 2·0 + 0 = 5
    """

    input_size: int
    kernel_size: int
    stride: int
    padding: int
    output_padding: int
    dilation: int
    input: NDArray[np.float64]
    kernel: NDArray[np.float64]
    flipped_kernel: NDArray[np.float64]
    stretched: NDArray[np.float64]
    kinds: NDArray[np.int8]
    border: int
    output: NDArray[np.float64]
    output_size: int
    formula: str
    steps: tuple[TransposedConvStep, ...]

    @property
    def stretched_size(self) -> int:
        """Side of the stretched input, ``o + d (k - 1)``."""
        return int(self.stretched.shape[0])

    @property
    def effective_kernel(self) -> int:
        """``d (k - 1) + 1``: the cells the dilated kernel spans."""
        return self.dilation * (self.kernel_size - 1) + 1


def _number(value: float) -> str:
    return f"{value:g}"


def transposed_conv_problem(
    input_size: int, kernel_size: int, *, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> str | None:
    """Why a setting has no transposed convolution, in a student's words (None when it has one).

    Parameters
    ----------
    input_size, kernel_size, stride, padding, output_padding, dilation : int
        As in :func:`transposed_conv_state`.

    Returns
    -------
    str or None

    Examples
    --------
    >>> transposed_conv_problem(2, 3, stride=2) is None
    True
    >>> print(transposed_conv_problem(2, 3, stride=2, output_padding=2))
    The output padding a = 2 must be smaller than the stride or the dilation (here at most 1): a larger one would add rows that no input pixel reaches.
    >>> print(transposed_conv_problem(1, 2, padding=1))
    Padding p = 1 removes 2 rows (and columns) from an output of only 2: nothing would be left. Use less padding, a larger input or a larger kernel.
    """
    i, k, s, p, a, d = (
        as_int(v, name, minimum=m)
        for v, name, m in (
            (input_size, "input_size", 1),
            (kernel_size, "kernel_size", 1),
            (stride, "stride", 1),
            (padding, "padding", 0),
            (output_padding, "output_padding", 0),
            (dilation, "dilation", 1),
        )
    )
    if a >= max(s, d):
        return TEXT["output_padding_too_large"].format(a=a, most=max(s, d) - 1)
    full = s * (i - 1) + d * (k - 1) + 1 + a
    if full - 2 * p < 1:
        return TEXT["too_much_padding"].format(p=p, two_p=2 * p, full=full)
    return None


def transposed_conv_state(
    input_size: int, kernel_size: int, *, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> TransposedConvState:
    """Every number of a transposed convolution, drawn as the guide draws it.

    Parameters
    ----------
    input_size : int
        ``i``: the side of the square input (its values are :func:`input_values`).
    kernel_size : int
        ``k``: the side of the square kernel (its values are :func:`kernel_values`).
    stride : int
        ``s``: the input's pixels land ``s`` apart (``s - 1`` zeros between them).
    padding : int
        ``p``: rows and columns removed from each side of the output.
    output_padding : int
        ``a`` < max(s, d): rows and columns added at the bottom and the right.
    dilation : int
        ``d``: the kernel's taps are ``d`` cells apart.

    Returns
    -------
    TransposedConvState

    Raises
    ------
    ValueError
        From the core, when the setting has no output
        (:func:`transposed_conv_problem` says why in a student's words).

    Examples
    --------
    >>> state = transposed_conv_state(2, 2)
    >>> state.output
    array([[ 1.,  4.,  4.],
           [ 6., 17., 10.],
           [ 9., 15.,  4.]])
    >>> state.steps[4].text
    'Step 5 of 9: output y[1, 1] = the flipped kernel times the stretched input under it = 1·1 + 3·2 + 2·3 + 1·4 = 17.'
    """
    o = cast(
        int,
        conv_transpose_output_size(
            input_size, kernel_size, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
        ),
    )
    check_steps(o * o, 2 * int(kernel_size) ** 2, name="input_size", value=input_size)
    i, k, s, p, a, d = (int(v) for v in (input_size, kernel_size, stride, padding, output_padding, dilation))
    x = input_values(i)
    kernel = kernel_values(k)
    flipped = kernel[::-1, ::-1]
    output = conv_transpose2d(x, kernel, stride=s, padding=p, output_padding=a, dilation=d)
    options = dict(stride=s, padding=p, output_padding=a, dilation=d)
    stretched = stretched_input(x, k, **options)
    # Where the input's pixels went: the same stretch applied to a mask of ones.
    on_input = stretched_input(np.ones((i, i)), k, **options) > 0
    border = d * (k - 1) - p
    n = stretched.shape[0]
    inside = np.zeros(n, dtype=bool)  # rows (and columns) between the first and last input pixel
    inside[max(border, 0) : max(border + s * (i - 1) + 1, 0)] = True
    kinds = np.full((n, n), PADDING_ZERO, dtype=np.int8)
    kinds[np.ix_(inside, inside)] = INSERTED_ZERO
    if a:
        kinds[n - a :, :] = OUTPUT_PADDING_ZERO
        kinds[:, n - a :] = OUTPUT_PADDING_ZERO
    kinds[on_input] = INPUT_PIXEL
    weights = flipped.ravel()
    steps: list[TransposedConvStep] = []
    total = o * o
    for (r, c), _origin, taps in sweep(o, k, dilation=d):  # the direct convolution's stride is 1
        under = stretched[taps[:, 0], taps[:, 1]]
        real = on_input[taps[:, 0], taps[:, 1]]
        products = under * weights
        value = float(output[r, c])
        if real.any():
            terms = " + ".join(f"{_number(w)}·{_number(v)}" for w, v in zip(weights[real], under[real]))
            text = TEXT["step"].format(n=len(steps) + 1, total=total, r=r, c=c, terms=terms, value=_number(value))
        else:
            text = TEXT["step_zeros"].format(n=len(steps) + 1, total=total, r=r, c=c)
        steps.append(
            TransposedConvStep(
                position=(r, c),
                taps=frozen(taps, dtype=np.int64),
                products=frozen(products),
                on_input=frozen(real, dtype=bool),
                value=value,
                text=text,
            )
        )
    return TransposedConvState(
        input_size=i,
        kernel_size=k,
        stride=s,
        padding=p,
        output_padding=a,
        dilation=d,
        input=frozen(x),
        kernel=frozen(kernel),
        flipped_kernel=frozen(flipped),
        stretched=frozen(stretched),
        kinds=frozen(kinds, dtype=np.int8),
        border=border,
        output=frozen(output),
        output_size=o,
        formula=TEXT["formula"].format(s=s, i=i, d=d, k=k, p=p, a=a, o=o),
        steps=tuple(steps),
    )


# -- the scene: everything the page draws and writes ---------------------------------------------
#: Grids larger than this are drawn without their numbers (they would not be legible).
MAX_NUMBERED = 15

#: Cell colours of the stretched input, by kind (colour-blind safe; the kinds differ in lightness too).
KIND_COLOURS = {
    INPUT_PIXEL: PALETTE["sky"],
    INSERTED_ZERO: PALETTE["light"],
    PADDING_ZERO: "#ffffff",
    OUTPUT_PADDING_ZERO: PALETTE["yellow"],
}

SCENE_TEXT = TranslatedText(
    {
        "stretched_title": N_("stretched input {n}×{n}"),
        "kernel_title": N_("kernel K"),
        "flipped_title": N_("K rotated 180°"),
        "output_title": N_("output y {o}×{o}"),
        "step_title": N_("{title}   (step {n} of {total})"),
        "stretched_label": N_(
            "Stretched input, {n} by {n} cells: the {i} by {i} input in blue, {inserted} "
            "between its pixels in grey, a border of zeros in white{extra}; the flipped "
            "kernel's {k} by {k} taps in orange."
        ),
        "output_padding_label": N_(", the output padding in yellow"),
        "kernel_label": N_("The kernel K, {k} by {k}, and the same kernel rotated by 180 degrees as it is slid."),
        "output_label": N_("Output y, {o} by {o} cells, filled up to the current step."),
        "formula": N_("<div><b>Output size</b>: {formula}</div>"),
        "stretch_line": N_(
            "<div>Stride s = {s}: {zeros} between neighbouring input pixels. "
            "Border: d·(k − 1) − p = {d}·({k} − 1) − {p} = {border} {border_words}{extra}.</div>"
        ),
        "border_zeros": N_("zeros on each side"),
        "border_cut": N_("(negative: that many rows and columns of the spread input are cut off)"),
        "extra_line": N_("; output padding a = {a}: {a} more at the bottom and the right"),
        "legend": N_(
            "<div>Blue: the input's pixels; grey: zeros inserted between them; white: the border's zeros"
            "{yellow}. The kernel, rotated by 180°, slides over it with stride 1.</div>"
        ),
        "legend_yellow": N_("; yellow: the output padding"),
        "step_line": "<div>{text}</div>",
    }
)
#: The ``s - 1`` zeros between neighbouring input pixels, counted (readout; drawing's label).
_ZEROS_BETWEEN = ngettext_noop("{n} zero", "{n} zeros")
_ZEROS_INSERTED = ngettext_noop("{n} zero inserted", "{n} zeros inserted")


class TransposedConvScene(TypedDict):
    """The JSON the page draws (:file:`widgets/js/transposed.js`): three grids, the steps, the readout.

    Parameters
    ----------
    stretched : dict[str, Any]
    kernel : dict[str, Any]
    output : dict[str, Any]
    steps : list[dict[str, Any]]
    readout : str

    Examples
    --------
    >>> "readout" in TransposedConvScene.__annotations__
    True
    """

    stretched: dict[str, Any]
    kernel: dict[str, Any]
    output: dict[str, Any]
    steps: list[dict[str, Any]]
    readout: str


def transposed_conv_scene(state: TransposedConvState) -> TransposedConvScene:
    """What the transposed-convolution explorer draws and writes for ``state`` (JSON: text, colours, numbers).

    Parameters
    ----------
    state : TransposedConvState

    Returns
    -------
    TransposedConvScene

    Examples
    --------
    >>> scene = transposed_conv_scene(transposed_conv_state(2, 3, stride=2))
    >>> scene["output"]["title"], len(scene["steps"])
    ('output y 5×5', 25)
    """
    i, k, s, a = state.input_size, state.kernel_size, state.stride, state.output_padding
    n, o = state.stretched_size, state.output_size
    cell_colours = [[KIND_COLOURS[int(kind)] for kind in row] for row in state.kinds]
    extra = SCENE_TEXT["output_padding_label"] if a else ""
    offsets = (state.steps[0].taps - np.array(state.steps[0].position)).tolist()
    kernel_colours = colours(state.kernel, cmap="Oranges", vmin=0.0, vmax=4.0)
    steps = [
        {
            "origin": list(st.position),
            "cell": list(st.position),
            "readout": SCENE_TEXT["step_line"].format(text=html.escape(st.text)),
        }
        for st in state.steps
    ]
    scene: TransposedConvScene = {
        "stretched": {
            "rows": n,
            "cols": n,
            "colours": cell_colours,
            "labels": ([[format_number(v) for v in row] for row in state.stretched] if n <= MAX_NUMBERED else None),
            "title": SCENE_TEXT["stretched_title"].format(n=n),
            "label": SCENE_TEXT["stretched_label"].format(
                n=n, i=i, inserted=ngettext(*_ZEROS_INSERTED, s - 1).format(n=s - 1), k=k, extra=extra
            ),
        },
        "kernel": {
            "size": k,
            "span": state.effective_kernel,
            "offsets": offsets,
            "colours": kernel_colours,
            "labels": [[format_number(v) for v in row] for row in state.kernel],
            "flipped_colours": [row[::-1] for row in kernel_colours[::-1]],
            "flipped_labels": [[format_number(v) for v in row] for row in state.flipped_kernel],
            "title": SCENE_TEXT["kernel_title"],
            "flipped_title": SCENE_TEXT["flipped_title"],
            "label": SCENE_TEXT["kernel_label"].format(k=k),
        },
        "output": {
            "rows": o,
            "cols": o,
            "colours": colours(state.output, cmap="cividis"),
            "labels": ([[format_number(v) for v in row] for row in state.output] if o <= MAX_NUMBERED else None),
            "title": SCENE_TEXT["output_title"].format(o=o),
            "step_title": SCENE_TEXT["step_title"],
            "label": SCENE_TEXT["output_label"].format(o=o),
        },
        "steps": steps,
        "readout": _readout(state),
    }
    return scene


def _readout(state: TransposedConvState) -> str:
    s, k, p, d, a = state.stride, state.kernel_size, state.padding, state.dilation, state.output_padding
    border = state.border
    return (
        SCENE_TEXT["formula"].format(formula=html.escape(state.formula))
        + SCENE_TEXT["stretch_line"].format(
            s=s,
            zeros=ngettext(*_ZEROS_BETWEEN, s - 1).format(n=s - 1),
            d=d,
            k=k,
            p=p,
            border=border,
            border_words=SCENE_TEXT["border_zeros"] if border >= 0 else SCENE_TEXT["border_cut"],
            extra=SCENE_TEXT["extra_line"].format(a=a) if a else "",
        )
        + SCENE_TEXT["legend"].format(yellow=SCENE_TEXT["legend_yellow"] if a else "")
    )
