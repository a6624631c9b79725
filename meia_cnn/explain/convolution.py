"""Equation (1) step by step: the window, the products, their sum, the output map.

:func:`convolution_steps` runs a kernel over a small grid of numbers and
keeps every step: where the window is, the numbers under it, the products
with the kernel as applied (turned 180 degrees by true convolution,
unchanged by cross-correlation) and their sum, which is the output there.
:func:`filter_photo` runs the same kernel over a whole picture.

The windows come from :func:`meia_cnn.ops.sliding_windows`, the output map
from :func:`meia_cnn.ops.convolve2d` (convolution) or
:func:`meia_cnn.ops.conv2d` (cross-correlation).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic, ops
from .._validation import as_bool, as_float_array, as_real_array, check_steps
from ..i18n import TranslatedText, register_option_labels
from ..i18n import gettext_noop as N_
from ..kernels import common_denominator
from ._frozen import frozen
from ._render import colours, format_number, png_bytes

__all__ = [
    "MAX_GRID",
    "readable_grid",
    "ConvolutionScene",
    "convolution_scene",
    "filtered_png",
    "photo_png",
    "ConvolutionState",
    "ConvolutionStep",
    "ConvolutionSteps",
    "convolution_state",
    "convolution_steps",
    "filter_photo",
]

# What the explorer's buttons show for the two operations.
register_option_labels({"convolution": N_("convolution"), "cross-correlation": N_("cross-correlation")})


@dataclass(frozen=True, eq=False)
class ConvolutionStep:
    """One position of the window.

    Attributes
    ----------
    position : (int, int)
        ``(i, j)``: the output cell computed, and the window's top-left cell.
    window : (K, K) array
        The input under the kernel.
    products : (K, K) array
        ``window * applied``, element by element.
    sum : float
        ``G[i, j]``, the sum of the products.

    Examples
    --------
    >>> steps = convolution_steps(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
    >>> steps.steps[3].position, steps.steps[3].sum
    ((1, 1), 24.0)
    """

    position: tuple[int, int]
    window: NDArray
    products: NDArray
    sum: float


@dataclass(frozen=True, eq=False)
class ConvolutionSteps:
    """Every step of a kernel over a grid (valid positions, stride 1).

    Attributes
    ----------
    image : (H, W) array
    kernel : (K, K) array
        As given (before any flip).
    applied : (K, K) array
        The kernel as it multiplies the window: ``kernel[::-1, ::-1]`` when ``flip``.
    flip : bool
        True convolution (equation (1)) or cross-correlation.
    output : (H - K + 1, W - K + 1) array
    steps : tuple of ConvolutionStep
        One per output cell, in reading order.

    Examples
    --------
    >>> s = convolution_steps(np.ones((4, 4)), np.eye(3))
    >>> s.output_shape, len(s.steps), s.so_far(0)[0, :2].tolist()
    ((2, 2), 4, [3.0, nan])
    """

    image: NDArray
    kernel: NDArray
    applied: NDArray
    flip: bool
    output: NDArray
    steps: tuple[ConvolutionStep, ...]

    @property
    def output_shape(self) -> tuple[int, int]:
        """``(G_h, G_w)``."""
        return (int(self.output.shape[0]), int(self.output.shape[1]))

    @property
    def symmetric(self) -> bool:
        """Whether the kernel is unchanged by the flip (both operations then agree)."""
        return bool(np.allclose(self.kernel, self.kernel[::-1, ::-1]))

    def so_far(self, step: int) -> NDArray:
        """The output map after ``step`` (0-based): later cells are NaN.

        Parameters
        ----------
        step : int

        Returns
        -------
        (G_h, G_w) array
        """
        n = len(self.steps)
        if not 0 <= step < n:
            raise ValueError(f"`step` must be between 0 and {n - 1}, got {step}")
        out = np.array(self.output, dtype=float)
        out.ravel()[step + 1 :] = np.nan
        return out


def convolution_steps(image: ArrayLike, kernel: ArrayLike, *, flip: bool = True) -> ConvolutionSteps:
    """Every step of ``kernel`` sliding over ``image`` (valid positions, stride 1).

    Parameters
    ----------
    image : (H, W) array
        A small grid of finite numbers.
    kernel : (K, K) array
        Finite numbers; ``K`` at most ``min(H, W)``.
    flip : bool
        True: convolution, equation (1), the kernel turned 180 degrees.
        False: cross-correlation, what CNN layers compute.

    Returns
    -------
    ConvolutionSteps

    Raises
    ------
    ValueError
        From the core: a kernel larger than the image, a non-finite value.

    Examples
    --------
    >>> grid = np.arange(16.0).reshape(4, 4)
    >>> k = np.array([[0.0, 0, 0], [1, 0, -1], [0, 0, 0]])
    >>> s = convolution_steps(grid, k)
    >>> s.output.tolist()
    [[2.0, 2.0], [2.0, 2.0]]
    >>> s.steps[0].products.tolist()[1], s.steps[0].sum
    ([-4.0, 0.0, 6.0], 2.0)
    """
    grid = as_float_array(image, "image", ndim=2)
    k = as_float_array(kernel, "kernel", ndim=2)
    oh, ow = arithmetic.output_size(grid.shape, k.shape)  # the core's check that the kernel fits
    check_steps(oh * ow, 2 * k.size, name="image", value=grid.shape)
    flip = as_bool(flip, "flip")
    if flip:
        output = ops.convolve2d(grid, k, mode="valid")
        applied = k[::-1, ::-1]
    else:
        output = ops.conv2d(grid, k)
        applied = k
    windows = ops.sliding_windows(grid, k.shape)
    steps = []
    for i in range(output.shape[0]):
        for j in range(output.shape[1]):
            window = windows[i, j]
            steps.append(
                ConvolutionStep(
                    position=(i, j), window=frozen(window), products=frozen(window * applied), sum=float(output[i, j])
                )
            )
    return ConvolutionSteps(
        image=frozen(grid),
        kernel=frozen(k),
        applied=frozen(applied),
        flip=bool(flip),
        output=frozen(output),
        steps=tuple(steps),
    )


def filter_photo(photo: ArrayLike, kernel: ArrayLike, *, flip: bool = True) -> NDArray:
    """``photo`` filtered by ``kernel``, the same size ('same' padding, zeros around).

    Parameters
    ----------
    photo : (M, N) array
        A grey picture.
    kernel : (K, K) array
    flip : bool
        Convolution (True) or cross-correlation (False).

    Returns
    -------
    (M, N) array

    Examples
    --------
    >>> filter_photo(np.ones((4, 5)), np.ones((3, 3)) / 9).shape
    (4, 5)
    """
    grey = as_float_array(photo, "photo", ndim=2)
    k = as_float_array(kernel, "kernel", ndim=2)
    if as_bool(flip, "flip"):
        return ops.convolve2d(grey, k, mode="same")
    return ops.conv2d(grey, k, padding="same")


@dataclass(frozen=True, eq=False)
class ConvolutionState:
    """What the convolution explorer shows: every step over a small grid, and a filtered photo.

    Attributes
    ----------
    grid : ConvolutionSteps
        The kernel stepping over the small grid of numbers.
    photo : (M, N) array
        The grey picture.
    filtered : (M, N) array
        ``photo`` filtered by the same kernel and operation (:func:`filter_photo`).

    Examples
    --------
    >>> st = convolution_state(np.ones((3, 3)), np.ones((3, 3)), np.ones((5, 6)), flip=False)
    >>> st.grid.output.tolist(), st.filtered.shape
    ([[9.0]], (5, 6))
    """

    grid: ConvolutionSteps
    photo: NDArray
    filtered: NDArray


#: Largest input grid whose numbers a scene writes (rows and columns).
MAX_GRID = 9


def readable_grid(image: ArrayLike) -> NDArray[np.float64]:
    """``image`` checked as a small grid whose numbers a scene can write (an explorer's argument).

    Parameters
    ----------
    image : (H, W) array of numbers
        From 3x3 to :data:`MAX_GRID` x :data:`MAX_GRID`, finite, every value between -1e6 and 1e6.

    Returns
    -------
    (H, W) ndarray of float64

    Examples
    --------
    >>> readable_grid([[1, 2, 3]] * 3).dtype
    dtype('float64')
    >>> readable_grid(np.ones((2, 5)))
    Traceback (most recent call last):
    ...
    ValueError: `image` must be between 3x3 and 9x9 so its numbers can be read, got shape (2, 5); run a kernel over a larger image with `photo=` or an upload
    """
    arr = as_real_array(image, "image")  # a masked value or a ragged list is refused with its name
    if arr.dtype == object or arr.dtype.kind not in "biuf":
        raise TypeError(f"`image` must be a 2-D array of numbers, got dtype {arr.dtype}")
    if arr.ndim != 2:
        raise ValueError(f"`image` must be a 2-D array (a small grid of numbers), got shape {arr.shape}")
    h, w = arr.shape
    if not (3 <= h <= MAX_GRID and 3 <= w <= MAX_GRID):
        raise ValueError(
            f"`image` must be between 3x3 and {MAX_GRID}x{MAX_GRID} so its numbers can be read, "
            f"got shape {arr.shape}; run a kernel over a larger image with `photo=` or an upload"
        )
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError("`image` must be finite: it contains NaN or infinity")
    if np.abs(arr).max() > 1e6:
        raise ValueError("`image` values must be between -1e6 and 1e6 so their products can be written")
    return arr


def convolution_state(image: ArrayLike, kernel: ArrayLike, photo: ArrayLike, *, flip: bool = True) -> ConvolutionState:
    """:func:`convolution_steps` over ``image`` and :func:`filter_photo` of ``photo``, together.

    Parameters
    ----------
    image : (H, W) array
        The small grid.
    kernel : (K, K) array
    photo : (M, N) array
        A grey picture.
    flip : bool
        Convolution (True) or cross-correlation (False).

    Returns
    -------
    ConvolutionState

    Examples
    --------
    >>> st = convolution_state(np.eye(4), np.ones((3, 3)), np.zeros((8, 8)))
    >>> len(st.grid.steps), float(st.filtered.max())
    (4, 0.0)
    """
    grid = convolution_steps(image, kernel, flip=flip)
    picture = frozen(as_float_array(photo, "photo", ndim=2))
    return ConvolutionState(grid=grid, photo=picture, filtered=frozen(filter_photo(picture, grid.kernel, flip=flip)))


# -- the scene: everything the page draws and writes ---------------------------------------------
SCENE_TEXT = TranslatedText(
    {
        "rule_convolution": N_(
            "<b>Convolution</b>, equation (1): G[i, j] = Σ_u Σ_v K[u, v] · I[i − u, j − v]: "
            "the kernel is <b>flipped</b> 180° before it multiplies the window."
        ),
        "rule_correlation": N_(
            "<b>Cross-correlation</b> (what CNN layers compute): G[i, j] = Σ_u Σ_v "
            "K[u, v] · I[i + u, j + v]: the kernel multiplies the window <b>as it is</b>."
        ),
        "symmetric": N_("This kernel is symmetric under the flip, so both modes give the same output."),
        "asymmetric": N_("This kernel changes under the flip: the two modes give different outputs."),
        "size_line": N_("<div>Output size: G_h × G_w = ({h} − {k} + 1) × ({w} − {k} + 1) = <b>{oh} × {ow}</b></div>"),
        "step_line": N_(
            "<div>Step {n} of {total}: window rows {i}–{i1}, columns {j}–{j1} → G[{i}, {j}]</div>"
            "<div>Products: {terms} = <b>{sum}</b></div>"
        ),
        "input_title": N_("input I ({h}×{w})"),
        "input_label": N_("Input I, {h} by {w} numbers, with the window under the kernel framed in orange."),
        "kernel_title": "K",
        "kernel_title_scaled": "K = 1/{den} ×",
        "applied_flip": N_("K′ = K flipped"),
        "applied_same": N_("K′ = K (no flip)"),
        "applied_label": N_("The kernel as it multiplies the window, {k} by {k}."),
        "kernel_label": N_("The kernel K as typed, {k} by {k}."),
        "products_title": N_("window × K′"),
        "products_title_scaled": N_("window × K′ = 1/{den} ×"),
        "products_label": N_("The products of the window and the kernel, {k} by {k}."),
        "output_title_conv": "G = I ∗ K ({oh}×{ow})",
        "output_title_corr": "G = I ⋆ K ({oh}×{ow})",
        "output_label": N_("Output map G, {oh} by {ow}, filled up to the current step."),
        "photo_label": N_("The photo {name}, in grey."),
        "filtered_title_conv": N_("I ∗ K (same size)"),
        "filtered_title_corr": N_("I ⋆ K (same size)"),
        "filtered_label": N_("The photo filtered by the kernel: {how}."),
        "filtered_signed": N_("orange above zero, purple below"),
        "filtered_grey": N_("brighter where the result is larger"),
    }
)


class ConvolutionScene(TypedDict):
    """The JSON the page draws and writes (:file:`widgets/js/convolution.js`).

    Parameters
    ----------
    input : dict[str, Any]
    kernel : dict[str, Any]
    applied : dict[str, Any]
    products : dict[str, Any]
    output : dict[str, Any]
    photo : dict[str, Any]
    steps : list[dict[str, Any]]
    readout : str

    Examples
    --------
    >>> "readout" in ConvolutionScene.__annotations__
    True
    """

    input: dict[str, Any]
    kernel: dict[str, Any]
    applied: dict[str, Any]
    products: dict[str, Any]
    output: dict[str, Any]
    photo: dict[str, Any]
    steps: list[dict[str, Any]]
    readout: str


def _paren(v: float) -> str:
    text = format_number(v)
    return f"({text})" if text.startswith("−") else text


def _denominators(products: np.ndarray) -> list[int]:
    """:func:`~meia_cnn.kernels.common_denominator` of each step's products ``(n, K, K)``.

    Steps whose products are already whole numbers (or not finite, or too
    large to scale) get 1 at once, as ``common_denominator`` gives them;
    the others are asked one by one.
    """
    flat = products.reshape(len(products), -1)
    with np.errstate(invalid="ignore"):
        plain = (
            ~np.isfinite(flat).all(axis=1)
            | (np.abs(flat).max(axis=1, initial=0.0) >= 1000)
            | np.all(np.abs(flat - np.round(flat)) <= 1e-9 * np.maximum(1.0, np.abs(flat)), axis=1)
        )
    return [1 if whole else common_denominator(p) for whole, p in zip(plain.tolist(), products)]


def convolution_scene(state: ConvolutionState, photo_name: str) -> ConvolutionScene:
    """What the convolution explorer draws and writes for ``state`` (JSON: texts, colours, numbers).

    Parameters
    ----------
    state : ConvolutionState
    photo_name : str
        The photo's name as shown.

    Returns
    -------
    ConvolutionScene

    Examples
    --------
    >>> from meia_cnn.kernels import kernel_preset
    >>> state = convolution_state(np.arange(25.0).reshape(5, 5), kernel_preset("sobel_x", 3), np.zeros((8, 8)))
    >>> scene = convolution_scene(state, "zeros")
    >>> scene["output"]["title"], len(scene["steps"]), scene["steps"][0]["sum"]
    ('G = I ∗ K (3×3)', 9, 'Σ = −8')
    """
    g = state.grid
    flip = g.flip
    grid, kernel, applied, output = g.image, g.kernel, g.applied, g.output
    h, w = grid.shape
    k = kernel.shape[0]
    oh, ow = g.output_shape
    k_den = common_denominator(kernel)
    kernel_colours = colours(kernel, cmap="PuOr_r", symmetric=True)
    # the products of every step on one colour scale (comparable from step to step)
    all_products = np.concatenate([st.products for st in g.steps]) if g.steps else np.zeros((0, k))
    product_colours = colours(all_products, cmap="PuOr_r", symmetric=True)
    # written once and indexed by the steps: the input's numbers, the applied kernel's, the titles
    grid_labels = [[format_number(v) for v in row] for row in grid]
    applied_texts = [_paren(b * k_den) for b in applied.ravel()]
    taps = [(u, v) for u in range(k) for v in range(k)]
    total = len(g.steps)
    written: dict[float, str] = {}

    def text(v: float) -> str:
        if v not in written:
            written[v] = format_number(v)
        return written[v]

    steps = []
    for n, (st, p_den) in enumerate(zip(g.steps, _denominators(all_products.reshape(-1, k, k)))):
        i, j = st.position
        terms = " + ".join(f"{grid_labels[i + u][j + v]}·{b}" for (u, v), b in zip(taps, applied_texts))
        if k_den > 1:
            terms = f"1/{k_den} · ({terms})"
        total_text = text(st.sum)
        steps.append(
            {
                "cell": [i, j],
                "products": [[text(v * p_den) for v in row] for row in st.products.tolist()],
                "product_colours": product_colours[n * k : (n + 1) * k],
                "products_title": (
                    SCENE_TEXT["products_title"]
                    if p_den == 1
                    else SCENE_TEXT["products_title_scaled"].format(den=p_den)
                ),
                "sum": f"Σ = {total_text}",
                "readout": SCENE_TEXT["step_line"].format(
                    n=n + 1, total=total, i=i, j=j, i1=i + k - 1, j1=j + k - 1, terms=html.escape(terms), sum=total_text
                ),
            }
        )
    signed = abs(float(kernel.sum())) < 1e-9
    scene: ConvolutionScene = {
        "input": {
            "rows": h,
            "cols": w,
            "labels": [[format_number(v) for v in row] for row in grid],
            "colours": colours(grid, cmap="cividis"),
            "title": SCENE_TEXT["input_title"].format(h=h, w=w),
            "label": SCENE_TEXT["input_label"].format(h=h, w=w),
        },
        "kernel": {
            "size": k,
            "labels": [[format_number(v * k_den) for v in row] for row in kernel],
            "colours": kernel_colours,
            "title": SCENE_TEXT["kernel_title"] if k_den == 1 else SCENE_TEXT["kernel_title_scaled"].format(den=k_den),
            "label": SCENE_TEXT["kernel_label"].format(k=k),
        },
        "applied": {
            "labels": [[format_number(v * k_den) for v in row] for row in applied],
            "colours": colours(applied, cmap="PuOr_r", symmetric=True),
            "title": (SCENE_TEXT["applied_flip"] if flip else SCENE_TEXT["applied_same"])
            + ("" if k_den == 1 else f" = 1/{k_den} ×"),
            "label": SCENE_TEXT["applied_label"].format(k=k),
        },
        "products": {"label": SCENE_TEXT["products_label"].format(k=k)},
        "output": {
            "rows": oh,
            "cols": ow,
            "labels": [[format_number(v) for v in row] for row in output],
            "colours": colours(output, cmap="PuOr_r", symmetric=True),
            "title": (SCENE_TEXT["output_title_conv"] if flip else SCENE_TEXT["output_title_corr"]).format(
                oh=oh, ow=ow
            ),
            "label": SCENE_TEXT["output_label"].format(oh=oh, ow=ow),
        },
        "photo": {
            "rows": int(state.photo.shape[0]),
            "cols": int(state.photo.shape[1]),
            "title": photo_name[:24],
            "label": SCENE_TEXT["photo_label"].format(name=photo_name[:80]),
            "filtered_title": SCENE_TEXT["filtered_title_conv"] if flip else SCENE_TEXT["filtered_title_corr"],
            "filtered_label": SCENE_TEXT["filtered_label"].format(
                how=SCENE_TEXT["filtered_signed"] if signed else SCENE_TEXT["filtered_grey"]
            ),
        },
        "steps": steps,
        "readout": (
            f"<div>{SCENE_TEXT['rule_convolution'] if flip else SCENE_TEXT['rule_correlation']} "
            f"{SCENE_TEXT['symmetric'] if g.symmetric else SCENE_TEXT['asymmetric']}</div>"
            + SCENE_TEXT["size_line"].format(h=h, w=w, k=k, oh=oh, ow=ow)
        ),
    }
    return scene


def photo_png(state: ConvolutionState) -> bytes:
    """The photo the kernel runs over, grey from black (0) to white (1), as PNG.

    Parameters
    ----------
    state : ConvolutionState

    Returns
    -------
    bytes

    Examples
    --------
    >>> photo_png(convolution_state(np.ones((5, 5)), np.eye(3), np.ones((9, 9))))[:4]
    b'\\x89PNG'
    """
    return png_bytes(state.photo, cmap="gray", vmin=0, vmax=1)


def filtered_png(state: ConvolutionState) -> bytes:
    """The photo filtered by the kernel, as PNG: signed and centred on 0 for an edge detector, grey otherwise.

    Parameters
    ----------
    state : ConvolutionState

    Returns
    -------
    bytes

    Examples
    --------
    >>> state = convolution_state(np.ones((5, 5)), np.eye(3), np.ones((9, 9)))
    >>> filtered_png(state)[:4]
    b'\\x89PNG'
    """
    filtered = state.filtered
    if abs(float(state.grid.kernel.sum())) < 1e-9:  # an edge detector: signed, centred on 0
        lim = float(np.percentile(np.abs(filtered), 99.0)) or 1.0
        return png_bytes(filtered, cmap="PuOr_r", vmin=-lim, vmax=lim)
    lo, hi = (float(v) for v in np.percentile(filtered, [0.5, 99.5]))
    return png_bytes(filtered, cmap="gray", vmin=lo, vmax=hi if hi > lo else lo + 1.0)
