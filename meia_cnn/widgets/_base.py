"""Shared machinery of the explorers still drawn with ipympl: palette, figure, message area, upload.

The explorers drawn in the browser use :mod:`meia_cnn.widgets._explorer`
instead; this module goes when the last ipympl explorer has moved there.
Every explorer here subclasses :class:`Explorer`.  The figure is a plain
:class:`matplotlib.figure.Figure` drawn on an ipympl canvas widget that the
explorer owns: it is never registered with pyplot, so building an explorer
neither changes the user's backend nor leaves a figure behind for
``%matplotlib inline`` to print, and ``close()`` frees it.

A subclass builds its controls and its artists once, then implements
``_update()``, which asks the core for numbers and updates the existing
artists (``set_data``, ``set_text``, ``set_xy``, ``set_visible``).
"""

from __future__ import annotations

import contextlib
import html
import io
import itertools
import re
import warnings
import weakref
from base64 import b64encode

import ipywidgets as widgets
import numpy as np
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib import transforms as mtransforms
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, Polygon, Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from PIL import Image

from .. import data as _data
from .._validation import as_int

__all__ = [
    "PALETTE",
    "CMAP_IMAGE",
    "CMAP_VALUES",
    "CMAP_SIGNED",
    "FONT",
    "Explorer",
    "NumberGrid",
    "format_number",
    "add_window",
    "plain_axes",
    "set_title",
    "PathText",
    "FastText",
    "Cuboid",
    "RangeSync",
    "arrow",
    "check_range",
    "count",
]

#: Okabe & Ito's colour-blind-safe palette, the one palette of the kit.
PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
#: Greyscale photos.
CMAP_IMAGE = "gray"
#: Non-negative values (feature maps, pooled maps): perceptually uniform, colour-blind safe.
CMAP_VALUES = "cividis"
#: Signed values (kernels, responses): a colour-blind-safe diverging map.
CMAP_SIGNED = "PuOr_r"
#: Font sizes chosen to stay legible on a projector.
FONT = {"title": 15, "label": 13, "cell": 12, "formula": 16}

_counter = itertools.count(1)

#: zlib level of the PNG frames sent to the browser: 1 encodes 2-3 times
#: faster than PIL's default 6 for about 15 % more bytes (the kernel and the
#: browser are on one machine or a local network, so time matters more).
PNG_COMPRESS_LEVEL = 1


class _Canvas(Canvas):
    """ipympl's canvas widget, encoding its frames with a fast PNG level.

    Encoding the PNG frame is the largest part of an update's cost; the two
    methods below are matplotlib's ``FigureCanvasWebAggCore.get_diff_image``
    and ipympl's ``Canvas.send_binary`` with ``compress_level`` added.  If
    a future version lacks the state they use, they defer to the originals.
    """

    def _png(self, rgba):
        with io.BytesIO() as png:
            Image.fromarray(rgba).save(png, format="png", compress_level=PNG_COMPRESS_LEVEL)
            return png.getvalue()

    def get_diff_image(self):
        if not all(hasattr(self, a) for a in ("_png_is_old", "_force_full", "_last_buff")):
            return super().get_diff_image()  # pragma: no cover - another matplotlib
        if not self._png_is_old:
            return None
        pixels = np.asarray(self.get_renderer().buffer_rgba())
        buff = pixels.view(np.uint32).squeeze(2)
        if (self._force_full or buff.shape != self._last_buff.shape
                or (pixels[:, :, 3] != 255).any()):
            self.set_image_mode("full")
            output = buff
        else:
            self.set_image_mode("diff")
            output = np.where(buff != self._last_buff, buff, 0)
        self._last_buff = buff.copy()
        self._force_full = False
        self._png_is_old = False
        return self._png(output.view(dtype=np.uint8).reshape((*output.shape, 4)))

    def send_binary(self, data):
        if not hasattr(self, "syncing_data_url"):
            return super().send_binary(data)  # pragma: no cover - another ipympl
        if self.syncing_data_url:  # no browser yet: keep a still image for static views
            rgba = self._last_buff.view(dtype=np.uint8).reshape((*self._last_buff.shape, 4))
            self._data_url = b64encode(self._png(rgba)).decode("utf-8")
        self.send({"data": '{"type": "binary"}'}, buffers=[data])


def _plain(markup):
    """HTML to plain text: tags dropped, entities decoded, spaces collapsed."""
    text = html.unescape(re.sub(r"<br\s*/?>|</p>|</div>|</tr>", "\n", markup))
    text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


def _close_tree(children):
    """Close widgets and, inside boxes, everything they hold (closing twice is harmless)."""
    for child in children:
        if isinstance(child, widgets.Box):
            _close_tree(child.children)
        if isinstance(child, widgets.Widget):
            child.close()


class Explorer(widgets.VBox):
    """Base class: owns ``controls``, ``fig`` and a message area.

    Subclasses call ``super().__init__()`` first, then ``_make_figure`` and
    ``_layout(...)``, then ``_connect()`` which draws the first state.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.controls: dict[str, widgets.Widget] = {}
        self.fig: Figure | None = None
        self.message = widgets.HTML(value="", layout=widgets.Layout(min_height="1.6em"))
        self.message.add_class("meia-message")
        #: Formulas and numbers as text (HTML): legible on a projector, readable
        #: by screen readers and by the browser tests.
        self.readout = widgets.HTML(value="", layout=widgets.Layout(min_height="1.6em"))
        self.readout.add_class("meia-readout")
        self.add_class("meia-explorer")
        self._held = 0
        self._pending = False
        self._quiet = 0

    # -- figure -------------------------------------------------------------
    def _make_figure(self, figsize=(9, 4), *, label=None, **subplot_kw):
        """Create the explorer's figure and its ipympl canvas (once)."""
        fig = Figure(figsize=figsize, dpi=100, layout=subplot_kw.pop("layout", None))
        canvas = _Canvas(fig)
        with warnings.catch_warnings():
            # ipympl's Toolbar lets traitlets call matplotlib's toolbar __init__
            # without its canvas; traitlets reports that as a DeprecationWarning.
            warnings.filterwarnings(
                "ignore", message="Passing unrecognized arguments", category=DeprecationWarning
            )
            manager = FigureManager(canvas, next(_counter))
        # A toolbar would only clutter a slide: hide it, but keep the widget,
        # because the front end builds the canvas view with its toolbar's view
        # (a canvas whose toolbar is None fails to display).
        canvas.toolbar_visible = False
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.resizable = False
        canvas.capture_scroll = False
        fig.set_label(label or type(self).__name__)
        canvas.layout = widgets.Layout(width="auto", min_height=f"{int(figsize[1] * 100)}px")
        self.fig = fig
        return fig

    @property
    def canvas(self):
        """The ipympl canvas widget holding ``fig``."""
        return self.fig.canvas

    def _layout(self, *rows):
        """Set the children: the given rows of controls, message, canvas, readout."""
        self.children = [*rows, self.message, self.fig.canvas, self.readout]

    # -- updates ------------------------------------------------------------
    def _connect(self, names=None):
        """Observe the value of the named controls (all by default) and draw once."""
        for name, control in self.controls.items():
            if names is not None and name not in names:
                continue
            if isinstance(control, (widgets.Button, widgets.FileUpload)):
                continue
            control.observe(self._on_change, names="value")
        self.refresh()

    def _on_change(self, change=None):
        if self._quiet:
            return
        if self._held:
            self._pending = True
            return
        self.refresh()

    @contextlib.contextmanager
    def hold(self):
        """Change several controls at once and redraw once, at the end.

        Inside ``with viz.hold():`` control changes are only noted; leaving the
        block runs one :meth:`refresh` if anything changed.  Explorers use it
        when one control moves others (a new kernel size changes the range of
        the step slider).
        """
        self._held += 1
        try:
            yield self
        finally:
            self._held -= 1
            if not self._held and self._pending:
                self._pending = False
                self.refresh()

    def refresh(self):
        """Recompute from the current controls and update the artists.

        An error from the core (a bad size, a kernel larger than the padded
        input...) is shown in the message area; the figure keeps its last good
        state and the kernel keeps running.
        """
        try:
            self._update()
        except (ValueError, TypeError) as exc:
            self.show_error(exc)
            return False
        else:
            self.clear_message()
            if self.fig is not None:
                self.fig.canvas.draw_idle()
            return True

    def _update(self):  # pragma: no cover - abstract
        raise NotImplementedError

    # -- messages -----------------------------------------------------------
    def show_error(self, exc):
        """Show ``exc`` (or a string) in the message area, in the palette's warning colour."""
        text = html.escape(str(exc))
        self.message.value = (
            f'<span style="color:{PALETTE["vermillion"]};font-weight:bold">&#9888; {text}</span>'
        )

    def show_info(self, text):
        self.message.value = f'<span style="color:{PALETTE["blue"]}">{html.escape(str(text))}</span>'

    def clear_message(self):
        self.message.value = ""

    @property
    def error(self):
        """The text of the message currently shown ('' when none)."""
        return _plain(self.message.value).replace("\u26a0", "").strip()

    @property
    def readout_text(self):
        """The readout as plain text (what a student reads under the figure)."""
        return _plain(self.readout.value)

    def _set_quietly(self, control, **traits):
        """Set traits of a control (a slider's ``max``, a text's ``value``) without a refresh.

        For an explorer keeping its own controls in step: handlers that
        should not react to such changes check ``self._quiet`` first.
        """
        self._quiet += 1
        try:
            for name, value in traits.items():
                setattr(control, name, value)
        finally:
            self._quiet -= 1

    # -- common controls ----------------------------------------------------
    @staticmethod
    def _int_slider(value, lo, hi, description, *, step=1, width="260px"):
        """An IntSlider with a readable label that updates while dragged."""
        return widgets.IntSlider(
            value=value, min=lo, max=hi, step=step, description=description,
            continuous_update=True, style={"description_width": "initial"},
            layout=widgets.Layout(width=width),
        )

    @staticmethod
    def _make_play(slider, *, interval=700):
        """A Play button driving ``slider`` (kernel-side link, so it also works headless)."""
        play = widgets.Play(value=slider.value, min=slider.min, max=slider.max, step=1,
                            interval=interval, description="Play",
                            layout=widgets.Layout(width="auto"))
        widgets.dlink((slider, "min"), (play, "min"))
        widgets.dlink((slider, "max"), (play, "max"))
        widgets.link((play, "value"), (slider, "value"))
        return play

    @staticmethod
    def _make_photo_dropdown(value="camera", *, names=None, description="Photo"):
        """A Dropdown of scikit-image's bundled photos (:data:`meia_cnn.data.SAMPLE_NAMES`)."""
        names = tuple(names or _data.SAMPLE_NAMES)
        if value not in names:
            raise ValueError(f"`photo` must be one of {', '.join(names)}; got {value!r}")
        return widgets.Dropdown(options=list(names), value=value, description=description,
                                layout=widgets.Layout(width="auto"))

    # -- uploads ------------------------------------------------------------
    UPLOAD_LABEL = "upload: "

    def _choose_upload(self, dropdown, name):
        """Add ``"upload: name"`` to a photo Dropdown and select it, without a refresh.

        The Dropdown then tells which picture is shown, and choosing a sample
        again (even the one chosen before the upload) brings it back.
        """
        label = f"{self.UPLOAD_LABEL}{name}"
        names = [o for o in dropdown.options if not str(o).startswith(self.UPLOAD_LABEL)]
        self._set_quietly(dropdown, options=[*names, label], value=label)
        return label

    def _make_upload(self, on_image, *, description="Upload image", grey=False, size=None):
        """A FileUpload whose file goes through :func:`meia_cnn.data.load_image`.

        ``on_image(image, name)`` is called with the decoded float image.  A bad
        file shows its error in the message area and leaves the previous
        image in place.
        """
        upload = widgets.FileUpload(
            accept="image/*", multiple=False, description=description,
            layout=widgets.Layout(width="auto"),
        )

        def handle(change):
            files = change["new"]
            if not files:
                return
            item = files[0] if isinstance(files, (tuple, list)) else next(iter(files.values()))
            name = item.get("name", "upload")
            try:
                image = _data.load_image(bytes(item["content"]), grey=grey, size=size)
                on_image(image, name)
            except (ValueError, TypeError) as exc:
                self.show_error(f"{name}: {exc}")
                return
            if self.refresh():
                self.show_info(f"Showing {name}")

        upload.observe(handle, names="value")
        return upload

    # -- lifetime -----------------------------------------------------------
    def close(self):
        """Close the controls, the canvas and the figure, freeing their memory."""
        for control in self.controls.values():
            control.close()
        if self.fig is not None:
            canvas = self.fig.canvas
            manager = getattr(canvas, "manager", None)
            if manager is not None and getattr(manager, "toolbar", None) is not None:
                manager.toolbar.close()
            canvas.close()
            self.fig.clear()
            self.fig = None
        self.message.close()
        self.readout.close()
        _close_tree(self.children)  # the rows (HBox, VBox) holding the controls
        super().close()


def format_number(value, digits=3):
    """A number as written in a grid cell: short, with a true minus sign.

    Whole numbers print without decimals; others with ``digits``
    significant digits.

    >>> format_number(4.0), format_number(-2), format_number(0.0625), format_number(12.375)
    ('4', '−2', '0.0625', '12.4')
    >>> format_number(-1e-17)
    '0'
    """
    v = float(value)
    if not np.isfinite(v):
        return "nan" if np.isnan(v) else ("∞" if v > 0 else "−∞")
    if abs(v) < 1e-12:
        return "0"
    if abs(v - round(v)) < 1e-9 and abs(v) < 1e6:
        text = str(int(round(v)))
    else:
        text = f"{v:.{digits}g}"
    return text.replace("-", "−")


def plain_axes(ax):
    """Hide ticks and tick labels of ``ax`` (keeping its frame) so drawing it costs little."""
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    return ax


def _extents(path):
    """Bounding box of a glyph path from its points (fast; Path.get_extents solves curves)."""
    v = path.vertices
    if not len(v):
        return mtransforms.Bbox([[0.0, 0.0], [0.0, 0.0]])
    return mtransforms.Bbox([v.min(axis=0), v.max(axis=0)])


class FastText:
    """Many short texts drawn as one collection of cached glyph outlines.

    A matplotlib ``Text`` lays out its glyphs on every draw (close to a
    millisecond each here); an explorer with forty numbers would miss its
    redraw budget on text alone.  The outlines of each string are computed
    once (``TextPath``) and drawn as one :class:`PathCollection`; updating
    means new paths and offsets, never new artists.

    Parameters
    ----------
    ax : Axes or Figure
        Where to draw; offsets are in ``transform`` (default ``ax.transData``,
        or ``transFigure`` on a figure).
    fontsize : float
        In points.
    weight, colour : str
    transform : Transform, optional
        For the anchor points, e.g. ``ax.transAxes`` or ``fig.transFigure``.
    ha, va, rotation : optional
        Defaults of the items' options (see :meth:`set`).

    Attributes
    ----------
    items : list of (x, y, str)
        What is written, where (tests read it).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> ax = Figure().add_subplot()
    >>> labels = FastText(ax, 10, ha="left", rotation=90)
    >>> labels.set([(0, 0, "conv1"), (1, 0, "28×28×6", {"ha": "right"})])
    >>> labels.strings, len(labels.collection.get_paths())
    (['conv1', '28×28×6'], 2)
    >>> ext = labels.collection.get_paths()[0].get_extents()  # reads upwards from its anchor
    >>> bool(ext.height > 2 * ext.width and ext.y0 > -0.5)
    True
    """

    _LIMIT = 4096  # strings kept in the cache

    def __init__(self, ax, fontsize, *, weight="normal", colour="black", zorder=5, transform=None,
                 ha="center", va="center", rotation=0.0):
        self.ax = ax
        is_figure = isinstance(ax, Figure)
        fig = ax if is_figure else ax.figure
        if transform is None:
            transform = ax.transFigure if is_figure else ax.transData
        self.prop = FontProperties(size=fontsize, weight=weight)
        ref = TextPath((0, 0), "0", prop=self.prop).vertices[:, 1]
        self._digit = (ref.min(), ref.max())
        self._line = fontsize * 1.3
        self._cache = {}
        self.colour = colour
        self.defaults = {"ha": ha, "va": va, "rotation": rotation}
        points = mtransforms.Affine2D().scale(1 / 72) + fig.dpi_scale_trans
        self.collection = PathCollection(
            [], offsets=np.zeros((0, 2)), offset_transform=transform,
            transform=points, edgecolors="none", facecolors=colour, zorder=zorder,
        )
        self.collection.set_clip_on(False)
        if is_figure:
            fig.add_artist(self.collection)
        else:
            ax.add_collection(self.collection, autolim=False)
        self.items = []

    def _path(self, text, ha, va, rotation=0.0):
        key = (text, ha, va, rotation)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        lines = text.split("\n")
        vertices, codes = [], []
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            path = TextPath((0, 0), line, prop=self.prop)
            x0, x1 = path.vertices[:, 0].min(), path.vertices[:, 0].max()  # fast: no curve solving
            dx = {"left": -x0, "center": -(x0 + x1) / 2, "right": -x1}[ha]
            vertices.append(path.vertices + (dx, -i * self._line))
            codes.append(path.codes)
        low = self._digit[0] - (len(lines) - 1) * self._line
        high = self._digit[1]
        dy = {"center": -(low + high) / 2, "bottom": -low, "top": -high, "baseline": 0.0}[va]
        if vertices:
            v = np.concatenate(vertices) + (0.0, dy)
            if rotation:  # about the anchor, counter-clockwise (matplotlib's rotation_mode="anchor")
                c, s = np.cos(np.deg2rad(rotation)), np.sin(np.deg2rad(rotation))
                v = v @ np.array([[c, s], [-s, c]])
            hit = Path(v, np.concatenate(codes))
        else:
            hit = Path(np.zeros((1, 2)), [Path.MOVETO])
        if len(self._cache) > self._LIMIT:
            self._cache.clear()
        self._cache[key] = hit
        return hit

    def set(self, items):
        """Write ``items``: ``(x, y, text)`` or ``(x, y, text, options)``.

        ``options`` may hold ``ha`` ('left', 'center', 'right'), ``va``
        ('top', 'center', 'bottom', 'baseline'), ``rotation`` (degrees,
        counter-clockwise) and ``colour``.  Alignment is that of the
        unrotated text on its anchor; the text then turns about the anchor
        (``ha="left", va="center", rotation=90``: a label reading upwards
        from the anchor, centred on it across).  Missing options take the
        defaults given to the constructor.
        """
        paths, offsets, colours = [], [], []
        self.items = []
        defaults = self.defaults
        for item in items:
            x, y, text = item[:3]
            opts = item[3] if len(item) > 3 else {}
            self.items.append((x, y, text))
            if not text:
                continue
            paths.append(self._path(text, opts.get("ha", defaults["ha"]), opts.get("va", defaults["va"]),
                                    opts.get("rotation", defaults["rotation"])))
            offsets.append((x, y))
            colours.append(opts.get("colour", self.colour))
        self.collection.set_paths(paths)
        self.collection.set_offsets(np.array(offsets, dtype=float).reshape(-1, 2))
        self.collection.set_facecolors(colours or [self.colour])

    @property
    def strings(self):
        """The texts written, in order."""
        return [text for _, _, text in self.items]

    def set_visible(self, visible):
        self.collection.set_visible(visible)

    def get_visible(self):
        return self.collection.get_visible()


class PathText(FastText):
    """A line (or a few lines) of text drawn as glyph outlines, cheap to redraw.

    Matplotlib rasterises every glyph of every Text artist again on each draw
    (about 0.1 ms a glyph); a PathText is one
    :class:`~matplotlib.collections.PathCollection` whose outlines are built
    once per string (cached), so redrawing it costs almost nothing.  Use it
    for titles and labels that an explorer redraws on every update.

    A PathText is a :class:`FastText` holding one string, with the interface
    of a Text (``set_text``, ``get_text``, colour, visibility) and the block
    layout of matplotlib's texts: lines ``linespacing`` apart, 'left' on the
    pen's origin, 'bottom' under the descenders, 'top' on the capitals.

    Parameters
    ----------
    parent : Axes or Figure
    x, y : float
        The anchor, in ``transform`` coordinates (default: axes or figure fraction).
    text : str
        Lines separated by ``"\\n"``.
    ha : {'left', 'center', 'right'}
    va : {'baseline', 'bottom', 'center', 'top'}
        Alignment of the whole block on the anchor.
    offset : (float, float)
        A shift of the anchor, in points.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure()
    >>> label = PathText(fig, 0.5, 0.9, "G = 4", ha="center")
    >>> label.set_text("G = 5\\nsecond line")
    >>> label.get_text(), len(fig.findobj(PathCollection))
    ('G = 5\\nsecond line', 1)
    """

    _LIMIT = 512

    def __init__(self, parent, x, y, text="", *, transform=None, fontsize=None, color="black",
                 ha="left", va="baseline", weight="normal", offset=(0.0, 0.0), zorder=5,
                 linespacing=1.25):
        if transform is None:
            transform = parent.transFigure if isinstance(parent, Figure) else parent.transAxes
        super().__init__(parent, fontsize or FONT["label"], weight=weight, colour=color, zorder=zorder,
                         transform=transform, ha=ha, va=va)
        self.x, self.y = x, y
        self.ha, self.va = ha, va
        self.offset = offset
        self.linespacing = linespacing
        self._text = None
        self.collection.set_offsets(np.array([[x, y]], dtype=float))
        self.set_text(text)

    def _path(self, text, ha=None, va=None, rotation=0.0):
        # one string, one alignment: the block's own layout (self.ha, self.va, self.offset)
        hit = self._cache.get(text)
        if hit is not None:
            return hit
        if len(self._cache) > self._LIMIT:
            self._cache.clear()
        size = self.prop.get_size_in_points()
        step = size * self.linespacing
        vertices, codes, widths = [], [], []
        for n, line in enumerate(text.split("\n")):
            if not line.strip():
                widths.append(0.0)
                continue
            path = TextPath((0, -n * step), line, prop=self.prop)
            ext = _extents(path)
            widths.append(ext.x1)
            vertices.append((path.vertices, ext.x1))
            codes.append(path.codes)
        lines = max(1, len(text.split("\n")))
        if not vertices:
            hit = self._cache[text] = Path(np.zeros((1, 2)), [Path.MOVETO])
            return hit
        width = max(widths)
        shifted = []
        for v, w in vertices:  # each line aligned on its own in the block
            dx = {"left": 0.0, "center": (width - w) / 2, "right": width - w}[self.ha]
            shifted.append(v + (dx, 0.0))
        v = np.concatenate(shifted)
        dx = {"left": 0.0, "center": -width / 2, "right": -width}[self.ha]
        cap = size * 0.73  # digits' and capitals' height in DejaVu Sans
        bottom = -(lines - 1) * step
        dy = {"baseline": 0.0, "bottom": -bottom + size * 0.24, "top": -cap,
              "center": -(cap + bottom) / 2}[self.va]
        v = v + (dx + self.offset[0], dy + self.offset[1])
        hit = self._cache[text] = Path(v, np.concatenate(codes))
        return hit

    def set_text(self, text):
        text = str(text)
        if text != self._text:
            self._text = text
            self.set([(self.x, self.y, text)] if text.strip() else [])

    def get_text(self):
        return self._text

    def set_color(self, color):
        self.colour = color
        self.collection.set_facecolor(color)

    def get_color(self):
        return self.collection.get_facecolor()[0]


def set_title(ax, text="", *, loc="left", fontsize=None, pad=5.0, **kwargs):
    """A title above ``ax``, drawn as a :class:`PathText` (update it with ``set_text``).

    Matplotlib's own titles measure the axes' ticks on every draw to place
    themselves (several ms per axes) and rasterise their glyphs again; this
    one sits at a fixed place and costs almost nothing to redraw.
    """
    x = {"left": 0.0, "center": 0.5, "right": 1.0}[loc]
    return PathText(ax, x, 1.0, text, ha=loc, va="bottom", fontsize=fontsize or FONT["label"],
                    offset=(0.0, pad), **kwargs)


def add_window(ax, *, colour=None, linewidth=3.0, zorder=4, **kwargs):
    """A hollow rectangle on ``ax`` that marks a window; move it with ``set_xy``."""
    patch = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=colour or PALETTE["orange"],
                      linewidth=linewidth, zorder=zorder, **kwargs)
    ax.add_patch(patch)
    return patch


class _Outlines:
    """Outlines of short strings (numbers) in points, centred on (0, 0), cached."""

    _LIMIT = 4096

    def __init__(self, fontsize):
        self.prop = FontProperties(size=fontsize)
        ref = _extents(TextPath((0, 0), "0", prop=self.prop))
        self._y_centre = (ref.y0 + ref.y1) / 2  # digits' middle: every number sits alike
        self.height = ref.y1 - ref.y0
        self._cache = {}

    def get(self, text):
        hit = self._cache.get(text)
        if hit is None:
            if len(self._cache) > self._LIMIT:
                self._cache.clear()
            path = TextPath((0, 0), text, prop=self.prop)
            ext = _extents(path)
            vertices = path.vertices - ((ext.x0 + ext.x1) / 2, self._y_centre)
            hit = self._cache[text] = (Path(vertices, path.codes), ext.x1 - ext.x0)
        return hit


class _CellLabel:
    """Read-only view of one cell's number (what a Text artist would report)."""

    __slots__ = ("_grid", "_index")

    def __init__(self, grid, index):
        # A weak reference: the grid keeps its labels in an object array, which
        # the garbage collector does not look into, so a strong reference back
        # would keep the grid, its axes and the whole figure alive after close().
        self._grid = weakref.proxy(grid)
        self._index = index

    def get_text(self):
        return self._grid.labels[self._index]

    def get_visible(self):
        return bool(self._grid.labels[self._index])

    def get_color(self):
        return self._grid._label_colours.get(self._index, "black")

    def get_position(self):
        return (float(self._index[1]), float(self._index[0]))


class NumberGrid:
    """A small 2-D array drawn as coloured cells with their numbers written in.

    Built once on ``ax``; :meth:`set` updates the colours and the numbers in
    place.  ``shape`` is the largest grid it will ever show: smaller arrays
    show only their cells, so changing sizes never creates artists.

    The numbers are one :class:`~matplotlib.collections.PathCollection` of
    glyph outlines (cached per string) rather than one Text artist per cell:
    a full redraw of a 9x9 grid then costs about as much as one artist, which
    keeps every explorer's update well under the 30 ms budget.  Numbers too
    wide for their cell are shrunk to fit.  Thin lines mark the cells.

    Attributes
    ----------
    image : PathCollection
        The cells, coloured through ``cmap`` (a ScalarMappable, like an
        image: ``set_clim``, ``norm``, ``get_cmap``).
    colours : masked ndarray of shape (h, w)
        What the cell colours show (masked: blank cells).
    numbers : PathCollection
        The numbers drawn (one path per visible number).
    lines : LineCollection
        The cell borders.
    labels : ndarray of str, shape ``shape``
        The text in every cell ('' where nothing is written).
    values : ndarray of float
        The array last given to :meth:`set`.
    texts : ndarray of objects
        Per cell, an object answering ``get_text()``, ``get_visible()`` and
        ``get_color()`` (compatibility with grids made of Text artists).

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> grid = NumberGrid(Figure().add_subplot(), (3, 3), fmt=format_number)
    >>> grid.set([[1, -2], [0.5, 4]], hide=[[False, False], [False, True]])
    >>> grid.labels.tolist()
    [['1', '−2', ''], ['0.5', '', ''], ['', '', '']]
    >>> len(grid.numbers.get_paths()), len(grid.image.get_paths())
    (3, 4)
    >>> grid.texts[0, 1].get_text(), grid.colours.mask.tolist()
    ('−2', [[False, False], [False, True]])
    """

    def __init__(self, ax, shape, *, cmap=CMAP_SIGNED, fmt="{:.0f}", fontsize=None,
                 vmin=None, vmax=None, symmetric=False):
        self.ax = ax
        self.shape = tuple(int(n) for n in shape)
        self.fmt = fmt
        self.fontsize = fontsize or FONT["cell"]
        # the cells: one square path each, coloured through a colour map (the
        # collection is a ScalarMappable like an image: set_clim, norm, cmap);
        # much cheaper to draw than an image resampled to the screen
        self._cells = [[Path([(c - 0.5, r - 0.5), (c + 0.5, r - 0.5), (c + 0.5, r + 0.5),
                              (c - 0.5, r + 0.5), (c - 0.5, r - 0.5)], closed=True)
                        for c in range(self.shape[1])] for r in range(self.shape[0])]
        self.image = PathCollection([], offsets=None, cmap=cmap, edgecolors="none",
                                    antialiaseds=False, zorder=1)
        self.image.set_transform(ax.transData)
        self.image.set_clim(vmin, vmax)
        ax.add_collection(self.image, autolim=False)
        ax.set_aspect("equal", adjustable="box")
        self.colours = np.ma.masked_all((0, 0))
        self._fixed = vmin is not None and vmax is not None
        self.symmetric = symmetric
        self._outlines = _Outlines(self.fontsize)
        points = mtransforms.Affine2D().scale(1 / 72) + ax.figure.dpi_scale_trans
        self.numbers = PathCollection(
            [], offsets=np.zeros((0, 2)), offset_transform=ax.transData, transform=points,
            edgecolors="none", facecolors="black", zorder=3,
        )
        ax.add_collection(self.numbers, autolim=False)
        self.lines = LineCollection([], colors=PALETTE["grey"], linewidths=0.6, zorder=2,
                                    clip_on=False)
        ax.add_collection(self.lines, autolim=False)
        self.labels = np.full(self.shape, "", dtype=object)
        self._label_colours = {}
        self.values = np.zeros((0, 0))
        self.texts = np.empty(self.shape, dtype=object)
        for index in np.ndindex(*self.shape):
            self.texts[index] = _CellLabel(self, index)
        ax.set_axis_off()  # the cell lines frame the grid; no ticks or spines to draw

    def set_visible(self, visible):
        """Show or hide the whole grid (colours, numbers, lines)."""
        for artist in (self.image, self.numbers, self.lines):
            artist.set_visible(visible)

    def _format(self, v):
        return self.fmt(v) if callable(self.fmt) else self.fmt.format(v)

    def _cell_points(self, h, w):
        """The side of one cell in points (the axes' box is fixed once laid out)."""
        pos = self.ax.get_position()
        fw, fh = self.ax.figure.get_size_inches()
        return min(pos.width * fw * 72 / w, pos.height * fh * 72 / h)

    def set(self, values, *, colours=None, show_numbers=True, hide=None):
        """Show ``values`` (at most ``shape``), coloured by ``colours`` if given.

        Parameters
        ----------
        values : array_like of shape (h, w)
            The numbers written in the cells.
        colours : array_like of shape (h, w), optional
            What the cell colours encode (default: ``values``).
        show_numbers : bool
            Write the numbers (False: colours only).
        hide : array_like of bool, shape (h, w), optional
            Cells left blank (no colour, no number), e.g. outputs not computed yet.
        """
        values = np.asarray(values, dtype=float)
        if values.ndim != 2:
            raise ValueError(f"a number grid shows 2-D arrays, got shape {values.shape}")
        h, w = values.shape
        if h > self.shape[0] or w > self.shape[1]:
            raise ValueError(f"grid of shape {values.shape} does not fit in {self.shape}")
        data = values if colours is None else np.asarray(colours, dtype=float)
        hidden = np.zeros((h, w), bool) if hide is None else np.asarray(hide, dtype=bool)
        shown = np.ma.masked_array(data, mask=hidden | ~np.isfinite(data))
        self.colours = shown
        self.image.set_paths([self._cells[r][c] for r in range(h) for c in range(w)])
        self.image.set_array(shown.ravel())
        if not self._fixed:
            finite = data[np.isfinite(data)]
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            if self.symmetric:  # 0 in the middle of a diverging colour map
                lo, hi = -max(abs(lo), abs(hi), 1e-12), max(abs(lo), abs(hi), 1e-12)
            if hi == lo:
                hi = lo + 1.0
            self.image.set_clim(lo, hi)
        self.ax.set_xlim(-0.5, w - 0.5)
        self.ax.set_ylim(h - 0.5, -0.5)
        xs = np.arange(w + 1) - 0.5
        ys = np.arange(h + 1) - 0.5
        segments = [((x, -0.5), (x, h - 0.5)) for x in xs] + [((-0.5, y), (w - 0.5, y)) for y in ys]
        self.lines.set_segments(segments)
        self.values = values
        self.labels[...] = ""
        self._label_colours = {}
        if not show_numbers:
            self.numbers.set_paths([])
            self.numbers.set_offsets(np.zeros((0, 2)))
            return
        rgba = self.image.get_cmap()(self.image.norm(np.ma.masked_invalid(data)))
        dark = (0.299 * rgba[..., 0] + 0.587 * rgba[..., 1] + 0.114 * rgba[..., 2]) <= 0.5
        cell = self._cell_points(h, w)
        width_room, height_room = 0.86 * cell, 0.62 * cell
        paths, offsets, colours_out = [], [], []
        for r in range(h):
            for c in range(w):
                if hidden[r, c]:
                    continue
                text = self._format(values[r, c])
                self.labels[r, c] = text
                path, width = self._outlines.get(text)
                scale = min(1.0, width_room / width if width else 1.0,
                            height_room / self._outlines.height)
                if scale < 1.0:
                    path = Path(path.vertices * scale, path.codes)
                colour = "white" if dark[r, c] else "black"
                self._label_colours[(r, c)] = colour
                paths.append(path)
                offsets.append((c, r))
                colours_out.append(colour)
        self.numbers.set_paths(paths)
        self.numbers.set_offsets(np.array(offsets, dtype=float).reshape(-1, 2))
        self.numbers.set_facecolors(colours_out or "black")


# ---------------------------------------------------------------------------
# helpers shared by the diagram explorers (1x1 convolution, inception,
# parameter sharing, template matching, architectures)
# ---------------------------------------------------------------------------
def count(n):
    """An integer with thousands separators, as printed in the readouts.

    >>> count(128049152)
    '128,049,152'
    """
    return f"{int(n):,}"


def check_range(value, name, low, high, why=""):
    """``value`` as an int in ``[low, high]``, else a ValueError naming it."""
    value = as_int(value, name, minimum=low)
    if value > high:
        reason = f" ({why})" if why else ""
        raise ValueError(f"`{name}` must be between {low} and {high}{reason}, got {value}")
    return value


class RangeSync:
    """Mixin: change a slider's range from inside an update without a second update.

    Uses the base's ``_set_quietly``: the value the slider clamps to is not
    taken for a user's change.
    """

    def _set_range(self, name, minimum, maximum):
        control = self.controls[name]
        if (control.min, control.max) == (minimum, maximum):
            return
        value = min(max(control.value, minimum), maximum)
        if minimum > control.max:  # never let min pass max on the way
            self._set_quietly(control, max=maximum, min=minimum, value=value)
        else:
            self._set_quietly(control, min=minimum, max=maximum, value=value)


def arrow(ax, start, end, *, colour=PALETTE["black"], lw=1.5):
    """A fixed arrow (a patch, not an annotation: no text to lay out)."""
    patch = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=14, color=colour, lw=lw,
                            shrinkA=0, shrinkB=0)
    ax.add_patch(patch)
    return patch


class Cuboid:
    """A volume drawn as a box in oblique projection, built once.

    The front face carries a ``rows x cols`` grid (row 0 at the top), the
    depth runs up and to the right with one slab per channel, and a *rod*
    marks one pixel through the whole depth; one *slab* of the rod can be
    emphasised (one output channel).  :meth:`set` moves every artist; none is
    created after ``__init__``.
    """

    def __init__(self, ax, colour, *, rod_colour=None, slab_colour=None):
        self.ax = ax
        face = dict(closed=True, linewidth=1.2, edgecolor=PALETTE["black"], facecolor=colour)
        self.faces = [ax.add_patch(Polygon(np.zeros((4, 2)), alpha=a, **face)) for a in (0.35, 0.6, 0.5)]
        self.grid = ax.add_collection(LineCollection([], colors=PALETTE["black"], linewidths=0.5, alpha=0.6))
        self.depth_lines = ax.add_collection(
            LineCollection([], colors=PALETTE["black"], linewidths=0.4, alpha=0.5))
        rod = dict(closed=True, linewidth=1.0, edgecolor=PALETTE["black"],
                   facecolor=rod_colour or colour, alpha=0.9)
        self.rod = [ax.add_patch(Polygon(np.zeros((4, 2)), **rod)) for _ in range(3)]
        slab = dict(closed=True, linewidth=1.6, edgecolor=PALETTE["black"],
                    facecolor=slab_colour or rod_colour or colour)
        self.slab = [ax.add_patch(Polygon(np.zeros((4, 2)), **slab)) for _ in range(3)]
        # the rod's slabs one by one, each in its own colour (values along the depth)
        self.strips = ax.add_collection(PolyCollection([], edgecolors=PALETTE["black"], linewidths=0.6))
        self.bottom_centre = (0.0, 0.0)

    @staticmethod
    def box(x0, y0, w, h, d0, d1, dvec):
        """Front, top and right faces of the box [x0, x0+w] x [y0, y0+h] x [d0, d1]."""
        dx, dy = dvec
        a = np.array([x0 + d0 * dx, y0 + d0 * dy])
        b = np.array([(d1 - d0) * dx, (d1 - d0) * dy])
        front = np.array([a, a + [w, 0], a + [w, h], a + [0, h]])
        top = np.array([a + [0, h], a + [w, h], a + [w, h] + b, a + [0, h] + b])
        side = np.array([a + [w, 0], a + [w, 0] + b, a + [w, h] + b, a + [w, h]])
        return front, top, side

    def set(self, origin, rows, cols, depth, *, cell=1.0, dvec=(0.3, 0.2), pixel=None, slab=None,
            grid=True, max_lines=64, strip_colours=None):
        """Draw a ``rows x cols x depth`` box with its front-left-bottom corner at ``origin``.

        ``pixel`` (row, col) marks a rod through the depth; ``strip_colours``
        (``depth`` RGBA colours) paints the rod slab by slab instead of in one colour.
        """
        x0, y0 = origin
        w, h = cols * cell, rows * cell
        for poly, xy in zip(self.faces, self.box(x0, y0, w, h, 0, depth, dvec)):
            poly.set_xy(xy)
        segs = []
        if grid and rows <= max_lines and cols <= max_lines:
            segs += [((x, y0), (x, y0 + h)) for x in x0 + cell * np.arange(1, cols)]
            segs += [((x0, y), (x0 + w, y)) for y in y0 + cell * np.arange(1, rows)]
        self.grid.set_segments(segs)
        dx, dy = dvec
        ks = np.arange(1, depth) if depth <= max_lines else np.array([], dtype=int)
        lines = [((x0 + k * dx, y0 + h + k * dy), (x0 + w + k * dx, y0 + h + k * dy)) for k in ks]
        lines += [((x0 + w + k * dx, y0 + k * dy), (x0 + w + k * dx, y0 + h + k * dy)) for k in ks]
        self.depth_lines.set_segments(lines)
        self.strips.set_visible(pixel is not None and strip_colours is not None)
        if pixel is None:
            for poly in self.rod + self.slab:
                poly.set_visible(False)
        else:
            r, c = pixel
            px, py = x0 + c * cell, y0 + (rows - 1 - r) * cell
            for poly, xy in zip(self.rod, self.box(px, py, cell, cell, 0, depth, dvec)):
                poly.set_xy(xy)
                poly.set_visible(True)
            if strip_colours is not None:
                verts, colours = [], []
                for k in range(depth - 1, -1, -1):  # back to front
                    _, top_k, side_k = self.box(px, py, cell, cell, k, k + 1, dvec)
                    verts += [top_k, side_k]
                    colours += [strip_colours[k], strip_colours[k]]
                front = self.box(px, py, cell, cell, 0, 1, dvec)[0]
                verts.append(front)
                colours.append(strip_colours[0])
                self.strips.set_verts(verts)
                self.strips.set_facecolors(colours)
                for poly in self.rod:
                    poly.set_visible(False)
            faces = self.box(px, py, cell, cell, slab, slab + 1, dvec) if slab is not None else (None,) * 3
            for poly, xy in zip(self.slab, faces):
                poly.set_visible(xy is not None)
                if xy is not None:
                    poly.set_xy(xy)
        self.bottom_centre = (x0 + (w + depth * dx) / 2, y0)
