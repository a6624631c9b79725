"""The language of the text the kit shows: English (the default) or Spanish.

One switch for a whole session::

    import meia_cnn
    meia_cnn.set_language("es")

or, before Python starts, the environment variable ``MEIA_CNN_LANG=es``
(``es_MX.UTF-8``, ``es-419`` and the like also mean Spanish).  The switch
affects the text the kit shows *after* the call: explorers built afterwards,
exercise feedback and hints, progress bars, deck titles.  Exceptions raised
by the core API stay in English (they are for programmers and searchable).

The translations are gettext catalogues of the ``meia_cnn`` domain in
``meia_cnn/locale/<language>/LC_MESSAGES/``, managed with Babel
(``make messages`` extracts, updates and compiles them).  Modules mark their
learner-facing strings with the functions of this module:

* :func:`gettext` (also imported as ``_``) for a whole sentence shown now;
* :func:`ngettext` for a sentence with a count (Spanish and English have
  different plural rules only by coincidence: never build plurals by hand);
* :func:`pgettext` when one English word needs two translations;
* :func:`lazy_gettext` / :func:`lazy_ngettext` for module-level constants,
  which are translated each time they are turned into text, so a constant
  defined at import time follows a later :func:`set_language`.

Mark whole sentences with named placeholders (``"{value} is too large"``),
never sentences assembled from fragments: word order differs between the
languages.

Examples
--------
>>> from meia_cnn import i18n
>>> previous = i18n.get_language()
>>> i18n.set_language("es")
>>> i18n.get_language()
'es'
>>> str(i18n.TERMS["stride"])
'paso'
>>> i18n.set_language("en")
>>> str(i18n.TERMS["stride"])
'stride'
>>> i18n.set_language(previous)
"""

from __future__ import annotations

import contextlib
import gettext as _gettext
import os
from collections import UserString
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

__all__ = [
    "DOMAIN",
    "ENV_VAR",
    "LANGUAGES",
    "LOCALE_DIR",
    "LazyString",
    "OPTION_LABELS",
    "TERMS",
    "TranslatedText",
    "UPLOAD_PREFIX",
    "count_text",
    "format_count",
    "get_language",
    "gettext",
    "gettext_noop",
    "lazy_gettext",
    "lazy_ngettext",
    "labelled_options",
    "ngettext",
    "option_label",
    "option_values",
    "ngettext_noop",
    "register_option_labels",
    "pgettext",
    "set_language",
    "using_language",
    "_",
]

#: The gettext domain of the package's messages.
DOMAIN = "meia_cnn"
#: Where the compiled catalogues live: ``LOCALE_DIR/<language>/LC_MESSAGES/meia_cnn.mo``.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: The environment variable read when no language was set in Python.
ENV_VAR = "MEIA_CNN_LANG"
#: The languages the kit speaks; the first one is the default.
LANGUAGES = ("en", "es")

_language: str | None = None  # None: not set in Python yet, read ENV_VAR


def _normalise(code: str) -> str | None:
    """``"es_MX.UTF-8"`` -> ``"es"``; None when the code is not one of :data:`LANGUAGES`."""
    base = code.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return base if base in LANGUAGES else None


def set_language(language: str) -> None:
    """Choose the language of the text the kit shows from now on.

    Parameters
    ----------
    language : {"en", "es"}
        ``"es"`` for Spanish, ``"en"`` for English (the default).  Locale
        spellings such as ``"es_MX"`` or ``"es-419"`` are accepted.

    Raises
    ------
    ValueError
        If ``language`` is not English or Spanish.

    Examples
    --------
    >>> import meia_cnn
    >>> meia_cnn.set_language("es")
    >>> meia_cnn.i18n.get_language()
    'es'
    >>> meia_cnn.set_language("en")
    """
    global _language
    if not isinstance(language, str):
        raise TypeError(f"`language` must be a str such as 'es' or 'en', got {type(language).__name__}")
    normalised = _normalise(language)
    if normalised is None:
        raise ValueError(f"`language` must be one of {', '.join(map(repr, LANGUAGES))}, got {language!r}")
    _language = normalised


@contextlib.contextmanager
def using_language(language: str) -> Iterator[str]:
    """Speak ``language`` inside a ``with`` block; the language in force before comes back after it.

    Parameters
    ----------
    language : {"en", "es"}
        As for :func:`set_language`.

    Yields
    ------
    language : str
        The language in force in the block (``"en"`` or ``"es"``).

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> with i18n.using_language("es"):
    ...     i18n.gettext("stride")
    'paso'
    >>> i18n.gettext("stride")
    'stride'
    """
    global _language
    previous = _language
    set_language(language)
    try:
        yield get_language()
    finally:
        _language = previous


def get_language() -> str:
    """The language in force: the last :func:`set_language`, else ``MEIA_CNN_LANG``, else English.

    An unknown value of ``MEIA_CNN_LANG`` means English.

    Returns
    -------
    language : str
        ``"en"`` or ``"es"``.

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> i18n.get_language() in i18n.LANGUAGES
    True
    """
    if _language is not None:
        return _language
    return _normalise(os.environ.get(ENV_VAR, "")) or LANGUAGES[0]


@cache
def _translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``language`` (English: the messages themselves)."""
    if language == LANGUAGES[0]:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True)


def gettext(message: str) -> str:
    """``message`` in the current language (itself when it has no translation).

    Parameters
    ----------
    message : str
        A whole sentence (or a label) in English, as written in the source.

    Returns
    -------
    text : str

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> i18n.set_language("es")
    >>> i18n.gettext("stride")
    'paso'
    >>> i18n.gettext("A sentence nobody translated.")
    'A sentence nobody translated.'
    >>> i18n.set_language("en")
    """
    return _translations(get_language()).gettext(message)


#: The usual short name, so extraction tools and readers recognise marked strings.
_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a sentence with a count ``n`` in the current language.

    Parameters
    ----------
    singular, plural : str
        The English sentence for one and for several; format the count in
        afterwards (``.format(count=n)``).
    n : int
        The count that chooses the form.

    Returns
    -------
    text : str

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> i18n.set_language("es")
    >>> i18n.ngettext("{count} filter", "{count} filters", 3).format(count=3)
    '3 filtros'
    >>> i18n.set_language("en")
    >>> i18n.ngettext("{count} filter", "{count} filters", 1).format(count=1)
    '1 filter'
    """
    return _translations(get_language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, for one ``context`` among several uses of the word.

    Parameters
    ----------
    context : str
        A short tag telling translators where the word is used.
    message : str

    Returns
    -------
    text : str

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> i18n.pgettext("somewhere", "A message nobody translated.")
    'A message nobody translated.'
    """
    return _translations(get_language()).pgettext(context, message)


class LazyString(UserString):
    """A message translated each time it is used as text.

    For module-level constants (labels, titles) defined before the user
    chooses a language.  It behaves as a ``str`` for formatting,
    concatenation and comparison; pass ``str(lazy)`` where a real ``str``
    is required (for instance a widget trait).

    Parameters
    ----------
    singular : str
        The English message.
    plural : str, optional
        The English plural, for a message with a count.
    n : int, optional
        The count choosing between ``singular`` and ``plural``.

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> i18n.set_language("en")
    >>> title = i18n.lazy_gettext("feature map")
    >>> i18n.set_language("es")
    >>> f"{title}"
    'mapa de características'
    >>> i18n.set_language("en")
    >>> str(title)
    'feature map'
    """

    def __init__(self, singular: str, plural: str | None = None, n: int = 1) -> None:
        # No call to UserString.__init__: ``data`` is computed on every access.
        self._singular = singular
        self._plural = plural
        self._n = n

    @property
    def data(self) -> str:  # type: ignore[override]
        if self._plural is None:
            return gettext(self._singular)
        return ngettext(self._singular, self._plural, self._n)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._singular!r})"

    def __hash__(self) -> int:
        return hash(self.data)

    def __reduce__(self) -> tuple[type[LazyString], tuple[str, str | None, int]]:
        return type(self), (self._singular, self._plural, self._n)


def lazy_gettext(message: str) -> LazyString:
    """``message``, translated when it is used rather than now (for module-level constants).

    Parameters
    ----------
    message : str

    Returns
    -------
    lazy : LazyString

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> LABEL = i18n.lazy_gettext("padding")
    >>> i18n.set_language("es")
    >>> str(LABEL)
    'relleno'
    >>> i18n.set_language("en")
    """
    return LazyString(message)


def lazy_ngettext(singular: str, plural: str, n: int) -> LazyString:
    """:func:`ngettext`, translated when it is used rather than now.

    Parameters
    ----------
    singular, plural : str
    n : int

    Returns
    -------
    lazy : LazyString

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> label = i18n.lazy_ngettext("{count} channel", "{count} channels", 2)
    >>> i18n.set_language("es")
    >>> label.format(count=2)
    '2 canales'
    >>> i18n.set_language("en")
    """
    return LazyString(singular, plural, n)


class TranslatedText(Mapping[str, str]):
    """A module's sentences by key, each given in the current language when it is read.

    The explorers keep their learner-facing sentences in one ``TEXT`` mapping
    per module, marked for extraction with :func:`gettext_noop`; reading
    ``TEXT[key]`` translates at that moment, so a :func:`set_language` after
    import is followed, and the value is a real ``str`` (fit for a widget trait).

    Parameters
    ----------
    messages : mapping of str to str
        The English sentences.

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> TEXT = i18n.TranslatedText({"stride": i18n.gettext_noop("stride")})
    >>> i18n.set_language("es")
    >>> TEXT["stride"]
    'paso'
    >>> i18n.set_language("en")
    >>> TEXT["stride"]
    'stride'
    """

    def __init__(self, messages: Mapping[str, str]) -> None:
        self._messages = dict(messages)

    def __getitem__(self, key: str) -> str:
        message = self._messages[key]
        return gettext(message) if message else message

    def __iter__(self) -> Iterator[str]:
        return iter(self._messages)

    def __len__(self) -> int:
        return len(self._messages)

    def english(self, key: str) -> str:
        """The sentence as written in the source, whatever the language.

        Parameters
        ----------
        key : str

        Returns
        -------
        message : str
        """
        return self._messages[key]


# -- the kit's vocabulary ------------------------------------------------------------
#: The lecture's terms, as explorers label them (Spanish: the standard terms of the glossary
#: of the Spanish index).  Keys are stable English identifiers.
TERMS: Mapping[str, LazyString] = {
    "input": lazy_gettext("input"),
    "output": lazy_gettext("output"),
    "kernel": lazy_gettext("kernel"),
    "kernel size": lazy_gettext("kernel size"),
    "filters": lazy_gettext("filters"),
    "stride": lazy_gettext("stride"),
    "padding": lazy_gettext("padding"),
    "dilation": lazy_gettext("dilation"),
    "feature map": lazy_gettext("feature map"),
    "channels": lazy_gettext("channels"),
    "depth": lazy_gettext("depth"),
    "width": lazy_gettext("width"),
    "height": lazy_gettext("height"),
    "max pooling": lazy_gettext("max pooling"),
    "average pooling": lazy_gettext("average pooling"),
    "pooling window": lazy_gettext("pooling window"),
    "convolution": lazy_gettext("convolution"),
    "cross-correlation": lazy_gettext("cross-correlation"),
    "receptive field": lazy_gettext("receptive field"),
    "parameters": lazy_gettext("parameters"),
    "multiply-adds": lazy_gettext("multiply-adds"),
    "inception module": lazy_gettext("inception module"),
    "activation function": lazy_gettext("activation function"),
}


def count_text(what: str, n: int) -> str:
    """A count with its noun in the current language: ``"3 filters"``, ``"1 parámetro"``.

    Parameters
    ----------
    what : {"filter", "channel", "parameter", "multiply-add", "layer", "image", "epoch"}
        What is counted.
    n : int
        How many; written with thousands separators.

    Returns
    -------
    text : str

    Raises
    ------
    ValueError
        If ``what`` is not one of the counted things.

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> i18n.set_language("en")
    >>> i18n.count_text("parameter", 1)
    '1 parameter'
    >>> i18n.set_language("es")
    >>> i18n.count_text("parameter", 12345)
    '12\u202f345 parámetros'
    >>> i18n.set_language("en")
    """
    forms = _COUNTS.get(what)
    if forms is None:
        raise ValueError(f"`what` must be one of {', '.join(map(repr, _COUNTS))}, got {what!r}")
    return ngettext(*forms, n).format(count=format_count(n))


def format_count(n: int) -> str:
    """A whole number as the text of the current language writes it.

    English groups thousands with commas (``15,500``).  Spanish groups them
    with a narrow no-break space and leaves four digits together (``1797``,
    ``15 500``), as the RAE's *Ortografía* (2010) and the SI recommend: a
    comma or a point would read as the decimal mark in some countries.
    Code and what it prints keep Python's way (``f"{n:,}"``).

    Parameters
    ----------
    n : int

    Returns
    -------
    str

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> with i18n.using_language("es"):
    ...     i18n.format_count(1797), i18n.format_count(15500), i18n.format_count(-2048)
    ('1797', '15\u202f500', '-2048')
    >>> with i18n.using_language("en"):
    ...     i18n.format_count(15500)
    '15,500'
    """
    n = int(n)
    text = f"{n:,}"
    if get_language() == "es":
        text = text.replace(",", "\u202f") if abs(n) >= 10_000 else text.replace(",", "")
    return text


def gettext_noop(message: str) -> str:
    """Mark ``message`` for extraction without translating it yet (imported as ``N_``).

    For constants translated later with :func:`gettext` at the place they are shown.

    Parameters
    ----------
    message : str

    Returns
    -------
    message : str
        ``message`` itself.

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> HINT = i18n.gettext_noop("stride")
    >>> i18n.set_language("es")
    >>> i18n.gettext(HINT)
    'paso'
    >>> i18n.set_language("en")
    """
    return message


def ngettext_noop(singular: str, plural: str) -> tuple[str, str]:
    """Mark a singular/plural pair for extraction without translating it yet.

    Parameters
    ----------
    singular, plural : str

    Returns
    -------
    pair : tuple of str
        ``(singular, plural)``, to be passed to :func:`ngettext` later.

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> forms = i18n.ngettext_noop("{count} layer", "{count} layers")
    >>> i18n.set_language("en")
    >>> i18n.ngettext(*forms, 2).format(count=2)
    '2 layers'
    """
    return singular, plural


_COUNTS: dict[str, tuple[str, str]] = {
    "filter": ngettext_noop("{count} filter", "{count} filters"),
    "channel": ngettext_noop("{count} channel", "{count} channels"),
    "parameter": ngettext_noop("{count} parameter", "{count} parameters"),
    "multiply-add": ngettext_noop("{count} multiply-add", "{count} multiply-adds"),
    "layer": ngettext_noop("{count} layer", "{count} layers"),
    "image": ngettext_noop("{count} image", "{count} images"),
    "epoch": ngettext_noop("{count} epoch", "{count} epochs"),
}


N_ = gettext_noop

# -- the options' labels ---------------------------------------------------------------
#: What a dropdown or a row of buttons shows for each option whose value is an English
#: identifier (an explorer's argument, a kernel preset, a photo of :data:`meia_cnn.data.SAMPLE_NAMES`),
#: as registered by the modules that own the options (:func:`register_option_labels`, called
#: when the owner is imported: :mod:`meia_cnn.kernels`, :mod:`meia_cnn.data`,
#: :mod:`meia_cnn.architectures`, the ``meia_cnn.explain`` module of each explorer).
#: The values stay the identifiers (tests, notebooks and ``controls[...].value`` use them);
#: only the label shown is translated.  English labels are the identifiers themselves, but
#: for the networks' titles.  Read-only: an identifier -> its English message.
_OPTION_LABELS: dict[str, str] = {}
OPTION_LABELS: Mapping[str, str] = MappingProxyType(_OPTION_LABELS)


def register_option_labels(labels: Mapping[str, str]) -> None:
    """Make known what a control shows for the options a module owns (call it at the module's import).

    Parameters
    ----------
    labels : mapping of str to str
        Each option's identifier and its English label, marked for extraction
        with :func:`gettext_noop`.  Registering an identifier again with the
        same label changes nothing.

    Raises
    ------
    ValueError
        If an identifier is already registered with another label (two owners
        would show one option two ways); nothing is registered then.

    Examples
    --------
    >>> from meia_cnn import i18n, kernels
    >>> i18n.OPTION_LABELS["sobel_x"]
    'sobel_x'
    >>> i18n.register_option_labels({"sobel_x": "horizontal Sobel"})
    Traceback (most recent call last):
    ...
    ValueError: option 'sobel_x' already has the label 'sobel_x', got 'horizontal Sobel'
    """
    for value, message in labels.items():
        if not isinstance(value, str) or not isinstance(message, str):
            raise TypeError(f"`labels` must map str to str, got {value!r}: {message!r}")
        known = _OPTION_LABELS.get(value, message)
        if known != message:
            raise ValueError(f"option {value!r} already has the label {known!r}, got {message!r}")
    _OPTION_LABELS.update(labels)


#: The value an uploaded picture takes in a dropdown: this prefix and the file's name.
UPLOAD_PREFIX = "upload: "
_UPLOAD_OPTION = N_("upload: {name}")


def option_label(value: object) -> str:
    """What a control shows for the option ``value``, in the current language.

    Parameters
    ----------
    value : object
        The option's value: an identifier of :data:`OPTION_LABELS` (known
        once its owner is imported), an uploaded picture
        (``"upload: <file name>"``), or anything else (shown as it is written).

    Returns
    -------
    label : str

    Examples
    --------
    >>> from meia_cnn import i18n, kernels
    >>> i18n.set_language("es")
    >>> i18n.option_label("box blur"), i18n.option_label("upload: cat.png"), i18n.option_label(3)
    ('desenfoque de caja', 'tu imagen: cat.png', '3')
    >>> i18n.set_language("en")
    >>> i18n.option_label("box blur")
    'box blur'
    """
    if isinstance(value, str):
        message = OPTION_LABELS.get(value)
        if message is not None:
            return gettext(message)
        if value.startswith(UPLOAD_PREFIX):
            return gettext(_UPLOAD_OPTION).format(name=value[len(UPLOAD_PREFIX) :])
    return str(value)


def labelled_options(values: Iterable[Any]) -> list[tuple[str, Any]]:
    """``(label, value)`` pairs for an ipywidgets selection: translated labels, the values unchanged.

    Parameters
    ----------
    values : iterable
        The options' values (identifiers of :data:`OPTION_LABELS`, uploads, numbers).

    Returns
    -------
    list of (str, object)

    Examples
    --------
    >>> from meia_cnn import data, i18n
    >>> i18n.set_language("es")
    >>> i18n.labelled_options(["coins", "moon"])
    [('monedas', 'coins'), ('luna', 'moon')]
    >>> i18n.set_language("en")
    """
    return [(option_label(v), v) for v in values]


def option_values(options: Iterable[Any]) -> list[Any]:
    """The values of a selection's ``options`` (given as values or as ``(label, value)`` pairs).

    Parameters
    ----------
    options : iterable
        A control's ``.options``.

    Returns
    -------
    list

    Examples
    --------
    >>> from meia_cnn import i18n
    >>> i18n.option_values([("máximo", "max"), ("promedio", "average")]), i18n.option_values(["a", "b"])
    (['max', 'average'], ['a', 'b'])
    """
    return [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in options]
