"""The picture an explorer works on: a menu of pictures, an upload button, the current picture.

One component for every explorer that takes a photo: it reads an upload
with :func:`meia_cnn.data.load_image` (its refusals, with codes, become the
learner's sentences through :func:`~meia_cnn.widgets._messages.student_error`),
lets the explorer accept or refuse the picture, puts the upload in the menu
as ``"upload: <name>"`` and says what is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets
import numpy as np
from numpy.typing import NDArray

from .. import data as _data
from ..i18n import UPLOAD_PREFIX, TranslatedText, labelled_options, option_values
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_
from ._upload import Upload, first_upload

if TYPE_CHECKING:
    from ._explorer import Explorer

__all__ = ["PhotoSource", "UPLOAD_MAX_BYTES", "UPLOAD_LABEL"]

#: Largest file the page sends to the kernel, in bytes.
UPLOAD_MAX_BYTES = 8 * 1024 * 1024
#: How an upload is named in a menu of pictures.
UPLOAD_LABEL = UPLOAD_PREFIX

TEXT = TranslatedText(
    {
        "upload_image": N_("Upload image"),
        "showing": N_("Showing {name}."),
    }
)


class PhotoSource:
    """An explorer's picture: an optional menu, an upload button and the picture shown.

    Parameters
    ----------
    explorer : Explorer
        The explorer that shows the picture (its messages and its refresh).
    menu : ipywidgets.Dropdown, optional
        The menu of pictures; an accepted upload joins it as ``"upload: <name>"``.
    accept : callable
        ``accept(name, image)`` keeps an uploaded picture (raise a
        :class:`ValueError` to refuse it: its sentence is shown) and may return
        the sentence saying what is shown (default: "Showing <name>.").
    load : dict, optional
        Passed to :func:`meia_cnn.data.load_image` (``grey``, ``size``, ``min_size``).
    description : str
        The upload button's text (a message id of the catalogue).

    Attributes
    ----------
    upload : Upload
        The upload button.
    uploads : int
        How many pictures were accepted (a new key for every upload).
    """

    def __init__(
        self,
        explorer: Explorer,
        *,
        accept: Callable[[str, NDArray[np.float64]], str | None],
        menu: widgets.Dropdown | None = None,
        load: dict[str, Any] | None = None,
        description: str = TEXT.english("upload_image"),
    ) -> None:
        self._explorer = explorer
        self._accept = accept
        self.menu = menu
        self._load = dict(load or {})
        self.uploads = 0
        self.upload = Upload(_(description), accept="image/*", max_bytes=UPLOAD_MAX_BYTES)
        self.upload.observe(explorer._guard(self._on_upload), names="value")
        self.upload.on_refused(explorer._guard(explorer.show_error))

    def _on_upload(self, change: Any) -> None:
        upload = first_upload(change)
        if upload is None:
            return
        name, content = upload
        name = name[:80]
        explorer = self._explorer
        try:
            image = _data.load_image(content, name=name, **self._load)
            said = self._accept(name, image)
        except (ValueError, TypeError) as exc:
            explorer.show_error(exc)
            return
        self.uploads += 1
        if self.menu is not None:
            label = f"{UPLOAD_LABEL}{name}"
            kept = [o for o in option_values(self.menu.options) if not str(o).startswith(UPLOAD_LABEL)]
            explorer._set_quietly(self.menu, options=labelled_options([*kept, label]), value=label)
        if explorer.refresh():
            explorer.show_info(said or TEXT["showing"].format(name=name))

    def close(self) -> None:
        """Close the upload button."""
        self.upload.close()
