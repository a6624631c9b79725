"""Max and average pooling, window by window, and what it does to a photo.

:class:`PoolingExplorer` shows a small input with its numbers, every
window's maximum marked (from :func:`meia_cnn.ops.max_pool2d` with
``return_indices=True``), the current window and the output grid filling
in; the readout writes the slides' equation (4) with the current numbers.
Beside it a photo and the same pooling applied to it, drawn at the same
size, so the lost resolution shows.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import PolyCollection

from .. import arithmetic, ops
from .. import data as _data
from .._validation import as_float_array
from ._base import (
    CMAP_IMAGE,
    CMAP_VALUES,
    FONT,
    PALETTE,
    Explorer,
    NumberGrid,
    add_window,
    format_number,
    plain_axes,
    set_title,
)

__all__ = ["PoolingExplorer", "DEFAULT_INPUT"]

MAX_GRID = 9
SIZES = (1, 4)
STRIDES = (1, 4)
PHOTO_SIZE = 256
POOLINGS = ("max", "average")

#: An 8x8 feature map of small numbers (a seeded draw, fixed here so the slides can quote it).
DEFAULT_INPUT = np.array([
    [1, 3, 2, 0, 5, 1, 0, 2],
    [4, 2, 1, 5, 2, 3, 1, 1],
    [0, 1, 3, 2, 0, 1, 4, 2],
    [2, 6, 1, 1, 3, 2, 0, 1],
    [3, 1, 0, 2, 7, 1, 2, 0],
    [1, 2, 4, 1, 1, 0, 3, 5],
    [0, 5, 1, 3, 2, 4, 1, 0],
    [2, 1, 0, 2, 1, 3, 6, 2],
], dtype=float)


def _check_grid(x):
    arr = as_float_array(x, "x", ndim=2)
    h, w = arr.shape
    if not (1 <= h <= MAX_GRID and 1 <= w <= MAX_GRID):
        raise ValueError(
            f"`x` must be at most {MAX_GRID}x{MAX_GRID} so its numbers can be read, got shape {arr.shape}; "
            "pool a larger image with `photo=` or an upload"
        )
    return np.array(arr, dtype=float)


def _square(r, c, inset=0.42):
    return [(c - inset, r - inset), (c + inset, r - inset), (c + inset, r + inset), (c - inset, r + inset)]


class PoolingExplorer(Explorer):
    """Max or average pooling of a small grid and of a photo.

    Parameters
    ----------
    x : array_like of shape (H, W), optional
        At most 9x9 (default :data:`DEFAULT_INPUT`, 8x8).
    size : int
        The window ``W_w`` (1 to 4).
    stride : int, optional
        ``s`` (1 to 4); defaults to ``size``, non-overlapping windows.
    pooling : {'max', 'average'}
    photo : str
        A scikit-image sample (see :data:`meia_cnn.data.SAMPLE_NAMES`).

    Attributes
    ----------
    controls : dict
        ``"pooling"``, ``"size"``, ``"stride"``, ``"step"``, ``"play"``, ``"photo"``, ``"upload"``.

    Examples
    --------
    >>> viz = PoolingExplorer()
    >>> viz.output_shape
    (4, 4)
    >>> viz.controls["step"].value = 4
    >>> viz.position, viz.current_value, viz.current_argmax
    ((1, 0), 6.0, (3, 1))
    >>> print(viz.equation)
    O_w = ⌊(I_w − W_w)/s⌋ + 1 = ⌊(8 − 2)/2⌋ + 1 = 4
    >>> viz.close()
    """

    def __init__(self, x=None, *, size=2, stride=None, pooling="max", photo="camera"):
        super().__init__()
        self._grid = _check_grid(DEFAULT_INPUT if x is None else x)
        if pooling not in POOLINGS:
            raise ValueError(f"`pooling` must be 'max' or 'average', got {pooling!r}")
        stride = size if stride is None else stride
        for name, value, (lo, hi) in (("size", size, SIZES), ("stride", stride, STRIDES)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"`{name}` must be an int, got {value!r}")
            if not lo <= value <= hi:
                raise ValueError(f"`{name}` must be between {lo} and {hi} here, got {value}")
        arithmetic.pool_output_size(self._grid.shape, size, stride=stride)  # the core checks the fit
        self._photo = _data.sample_image(photo, grey=True, size=PHOTO_SIZE)
        self._photo_name = self._shown_sample = photo
        self._photo_cache = None

        c = self.controls
        c["pooling"] = widgets.ToggleButtons(options=list(POOLINGS), value=pooling, description="Pooling")
        c["size"] = self._int_slider(int(size), *SIZES, "Window W")
        c["stride"] = self._int_slider(int(stride), *STRIDES, "Stride s")
        c["step"] = self._int_slider(0, 0, 0, "Step", width="320px")
        c["play"] = self._make_play(c["step"], interval=700)
        c["photo"] = self._make_photo_dropdown(photo)
        c["upload"] = self._make_upload(self._on_upload, grey=True, size=PHOTO_SIZE)
        self._build_figure()
        self._layout(
            widgets.HBox([c["pooling"], c["size"], c["stride"]]),
            widgets.HBox([c["play"], c["step"], c["photo"], c["upload"]]),
        )
        self._connect(["pooling", "size", "stride", "step", "photo"])

    def _build_figure(self):
        fig = self._make_figure((12.4, 4.0))
        self._ax_in = fig.add_axes([0.005, 0.03, 0.27, 0.83])
        self._ax_out = fig.add_axes([0.30, 0.03, 0.22, 0.83])
        self._ax_ph = fig.add_axes([0.545, 0.03, 0.22, 0.83])
        self._ax_po = fig.add_axes([0.775, 0.03, 0.22, 0.83])
        lo, hi = float(self._grid.min()), float(self._grid.max())
        hi = hi if hi > lo else lo + 1.0  # one colour scale for both grids: a 6 looks like a 6
        self._g_in = NumberGrid(self._ax_in, (MAX_GRID, MAX_GRID), cmap=CMAP_VALUES, fmt=format_number,
                                vmin=lo, vmax=hi)
        self._g_out = NumberGrid(self._ax_out, (MAX_GRID, MAX_GRID), cmap=CMAP_VALUES, fmt=format_number,
                                 vmin=lo, vmax=hi)
        # every window's maximum: one square each, all in one collection
        self._maxima = PolyCollection([], facecolors="none", edgecolors=PALETTE["orange"],
                                      linewidths=2.5, zorder=3.5)
        self._ax_in.add_collection(self._maxima, autolim=False)
        self._win = add_window(self._ax_in, colour=PALETTE["vermillion"], linewidth=3.5)
        self._best = add_window(self._ax_in, colour=PALETTE["yellow"], linewidth=3.0, zorder=4.5)
        self._cell = add_window(self._ax_out, colour=PALETTE["vermillion"], linewidth=3.5)
        self._photo_im = self._ax_ph.imshow(self._photo, cmap=CMAP_IMAGE, vmin=0, vmax=1,
                                            interpolation="nearest")
        self._photo_out = self._ax_po.imshow(self._photo, cmap=CMAP_IMAGE, vmin=0, vmax=1,
                                             interpolation="nearest")
        plain_axes(self._ax_ph)
        plain_axes(self._ax_po)
        kw = dict(fontsize=FONT["label"], loc="left")
        self._t_in = set_title(self._ax_in, "", **kw)
        self._t_out = set_title(self._ax_out, "", **kw)
        self._t_ph = set_title(self._ax_ph, "", **kw)
        self._t_po = set_title(self._ax_po, "", **kw)

    def _on_upload(self, image, name):
        self._photo = image
        self._photo_name = name
        self._photo_cache = None
        self._shown_sample = self._choose_upload(self.controls["photo"], name)

    # -- numbers from the core ----------------------------------------------------
    @property
    def image(self):
        """The small input grid."""
        return self._grid.copy()

    @property
    def output(self):
        """The pooled grid drawn."""
        return self._state["output"].copy()

    @property
    def output_shape(self):
        """``(O_h, O_w)`` of the drawn output (equation (4))."""
        return tuple(self._state["output"].shape)

    @property
    def indices(self):
        """``(O_h, O_w, 2)``: where each window's maximum is in the input (from the core)."""
        return self._state["indices"].copy()

    @property
    def position(self):
        """``(i, j)`` of the output cell at the current step."""
        return self._state["position"]

    @property
    def window(self):
        """The input values in the current window."""
        return self._state["window"].copy()

    @property
    def current_value(self):
        """The output at the current step (the window's max or average)."""
        return float(self._state["output"][self._state["position"]])

    @property
    def current_argmax(self):
        """``(row, col)`` in the input of the current window's maximum."""
        r, c = self._state["indices"][self._state["position"]]
        return (int(r), int(c))

    @property
    def photo(self):
        """The grey photo."""
        return self._photo.copy()

    @property
    def photo_output(self):
        """The pooled photo drawn."""
        return self._photo_cache[1].copy()

    @property
    def equation(self):
        """Equation (4) with the current numbers (width; the height is written in the readout)."""
        return self._state["equation"]

    def _pool_photo(self, size, stride, pooling):
        key = (size, stride, pooling)
        cache = self._photo_cache
        if cache is None or cache[0] != key or cache[2] is not self._photo:
            pool = ops.max_pool2d if pooling == "max" else ops.avg_pool2d
            self._photo_cache = (key, pool(self._photo, size, stride=stride), self._photo)
        return self._photo_cache[1]

    def _update(self):
        c = self.controls
        pooling, size, stride = c["pooling"].value, c["size"].value, c["stride"].value
        choice = c["photo"].value
        if choice != self._shown_sample and not choice.startswith(self.UPLOAD_LABEL):
            self._photo = _data.sample_image(choice, grey=True, size=PHOTO_SIZE)
            self._photo_name = choice
            self._photo_cache = None
        self._shown_sample = choice
        x = self._grid
        # numbers first: a window larger than the input raises here, the drawing stays
        oh, ow = arithmetic.pool_output_size(x.shape, size, stride=stride)
        maxima, indices = ops.max_pool2d(x, size, stride=stride, return_indices=True)
        output = maxima if pooling == "max" else ops.avg_pool2d(x, size, stride=stride)
        photo_out = self._pool_photo(size, stride, pooling)
        n = oh * ow
        self._set_quietly(c["step"], max=n - 1)
        step = min(c["step"].value, n - 1)
        i, j = divmod(step, ow)
        window = ops.sliding_windows(x, size, stride=stride)[i, j]
        h, w = x.shape
        equation = f"O_w = ⌊(I_w − W_w)/s⌋ + 1 = ⌊({w} − {size})/{stride}⌋ + 1 = {ow}"
        self._state = dict(output=output, indices=indices, position=(i, j), window=window,
                           equation=equation)

        # drawing
        self._g_in.set(x)
        order = np.arange(n).reshape(oh, ow)
        self._g_out.set(output, hide=order > step)
        self._win.set_xy((j * stride - 0.5, i * stride - 0.5))
        self._win.set_width(size)
        self._win.set_height(size)
        self._cell.set_xy((j - 0.5, i - 0.5))
        is_max = pooling == "max"
        self._maxima.set_verts([_square(r, cc) for r, cc in indices.reshape(-1, 2)] if is_max else [])
        r, cc = indices[i, j]
        self._best.set_xy((cc - 0.42, r - 0.42))
        self._best.set_width(0.84)
        self._best.set_height(0.84)
        self._best.set_visible(is_max)
        what = "max" if is_max else "average"
        self._t_in.set_text(f"input {h}×{w}, window {size}×{size}, s = {stride}")
        self._t_out.set_text(f"{what} pool  {oh}×{ow}")
        self._photo_im.set_data(self._photo)
        ph, pw = self._photo.shape
        qh, qw = photo_out.shape
        self._photo_out.set_data(photo_out)
        self._t_ph.set_text(f"{self._photo_name[:14]}  {ph}×{pw}")
        self._t_po.set_text(f"{what} pooled  {qh}×{qw}")
        self._write_readout(pooling, x, size, stride, output, (i, j), window, (oh, ow), (ph, pw), (qh, qw))

    def _write_readout(self, pooling, x, size, stride, output, pos, window, out_shape, photo_in, photo_out):
        h, w = x.shape
        oh, ow = out_shape
        i, j = pos
        values = ", ".join(format_number(v) for v in window.ravel())
        value = format_number(output[i, j])
        if pooling == "max":
            r, c = self.current_argmax
            result = f"max({values}) = <b>{value}</b>, at row {r}, column {c} of the input"
        else:
            result = f"({values}) / {window.size} = <b>{value}</b>"
        (ph, pw), (qh, qw) = photo_in, photo_out
        height = f"O_h = ⌊({h} − {size})/{stride}⌋ + 1 = {oh}"
        self.readout.value = (
            f"<div><b>Equation (4)</b>: O_w = ⌊(I_w − W_w)/s⌋ + 1 = "
            f"⌊({w} − {size})/{stride}⌋ + 1 = <b>{ow}</b>; {height}: output <b>{oh} × {ow}</b>.</div>"
            f"<div>Step {i * ow + j + 1} of {oh * ow}: window rows {i * stride}…{i * stride + size - 1}, "
            f"columns {j * stride}…{j * stride + size - 1}: {result} → O[{i}, {j}].</div>"
            f"<div>Photo: {ph} × {pw} → {qh} × {qw} ({ph * pw / (qh * qw):.1f}× fewer pixels). "
            f"Pooling has no weights: {arithmetic.pool_params()} parameters.</div>"
        )
