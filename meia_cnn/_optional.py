"""Optional libraries: a missing one is named with the extra of ``meia-cnn`` that installs it.

``pip install meia-cnn`` is the numpy core.  A function that needs more (the
explorers need ipywidgets and anywidget, reading an uploaded picture needs
Pillow) imports it through :func:`optional_import`, so that a missing library
gives one clear message: what needs it and the ``pip install`` line.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

__all__ = ["EXTRAS", "MissingDependencyError", "optional_import", "missing_dependency"]

#: The extra that installs each optional top-level module: ``module -> (distribution, extra)``.
EXTRAS = {
    "PIL": ("Pillow", "widgets"),
    "ipywidgets": ("ipywidgets", "widgets"),
    "anywidget": ("anywidget", "widgets"),
    "traitlets": ("ipywidgets", "widgets"),
    "matplotlib": ("matplotlib", "widgets"),
    "IPython": ("ipywidgets", "widgets"),
    "tqdm": ("tqdm", "course"),
}


class MissingDependencyError(ModuleNotFoundError):
    """An optional library is not installed; the message gives the ``pip install`` line.

    Examples
    --------
    >>> str(MissingDependencyError("PIL", "load_image"))
    'load_image needs Pillow, which is not installed: pip install "meia-cnn[widgets]"'
    """

    def __init__(self, module: str, needed_for: str) -> None:
        distribution, extra = EXTRAS[module.split(".")[0]]
        super().__init__(
            f'{needed_for} needs {distribution}, which is not installed: pip install "meia-cnn[{extra}]"', name=module
        )
        self.extra = extra


def missing_dependency(exc: ModuleNotFoundError, needed_for: str) -> MissingDependencyError | None:
    """The clear error for ``exc`` when it is about an optional library, else None.

    Parameters
    ----------
    exc : ModuleNotFoundError
        Raised by an import.
    needed_for : str
        What needs the library, e.g. ``"meia_cnn.widgets"``.

    Returns
    -------
    MissingDependencyError or None

    Examples
    --------
    >>> missing_dependency(ModuleNotFoundError("No module named 'ipywidgets'", name="ipywidgets"), "the explorers").extra
    'widgets'
    >>> missing_dependency(ModuleNotFoundError("No module named 'spam'", name="spam"), "x") is None
    True
    """
    top = (exc.name or "").split(".")[0]
    return MissingDependencyError(top, needed_for) if top in EXTRAS else None


def optional_import(module: str, needed_for: str) -> ModuleType:
    """Import ``module``; when an optional library is missing, say which extra installs it.

    Parameters
    ----------
    module : str
        The module to import, e.g. ``"PIL.Image"``.
    needed_for : str
        What needs it, for the message.

    Returns
    -------
    module

    Raises
    ------
    MissingDependencyError
        A ``ModuleNotFoundError`` naming the library and ``pip install "meia-cnn[extra]"``.

    Examples
    --------
    >>> optional_import("json", "the example").__name__
    'json'
    """
    try:
        return import_module(module)
    except ModuleNotFoundError as exc:
        clear = missing_dependency(exc, needed_for)
        if clear is None:
            raise
        raise clear from None
