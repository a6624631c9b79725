"""Equation (1) at work: a kernel steps across a small grid of numbers.

:class:`ConvolutionExplorer` shows a small input ``I`` with its numbers, the
kernel ``K`` as typed and as applied (turned 180 degrees by true
convolution, unchanged by the cross-correlation CNN layers compute), the
window under the kernel, the element-wise products and their sum, and the
output map ``G`` filling in step by step.  Beside it the same kernel runs
over a whole photo.

Every number comes from the core: the window from
:func:`meia_cnn.ops.sliding_windows`, the output map and the filtered photo
from :func:`meia_cnn.ops.convolve2d` (convolution) or
:func:`meia_cnn.ops.conv2d` (cross-correlation), the output size from
:func:`meia_cnn.arithmetic.output_size`.
"""

from __future__ import annotations

import html
import math
import re
from fractions import Fraction

import ipywidgets as widgets
import numpy as np

from .. import arithmetic, ops
from .. import data as _data
from .._validation import as_float_array
from ._base import (
    CMAP_IMAGE,
    CMAP_SIGNED,
    CMAP_VALUES,
    FONT,
    PALETTE,
    Explorer,
    NumberGrid,
    PathText,
    add_window,
    format_number,
    plain_axes,
    set_title,
)

__all__ = ["ConvolutionExplorer", "KERNEL_PRESETS", "kernel_preset", "parse_kernel"]

#: Largest input grid the explorer writes numbers in.
MAX_GRID = 9
#: Side of the photo the kernel is run over (longest side, pixels).
PHOTO_SIZE = 192

_BINOMIAL = {3: np.array([1.0, 2.0, 1.0]), 5: np.array([1.0, 4.0, 6.0, 4.0, 1.0])}
_DERIVATIVE = {3: np.array([-1.0, 0.0, 1.0]), 5: np.array([-1.0, -2.0, 0.0, 2.0, 1.0])}


def _identity(k):
    out = np.zeros((k, k))
    out[k // 2, k // 2] = 1.0
    return out


def _sharpen(k):
    if k == 3:
        return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])
    # unsharp masking: 2 * identity - gaussian
    return 2.0 * _identity(5) - np.outer(_BINOMIAL[5], _BINOMIAL[5]) / 256.0


def _laplacian(k):
    if k == 3:
        return np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])
    return np.array([
        [0.0, 0.0, 1.0, 0.0, 0.0],
        [0.0, 1.0, 2.0, 1.0, 0.0],
        [1.0, 2.0, -16.0, 2.0, 1.0],
        [0.0, 1.0, 2.0, 1.0, 0.0],
        [0.0, 0.0, 1.0, 0.0, 0.0],
    ])


def _emboss(k):
    if k == 3:
        return np.array([[-2.0, -1.0, 0.0], [-1.0, 1.0, 1.0], [0.0, 1.0, 2.0]])
    i, j = np.indices((5, 5))
    return np.clip((i + j - 4).astype(float), -2, 2) + _identity(5)


#: The kernel presets, each a function of the size (3 or 5).  Written the way
#: a CNN layer applies them (cross-correlation): ``sobel_x`` is positive where
#: the image gets brighter to the right.
KERNEL_PRESETS = {
    "identity": _identity,
    "box blur": lambda k: np.full((k, k), 1.0 / (k * k)),
    "gaussian": lambda k: np.outer(_BINOMIAL[k], _BINOMIAL[k]) / _BINOMIAL[k].sum() ** 2,
    "sharpen": _sharpen,
    "sobel_x": lambda k: np.outer(_BINOMIAL[k], _DERIVATIVE[k]),
    "sobel_y": lambda k: np.outer(_DERIVATIVE[k], _BINOMIAL[k]),
    "laplacian": _laplacian,
    "emboss": _emboss,
}

_SIZES = (3, 5)

#: A 7x7 grid of small numbers: a bright square on a gentle ramp, so that
#: blurs, edges and the flip all show.
DEFAULT_IMAGE = np.array([
    [1, 1, 2, 2, 3, 3, 3],
    [1, 2, 2, 3, 3, 3, 4],
    [2, 2, 9, 9, 9, 4, 4],
    [2, 3, 9, 9, 9, 4, 5],
    [3, 3, 9, 9, 9, 5, 5],
    [3, 4, 4, 4, 5, 5, 6],
    [4, 4, 4, 5, 5, 6, 6],
], dtype=float)


def kernel_preset(name, size=3):
    """One of :data:`KERNEL_PRESETS` as a ``(size, size)`` array.

    >>> kernel_preset("sobel_x")
    array([[-1.,  0.,  1.],
           [-2.,  0.,  2.],
           [-1.,  0.,  1.]])
    >>> float(kernel_preset("gaussian", 5).sum())
    1.0
    """
    if name not in KERNEL_PRESETS:
        raise ValueError(f"`kernel` preset must be one of {', '.join(KERNEL_PRESETS)}; got {name!r}")
    if size not in _SIZES:
        raise ValueError(f"`kernel_size` must be 3 or 5, got {size!r}")
    return KERNEL_PRESETS[name](size)


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def _token(text, row, col):
    text = text.replace("−", "-")
    parts = text.split("/")
    if len(parts) == 2 and all(_NUMBER.match(p) for p in parts):
        den = float(parts[1])
        if den == 0:
            raise ValueError(f"kernel row {row}, number {col}: {text!r} divides by zero")
        return float(parts[0]) / den
    if not _NUMBER.match(text):
        raise ValueError(
            f"kernel row {row}, number {col}: {text!r} is not a number "
            "(write numbers such as 1, -0.5, 2e-1 or 1/9)"
        )
    return float(text)


def parse_kernel(text):
    """Read a kernel typed as text: one row per line, numbers separated by spaces or commas.

    The rule: 3 rows of 3 numbers or 5 rows of 5 numbers; each entry a
    finite number (fractions such as ``1/9`` are fine).

    Returns
    -------
    ndarray of shape (3, 3) or (5, 5)

    Raises
    ------
    ValueError
        Naming the rule and what was typed.

    Examples
    --------
    >>> parse_kernel("0 -1 0\\n-1 5 -1\\n0 -1 0")[1]
    array([-1.,  5., -1.])
    >>> parse_kernel("1 2\\n3 4")
    Traceback (most recent call last):
    ...
    ValueError: the kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; got 2 rows
    """
    if not isinstance(text, str):
        raise TypeError(f"the kernel text must be a string, got {type(text).__name__}")
    lines = [line for line in text.replace(";", "\n").splitlines() if line.strip()]
    rows = [[t for t in re.split(r"[\s,]+", line.strip()) if t] for line in lines]
    n = len(rows)
    if n not in _SIZES:
        raise ValueError(
            f"the kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; got {n} row{'s' * (n != 1)}"
        )
    for r, row in enumerate(rows, 1):
        if len(row) != n:
            raise ValueError(
                f"the kernel must be {n} rows of {n} numbers; row {r} has {len(row)} number"
                f"{'s' * (len(row) != 1)}"
            )
    values = np.array([[_token(t, r, c) for c, t in enumerate(row, 1)] for r, row in enumerate(rows, 1)])
    if not np.isfinite(values).all():
        r, c = np.argwhere(~np.isfinite(values))[0]
        raise ValueError(
            f"kernel row {r + 1}, number {c + 1} is {rows[r][c]!r}: every entry must be a finite number"
        )
    return values


def kernel_text(kernel):
    """The text a kernel is typed as: one row per line, exact (it reads back as the same kernel).

    Kernels with a small common denominator are written as fractions.

    >>> print(kernel_text(np.array([[1, 0], [0.25, -1]])))
    1 0
    1/4 -1
    >>> print(kernel_text(np.full((3, 3), 1 / 9)))
    1/9 1/9 1/9
    1/9 1/9 1/9
    1/9 1/9 1/9
    >>> print(kernel_text([[0.1234567, 2.0]]))
    0.1234567 2
    """
    kernel = np.asarray(kernel, dtype=float)
    den = common_denominator(kernel)

    def word(v):
        if den > 1:
            n = int(round(v * den))
            return str(n // den) if n % den == 0 else f"{n}/{den}"
        if abs(v - round(v)) < 1e-12:
            return str(int(round(v)))
        return repr(float(v))  # the shortest text that reads back as the same number

    return "\n".join(" ".join(word(float(v)) for v in row) for row in kernel)


def common_denominator(values, limit=1024):
    """The smallest ``d <= limit`` that makes every value times ``d`` a whole number below 1000.

    Kernels such as the Gaussian are written as whole numbers times ``1/d``
    (``1/16 x [[1, 2, 1], ...]``), as in textbooks; 1 when there is no such ``d``.

    >>> common_denominator(kernel_preset("gaussian", 5)), common_denominator([[0.5, 0.25], [1, 2]])
    (256, 4)
    >>> common_denominator([[0.1234567, 1.0]])
    1
    """
    values = np.asarray(values, dtype=float).ravel()
    den = 1
    for v in values:
        f = Fraction(float(v)).limit_denominator(limit)
        if abs(float(f) - v) > 1e-9 * max(1.0, abs(v)):
            return 1
        den = math.lcm(den, f.denominator)
        if den > limit:
            return 1
    if den > 1 and np.abs(values * den).max() >= 1000:
        return 1
    return den


def _check_grid(image):
    arr = np.asarray(image)
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
    return arr


class ConvolutionExplorer(Explorer):
    """Step a kernel across a small grid: products, sum and output map.

    Parameters
    ----------
    image : array_like of shape (H, W), optional
        The small input grid, 3 <= H, W <= 9 (default: a 7x7 bright square on a ramp).
    kernel : str or array_like of shape (3, 3) or (5, 5)
        A preset name (see :data:`KERNEL_PRESETS`) or your own numbers.
    photo : str
        The scikit-image sample the kernel also runs over (see
        :data:`meia_cnn.data.SAMPLE_NAMES`).
    operation : {'convolution', 'cross-correlation'}
        True convolution (equation (1), the kernel flipped) or what CNN layers compute.

    Attributes
    ----------
    controls : dict
        ``"step"``, ``"play"``, ``"operation"``, ``"preset"``, ``"kernel_size"``,
        ``"kernel_text"``, ``"photo"``, ``"upload"``.

    Examples
    --------
    >>> viz = ConvolutionExplorer()
    >>> viz.controls["step"].value = 8
    >>> viz.position, viz.current_sum == float(viz.output[viz.position])
    ((1, 3), True)
    >>> viz.controls["kernel_text"].value = "1 2 3\\n4 5 6\\n7 8"
    >>> viz.error
    'the kernel must be 3 rows of 3 numbers; row 3 has 2 numbers. Still using the last good kernel.'
    >>> viz.close()
    """

    MODES = ("convolution", "cross-correlation")

    def __init__(self, image=None, kernel="sobel_x", *, photo="camera", operation="convolution"):
        super().__init__()
        self._grid = _check_grid(DEFAULT_IMAGE if image is None else image)
        if operation not in self.MODES:
            raise ValueError(f"`operation` must be 'convolution' or 'cross-correlation', got {operation!r}")
        if isinstance(kernel, str):
            preset, good = kernel, kernel_preset(kernel, 3)
        else:
            good = np.array(as_float_array(kernel, "kernel"), dtype=float)
            if good.ndim != 2 or good.shape[0] != good.shape[1] or good.shape[0] not in _SIZES:
                raise ValueError(f"`kernel` must be a preset name or a 3x3 or 5x5 array, got shape {good.shape}")
            preset = "custom"
        self._kernel = good
        self._photo_name = self._shown_sample = photo
        self._photo = _data.sample_image(photo, grey=True, size=PHOTO_SIZE)
        self._photo_cache = None

        c = self.controls
        c["step"] = self._int_slider(0, 0, 0, "Step", width="320px")
        c["play"] = self._make_play(c["step"])
        c["operation"] = widgets.ToggleButtons(options=list(self.MODES), value=operation,
                                          tooltips=["K flipped: equation (1)", "K as is: what CNN layers compute"])
        c["preset"] = widgets.Dropdown(options=[*KERNEL_PRESETS, "custom"], value=preset,
                                       description="Kernel", layout=widgets.Layout(width="220px"))
        c["kernel_size"] = widgets.ToggleButtons(options=list(_SIZES), value=good.shape[0],
                                                 description="Size",
                                                 style={"button_width": "40px"})
        c["kernel_text"] = widgets.Textarea(value=kernel_text(good), description="K =",
                                           continuous_update=False, rows=5,
                                           layout=widgets.Layout(width="260px", height="120px"))
        c["photo"] = self._make_photo_dropdown(photo)
        c["upload"] = self._make_upload(self._on_upload, grey=True, size=PHOTO_SIZE)

        self._build_figure()
        self._layout(
            widgets.HBox([c["operation"], c["play"], c["step"]]),
            widgets.HBox([widgets.VBox([c["preset"], c["kernel_size"]]), c["kernel_text"],
                          widgets.VBox([c["photo"], c["upload"]])]),
        )
        c["preset"].observe(self._on_preset, names="value")
        c["kernel_size"].observe(self._on_kernel_size, names="value")
        c["kernel_text"].observe(self._on_text, names="value")
        self._connect(["step", "operation", "photo"])

    # -- figure ---------------------------------------------------------------
    def _build_figure(self):
        fig = self._make_figure((12.8, 3.9))
        self._ax_in = fig.add_axes([0.005, 0.03, 0.21, 0.82])
        self._ax_k = fig.add_axes([0.235, 0.50, 0.09, 0.32])
        self._ax_kf = fig.add_axes([0.235, 0.04, 0.09, 0.32])
        self._ax_prod = fig.add_axes([0.345, 0.25, 0.12, 0.50])
        self._ax_out = fig.add_axes([0.485, 0.03, 0.19, 0.82])
        self._ax_ph = fig.add_axes([0.69, 0.03, 0.15, 0.82])
        self._ax_po = fig.add_axes([0.848, 0.03, 0.15, 0.82])
        size = (MAX_GRID, MAX_GRID)
        self._g_in = NumberGrid(self._ax_in, size, cmap=CMAP_VALUES, fmt=format_number)
        self._g_k = NumberGrid(self._ax_k, (5, 5), cmap=CMAP_SIGNED, fmt=format_number, fontsize=11,
                                 symmetric=True)
        self._g_kf = NumberGrid(self._ax_kf, (5, 5), cmap=CMAP_SIGNED, fmt=format_number, fontsize=11,
                                 symmetric=True)
        self._g_prod = NumberGrid(self._ax_prod, (5, 5), cmap=CMAP_SIGNED, fmt=format_number, fontsize=11,
                                 symmetric=True)
        self._g_out = NumberGrid(self._ax_out, size, cmap=CMAP_SIGNED, fmt=format_number,
                                 symmetric=True)
        self._win = add_window(self._ax_in, colour=PALETTE["orange"], linewidth=3.5)
        self._cell = add_window(self._ax_out, colour=PALETTE["orange"], linewidth=3.5)
        self._photo_im = self._ax_ph.imshow(self._photo, cmap=CMAP_IMAGE, vmin=0, vmax=1,
                                            interpolation="nearest")
        self._photo_out = self._ax_po.imshow(self._photo, cmap=CMAP_SIGNED, interpolation="nearest")
        plain_axes(self._ax_ph)
        plain_axes(self._ax_po)
        kw = dict(fontsize=FONT["label"], loc="left")
        self._t_in = set_title(self._ax_in, "", **kw)
        self._t_k = set_title(self._ax_k, "K", fontsize=FONT["label"] - 1, loc="left")
        self._t_kf = set_title(self._ax_kf, "", fontsize=FONT["label"] - 1, loc="left")
        self._t_prod = set_title(self._ax_prod, "window × K", **kw)
        self._t_out = set_title(self._ax_out, "", **kw)
        self._t_ph = set_title(self._ax_ph, "", **kw)
        self._t_po = set_title(self._ax_po, "", **kw)
        self._sum = PathText(fig, 0.405, 0.12, "", ha="center", va="center", fontsize=FONT["formula"],
                             color=PALETTE["vermillion"], weight="bold")

    # -- controls ---------------------------------------------------------------
    def clear_message(self):
        # A bad kernel entry stays announced while its text is in the box.
        if getattr(self, "_text_error", None):
            self.show_error(self._text_error)
        else:
            super().clear_message()

    def _set_kernel(self, kernel, *, preset=None):
        """Make ``kernel`` the good kernel and put every control in step with it."""
        self._text_error = None
        self._kernel = kernel
        c = self.controls
        self._set_quietly(c["kernel_size"], value=kernel.shape[0])
        self._set_quietly(c["kernel_text"], value=kernel_text(kernel))
        if preset is not None:
            self._set_quietly(c["preset"], value=preset)
        self.refresh()

    def _on_preset(self, change):
        if self._quiet or change["new"] == "custom":
            return
        self._set_kernel(kernel_preset(change["new"], self.controls["kernel_size"].value))

    def _on_kernel_size(self, change):
        if self._quiet:
            return
        k = change["new"]
        name = self.controls["preset"].value
        if name != "custom":
            self._set_kernel(kernel_preset(name, k))
            return
        old = self._kernel  # a custom kernel: centre it in, or crop it to, the new size
        new = np.zeros((k, k))
        if k > old.shape[0]:
            o = (k - old.shape[0]) // 2
            new[o:o + old.shape[0], o:o + old.shape[0]] = old
        else:
            o = (old.shape[0] - k) // 2
            new = old[o:o + k, o:o + k].copy()
        self._set_kernel(new)

    def _on_text(self, change):
        if self._quiet:
            return
        try:
            kernel = parse_kernel(change["new"])
        except (ValueError, TypeError) as exc:
            self._text_error = f"{exc}. Still using the last good kernel."
            self.show_error(self._text_error)
            return  # the text stays as typed: nothing is lost
        self._text_error = None
        self._kernel = kernel
        c = self.controls
        self._set_quietly(c["kernel_size"], value=kernel.shape[0])
        name = c["preset"].value
        if name == "custom" or not np.array_equal(kernel, kernel_preset(name, kernel.shape[0])):
            self._set_quietly(c["preset"], value="custom")
        self.refresh()

    def _on_upload(self, image, name):
        self._photo = image
        self._photo_name = name
        self._photo_cache = None
        self._shown_sample = self._choose_upload(self.controls["photo"], name)

    # -- numbers from the core --------------------------------------------------------
    @property
    def kernel(self):
        """The current good kernel, as typed (before any flip)."""
        return self._kernel.copy()

    @property
    def applied_kernel(self):
        """The kernel as it multiplies the window: flipped 180 degrees for a convolution."""
        k = self._kernel
        return k[::-1, ::-1].copy() if self.controls["operation"].value == "convolution" else k.copy()

    @property
    def image(self):
        """The small input grid."""
        return self._grid.copy()

    def _compute_output(self, grid, kernel, operation):
        if operation == "convolution":
            return ops.convolve2d(grid, kernel, mode="valid")
        return ops.conv2d(grid, kernel)

    @property
    def output(self):
        """The whole output map ``G`` of the small grid (valid positions)."""
        return self._state["output"].copy()

    @property
    def n_positions(self):
        """How many positions the window takes: ``G_h * G_w``."""
        return int(self._state["output"].size)

    @property
    def position(self):
        """``(i, j)``: the output cell of the current step (row-major order)."""
        return self._state["position"]

    @property
    def window(self):
        """The input values under the kernel at the current step."""
        return self._state["window"].copy()

    @property
    def current_products(self):
        """Window times applied kernel, element by element."""
        return self._state["products"].copy()

    @property
    def current_sum(self):
        """The output value at the current step: ``G[i, j]`` from the core."""
        return float(self._state["output"][self._state["position"]])

    @property
    def photo(self):
        """The grey photo the kernel runs over."""
        return self._photo.copy()

    @property
    def photo_output(self):
        """The photo filtered by the kernel ('same' size), as drawn."""
        return self._photo_cache[1].copy()

    def _photo_result(self, operation):
        key = (self._kernel.tobytes(), self._kernel.shape, operation)
        cache = self._photo_cache
        if cache is None or cache[0] != key or cache[2] is not self._photo:
            if operation == "convolution":
                result = ops.convolve2d(self._photo, self._kernel, mode="same")
            else:
                result = ops.conv2d(self._photo, self._kernel, padding="same")
            self._photo_cache = (key, result, self._photo)
        return self._photo_cache[1]

    # -- drawing ----------------------------------------------------------------------
    def _update(self):
        c = self.controls
        operation = c["operation"].value
        choice = c["photo"].value
        if choice != self._shown_sample and not choice.startswith(self.UPLOAD_LABEL):
            self._photo = _data.sample_image(choice, grey=True, size=PHOTO_SIZE)
            self._photo_name = choice
            self._photo_cache = None
        self._shown_sample = choice
        grid, kernel = self._grid, self._kernel
        k = kernel.shape[0]
        # numbers first: an error here leaves the drawing as it was
        out_h, out_w = arithmetic.output_size(grid.shape, kernel.shape)
        output = self._compute_output(grid, kernel, operation)
        n = output.size
        self._set_quietly(c["step"], max=n - 1)
        step = min(c["step"].value, n - 1)
        i, j = divmod(step, out_w)
        window = ops.sliding_windows(grid, kernel.shape)[i, j]
        applied = kernel[::-1, ::-1] if operation == "convolution" else kernel
        products = window * applied
        photo_out = self._photo_result(operation)
        self._state = dict(output=output, position=(i, j), window=window, products=products)

        # drawing
        h, w = grid.shape
        self._g_in.set(grid)
        self._win.set_xy((j - 0.5, i - 0.5))
        self._win.set_width(k)
        self._win.set_height(k)
        k_den = common_denominator(kernel)
        p_den = common_denominator(products)
        self._g_k.set(kernel * k_den)
        self._g_kf.set(applied * k_den)
        self._g_prod.set(products * p_den)
        self._scales = (k_den, p_den)
        k_scale = "" if k_den == 1 else f" = 1/{k_den} ×"
        self._t_k.set_text(f"K{k_scale}")
        filled = np.arange(n).reshape(out_h, out_w) > step
        self._g_out.set(output, hide=filled)
        self._cell.set_xy((j - 0.5, i - 0.5))
        flip = operation == "convolution"
        self._t_in.set_text(f"input I  ({h}×{w})")
        self._t_kf.set_text(("K′ = K flipped" if flip else "K′ = K (no flip)") + k_scale.replace(" = ", "\n= "))
        self._t_prod.set_text("window × K′" + ("" if p_den == 1 else f"\n= 1/{p_den} ×"))
        self._t_out.set_text(f"G = {'I ∗ K' if flip else 'I ⋆ K'}  ({out_h}×{out_w})")
        self._sum.set_text(f"Σ = {format_number(output[i, j])}")
        self._photo_im.set_data(self._photo)
        self._t_ph.set_text(f"{self._photo_name[:18]}")
        self._show_photo_output(photo_out, kernel)
        self._t_po.set_text(f"{'I ∗ K' if flip else 'I ⋆ K'} (same size)")
        self._write_readout(operation, grid, kernel, applied, window, products, output, (i, j), step)

    def _show_photo_output(self, result, kernel):
        self._photo_out.set_data(result)
        if abs(float(kernel.sum())) < 1e-9:  # an edge detector: signed, centred on 0
            lim = float(np.percentile(np.abs(result), 99.0)) or 1.0
            self._photo_out.set_cmap(CMAP_SIGNED)
            self._photo_out.set_clim(-lim, lim)
        else:
            lo, hi = (float(v) for v in np.percentile(result, [0.5, 99.5]))
            self._photo_out.set_cmap(CMAP_IMAGE)
            self._photo_out.set_clim(lo, hi if hi > lo else lo + 1.0)

    def _write_readout(self, operation, grid, kernel, applied, window, products, output, pos, step):
        i, j = pos
        k = kernel.shape[0]
        den = self._scales[0]
        terms = " + ".join(
            f"{format_number(a)}·{_paren(b * den)}" for a, b in zip(window.ravel(), applied.ravel())
        )
        if den > 1:  # whole-number weights: 1/d · (sum of window × weights), as written on the figure
            terms = f"1/{den} · ({terms})"
        h, w = grid.shape
        oh, ow = output.shape
        if operation == "convolution":
            rule = ("<b>Convolution</b>, equation (1): G[i, j] = Σ_u Σ_v "
                    "K[u, v] · I[i − u, j − v]: the kernel is <b>flipped</b> 180° before it multiplies the window.")
        else:
            rule = ("<b>Cross-correlation</b> (what CNN layers compute): G[i, j] = Σ_u Σ_v "
                    "K[u, v] · I[i + u, j + v]: the kernel multiplies the window <b>as it is</b>.")
        same = np.allclose(kernel, kernel[::-1, ::-1])
        note = ("This kernel is symmetric under the flip, so both modes give the same output."
                if same else "This kernel changes under the flip: the two modes give different outputs.")
        self.readout.value = (
            f"<div>{rule} {note}</div>"
            f"<div>Step {step + 1} of {output.size}: window rows {i}–{i + k - 1}, columns {j}–{j + k - 1} "
            f"→ G[{i}, {j}]</div>"
            f"<div>Products: {html.escape(terms)} = <b>{format_number(output[i, j])}</b></div>"
            f"<div>Output size: G_h × G_w = ({h} − {k} + 1) × ({w} − {k} + 1) "
            f"= <b>{oh} × {ow}</b></div>"
        )


def _paren(v):
    text = format_number(v)
    return f"({text})" if text.startswith("−") else text
