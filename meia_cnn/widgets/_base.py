"""Shared machinery of the explorers: palette, figure, message area, upload.

Every explorer subclasses :class:`Explorer`.  The figure is a plain
:class:`matplotlib.figure.Figure` drawn on an ipympl canvas widget that the
explorer owns: it is never registered with pyplot, so building an explorer
neither changes the user's backend nor leaves a figure behind for
``%matplotlib inline`` to print, and ``close()`` frees it.

A subclass builds its controls and its artists once, then implements
``_update()``, which asks the core for numbers and updates the existing
artists (``set_data``, ``set_text``, ``set_xy``, ``set_visible``).
"""

from __future__ import annotations

import html
import itertools
import re
import warnings

import ipywidgets as widgets
import numpy as np
from ipympl.backend_nbagg import Canvas, FigureManager
from matplotlib.figure import Figure

from .. import data as _data

__all__ = [
    "PALETTE",
    "CMAP_IMAGE",
    "CMAP_VALUES",
    "CMAP_SIGNED",
    "FONT",
    "Explorer",
    "NumberGrid",
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


def _plain(markup):
    """HTML to plain text: tags dropped, entities decoded, spaces collapsed."""
    text = html.unescape(re.sub(r"<br\s*/?>|</p>|</div>|</tr>", "\n", markup))
    text = re.sub(r"<[^>]+>", "", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()


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

    # -- figure -------------------------------------------------------------
    def _make_figure(self, figsize=(9, 4), *, label=None, **subplot_kw):
        """Create the explorer's figure and its ipympl canvas (once)."""
        fig = Figure(figsize=figsize, dpi=100, layout=subplot_kw.pop("layout", None))
        canvas = Canvas(fig)
        with warnings.catch_warnings():
            # ipympl's Toolbar lets traitlets call matplotlib's toolbar __init__
            # without its canvas; traitlets reports that as a DeprecationWarning.
            warnings.filterwarnings(
                "ignore", message="Passing unrecognized arguments", category=DeprecationWarning
            )
            manager = FigureManager(canvas, next(_counter))
        manager.toolbar.close()  # a toolbar would only clutter a slide
        canvas.toolbar = None
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

    # -- uploads ------------------------------------------------------------
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
        super().close()


class NumberGrid:
    """An image of a small 2-D array with its numbers written in the cells.

    Built once on ``ax``; :meth:`set` updates the colours and the texts in
    place.  ``shape`` is the largest grid it will ever show: smaller arrays
    hide the unused cells, so changing sizes never creates artists.
    """

    def __init__(self, ax, shape, *, cmap=CMAP_SIGNED, fmt="{:.0f}", fontsize=None,
                 vmin=None, vmax=None):
        self.ax = ax
        self.shape = tuple(shape)
        self.fmt = fmt
        self.image = ax.imshow(np.zeros(self.shape), cmap=cmap, vmin=vmin, vmax=vmax,
                               interpolation="nearest")
        self._fixed = vmin is not None and vmax is not None
        fontsize = fontsize or FONT["cell"]
        self.texts = np.empty(self.shape, dtype=object)
        for (r, c) in np.ndindex(*self.shape):
            self.texts[r, c] = ax.text(c, r, "", ha="center", va="center", fontsize=fontsize)
        ax.set_xticks([])
        ax.set_yticks([])

    def set(self, values, *, colours=None, show_numbers=True):
        values = np.asarray(values, dtype=float)
        h, w = values.shape
        if h > self.shape[0] or w > self.shape[1]:
            raise ValueError(f"grid of shape {values.shape} does not fit in {self.shape}")
        shown = np.ma.masked_all(self.shape)
        shown[:h, :w] = values if colours is None else colours
        self.image.set_data(shown)
        if not self._fixed:
            finite = np.asarray(values if colours is None else colours, dtype=float)
            lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            if hi == lo:
                hi = lo + 1.0
            self.image.set_clim(lo, hi)
        self.image.set_extent((-0.5, w - 0.5, h - 0.5, -0.5))
        self.ax.set_xlim(-0.5, w - 0.5)
        self.ax.set_ylim(h - 0.5, -0.5)
        norm = self.image.norm
        cmap = self.image.get_cmap()
        for (r, c) in np.ndindex(*self.shape):
            t = self.texts[r, c]
            if r < h and c < w and show_numbers:
                v = values[r, c]
                t.set_text(self.fmt.format(v))
                t.set_visible(True)
                shade = cmap(norm(shown[r, c]))
                lum = 0.299 * shade[0] + 0.587 * shade[1] + 0.114 * shade[2]
                t.set_color("black" if lum > 0.5 else "white")
            else:
                t.set_visible(False)
