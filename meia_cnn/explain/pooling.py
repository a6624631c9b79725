"""Equation (4) at work: max and average pooling, window by window.

:func:`pooling_state` gives every number the pooling explorer shows for a
small grid: the output size from equation (4)
(:func:`meia_cnn.arithmetic.pool_output_size`), the pooled grid
(:func:`meia_cnn.ops.max_pool2d` or :func:`meia_cnn.ops.avg_pool2d`), where
each window's maximum is (``return_indices=True``) and, for every output
cell in reading order, its window.  :func:`pool_image` pools a photo the same
way.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic, ops
from .._validation import as_float_array, as_int, check_steps
from ..i18n import TranslatedText, register_option_labels
from ..i18n import gettext_noop as N_
from ._frozen import frozen
from ._render import colours, format_number

__all__ = [
    "MAX_GRID",
    "POOLINGS",
    "PoolingScene",
    "PoolingState",
    "PoolingStep",
    "equation_text",
    "pool_image",
    "pooling_scene",
    "pooling_state",
    "readable_grid",
]

#: The two kinds of pooling.
POOLINGS = ("max", "average")
# What the explorer's buttons show for each kind.
register_option_labels({"max": N_("max"), "average": N_("average")})


@dataclass(frozen=True)
class PoolingStep:
    """One window.

    Attributes
    ----------
    position : (int, int)
        ``(i, j)``, the output cell computed at this step.
    origin : (int, int)
        Row and column of the window's top-left cell in the input.
    window : (W_w, W_w) array
        The input values in the window.
    value : float
        ``O[i, j]``: the window's maximum or average.
    argmax : (int, int)
        Row and column, in the input, of the window's maximum (the first on ties).

    Examples
    --------
    >>> pooling_state([[1, 3], [4, 2]], 2).steps[0].argmax
    (1, 0)
    """

    position: tuple[int, int]
    origin: tuple[int, int]
    window: NDArray[np.float64]
    value: float
    argmax: tuple[int, int]


@dataclass(frozen=True, eq=False)
class PoolingState:
    """Everything equation (4) gives for one setting, and every window.

    Attributes
    ----------
    input : (H, W) array
    size, stride : int
        The window ``W_w`` and the stride ``s``.
    pooling : {'max', 'average'}
    output : (O_h, O_w) array
    maxima : (O_h, O_w) array
        Each window's maximum (the output when ``pooling='max'``).
    indices : (O_h, O_w, 2) array of int
        Where each window's maximum is in the input.
    steps : tuple of PoolingStep
        One per output cell, in reading order.

    Examples
    --------
    >>> state = pooling_state(np.arange(16.0).reshape(4, 4), 2)
    >>> state.output_shape, len(state.steps), state.params
    ((2, 2), 4, 0)
    """

    input: NDArray[np.float64]
    size: int
    stride: int
    pooling: str
    output: NDArray[np.float64]
    maxima: NDArray[np.float64]
    indices: NDArray[np.int64]
    steps: tuple[PoolingStep, ...]

    @property
    def output_shape(self) -> tuple[int, int]:
        """``(O_h, O_w)``, from equation (4)."""
        return (int(self.output.shape[0]), int(self.output.shape[1]))

    @property
    def params(self) -> int:
        """Weights of a pooling layer: none (:func:`meia_cnn.arithmetic.pool_params`)."""
        return int(arithmetic.pool_params())


def _check_pooling(pooling: str) -> str:
    if pooling not in POOLINGS:
        raise ValueError(f"`pooling` must be 'max' or 'average', got {pooling!r}")
    return pooling


#: Largest input grid whose numbers a scene writes (rows and columns).
MAX_GRID = 9


def readable_grid(x: ArrayLike) -> NDArray[np.float64]:
    """``x`` checked as a small grid whose numbers a scene can write (an explorer's argument).

    Parameters
    ----------
    x : (H, W) array of numbers
        At most :data:`MAX_GRID` x :data:`MAX_GRID`.

    Returns
    -------
    (H, W) ndarray of float64

    Examples
    --------
    >>> readable_grid([[1, 2], [3, 4]]).shape
    (2, 2)
    >>> readable_grid(np.ones((10, 2)))
    Traceback (most recent call last):
    ...
    ValueError: `x` must be at most 9x9 so its numbers can be read, got shape (10, 2); pool a larger image with `photo=` or an upload
    """
    arr = as_float_array(x, "x", ndim=2)
    h, w = arr.shape
    if not (1 <= h <= MAX_GRID and 1 <= w <= MAX_GRID):
        raise ValueError(
            f"`x` must be at most {MAX_GRID}x{MAX_GRID} so its numbers can be read, got shape {arr.shape}; "
            "pool a larger image with `photo=` or an upload"
        )
    return np.array(arr, dtype=float)


def pooling_state(x: ArrayLike, size: int = 2, *, stride: int | None = None, pooling: str = "max") -> PoolingState:
    """Every number of ``size`` x ``size`` pooling over a small grid ``x``.

    Parameters
    ----------
    x : (H, W) array
        The input grid.
    size : int
        The window ``W_w``.
    stride : int, optional
        ``s``; defaults to ``size`` (non-overlapping windows).
    pooling : {'max', 'average'}

    Returns
    -------
    PoolingState

    Raises
    ------
    ValueError
        From the core, when the window is larger than the input.

    Examples
    --------
    >>> x = [[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 2], [2, 6, 1, 1]]
    >>> state = pooling_state(x, 2)
    >>> state.output.tolist()
    [[4.0, 5.0], [6.0, 3.0]]
    >>> state.steps[2].origin, state.steps[2].argmax
    ((2, 0), (3, 1))
    >>> pooling_state(x, 2, pooling="average").output.tolist()
    [[2.5, 2.0], [2.25, 1.75]]
    """
    pooling = _check_pooling(pooling)
    arr = as_float_array(x, "x", ndim=2)
    k = as_int(size, "size")
    s = k if stride is None else as_int(stride, "stride")
    oh, ow = arithmetic.pool_output_size(arr.shape, k, stride=s)
    check_steps(oh * ow, k * k, name="x", value=arr.shape)
    maxima, indices = ops.max_pool2d(arr, k, stride=s, return_indices=True)
    output = maxima if pooling == "max" else ops.avg_pool2d(arr, k, stride=s)
    windows = ops.sliding_windows(arr, k, stride=s)
    steps = []
    for i in range(oh):
        for j in range(ow):
            r, c = (int(v) for v in indices[i, j])
            steps.append(
                PoolingStep(
                    position=(i, j),
                    origin=(i * s, j * s),
                    window=frozen(windows[i, j]),
                    value=float(output[i, j]),
                    argmax=(r, c),
                )
            )
    return PoolingState(
        input=frozen(arr),
        size=k,
        stride=s,
        pooling=pooling,
        output=frozen(output),
        maxima=frozen(maxima),
        indices=frozen(indices, dtype=np.int64),
        steps=tuple(steps),
    )


def pool_image(
    image: ArrayLike, size: int = 2, *, stride: int | None = None, pooling: str = "max"
) -> NDArray[np.floating]:
    """A grey photo pooled as :func:`pooling_state` pools the grid.

    Parameters
    ----------
    image : (M, N) array
    size : int
    stride : int, optional
        Defaults to ``size``.
    pooling : {'max', 'average'}

    Returns
    -------
    (O_h, O_w) array

    Examples
    --------
    >>> pool_image(np.arange(16.0).reshape(4, 4), 2, pooling="average").tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    pooling = _check_pooling(pooling)
    pool = ops.max_pool2d if pooling == "max" else ops.avg_pool2d
    out: NDArray[np.floating] = pool(as_float_array(image, "image"), size, stride=stride)
    return out


# -- the scene: everything the page draws and writes ---------------------------------------------
SCENE_TEXT = TranslatedText(
    {
        "input_title": N_("input {h}×{w}, window {size}×{size}, s = {stride}"),
        "input_label": N_(
            "Input grid, {h} by {w} cells, with its numbers; the current {size} by {size} window in red{maxima}."
        ),
        "maxima_marks": N_(", every window's maximum framed in orange and the current one in yellow"),
        "output_title_max": N_("max pool {oh}×{ow}"),
        "output_title_average": N_("average pool {oh}×{ow}"),
        "output_label": N_("Output O, {oh} by {ow} cells, filled up to the current step."),
        "photo_title": "{name} {h}×{w}",
        "photo_label": N_("The photo {name}, {h} by {w} pixels."),
        "pooled_title_max": N_("max pooled {h}×{w}"),
        "pooled_title_average": N_("average pooled {h}×{w}"),
        "pooled_label": N_("The photo after pooling, {h} by {w} pixels, drawn at the same size."),
        "equation": "O_w = ⌊(I_w − W_w)/s⌋ + 1 = ⌊({w} − {size})/{stride}⌋ + 1 = {ow}",
        "equation_line": N_(
            "<div><b>Equation (4)</b>: {equation}; O_h = ⌊({h} − {size})/{stride}⌋ + 1 = {oh}: "
            "output <b>{oh} × {ow}</b>.</div>"
        ),
        "photo_line": N_(
            "<div>Photo: {ph} × {pw} → {qh} × {qw} ({ratio}× fewer pixels). "
            "Pooling has no weights: {params} parameters.</div>"
        ),
        "step_max": N_(
            "<div>Step {n} of {total}: window rows {r0}…{r1}, columns {c0}…{c1}: "
            "max({values}) = <b>{value}</b>, at row {r}, column {c} of the input → O[{i}, {j}].</div>"
        ),
        "step_average": N_(
            "<div>Step {n} of {total}: window rows {r0}…{r1}, columns {c0}…{c1}: "
            "({values}) / {count} = <b>{value}</b> → O[{i}, {j}].</div>"
        ),
    }
)


class PoolingScene(TypedDict):
    """The JSON the page draws and writes (:file:`widgets/js/pooling.js`).

    Parameters
    ----------
    input : dict[str, Any]
    output : dict[str, Any]
    size : int
    maxima : list[list[int]]
    photo : dict[str, Any]
    pooled : dict[str, Any]
    steps : list[dict[str, Any]]
    readout : str

    Examples
    --------
    >>> "readout" in PoolingScene.__annotations__
    True
    """

    input: dict[str, Any]
    output: dict[str, Any]
    size: int
    maxima: list[list[int]]
    photo: dict[str, Any]
    pooled: dict[str, Any]
    steps: list[dict[str, Any]]
    readout: str


def pooling_scene(
    state: PoolingState, photo_name: str, photo_shape: tuple[int, ...], pooled_shape: tuple[int, ...]
) -> PoolingScene:
    """What the pooling explorer draws and writes for ``state`` and a photo pooled the same way (JSON).

    Parameters
    ----------
    state : PoolingState
    photo_name : str
        The photo's name as shown.
    photo_shape, pooled_shape : tuple of int
        The photo's shape before and after pooling.

    Returns
    -------
    PoolingScene

    Examples
    --------
    >>> state = pooling_state(np.arange(16.0).reshape(4, 4), 2)
    >>> scene = pooling_scene(state, "camera", (256, 256), (128, 128))
    >>> scene["output"]["title"], scene["steps"][0]["best"]
    ('max pool 2×2', [1, 1])
    """
    x = state.input
    h, w = x.shape
    oh, ow = state.output_shape
    size, stride, is_max = state.size, state.stride, state.pooling == "max"
    lo, hi = float(x.min()), float(x.max())
    hi = hi if hi > lo else lo + 1.0  # one colour scale for both grids: a 6 looks like a 6
    ph, pw = photo_shape[:2]
    qh, qw = pooled_shape[:2]
    steps = []
    for n, st in enumerate(state.steps):
        r0, c0 = st.origin
        i, j = st.position
        fields = dict(
            n=n + 1,
            total=len(state.steps),
            r0=r0,
            r1=r0 + size - 1,
            c0=c0,
            c1=c0 + size - 1,
            values=", ".join(format_number(v) for v in st.window.ravel()),
            value=format_number(st.value),
            i=i,
            j=j,
            r=st.argmax[0],
            c=st.argmax[1],
            count=st.window.size,
        )
        steps.append(
            {
                "origin": [r0, c0],
                "cell": [i, j],
                "best": list(st.argmax) if is_max else None,
                "readout": SCENE_TEXT["step_max" if is_max else "step_average"].format(**fields),
            }
        )
    name = html.escape(photo_name[:18])
    scene: PoolingScene = {
        "input": {
            "rows": h,
            "cols": w,
            "colours": colours(x, cmap="cividis", vmin=lo, vmax=hi),
            "labels": [[format_number(v) for v in row] for row in x],
            "title": SCENE_TEXT["input_title"].format(h=h, w=w, size=size, stride=stride),
            "label": SCENE_TEXT["input_label"].format(
                h=h, w=w, size=size, maxima=SCENE_TEXT["maxima_marks"] if is_max else ""
            ),
        },
        "output": {
            "rows": oh,
            "cols": ow,
            "colours": colours(state.output, cmap="cividis", vmin=lo, vmax=hi),
            "labels": [[format_number(v) for v in row] for row in state.output],
            "title": SCENE_TEXT[f"output_title_{state.pooling}"].format(oh=oh, ow=ow),
            "label": SCENE_TEXT["output_label"].format(oh=oh, ow=ow),
        },
        "size": size,
        "maxima": state.indices.reshape(-1, 2).tolist() if is_max else [],
        "photo": {
            "rows": ph,
            "cols": pw,
            "title": SCENE_TEXT["photo_title"].format(name=name, h=ph, w=pw),
            "label": SCENE_TEXT["photo_label"].format(name=name, h=ph, w=pw),
        },
        "pooled": {
            "rows": qh,
            "cols": qw,
            "title": SCENE_TEXT[f"pooled_title_{state.pooling}"].format(h=qh, w=qw),
            "label": SCENE_TEXT["pooled_label"].format(h=qh, w=qw),
        },
        "steps": steps,
        "readout": (
            SCENE_TEXT["equation_line"].format(
                equation=equation_text(state), h=h, size=size, stride=stride, oh=oh, ow=ow
            )
            + SCENE_TEXT["photo_line"].format(
                ph=ph, pw=pw, qh=qh, qw=qw, ratio=f"{ph * pw / (qh * qw):.1f}", params=state.params
            )
        ),
    }
    return scene


def equation_text(state: PoolingState) -> str:
    """Equation (4) with the numbers of ``state`` (the width), as the readout writes it.

    Parameters
    ----------
    state : PoolingState

    Returns
    -------
    str

    Examples
    --------
    >>> equation_text(pooling_state(np.zeros((8, 8)), 2))
    'O_w = ⌊(I_w − W_w)/s⌋ + 1 = ⌊(8 − 2)/2⌋ + 1 = 4'
    """
    return SCENE_TEXT["equation"].format(
        w=state.input.shape[1], size=state.size, stride=state.stride, ow=state.output_shape[1]
    )
