"""A file button that checks a file's size in the page before sending it to the kernel."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import anywidget
import ipywidgets as widgets
import traitlets

from ..data import MAX_BYTES
from ._assets import THEME_CSS, Library, esm, library
from ._messages import UI_WORDS

__all__ = ["Upload", "first_upload"]


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

    def __init__(
        self, description: str = "Upload", *, accept: str = "image/*", max_bytes: int = MAX_BYTES, **kwargs: Any
    ) -> None:
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
            self.value = ({"name": name, "type": str(content.get("type", "")), "size": len(data), "content": data},)
        elif kind == "refused":
            sentence = str(content.get("sentence", ""))[:500]
            for callback in self._refused:
                callback(sentence)
