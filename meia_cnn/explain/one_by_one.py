"""The 1x1 convolution: channel mixing at every pixel, and what it costs.

:func:`one_by_one_state` gives every number the 1x1 explorer shows: the
output volume (:func:`meia_cnn.ops.conv1x1`), one pixel's ``C`` values, one
kernel's ``C`` weights, their products and sum, and the parameters and
multiply-adds of a 1x1, a 3x3 and a 5x5 layer giving the same ``H x W x F``
volume (:mod:`meia_cnn.arithmetic`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import arithmetic, ops
from .._validation import as_float_array, as_int, as_seed, check_steps
from ..i18n import TranslatedText, format_count
from ..i18n import gettext_noop as N_
from ._frozen import frozen
from ._render import PALETTE, colour_indices, colour_names, colours, format_number

__all__ = [
    "MAX_CHANNELS",
    "MAX_FILTERS",
    "MAX_SIDE",
    "OneByOnePixel",
    "OneByOneScene",
    "OneByOneState",
    "number",
    "one_by_one_inputs",
    "one_by_one_scene",
    "one_by_one_state",
]

#: Largest sizes drawn cell by cell (beyond them the numbers stop being legible).
MAX_SIDE = 12
MAX_CHANNELS = 16
MAX_FILTERS = 8
# what each limit is for, in a programmer's message
_DRAWN, _WRITTEN, _EACH = "drawn cell by cell", "one number per channel is written out", "one output channel each"
#: A number as written in the columns and the readout.
number = format_number


@dataclass(frozen=True, eq=False)
class OneByOnePixel:
    """One pixel's dot product with the chosen kernel.

    Attributes
    ----------
    row, col : int
        The pixel.
    pixel, products : (C,) array
        ``x[row, col, :]`` and its element-wise product with the kernel's weights.
    value : float
        ``output[row, col, kernel]``, the sum of the products (no bias).

    Examples
    --------
    >>> state = one_by_one_state(np.arange(8.0).reshape(2, 2, 2), [[1.0], [-1.0]])
    >>> here = state.pixels[3]  # row 1, col 1 (reading order)
    >>> (here.row, here.col), here.pixel.tolist(), here.products.tolist(), here.value
    ((1, 1), [6.0, 7.0], [6.0, -7.0], -1.0)
    """

    row: int
    col: int
    pixel: NDArray[np.float64]
    products: NDArray[np.float64]
    value: float


@dataclass(frozen=True, eq=False)
class OneByOneState:
    """A 1x1 convolution, one pixel's dot product and the costs beside 3x3 and 5x5.

    Attributes
    ----------
    input : (H, W, C) array
    weights : (C, F) array
        Column ``f`` is kernel ``f``.
    output : (H, W, F) array
    row, col, kernel : int
        The pixel and the kernel whose dot product is written out.
    pixel, kernel_weights, products : (C,) array
        ``x[row, col, :]``, ``weights[:, kernel]`` and their element-wise product.
    value : float
        ``output[row, col, kernel]``, the sum of the products (no bias).
    costs : dict
        ``{"1x1" | "3x3" | "5x5": {"params": int, "macs": int}}`` for the same output
        (``'same'`` padding).
    pixels : tuple of OneByOnePixel
        Every pixel's dot product with the same kernel, in reading order
        (``pixels[r * W + c]`` is pixel ``(r, c)``): all the choices of the
        pixel, computed at once.

    Examples
    --------
    >>> state = one_by_one_state(np.ones((2, 2, 3)), np.ones((3, 1)))
    >>> state.output_shape, state.value, state.costs["1x1"]
    ((2, 2, 1), 3.0, {'params': 4, 'macs': 12})
    """

    input: NDArray[np.float64]
    weights: NDArray[np.float64]
    output: NDArray[np.float64]
    row: int
    col: int
    kernel: int
    pixel: NDArray[np.float64]
    kernel_weights: NDArray[np.float64]
    products: NDArray[np.float64]
    value: float
    costs: dict[str, dict[str, int]]
    pixels: tuple[OneByOnePixel, ...]

    @property
    def output_shape(self) -> tuple[int, int, int]:
        """``(H, W, F)``: height and width kept, depth ``F``."""
        h, w, f = self.output.shape
        return (int(h), int(w), int(f))


def one_by_one_state(x: ArrayLike, weights: ArrayLike, *, row: int = 0, col: int = 0, kernel: int = 0) -> OneByOneState:
    """A 1x1 convolution of ``x`` by ``weights``, with one pixel's dot product written out.

    Parameters
    ----------
    x : (H, W, C) array
    weights : (C, F) array
        One column per kernel.
    row, col : int
        The pixel.
    kernel : int
        The kernel (column of ``weights``).

    Returns
    -------
    OneByOneState

    Examples
    --------
    >>> x = np.arange(12.0).reshape(2, 2, 3)
    >>> state = one_by_one_state(x, [[1.0, 0.0], [2.0, 1.0], [-1.0, 1.0]], row=1, col=0, kernel=0)
    >>> state.pixel.tolist(), state.products.tolist(), state.value
    ([6.0, 7.0, 8.0], [6.0, 14.0, -8.0], 12.0)
    >>> state.costs["3x3"]["params"]
    56
    """
    arr = as_float_array(x, "x", ndim=3)
    w = as_float_array(weights, "weights", ndim=2)
    h, wd, c = arr.shape
    if w.shape[0] != c:
        raise ValueError(f"`weights` must have one row per input channel: x has C={c}, weights has shape {w.shape}")
    f_count = w.shape[1]
    check_steps(h * wd, 2 * c, name="x", value=arr.shape)
    r, cc, f = (as_int(v, n, minimum=0) for v, n in ((row, "row"), (col, "col"), (kernel, "kernel")))
    for name, value, size in (("row", r, h), ("col", cc, wd), ("kernel", f, f_count)):
        if value >= size:
            raise ValueError(f"`{name}` must be less than {size}, got {value}")
    out = ops.conv1x1(arr, w)
    costs = {
        "1x1": {
            "params": int(arithmetic.conv1x1_params(c, f_count)),
            "macs": int(arithmetic.conv1x1_macs((h, wd, c), f_count)),
        }
    }
    for k in (3, 5):
        costs[f"{k}x{k}"] = {
            "params": int(arithmetic.conv_params(c, f_count, k)),
            "macs": int(arithmetic.conv_macs((h, wd, c), f_count, k, padding="same")),
        }
    x_: NDArray[np.float64] = frozen(arr)
    w_: NDArray[np.float64] = frozen(w)
    out_: NDArray[np.float64] = frozen(out)
    kw: NDArray[np.float64] = w_[:, f]
    products: NDArray[np.float64] = frozen(x_ * kw)  # (H, W, C): every pixel's products with kernel f
    pixels = tuple(
        OneByOnePixel(row=i, col=j, pixel=x_[i, j], products=products[i, j], value=float(out_[i, j, f]))
        for i in range(h)
        for j in range(wd)
    )
    here = pixels[r * wd + cc]
    return OneByOneState(
        input=x_,
        weights=w_,
        output=out_,
        row=r,
        col=cc,
        kernel=f,
        pixel=here.pixel,
        kernel_weights=kw,
        products=here.products,
        value=here.value,
        costs=costs,
        pixels=pixels,
    )


def _check_range(value: Any, name: str, high: int, why: str) -> int:
    """``value`` as an int in ``[1, high]``, else a ValueError naming it and why."""
    value = as_int(value, name, minimum=1)
    if value > high:
        raise ValueError(f"`{name}` must be between 1 and {high} ({why}), got {value}")
    return value


def one_by_one_inputs(
    height: int = 6, width: int = 6, *, x: ArrayLike | None = None, weights: ArrayLike | None = None, seed: int = 0
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The input volume and the 1x1 kernels the explorer draws: the caller's, checked, or seeded integers.

    Parameters
    ----------
    height, width : int
        ``H x W`` of the default volume (1 to :data:`MAX_SIDE`); ignored when ``x`` is given.
    x : (H, W, C) array, optional
        A volume of one's own (``H, W`` up to :data:`MAX_SIDE`, ``C`` up to
        :data:`MAX_CHANNELS`).  Default: integers 0..9, :data:`MAX_CHANNELS` deep.
    weights : (C, F) or (1, 1, C, F) array, optional
        Kernels of one's own, one column per kernel (``F`` up to
        :data:`MAX_FILTERS`).  Default: -2, -1, 1 or 2, :data:`MAX_FILTERS` of them.
    seed : int
        Seed of the default volume and kernels.

    Returns
    -------
    x : (H, W, C) array
    weights : (C, F) array

    Examples
    --------
    >>> x, w = one_by_one_inputs(2, 3)
    >>> x.shape, w.shape, set(np.unique(w)) <= {-2.0, -1.0, 1.0, 2.0}
    ((2, 3, 16), (16, 8), True)
    >>> one_by_one_inputs(x=np.ones((2, 2, 3)), weights=np.ones((1, 1, 3, 2)))[1].shape
    (3, 2)
    """
    rng = np.random.default_rng(as_seed(seed))
    if x is None:
        h, w = _check_range(height, "height", MAX_SIDE, _DRAWN), _check_range(width, "width", MAX_SIDE, _DRAWN)
        volume = rng.integers(0, 10, size=(h, w, MAX_CHANNELS)).astype(np.float64)
    else:
        volume = np.array(as_float_array(x, "x", ndim=3), dtype=np.float64)
        for size, name, high, why in zip(
            volume.shape,
            ("x height", "x width", "x depth"),
            (MAX_SIDE, MAX_SIDE, MAX_CHANNELS),
            (_DRAWN, _DRAWN, _WRITTEN),
        ):
            _check_range(size, name, high, why)
    c_max = volume.shape[2]
    if weights is None:
        return volume, rng.choice([-2.0, -1.0, 1.0, 2.0], size=(c_max, MAX_FILTERS))
    kernels = as_float_array(weights, "weights", ndim=(2, 4))
    if kernels.ndim == 4:
        if kernels.shape[:2] != (1, 1):
            raise ValueError(f"`weights` of a 1x1 convolution must be (1, 1, C, F), got shape {kernels.shape}")
        kernels = kernels[0, 0]
    if kernels.shape[0] != c_max:
        raise ValueError(
            f"`weights` must have one row per input channel: x has C={c_max}, weights has shape {kernels.shape}"
        )
    _check_range(kernels.shape[1], "weights columns (F)", MAX_FILTERS, _EACH)
    return volume, np.array(kernels, dtype=np.float64)


# -- the scene: everything the page draws and writes ---------------------------------------------


SCENE_TEXT = TranslatedText(
    {
        "formula": N_(
            "y[{r},{col},{k}] = Σₖ x[{r},{col},k]·w[k,{k}] = {v}   "
            "(the same {c} weights at every one of the {pixels} pixels)"
        ),
        "sum": "Σ = {v}",
        "head_one": N_("1×1 convolution: {h}×{w}×{c} → {h}×{w}×1   (1 kernel of 1×1×{c}; height and width kept)"),
        "head_many": N_("1×1 convolution: {h}×{w}×{c} → {h}×{w}×{f}   ({f} kernels of 1×1×{c}; height and width kept)"),
        "input_label": N_("input {h}×{w}×{c}"),
        "kernel_label": N_("kernel {k}: 1×1×{c}"),
        "output_label": N_("output {h}×{w}×{f}"),
        "volumes_label": N_(
            "The input volume {h} by {w} by {c} with pixel row {r}, column {col} as a rod through "
            "its depth; kernel {k}, 1 by 1 by {c}; the output volume {h} by {w} by {f}."
        ),
        "columns_label": N_(
            "Pixel row {r}, column {col}: its {c} values x, kernel {k}'s weights w and their products."
        ),
        "params": N_("parameters"),
        "macs": N_("multiply-adds"),
        "bars_label": N_("Parameters and multiply-adds of a 1×1, a 3×3 and a 5×5 layer giving the same output."),
        "line_one": N_(
            "<div><b>1×1 convolution</b>: input {h}×{w}×{c}, F = 1 kernel of 1×1×{c} → output "
            "{h}×{w}×1 (height and width kept, the depth becomes F).</div>"
        ),
        "line_many": N_(
            "<div><b>1×1 convolution</b>: input {h}×{w}×{c}, F = {f} kernels of 1×1×{c} → output "
            "{h}×{w}×{f} (height and width kept, the depth becomes F).</div>"
        ),
        "dot": N_(
            "<div>Pixel (row {r}, col {col}), kernel {k}: y[{r},{col},{k}] = Σₖ x[{r},{col},k]·w[k,{k}] = "
            "{terms} = <b>{v}</b> (bias 0).</div>"
        ),
        "params_line": N_(
            "<div>Parameters (weights + biases) for output depth F = {f}: "
            "1×1: 1·1·{c}·{f} + {f} = {p1}; 3×3: 3·3·{c}·{f} + {f} = {p3} (×{r3}); "
            "5×5: 5·5·{c}·{f} + {f} = {p5} (×{r5}).</div>"
        ),
        "macs_line": N_(
            "<div>Multiply-adds ('same' padding, all three give {h}×{w}×{f}): "
            "1×1: {h}·{w}·{f}·{c} = {m1}; 3×3: {h}·{w}·{f}·9·{c} = {m3} (×{r3}); "
            "5×5: {h}·{w}·{f}·25·{c} = {m5} (×{r5}).</div>"
        ),
    }
)


class OneByOneScene(TypedDict):
    """The JSON the page draws and writes (read by the explorer's file in :file:`widgets/js`).

    The sentences that name the pixel leave ``{r}``, ``{col}`` and ``{v}``
    for the page to fill in with the pixel the sliders pick.

    Parameters
    ----------
    head : str
        The line over the drawing: the volume in, the volume out.
    formula : str
        The pixel's dot product, with ``{r}``, ``{col}`` and ``{v}``.
    volumes : dict[str, Any]
        Sizes, colours and labels of the input, the kernel and the output.
    columns : dict[str, Any]
        The columns' headings and the kernel's weights with their colours.
    sum : str
        ``"Σ = {v}"``, under the columns.
    columns_label : str
        The columns' accessible name.
    bars : dict[str, Any]
        Parameters and multiply-adds of 1×1, 3×3 and 5×5: title, values, texts.
    bars_label : str
        The bars' accessible name.
    steps : list[dict[str, Any]]
        One per pixel, in reading order: its numbers, colours and readout line.
    readout : str
        The readout's HTML around the pixel's line.

    Examples
    --------
    >>> "readout" in OneByOneScene.__annotations__
    True
    """

    head: str
    formula: str
    volumes: dict[str, Any]
    columns: dict[str, Any]
    sum: str
    columns_label: str
    bars: dict[str, Any]
    bars_label: str
    steps: list[dict[str, Any]]
    readout: str


def one_by_one_scene(state: OneByOneState, x_range: tuple[float, float], depth_max: int) -> OneByOneScene:
    """What the explorer draws and writes for ``state`` (JSON; see :class:`OneByOneScene`).

    Parameters
    ----------
    state : OneByOneState
    x_range : (float, float)
        The whole input volume's smallest and largest values (one colour scale).
    depth_max : int
        The input volume's depth.

    Returns
    -------
    OneByOneScene

    Examples
    --------
    >>> x = np.arange(2 * 2 * 3, dtype=float).reshape(2, 2, 3)
    >>> scene = one_by_one_scene(one_by_one_state(x, np.ones((3, 1))), (0.0, 11.0), 3)
    >>> scene["head"]
    '1×1 convolution: 2×2×3 → 2×2×1   (1 kernel of 1×1×3; height and width kept)'
    """
    h, w, c = state.input.shape
    f = state.weights.shape[1]
    k = state.kernel
    x_lo, x_hi = x_range  # the whole input volume's scale, the same whatever the channels shown
    w_lim = max(float(np.abs(state.kernel_weights).max()), 1e-12)

    def column(values: NDArray[np.float64], cmap: str, lo: float, hi: float) -> tuple[list, list]:
        return ([number(v) for v in values], [row[0] for row in colours(values[:, None], cmap=cmap, vmin=lo, vmax=hi)])

    def term(a: float, b: float) -> str:
        return f"{number(a)}·{'(' + number(b) + ')' if b < 0 else number(b)}"

    # every pixel's columns at once: x on the volume's fixed scale, the products each on its own
    # scale, symmetric about 0 (the same arithmetic as colours(), row by row)
    xs = np.array([here.pixel for here in state.pixels]).reshape(-1, c)
    ps = np.array([here.products for here in state.pixels]).reshape(-1, c)
    p_lim = np.maximum(np.abs(ps).max(axis=1), 1e-12)[:, None]
    x_names, p_names = colour_names("cividis"), colour_names("PuOr_r")
    x_colours = [[x_names[i] for i in row] for row in colour_indices(xs, x_lo, x_hi).tolist()]
    p_colours = [[p_names[i] for i in row] for row in colour_indices(ps, -p_lim, p_lim).tolist()]
    weights = state.kernel_weights.tolist()
    dot = SCENE_TEXT["dot"]
    steps = []
    for n, here in enumerate(state.pixels):  # what changes with the pixel; the sentences around it once
        r, col, value = here.row, here.col, number(here.value)
        pixel = xs[n].tolist()
        terms = " + ".join(term(a, b) for a, b in zip(pixel, weights))
        steps.append(
            {
                "pixel": [r, col],
                "value": value,
                "x": [number(v) for v in pixel],
                "x_colours": x_colours[n],
                "products": [number(v) for v in ps[n].tolist()],
                "product_colours": p_colours[n],
                "readout": dot.format(r=r, col=col, k=k, terms=terms, v=value),
            }
        )
    w_texts, w_colours = column(state.kernel_weights, "PuOr_r", -w_lim, w_lim)
    cost = state.costs
    bars = {}
    for key in ("params", "macs"):
        counts = [cost[n][key] for n in ("1x1", "3x3", "5x5")]
        texts = [format_count(counts[0])] + [f"{format_count(v)} ×{v / counts[0]:.1f}" for v in counts[1:]]
        bars[key] = {"title": SCENE_TEXT[key], "values": counts, "texts": texts}
    ratio = {n: {key: f"{cost[n][key] / cost['1x1'][key]:.1f}" for key in ("params", "macs")} for n in ("3x3", "5x5")}
    readout = (
        (SCENE_TEXT["line_one"] if f == 1 else SCENE_TEXT["line_many"]).format(h=h, w=w, c=c, f=f)
        + SCENE_TEXT["params_line"].format(
            f=f,
            c=c,
            p1=format_count(cost["1x1"]["params"]),
            p3=format_count(cost["3x3"]["params"]),
            r3=ratio["3x3"]["params"],
            p5=format_count(cost["5x5"]["params"]),
            r5=ratio["5x5"]["params"],
        )
        + SCENE_TEXT["macs_line"].format(
            h=h,
            w=w,
            f=f,
            c=c,
            m1=format_count(cost["1x1"]["macs"]),
            m3=format_count(cost["3x3"]["macs"]),
            r3=ratio["3x3"]["macs"],
            m5=format_count(cost["5x5"]["macs"]),
            r5=ratio["5x5"]["macs"],
        )
    )
    # sentences with the pixel's numbers left as {r}, {col} and {v}: the page fills them in
    pixel = {"r": "{r}", "col": "{col}", "v": "{v}"}
    scene: OneByOneScene = {
        "head": (SCENE_TEXT["head_one"] if f == 1 else SCENE_TEXT["head_many"]).format(h=h, w=w, c=c, f=f),
        "formula": SCENE_TEXT["formula"].format(k=k, c=c, pixels=h * w, **pixel),
        "volumes": {
            "rows": h,
            "cols": w,
            "channels": c,
            "filters": f,
            "depth_max": depth_max,
            "kernel": k,
            "weight_colours": w_colours,
            "labels": [
                SCENE_TEXT["input_label"].format(h=h, w=w, c=c),
                SCENE_TEXT["kernel_label"].format(k=k, c=c),
                SCENE_TEXT["output_label"].format(h=h, w=w, f=f),
            ],
            "label": SCENE_TEXT["volumes_label"].format(h=h, w=w, c=c, k=k, f=f, **pixel),
            "colours": {
                "input": PALETTE["sky"],
                "kernel": PALETTE["orange"],
                "output": PALETTE["green"],
                "rod": PALETTE["yellow"],
                "slab": PALETTE["vermillion"],
            },
        },
        "columns": {"heads": ["x", "w", "x·w"], "weights": w_texts, "weight_colours": w_colours},
        "sum": SCENE_TEXT["sum"].format(**pixel),
        "columns_label": SCENE_TEXT["columns_label"].format(c=c, k=k, **pixel),
        "bars": bars,
        "bars_label": SCENE_TEXT["bars_label"],
        "steps": steps,
        "readout": readout,
    }
    return scene
