"""The base of the browser-drawn explorers: controls, one drawing, a readout, messages.

An explorer is an :class:`ipywidgets.VBox` holding

- its controls (``.controls``, a dict of ipywidgets by name), in rows;
- a message area (``.message``) for words about a bad entry (a typed
  kernel, an upload): the drawing keeps its last good state meanwhile;
- one :class:`View`, an anywidget that draws the explorer's state as SVG
  in the browser (with :file:`js/draw.js`, the module of the one
  :class:`Library` widget of the kernel) and writes the readout under it.

Python is the source of truth.  A pure function of the core (e.g.
:func:`meia_cnn.explain.stride_padding.stride_padding_state`) computes a
frozen dataclass from the controls: the explorer's ``.state``.  The explorer
turns it into a *scene* (JSON: numbers already formatted, colours as
``"#rrggbb"``, the readout as HTML) and sends it with one ``version`` bump,
so the page never draws half an update.  Pictures travel as PNG bytes in
:class:`~traitlets.Bytes` traits, set only when the picture changes.

Small discrete controls (a step slider) are resolved in the browser: the
scene holds every step (``scene["steps"][i]``, with its readout), and the
slider is linked to the view's ``step`` trait in the front end
(:func:`ipywidgets.jslink`), so stepping costs no round trip and still works
in a static export.  See :meth:`Explorer._step_controls`.

A subclass implements :meth:`Explorer._compute` (controls -> state; a
:class:`ValueError` there shows its message in place of the drawing, the
last good state stays) and :meth:`Explorer._scene` (state -> scene and
pictures).  No callback exception ever escapes: :meth:`Explorer._guard`.
"""

from __future__ import annotations

import contextlib
import functools
import html
import io
import logging
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets
from numpy.typing import ArrayLike

from ..data import MAX_BYTES
from ..i18n import TranslatedText, get_language, ngettext, ngettext_noop
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_

__all__ = [
    "PALETTE",
    "JS_DIR",
    "esm",
    "THEME_CSS",
    "Library",
    "library",
    "View",
    "Upload",
    "Explorer",
    "colours",
    "png_bytes",
    "plain_text",
    "format_number",
    "UI_WORDS",
    "ui_words",
    "student_error",
]

#: Okabe & Ito's colour-blind-safe palette, the one palette of the kit (the page gets it through
#: :class:`Library`; its theme's ink for text and lines comes from :data:`THEME_CSS`).
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
    "light": "#ececec",
}
#: Folder of the front-end files shipped with the package.
JS_DIR = Path(__file__).resolve().parent / "js"
#: zlib level of the PNG pictures: fast to encode, a little larger.
PNG_COMPRESS_LEVEL = 1

_log = logging.getLogger(__name__)

#: The words the page writes itself (draw.js, upload.js): the Play buttons' accessible
#: names, an explorer's default name, an upload's progress.  Sent to the page in the
#: learner's language with every view (``View.words``, ``Upload.words``).
UI_WORDS = TranslatedText({
    "play": N_("Play"),
    "pause": N_("Pause"),
    "stop": N_("Stop"),
    "repeat": N_("Repeat"),
    "control": N_("Play control"),
    "explorer": N_("explorer"),
    "sending": N_("Sending {name}…"),
    "bytes": N_("{n} bytes"),
    "too_large": N_("{name} is {size}: files up to {limit} can be sent. Choose a smaller picture."),
})

# -- the core's errors in a student's words --------------------------------------------
# The core's exceptions stay in English (they are for programmers); an explorer shows the
# learner a whole sentence in the learner's language instead.  Each row: a pattern of the
# core's message (its numbers captured by name) and the sentence shown, or a singular/plural
# pair and the captured count that chooses between them.
_CORE_ERRORS: tuple[tuple[re.Pattern[str], str | tuple[str, str], str], ...] = tuple(
    (re.compile(pattern), message, count) for pattern, message, count in (
        # a kernel typed as text (meia_cnn.kernels.parse_kernel)
        (r"^kernel row (?P<row>\d+), number (?P<col>\d+) is (?P<length>[\d,]+) characters long",
         N_("Row {row}, number {col} of the kernel is {length} characters long: type a number such as "
            "1, −0.5, 2e-1 or 1/9."), ""),
        (r"^kernel row (?P<row>\d+), number (?P<col>\d+): (?P<text>'.*') is not a number",
         N_("Row {row}, number {col} of the kernel, {text}, is not a number: write numbers such as "
            "1, −0.5, 2e-1 or 1/9."), ""),
        (r"^kernel row (?P<row>\d+), number (?P<col>\d+): (?P<text>'.*') divides by zero",
         N_("Row {row}, number {col} of the kernel, {text}, divides by zero."), ""),
        (r"^kernel row (?P<row>\d+), number (?P<col>\d+) is (?P<text>'.*'): every entry must be a finite "
         r"number between (?P<low>\S+) and (?P<high>\S+)$",
         N_("Row {row}, number {col} of the kernel is {text}: every entry must be a finite number "
            "between {low} and {high}."), ""),
        (r"^the kernel text is (?P<length>[\d,]+) characters long: .*\(at most (?P<most>[\d,]+)\)",
         N_("The kernel text is {length} characters long: a kernel needs far fewer (at most {most})."), ""),
        (r"^the kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; got (?P<n>\d+) rows?$",
         ngettext_noop("The kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; it has {n} row.",
                       "The kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; it has {n} rows."), "n"),
        (r"^the kernel must be (?P<size>\d+) rows of \d+ numbers; row (?P<row>\d+) has (?P<n>\d+) numbers?$",
         ngettext_noop("The kernel must be {size} rows of {size} numbers; row {row} has {n} number.",
                       "The kernel must be {size} rows of {size} numbers; row {row} has {n} numbers."), "n"),
        # a picture uploaded (meia_cnn.data.load_image)
        (r" is empty \(0 bytes\)",
         N_("The file is empty: choose a picture file."), ""),
        (r" is too small: (?P<w>\d+)x(?P<h>\d+) pixels, this needs at least (?P<need_w>\d+)x(?P<need_h>\d+)",
         N_("The picture is too small: {w}×{h} pixels, and this needs at least {need_w}×{need_h}."), ""),
        (r" is too large: ",
         N_("The picture is too large to use here: choose a smaller picture."), ""),
        (r" has absurd dimensions ",
         N_("The picture's dimensions cannot be used (no pixels, or a side far too long): choose another picture."),
         ""),
        (r" is not an image that can be read| is not a readable image| could not be decoded as an image",
         N_("The file is not a picture that can be read: use a PNG, JPEG, GIF, BMP or TIFF file."), ""),
        (r"^cannot read ",
         N_("The file cannot be read: choose another one."), ""),
        # a template cut from an uploaded picture (meia_cnn.explain.template_matching)
        (r"constant where it is cut to a template|`template` must not be constant",
         N_("The picture has a single shade where it is cut to a template, and a template of one shade matches "
            "every place equally: choose a picture with some contrast."), ""),
    )
)
#: Shown in place of a core error no row of the table above describes (not in English).
_UNKNOWN_ERROR = N_("This value cannot be used here: try another one. The last good drawing stays.")


def _raised_by_widgets(exc: BaseException) -> bool:
    """Whether ``exc`` was raised by the explorers' own code (whose messages are already the learner's)."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return str(tb.tb_frame.f_globals.get("__name__", "")).startswith(__name__.rsplit(".", 1)[0])


def student_error(exc: BaseException | str, *, core: bool | None = None) -> str:
    """What an explorer shows for an error: a whole sentence in the learner's language.

    The explorers' own messages are already sentences in the learner's
    language and are shown as they are; an error of the core (English, for
    programmers) becomes the sentence of its kind in the learner's
    language.  In English the core's own words are shown.

    Parameters
    ----------
    exc : BaseException or str
        The error, or its message.
    core : bool, optional
        Whether ``exc`` is an error of the core (its message in English) rather
        than one of the explorer's own sentences; by default, decided by where
        it was raised.  A message given as a str is the explorer's own unless
        ``core=True``.

    Returns
    -------
    str

    Examples
    --------
    >>> import meia_cnn
    >>> from meia_cnn.kernels import parse_kernel
    >>> try:
    ...     parse_kernel("1 2\\n3 4")
    ... except ValueError as exc:
    ...     error = exc
    >>> student_error(error)
    'the kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; got 2 rows'
    >>> meia_cnn.set_language("es")
    >>> student_error(error)
    'El núcleo debe tener 3 filas de 3 números o 5 filas de 5 números; tiene 2 filas.'
    >>> meia_cnn.set_language("en")
    """
    text = re.sub(r"\s*<[^<>]* at 0x[0-9a-fA-F]+>", "", str(exc)).strip()
    if core is None:
        core = isinstance(exc, BaseException) and not _raised_by_widgets(exc)
    if get_language() == "en" or not core:
        return text
    for pattern, message, count in _CORE_ERRORS:
        match = pattern.search(text)
        if match is None:
            continue
        fields = match.groupdict()
        if isinstance(message, tuple):
            return ngettext(*message, int(fields[count])).format(**fields)
        return _(message).format(**fields)
    return _(_UNKNOWN_ERROR)


def first_upload(change: dict[str, Any]) -> tuple[str, bytes] | None:
    """The first file of an upload control's new value, as ``(name, content)``.

    Parameters
    ----------
    change : dict
        The change an upload control's observer receives (its ``"new"`` value:
        a sequence of ``{"name", "content", ...}``).

    Returns
    -------
    (str, bytes) or None
        ``None`` when no file came (the control was cleared).

    Examples
    --------
    >>> first_upload({"new": [{"name": "cat.png", "content": b"89PNG"}]})
    ('cat.png', b'89PNG')
    >>> first_upload({"new": ()}) is None
    True
    """
    files = change["new"]
    if not files:
        return None
    item = files[0]
    return str(item.get("name", "upload")), bytes(item["content"])


def upload_error(exc: BaseException) -> str:
    """Why an uploaded file was refused, in the learner's words.

    :func:`student_error` of the core's error, without the image decoder's
    closing "cannot identify image file" and never empty.

    Parameters
    ----------
    exc : BaseException
        What reading the file raised.

    Returns
    -------
    str

    Examples
    --------
    >>> upload_error(ValueError("`data` is not a readable image: cannot identify image file"))
    '`data` is not a readable image'
    """
    text = student_error(exc, core=True)
    text = re.sub(r"[:;,]?\s*cannot identify image file\s*$", "", text).strip().rstrip(":")
    return text or _("The file cannot be read: choose another one.")


def ui_words() -> dict[str, str]:
    """:data:`UI_WORDS` in the current language, as the page receives them.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> import meia_cnn
    >>> meia_cnn.set_language("es")
    >>> ui_words()["pause"]
    'Pausa'
    >>> meia_cnn.set_language("en")
    >>> ui_words()["pause"]
    'Pause'
    """
    return dict(UI_WORDS.items())


#: An explorer's file imports the drawing library with exactly this line (names from draw.js)...
_IMPORT = re.compile(r'^import \{ (?P<names>\w+(?:, \w+)*) \} from "\./draw\.js";\n', re.MULTILINE)
#: ... and ends with this export.
_EXPORT = "export default { render };"
#: What makes an explorer's file a module anywidget can load from a blob URL: the file's body runs
#: once, with the library's exports, which the page's Library widget gives (anywidget >= 0.11).
_LOADER = """
let made = null;
export default {
  async render(props) {
    if (!props.host) throw new Error("meia-cnn's explorers need anywidget >= 0.11 (host.getWidget)");
    // the trait holds "IPY_MODEL_<id>" (ipywidgets' reference); anywidget's host names it "anywidget:<id>"
    const ref = String(props.model.get("library")).replace(/^IPY_MODEL_/, "anywidget:");
    const { exports } = await props.host.getWidget(ref);
    made = made || explorer(exports);
    return made.render(props);
  },
};
"""


@functools.lru_cache(maxsize=None)
def esm(name: str) -> str:
    """The ES module of one explorer's view, made from :file:`js/{name}`.

    The file is a module that imports the drawing library
    (``import { Draw } from "./draw.js";``) and ends with
    ``export default { render };``.  anywidget loads ``_esm`` from a blob
    URL, where a relative ``import`` cannot resolve, so the import becomes
    the library's exports, which the page's one :class:`Library` widget
    gives to every view (anywidget's ``host.getWidget``): the library is
    sent once per kernel, not with every view.

    Parameters
    ----------
    name : str
        The explorer's file in :data:`JS_DIR`, e.g. ``"stride_padding.js"``.

    Returns
    -------
    str
        The module's source.

    Examples
    --------
    >>> source = esm("stride_padding.js")
    >>> "function explorer({ Draw, Sweep })" in source and "export default" in source
    True
    >>> "function grid(" in source  # the library is not in it
    False
    """
    path = JS_DIR / name
    if path.parent != JS_DIR or not path.is_file() or name == "draw.js":
        raise ValueError(f"`name` must be a file of {JS_DIR} other than draw.js, got {name!r}")
    source = path.read_text(encoding="utf-8")
    imports = _IMPORT.findall(source)
    if len(imports) != 1 or not source.rstrip().endswith(_EXPORT):
        raise ValueError(f"{name} must import from ./draw.js once and end with `{_EXPORT}`")
    body = _IMPORT.sub("", source).rstrip()[: -len(_EXPORT)]
    return (f"// {name}, run with the exports of draw.js\nfunction explorer({{ {imports[0]} }}) {{\n{body}"
            f"return {{ render }};\n}}\n{_LOADER}")


#: The page's ink for the views, from JupyterLab's theme variables (light or dark), with fallbacks
#: for pages without them (a static deck): text, lines and arrows never a fixed black.
THEME_CSS = f"""
.meia-view, .meia-upload {{
  --meia-ink: var(--jp-content-font-color1, #1a1a1a);
  --meia-ink-strong: var(--jp-content-font-color0, #000000);
  --meia-ink-soft: var(--jp-content-font-color2, #595959);
  --meia-line: var(--jp-content-font-color1, #1a1a1a);
  --meia-paper: var(--jp-layout-color0, #ffffff);
  --meia-grid-line: {PALETTE["grey"]};
  color: var(--meia-ink);
}}
/* the architecture's table (HTML of meia_cnn.architectures): as wide as its box at most (its
   headings break rather than the table being cut), its grey rows in the theme's soft ink, its
   source line never under 12 px */
.meia-explorer table.meia-architecture {{
  --meia-ink-soft: var(--jp-content-font-color2, #595959);
  max-width: 100%;
}}
.meia-explorer table.meia-architecture :is(th, td) {{
  padding: 1px 4px !important;
}}
.meia-explorer table.meia-architecture thead th {{
  overflow-wrap: anywhere;
}}
.meia-explorer table.meia-architecture td[style*="color:#555"] {{
  color: var(--meia-ink-soft) !important;
}}
.meia-explorer table.meia-architecture caption span {{
  font-size: max(12px, 0.9em) !important;
}}
"""


class Library(anywidget.AnyWidget):
    """The drawing library of the explorers (:file:`js/draw.js`), one per kernel, never shown.

    Its module's ``initialize`` returns the library; each explorer's view
    receives it through its ``library`` trait (:func:`library`), so the
    library travels to the page once instead of with every view.

    ``palette`` : dict
        :data:`PALETTE`, the data colours the page draws with.

    Examples
    --------
    >>> library() is library(), library().palette["orange"]
    (True, '#E69F00')
    """

    _esm = (JS_DIR / "draw.js").read_text(encoding="utf-8")
    palette = traitlets.Dict().tag(sync=True)


_LIBRARY: list[Library] = []


def library() -> Library:
    """The kernel's :class:`Library` widget (made again if it was closed).

    Returns
    -------
    Library
    """
    if not _LIBRARY or _LIBRARY[0].comm is None:
        _LIBRARY[:] = [Library(palette=dict(PALETTE))]
    return _LIBRARY[0]


def format_number(value: float, digits: int = 3) -> str:
    """A number as written in a cell or a readout: short, with a true minus sign.

    Whole numbers print without decimals; others with ``digits``
    significant digits.

    Parameters
    ----------
    value : float
    digits : int
        Significant digits of a number that is not whole.

    Returns
    -------
    str

    Examples
    --------
    >>> format_number(4.0), format_number(-2), format_number(0.0625), format_number(12.375)
    ('4', '−2', '0.0625', '12.4')
    >>> format_number(-1e-17)
    '0'
    """
    return _format(float(value), int(digits))


@functools.lru_cache(maxsize=4096)
def _format(v: float, digits: int) -> str:
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("∞" if v > 0 else "−∞")
    if abs(v) < 1e-12:
        return "0"
    if abs(v) < 1e6 and abs(v - round(v)) < 1e-9:
        text = str(int(round(v)))
    else:
        text = f"{v:.{digits}g}"
    return text.replace("-", "−") if v < 0 else text


@functools.lru_cache(maxsize=16)
def _lut(name: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """A colour map as 256 RGB rows (uint8) and the same as ``"#rrggbb"`` strings."""
    import matplotlib

    rgb = (matplotlib.colormaps[name](np.linspace(0.0, 1.0, 256))[:, :3] * 255 + 0.5).astype(np.uint8)
    return rgb, tuple(f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb)


def _range(arr: np.ndarray, vmin: float | None, vmax: float | None, symmetric: bool) -> tuple[float, float]:
    finite = arr[np.isfinite(arr)]
    lo = float(vmin) if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if symmetric:
        m = max(abs(lo), abs(hi), 1e-12)
        lo, hi = -m, m
    if hi <= lo:
        hi = lo + 1.0
    return lo, hi


def _indices(arr: np.ndarray, lo: float, hi: float) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.nan_to_num(np.clip((arr - lo) / (hi - lo), 0.0, 1.0))
    return np.minimum((scaled * 255 + 0.5).astype(np.intp), 255)


def colours(values: ArrayLike, *, cmap: str = "cividis", vmin: float | None = None,
            vmax: float | None = None, symmetric: bool = False) -> list[list[str | None]]:
    """Cell colours for a grid, as ``"#rrggbb"`` (``None`` where a value is not finite).

    Parameters
    ----------
    values : (M, N) array
    cmap : str
        A matplotlib colour map: ``"cividis"`` for values >= 0, ``"PuOr_r"``
        for signed values (both colour-blind safe), ``"gray"`` for photos.
    vmin, vmax : float, optional
        The values at the ends of the map (default: the finite extremes).
    symmetric : bool
        Centre the map on 0 (signed values).

    Returns
    -------
    list of list of str or None

    Examples
    --------
    >>> colours([[0, 1]], cmap="gray")
    [['#000000', '#ffffff']]
    >>> colours([[-1, 0, 1]], cmap="PuOr_r", symmetric=True)[0][1]
    '#f7f7f6'
    """
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"`values` must be a 2-D array, got shape {arr.shape}")
    lo, hi = _range(arr, vmin, vmax, symmetric)
    names = _lut(cmap)[1]
    index = _indices(arr, lo, hi).tolist()
    ok = np.isfinite(arr).tolist()
    return [[names[i] if good else None for i, good in zip(irow, okrow)] for irow, okrow in zip(index, ok)]


def png_bytes(values: ArrayLike, *, cmap: str = "gray", vmin: float | None = None,
              vmax: float | None = None, symmetric: bool = False) -> bytes:
    """A 2-D array as PNG bytes through a colour map (for a :class:`~traitlets.Bytes` trait).

    Parameters
    ----------
    values : (M, N) array
    cmap, vmin, vmax, symmetric
        As for :func:`colours`.

    Returns
    -------
    bytes

    Examples
    --------
    >>> png_bytes([[0.0, 1.0]])[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    from PIL import Image

    arr = np.asarray(values, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"`values` must be a 2-D array, got shape {arr.shape}")
    lo, hi = _range(arr, vmin, vmax, symmetric)
    # one byte per pixel and the colour map as the palette: a third of RGB's bytes to encode
    picture = Image.fromarray(_indices(arr, lo, hi).astype(np.uint8), mode="P")
    picture.putpalette(_lut(cmap)[0].ravel().tolist())
    with io.BytesIO() as out:
        picture.save(out, format="png", compress_level=PNG_COMPRESS_LEVEL)
        return out.getvalue()


def plain_text(markup: str) -> str:
    """HTML to plain text: tags dropped, entities decoded, spaces collapsed.

    Parameters
    ----------
    markup : str

    Returns
    -------
    str

    Examples
    --------
    >>> plain_text("<div><b>G</b> = 3 &times; 3</div><div>next</div>")
    'G = 3 × 3\\nnext'
    """
    text = re.sub(r"<br\s*/?>|</p>|</div>|</tr>|</li>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip()).strip()


class View(anywidget.AnyWidget):
    """An explorer's drawing, in the browser.  Subclasses set ``_esm = esm("name.js")``.

    Traits (the whole contract between Python and the page):

    ``version`` : int
        Bumped once per Python-side change, after every other trait is set
        (in one message); the page redraws on it and only on it.
    ``scene`` : dict
        Everything to draw, JSON: numbers as the text to write, colours as
        ``"#rrggbb"``, ``"readout"`` (HTML) and ``"steps"`` (a list: what
        changes per step, each with its ``"readout"``).
    ``step`` : int
        The step shown, linked to the step slider in the browser.
    ``notice`` : str
        When not empty, the page shows this text in place of the drawing
        (an impossible combination of controls).
    ``label`` : str
        The drawing's accessible name.
    ``words`` : dict
        The words the page writes itself (:data:`UI_WORDS`), in the learner's language.
    ``library`` : Library
        The kernel's drawing library (:func:`library`), which the view's module draws with.

    A subclass adds its picture traits: ``traitlets.Bytes().tag(sync=True)``.

    Examples
    --------
    >>> from meia_cnn.widgets import StridePaddingExplorer
    >>> viz = StridePaddingExplorer(5, 3)
    >>> isinstance(viz.view, View), viz.view.version >= 1, viz.view.notice, "readout" in viz.view.scene
    (True, True, '', True)
    >>> viz.close()
    """

    _esm: ClassVar[str] = ""
    _css = THEME_CSS
    library = traitlets.Instance(Library).tag(sync=True, **widgets.widget_serialization)
    version = traitlets.Int(0).tag(sync=True)
    scene = traitlets.Dict().tag(sync=True)
    step = traitlets.Int(0).tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)
    label = traitlets.Unicode("").tag(sync=True)
    words = traitlets.Dict().tag(sync=True)

    @traitlets.default("library")
    def _library(self) -> Library:
        return library()


class Upload(anywidget.AnyWidget):
    """A file button that checks the file's size in the browser before sending it.

    A file larger than ``max_bytes`` is refused in the page with a sentence
    naming the limit (a large message would otherwise be dropped by the
    server without a word); the kernel hears of it through
    :meth:`on_refused`.  An accepted file arrives as ``value``: a tuple of one
    dict with ``name``, ``type``, ``size`` and ``content`` (a memoryview), as
    :class:`ipywidgets.FileUpload` gives it.

    Parameters
    ----------
    description : str
        The button's text.
    accept : str
        The file types offered (``"image/*"``).
    max_bytes : int
        The largest file sent to the kernel.

    Examples
    --------
    >>> upload = Upload("Your photo", max_bytes=2_000_000)
    >>> refusals = []
    >>> upload.on_refused(refusals.append)  # each sentence the page shows is kept
    >>> upload.description, upload.accept, upload.max_bytes, upload.value
    ('Your photo', 'image/*', 2000000, ())
    >>> upload.close()
    """

    _esm = esm("upload.js")
    _css = THEME_CSS
    library = traitlets.Instance(Library).tag(sync=True, **widgets.widget_serialization)
    description = traitlets.Unicode("Upload").tag(sync=True)
    accept = traitlets.Unicode("image/*").tag(sync=True)
    max_bytes = traitlets.Int(MAX_BYTES).tag(sync=True)  # the one upload limit, load_image's too
    #: The sentence the button shows when a file is too large (``{name}``, ``{size}``, ``{limit}``).
    too_large = traitlets.Unicode(UI_WORDS.english("too_large")).tag(sync=True)
    #: The other words the button writes (``sending``, ``bytes``), in the learner's language.
    words = traitlets.Dict().tag(sync=True)
    value = traitlets.Tuple()

    @traitlets.default("library")
    def _library(self) -> Library:
        return library()

    def __init__(self, description: str = "Upload", *, accept: str = "image/*",
                 max_bytes: int = MAX_BYTES, **kwargs: Any) -> None:
        kwargs.setdefault("too_large", UI_WORDS["too_large"])
        kwargs.setdefault("words", {key: UI_WORDS[key] for key in ("sending", "bytes")})
        super().__init__(description=description, accept=accept, max_bytes=max_bytes, **kwargs)
        self._refused: list[Callable[[str], None]] = []
        self.on_msg(self._on_message)

    def on_refused(self, callback: Callable[[str], None]) -> None:
        """Call ``callback(sentence)`` when the page refuses a file (too large).

        Parameters
        ----------
        callback : callable
        """
        self._refused.append(callback)

    def _on_message(self, _widget: Any, content: dict, buffers: Sequence[Any]) -> None:
        kind = content.get("kind") if isinstance(content, dict) else None
        name = str(content.get("name", "upload"))[:200] if isinstance(content, dict) else "upload"
        if kind == "file" and buffers:
            data = memoryview(bytes(buffers[0]))
            self.value = ({"name": name, "type": str(content.get("type", "")), "size": len(data),
                           "content": data},)
        elif kind == "refused":
            sentence = str(content.get("sentence", ""))[:500]
            for callback in self._refused:
                callback(sentence)


#: the widest a control may be in a row of controls: the row's width less the
#: margins ipywidgets puts on each side of a control (so nothing sticks out)
FULL_ROW = "calc(100% - 2 * var(--jp-widgets-margin))"


class Explorer(widgets.VBox):
    """Base class of the browser-drawn explorers.

    Subclasses set :attr:`view_class`, build their controls in ``__init__``
    after ``super().__init__()``, call :meth:`_layout` with the rows of
    controls, then :meth:`_listen` (which draws the first state), and
    implement :meth:`_compute` and :meth:`_scene`.

    Parameters
    ----------
    **kwargs
        Passed to :class:`ipywidgets.VBox` (e.g. ``layout``).

    Attributes
    ----------
    controls : dict of str to ipywidgets.Widget
        The controls by name; set ``.value`` to drive the explorer.
    view : View
        The drawing.
    message : ipywidgets.HTML
        Words about a bad entry; empty when all is well.
    state : frozen dataclass
        The current numbers, from the core.

    Examples
    --------
    Every explorer of :mod:`meia_cnn.widgets` is one; driven by its controls:

    >>> from meia_cnn.widgets import StridePaddingExplorer
    >>> viz = StridePaddingExplorer(5, 3)
    >>> isinstance(viz, Explorer), viz.state.output_shape
    (True, (3, 3))
    >>> viz.controls["stride"].value = 2
    >>> viz.state.output_shape, viz.error
    ((2, 2), '')
    >>> viz.close()
    """

    view_class: ClassVar[type[View]] = View
    #: Accessible name of the whole explorer (a sentence; subclasses override).
    title: ClassVar[str] = "Explorer"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.controls: dict[str, widgets.Widget] = {}
        self.message = widgets.HTML(value="", layout=widgets.Layout(min_height="1.6em"))
        self.message.add_class("meia-message")
        self.view = self.view_class(label=_(self.title), words=ui_words())
        self.view.layout = widgets.Layout(width="100%")
        self.add_class("meia-explorer")
        self.layout.max_width = "100%"
        self._state: Any = None
        self._held = 0
        self._pending = False
        self._quiet = 0
        self._links: list[Any] = []

    # -- building -----------------------------------------------------------
    def _layout(self, *rows: widgets.Widget) -> None:
        """Set the children: the rows of controls, the message area, the view."""
        for row in rows:
            if isinstance(row, widgets.HBox):
                row.layout.flex_flow = "row wrap"  # controls wrap on a narrow screen
                row.layout.max_width = "100%"
                for control in row.children:
                    if control.layout.max_width == "100%":  # a full row, less the control's own margins
                        control.layout.max_width = FULL_ROW
        self.children = [*rows, self.message, self.view]

    def _listen(self, names: Sequence[str] | None = None) -> None:
        """Recompute when the named controls (default: all but step, play, buttons, uploads) change; draw once."""
        for name, control in self.controls.items():
            if names is None and name in ("step", "play"):
                continue
            if names is not None and name not in names:
                continue
            if isinstance(control, (widgets.Button, widgets.FileUpload, Upload, widgets.Play)):
                continue
            control.observe(self._guard(self._on_change), names="value")
        self.refresh()

    def _guard(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` wrapped so that no exception escapes: it becomes a message, the last good state stays."""

        @functools.wraps(fn)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except (ValueError, TypeError) as exc:
                self.show_error(student_error(exc))
            except Exception as exc:  # noqa: BLE001 - a student never sees a traceback
                _log.exception("explorer callback failed")
                self.show_error(_("Something went wrong ({error}); the last good drawing stays.").format(
                    error=type(exc).__name__))
            return None

        return guarded

    def _on_change(self, change: Any = None) -> None:
        if self._quiet:
            return
        if self._held:
            self._pending = True
            return
        self.refresh()

    @contextlib.contextmanager
    def hold(self) -> Iterator[Explorer]:
        """Change several controls at once and recompute once, at the end.

        Yields
        ------
        Explorer
            This explorer; its state is recomputed when the ``with`` block ends.

        Examples
        --------
        >>> from meia_cnn.widgets import StridePaddingExplorer
        >>> viz = StridePaddingExplorer(3, 3)
        >>> with viz.hold():  # a 5x5 kernel alone would not fit the 3x3 input
        ...     viz.controls["kernel_size"].value = 5
        ...     viz.controls["input_size"].value = 7
        >>> viz.state.output_shape, viz.error
        ((3, 3), '')
        >>> viz.close()
        """
        self._held += 1
        try:
            yield self
        finally:
            self._held -= 1
            if not self._held and self._pending:
                self._pending = False
                self.refresh()

    def _set_quietly(self, control: widgets.Widget, **traits: Any) -> None:
        """Set traits of a control (a slider's range, a text's value) without a recompute."""
        self._quiet += 1
        try:
            for name, value in traits.items():
                setattr(control, name, value)
        finally:
            self._quiet -= 1

    # -- steps resolved in the browser ----------------------------------------
    def _step_controls(self, *, description: str = N_("Step"), interval: int = 700,
                       width: str = "340px") -> tuple[widgets.SelectionSlider, widgets.Play]:
        """A step slider and its Play button, linked to ``view.step`` in the browser.

        The slider's value is the step's index (0, 1, ...) and its label reads
        ``"k of n"`` (counting from 1, as the readout does).  Stepping never
        calls Python in the page (``jslink``); in Python the same links are
        kept by observers, so tests and notebooks see ``view.step`` follow.
        Set the number of steps with :meth:`_set_steps`.

        Returns
        -------
        (SelectionSlider, Play)
        """
        slider = widgets.SelectionSlider(
            options=[(_("{k} of {n}").format(k=1, n=1), 0)], description=_(description), continuous_update=True,
            style={"description_width": "initial"}, layout=widgets.Layout(width=width),
        )
        play = widgets.Play(value=0, min=0, max=0, step=1, interval=interval, description=_("Play"),
                            layout=widgets.Layout(width="auto"))
        self._links += [widgets.jslink((slider, "index"), (self.view, "step")),
                        widgets.jslink((play, "value"), (slider, "index"))]
        slider.observe(self._guard(self._on_step), names="index")
        play.observe(self._guard(self._on_play), names="value")
        return slider, play

    def _on_step(self, change: Any) -> None:
        index = change["new"]
        if isinstance(index, int) and self.view.step != index:
            self.view.step = index
        play = self.controls.get("play")
        if play is not None and isinstance(index, int) and play.value != index:
            self._set_quietly(play, value=index)

    def _on_play(self, change: Any) -> None:
        slider = self.controls["step"]
        value = change["new"]
        if isinstance(value, int) and 0 <= value < len(slider.options) and slider.index != value:
            slider.index = value

    def _set_steps(self, n: int) -> int:
        """Give the step slider ``n`` steps, keeping the current one if it still exists; return it."""
        slider, play = self.controls["step"], self.controls.get("play")
        current = slider.index if isinstance(slider.index, int) else 0
        index = min(max(current, 0), n - 1)
        if len(slider.options) != n:
            self._set_quietly(slider, options=[(_("{k} of {n}").format(k=k + 1, n=n), k) for k in range(n)], index=index)
            if play is not None:
                self._set_quietly(play, max=n - 1, value=index)
        return index

    @property
    def step(self) -> int:
        """The step shown (0-based; the slider's label counts from 1)."""
        return int(self.view.step)

    # -- state and drawing -------------------------------------------------------
    @property
    def state(self) -> Any:
        """The current numbers: the core's frozen dataclass for the controls."""
        return self._state

    def _compute(self) -> Any:  # pragma: no cover - abstract
        """Read the controls and return the core's state (raise ValueError in a student's words)."""
        raise NotImplementedError

    def _scene(self, state: Any) -> tuple[dict, dict]:  # pragma: no cover - abstract
        """``(scene, pictures)``: the JSON scene and a dict of Bytes traits to set (PNG)."""
        raise NotImplementedError

    def refresh(self) -> bool:
        """Recompute from the controls and send the new scene with one version bump.

        A :class:`ValueError` or :class:`TypeError` from :meth:`_compute` is
        shown in place of the drawing (``view.notice``); ``.state`` keeps the
        last good state.

        Returns
        -------
        bool
            Whether the new state is shown.
        """
        try:
            state = self._compute()
            scene, pictures = self._scene(state)
        except (ValueError, TypeError) as exc:
            self._publish_notice(student_error(exc))
            return False
        except Exception as exc:  # noqa: BLE001
            _log.exception("explorer update failed")
            self._publish_notice(_("Something went wrong ({error}); change a control to go on.").format(
                error=type(exc).__name__))
            return False
        self._state = state
        self._publish(scene, **pictures)
        self.clear_message()
        return True

    def _publish(self, scene: dict, *, step: int | None = None, **pictures: Any) -> None:
        """Send ``scene`` (and pictures that changed) in one message with a version bump.

        The view's message goes first; the step slider's new range and
        :meth:`_after_publish` (other controls kept in step) follow, so the
        page draws without waiting for them.
        """
        view = self.view
        n = len(scene.get("steps", ())) or 1
        slider = self.controls.get("step")
        if step is None and slider is not None:
            current = slider.index if isinstance(slider.index, int) else 0
            step = min(max(current, 0), n - 1)
        with view.hold_sync():
            for name, value in pictures.items():
                if getattr(view, name) != value:
                    setattr(view, name, value)
            view.scene = scene
            view.notice = ""
            if step is not None:
                view.step = int(step)
            view.version += 1
        if slider is not None:
            self._set_steps(n)
        self._after_publish()

    def _after_publish(self) -> None:
        """Keep other controls in step with the new state (e.g. disable one); after the drawing is sent."""

    def _publish_notice(self, text: str) -> None:
        with self.view.hold_sync():
            self.view.notice = text
            self.view.version += 1

    # -- readout and messages ----------------------------------------------------
    @property
    def readout_html(self) -> str:
        """The readout shown under the drawing: the scene's, then the current step's."""
        scene = self.view.scene or {}
        parts = [scene.get("readout", "")]
        steps = scene.get("steps") or []
        if steps:
            parts.append(steps[min(self.step, len(steps) - 1)].get("readout", ""))
        return "".join(parts)

    @property
    def readout_text(self) -> str:
        """The readout as plain text (what a student reads under the drawing)."""
        return plain_text(self.readout_html)

    def show_error(self, exc: BaseException | str) -> None:
        """Show ``exc`` (or a sentence) in the message area, as a warning.

        Parameters
        ----------
        exc : BaseException or str
            The error, whose message is shown (in the learner's words: see
            :func:`student_error`), or a sentence.
        """
        text = html.escape(student_error(exc) if isinstance(exc, BaseException) else str(exc))
        self.message.value = (
            f'<span role="alert" style="color:#B34700;font-weight:bold">&#9888; {text}</span>'
        )

    def show_info(self, text: str) -> None:
        """Show a sentence in the message area, as information.

        Parameters
        ----------
        text : str
            A whole sentence, in the learner's language.
        """
        self.message.value = f'<span style="color:{PALETTE["blue"]}">{html.escape(str(text))}</span>'

    def clear_message(self) -> None:
        """Empty the message area."""
        self.message.value = ""

    @property
    def error(self) -> str:
        """What the explorer says is wrong ('' when nothing): the message, else the notice."""
        text = plain_text(self.message.value).replace("\u26a0", "").strip()
        return text or self.view.notice

    # -- lifetime -------------------------------------------------------------
    def close(self) -> None:
        """Close the links, the controls, the rows, the message and the view."""
        for link in getattr(self, "_links", ()):
            link.close()
        self._links = []
        for control in getattr(self, "controls", {}).values():
            control.close()
        _close_tree(getattr(self, "children", ()))
        view = getattr(self, "view", None)
        if view is not None:
            view.close()
        super().close()


def _close_tree(children: Iterable[widgets.Widget]) -> None:
    for child in children:
        if isinstance(child, widgets.Box):
            _close_tree(child.children)
        if isinstance(child, widgets.Widget):
            child.close()
