"""The base of the browser-drawn explorers: controls, one drawing, a readout, messages.

An explorer is an :class:`ipywidgets.VBox` holding

- its controls (``.controls``, a dict of ipywidgets by name), in rows;
- a message area (``.message``) for words about a bad entry (a typed
  kernel, an upload): the drawing keeps its last good state meanwhile;
- one :class:`View`, an anywidget that draws the explorer's state as SVG
  in the browser (with :file:`js/draw.js`, the module of the one
  :class:`~meia_cnn.widgets._assets.Library` widget of the kernel) and writes the readout under it.

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
import logging
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from typing import Any, ClassVar, TypeVar

import anywidget
import ipywidgets as widgets
import traitlets

from ..explain._render import PALETTE, colours, format_number, plain_text, png_bytes
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._assets import THEME_CSS, Library, library
from ._controls import Control, build_controls, check_arguments, read_controls
from ._messages import UI_WORDS, Refusal, student_error, ui_words
from ._upload import Upload, first_upload

__all__ = [
    "PALETTE",
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
    "Refusal",
    "first_upload",
]

_log = logging.getLogger(__name__)
_T = TypeVar("_T")


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
    #: Accessible name of the whole explorer (a message id, translated when built; subclasses override).
    title: ClassVar[str] = "Explorer"
    #: The controls read by the state function, as a table (see :class:`~meia_cnn.widgets._controls.Control`).
    spec: ClassVar[tuple[Control, ...]] = ()
    #: What the step slider counts from: 1 (a step is a position, "1 of 25") or 0 (steps taken, "0 of 50").
    first_step: ClassVar[int] = 1

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
        self._caches: dict[str, Any] = {}  # name -> functools.lru_cache (see _memo)
        self._making: Callable[[], Any] | None = None
        self._said: tuple[str, str] = ("", "")  # what the message area says: ("error" | "info" | "", sentence)

    # -- building -----------------------------------------------------------
    @classmethod
    def _check(cls, **given: Any) -> dict[str, Any]:
        """The constructor's arguments checked against :attr:`spec` (for a programmer: TypeError, ValueError)."""
        return check_arguments(cls.spec, given)

    def _build(self, values: dict[str, Any]) -> None:
        """Build the controls of :attr:`spec`, set to ``values``."""
        self.controls.update(build_controls(self.spec, values))

    def _read(self) -> dict[str, Any]:
        """The values of the controls of :attr:`spec` (a :class:`Refusal` when one cannot be used)."""
        return read_controls(self.spec, self.controls)

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
                self.show_error(
                    _("Something went wrong ({error}); the last good drawing stays.").format(error=type(exc).__name__)
                )
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

    # -- one cache policy ---------------------------------------------------------
    def _memo(self, name: str, key: Hashable, make: Callable[[], _T], *, maxsize: int = 16) -> _T:
        """``make()``, kept by ``key`` in the bounded cache ``name`` (a :func:`functools.lru_cache`).

        A state, a scene or a picture seen before (a student moves back and
        forth) is not computed again; the least recently used goes first.
        ``key`` names everything ``make()`` depends on.
        """
        cache = self._caches.get(name)
        if cache is None:
            cache = self._caches[name] = functools.lru_cache(maxsize=maxsize)(self._make_now)
        self._making = make
        try:
            return cache(key)
        finally:
            self._making = None

    def _forget(self, *names: str) -> None:
        """Empty the caches ``names`` (what they hold no longer applies, e.g. after an upload)."""
        for name in names:
            self._caches.pop(name, None)

    def _make_now(self, _key: Hashable) -> Any:
        assert self._making is not None
        return self._making()

    # -- steps resolved in the browser ----------------------------------------
    def _step_controls(
        self, *, description: str = N_("Step"), interval: int = 700, width: str = "340px"
    ) -> tuple[widgets.SelectionSlider, widgets.Play]:
        """A step slider and its Play button, linked to ``view.step`` in the browser.

        The slider's value is the step's index (0, 1, ...) and its label reads
        ``"k of n"`` (counting from :attr:`first_step`, as the readout does).  Stepping never
        calls Python in the page (``jslink``); in Python the same links are
        kept by observers, so tests and notebooks see ``view.step`` follow.
        Set the number of steps with :meth:`_set_steps`.

        Returns
        -------
        (SelectionSlider, Play)
        """
        slider = widgets.SelectionSlider(
            options=[(_("{k} of {n}").format(k=1, n=1), 0)],
            description=_(description),
            continuous_update=True,
            style={"description_width": "initial"},
            layout=widgets.Layout(width=width),
        )
        play = widgets.Play(
            value=0, min=0, max=0, step=1, interval=interval, description=_("Play"), layout=widgets.Layout(width="auto")
        )
        self._links += [
            widgets.jslink((slider, "index"), (self.view, "step")),
            widgets.jslink((play, "value"), (slider, "index")),
        ]
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
            first = self.first_step
            self._set_quietly(
                slider,
                index=index,
                options=[(_("{k} of {n}").format(k=k + first, n=n - 1 + first), k) for k in range(n)],
            )
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
            self._publish_notice(
                _("Something went wrong ({error}); change a control to go on.").format(error=type(exc).__name__)
            )
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
        """Show ``exc`` (or a sentence) in the message area, as a warning (read back by :attr:`error`).

        Parameters
        ----------
        exc : BaseException or str
            The error, whose sentence in the learner's words is shown (see
            :func:`~meia_cnn.widgets._messages.student_error`), or a sentence.
        """
        self._said = ("error", student_error(exc))
        self.message.value = (
            f'<span role="alert" style="color:#B34700;font-weight:bold">&#9888; {html.escape(self._said[1])}</span>'
        )

    def show_info(self, text: str) -> None:
        """Show a sentence in the message area, as information (read back by :attr:`info`).

        Parameters
        ----------
        text : str
            A whole sentence, in the learner's language.
        """
        self._said = ("info", str(text))
        self.message.value = f'<span style="color:{PALETTE["blue"]}">{html.escape(self._said[1])}</span>'

    def clear_message(self) -> None:
        """Empty the message area."""
        self._said = ("", "")
        self.message.value = ""

    @property
    def error(self) -> str:
        """What the explorer says is wrong ('' when nothing): the warning shown, else the notice in the drawing."""
        kind, text = self._said
        return text if kind == "error" else self.view.notice

    @property
    def info(self) -> str:
        """The information the message area shows ('' when none), e.g. which upload is shown."""
        kind, text = self._said
        return text if kind == "info" else ""

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
