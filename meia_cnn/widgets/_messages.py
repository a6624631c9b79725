"""What an explorer says when something cannot be used, in the learner's language.

Two kinds of errors reach an explorer's callbacks:

- an explorer's own sentence, already in the learner's language: raised as
  :class:`Refusal` and shown as it is;
- an error of the core with a code (:class:`meia_cnn.errors.KitError`): the
  sentence :data:`SENTENCES` holds for its code, filled with its fields.

Any other error of the core is a programmer's message: shown as it is in
English, replaced by :data:`UNKNOWN_ERROR` in another language.
"""

from __future__ import annotations

from typing import Any

from ..errors import KitError
from ..i18n import TranslatedText, get_language, ngettext, ngettext_noop
from ..i18n import gettext as _
from ..i18n import gettext_noop as N_

__all__ = ["Refusal", "SENTENCES", "UNKNOWN_ERROR", "student_error", "UI_WORDS", "ui_words"]

#: The words the page writes itself (draw.js, upload.js): the Play buttons' accessible
#: names, an explorer's default name, an upload's progress.  Sent to the page in the
#: learner's language with every view (``View.words``, ``Upload.words``).
UI_WORDS = TranslatedText(
    {
        "play": N_("Play"),
        "pause": N_("Pause"),
        "stop": N_("Stop"),
        "repeat": N_("Repeat"),
        "control": N_("Play control"),
        "explorer": N_("explorer"),
        "sending": N_("Sending {name}…"),
        "bytes": N_("{n} bytes"),
        "too_large": N_("{name} is {size}: files up to {limit} can be sent. Choose a smaller picture."),
    }
)


class Refusal(ValueError):
    """An explorer's own sentence about a value it cannot use, in the learner's language."""


#: The sentence shown for each code of :mod:`meia_cnn.errors` (a singular/plural pair and the
#: field that chooses between them, where a count is written).
SENTENCES: dict[str, str | tuple[tuple[str, str], str]] = {
    "kernel_token_too_long": N_(
        "Row {row}, number {col} of the kernel is {length} characters long: type a number such as 1, −0.5, 2e-1 or 1/9."
    ),
    "kernel_not_a_number": N_(
        "Row {row}, number {col} of the kernel, '{text}', is not a number: write numbers such as 1, −0.5, 2e-1 or 1/9."
    ),
    "kernel_decimal_comma": N_(
        "Row {row} of the kernel: '{text}' has a decimal comma; write decimals with a point, '{fixed}'."
    ),
    "kernel_divides_by_zero": N_("Row {row}, number {col} of the kernel, '{text}', divides by zero."),
    "kernel_out_of_range": N_(
        "Row {row}, number {col} of the kernel is '{text}': every entry must be a finite "
        "number between {low} and {high}."
    ),
    "kernel_text_too_long": N_(
        "The kernel text is {length:,} characters long: a kernel needs far fewer (at most {most:,})."
    ),
    "kernel_row_count": (
        ngettext_noop(
            "The kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; it has {n} row.",
            "The kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; it has {n} rows.",
        ),
        "n",
    ),
    "kernel_row_length": (
        ngettext_noop(
            "The kernel must be {size} rows of {size} numbers; row {row} has {n} number.",
            "The kernel must be {size} rows of {size} numbers; row {row} has {n} numbers.",
        ),
        "n",
    ),
    "image_empty": N_("{name} is empty. Choose a picture file."),
    "image_unreadable": N_("{name} is not a picture this explorer can read: use a PNG, JPEG, GIF, BMP or TIFF file."),
    "file_unreadable": N_("{name} could not be read as a picture. Try another file."),
    "image_too_large": N_("{name} is too large to use here: choose a smaller picture."),
    "image_bad_dimensions": N_(
        "{name} is {width}×{height} pixels: a picture of that shape cannot be used (no "
        "pixels, or a side far too long). Choose another picture."
    ),
    "image_too_small": N_(
        "{name} is {width}×{height} pixels: this needs a picture of at least "
        "{need_width}×{need_height} pixels. Choose a larger picture."
    ),
    "template_constant": N_(
        "The picture has a single shade where it is cut to a template, and a template of one "
        "shade matches every place equally: choose a picture with some contrast."
    ),
}
#: Shown in place of a core error with no code (not in English).
UNKNOWN_ERROR = N_("This value cannot be used here: try another one. The last good drawing stays.")


def _sentence(code: str, params: dict[str, Any]) -> str | None:
    entry = SENTENCES.get(code)
    if entry is None:
        return None
    try:
        if isinstance(entry, tuple):
            (singular, plural), count = entry
            return ngettext(singular, plural, int(params[count])).format(**params)
        return _(entry).format(**params)
    except (KeyError, ValueError, TypeError, IndexError):  # fields that do not fit the sentence
        return None


def student_error(exc: BaseException | str) -> str:
    """What an explorer shows for an error: a whole sentence in the learner's language.

    Parameters
    ----------
    exc : BaseException or str
        The error, or an explorer's own sentence.

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
    >>> error.code, error.params
    ('kernel_row_count', {'n': 2})
    >>> student_error(error)
    'The kernel must be 3 rows of 3 numbers or 5 rows of 5 numbers; it has 2 rows.'
    >>> meia_cnn.set_language("es")
    >>> student_error(error)
    'El núcleo debe tener 3 filas de 3 números o 5 filas de 5 números; tiene 2 filas.'
    >>> student_error(ValueError("`x` must be positive, got -1"))
    'Este valor no se puede usar aquí: prueba con otro. Se mantiene el último dibujo válido.'
    >>> meia_cnn.set_language("en")
    """
    if isinstance(exc, str) or isinstance(exc, Refusal):
        return str(exc)
    if isinstance(exc, KitError):
        sentence = _sentence(exc.code, exc.params)
        if sentence is not None:
            return sentence
    return str(exc) if get_language() == "en" else _(UNKNOWN_ERROR)


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
    'Pausar'
    >>> meia_cnn.set_language("en")
    >>> ui_words()["pause"]
    'Pause'
    """
    return dict(UI_WORDS.items())
