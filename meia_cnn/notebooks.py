"""The course notebooks shipped with the kit: where they are, a copy for a student, a version check.

An installed kit (``pip install meia-cnn``, a JupyterHub image) carries the
notebooks as data files in ``{sys.prefix}/share/meia-cnn/notebooks`` (the
Spanish ones in ``.../notebooks/es``); a source checkout uses its own
``notebooks/`` folder.  The console script ``meia-cnn-notebooks`` copies one
language's notebooks into a student's folder and never overwrites a file
that is already there, so a student's edits survive every new start of a
server::

    meia-cnn-notebooks                 # English notebooks into ~/meia-cnn
    meia-cnn-notebooks --lang es       # Spanish notebooks into ~/meia-cnn/es
    meia-cnn-notebooks --lang es DEST  # ... into DEST

The first code cell of the index notebooks calls :func:`check_version` with
the version they were written for: silent when it matches the installed kit,
a warning in the student's language otherwise.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import site
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path

from .i18n import LANGUAGES
from .i18n import gettext as _

__all__ = ["notebooks_dir", "copy_notebooks", "check_version", "main"]

#: The folder (under a data prefix) the notebooks are installed in.
DATA_SUBDIR = Path("share") / "meia-cnn" / "notebooks"
#: The folder a student's copy goes to, under the home folder, per language (the layout of the
#: repository's notebooks/ folder, and of the `notebooks` branch nbgitpuller pulls into ~/meia-cnn).
DEFAULT_FOLDER = {"en": "meia-cnn", "es": "meia-cnn/es"}


def _candidates() -> list[Path]:
    """Where the English notebooks may be: a source checkout first, then the install prefixes."""
    checkout = Path(__file__).resolve().parent.parent / "notebooks"
    prefixes = [sysconfig.get_path("data"), sys.prefix, site.getuserbase()]
    return [checkout] + [Path(p) / DATA_SUBDIR for p in prefixes if p]


def notebooks_dir(language: str = "en") -> Path:
    """The folder holding the kit's notebooks in ``language``.

    Parameters
    ----------
    language : {"en", "es"}

    Returns
    -------
    Path
        A folder with ``00_index.ipynb`` (English) or ``00_indice.ipynb`` (Spanish) in it.

    Raises
    ------
    ValueError
        If ``language`` is not one the kit speaks.
    FileNotFoundError
        If the notebooks are neither in a source checkout nor installed.

    Examples
    --------
    >>> notebooks_dir("es").name
    'es'
    """
    if language not in LANGUAGES:
        raise ValueError(f"`language` must be one of {', '.join(map(repr, LANGUAGES))}, got {language!r}")
    for root in _candidates():
        if (root / "00_index.ipynb").is_file():
            return root if language == "en" else root / language
    raise FileNotFoundError(
        "the course notebooks are not installed; looked in " + ", ".join(str(p) for p in _candidates())
    )


def copy_notebooks(destination: str | Path, language: str = "en") -> tuple[list[Path], list[Path]]:
    """Copy the notebooks in ``language`` into ``destination``, keeping every file already there.

    Parameters
    ----------
    destination : str or Path
        The folder to fill (created when missing).
    language : {"en", "es"}

    Returns
    -------
    copied : list of Path
        The notebooks written (they were missing).
    kept : list of Path
        The notebooks left alone because ``destination`` already had them
        (a student's edits are never overwritten).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> copied, kept = copy_notebooks(folder)
    >>> len(copied) > 10, kept
    (True, [])
    >>> copied, kept = copy_notebooks(folder)
    >>> copied, len(kept) > 10
    ([], True)
    """
    source = notebooks_dir(language)
    target = Path(destination)
    target.mkdir(parents=True, exist_ok=True)
    copied, kept = [], []
    for notebook in sorted(source.glob("*.ipynb")):
        path = target / notebook.name
        if path.exists():
            kept.append(path)
            continue
        shutil.copyfile(notebook, path)
        copied.append(path)
    return copied, kept


def _changed(copy: Path, language: str) -> bool:
    """True when a student's copy differs from the shipped notebook (edited, run, or an old version)."""
    return not filecmp.cmp(copy, notebooks_dir(language) / copy.name, shallow=False)


def _installed_version() -> str:
    from . import __version__  # here, not at import: meia_cnn/__init__.py imports this module

    return __version__


def check_version(expected: str) -> None:
    """Warn (in the student's language) when the installed kit is not the version a notebook expects.

    Prints nothing when ``expected`` is the installed version.

    Parameters
    ----------
    expected : str
        The kit's version the notebook was written for.

    Examples
    --------
    >>> import meia_cnn
    >>> check_version(meia_cnn.__version__)
    >>> check_version("0.0.1")  # doctest: +ELLIPSIS
    Warning: these notebooks were written for meia-cnn 0.0.1 but meia-cnn ... is installed...
    """
    installed = _installed_version()
    if str(expected) == installed:
        return
    print(
        _(
            "Warning: these notebooks were written for meia-cnn {expected} but meia-cnn {installed} "
            "is installed. Some cells may fail or show something else. Ask for the notebooks of "
            "version {installed} (or the kit of version {expected})."
        ).format(expected=expected, installed=installed)
    )


def main(argv: Sequence[str] | None = None) -> int:
    """The ``meia-cnn-notebooks`` command: copy the notebooks for a student, never overwriting.

    Parameters
    ----------
    argv : list of str, optional
        ``[--lang {en,es}] [DEST]``; ``DEST`` defaults to ``~/meia-cnn``
        (English) or ``~/meia-cnn/es`` (Spanish).

    Returns
    -------
    int
        The exit status, 0.
    """
    parser = argparse.ArgumentParser(
        prog="meia-cnn-notebooks",
        description="Copy the meia-cnn course notebooks into a folder; files already there are kept.",
    )
    parser.add_argument("--lang", choices=LANGUAGES, default="en", help="the notebooks' language")
    parser.add_argument("destination", nargs="?", help="the folder (default: ~/meia-cnn or ~/meia-cnn/es)")
    args = parser.parse_args(argv)
    destination = Path(args.destination) if args.destination else Path.home() / DEFAULT_FOLDER[args.lang]
    copied, kept = copy_notebooks(destination, args.lang)
    changed = [path.name for path in kept if _changed(path, args.lang)]
    print(
        f"meia-cnn {_installed_version()}: {len(copied)} notebook(s) copied into {destination}, "
        f"{len(kept)} already there and kept ({len(changed)} of them differ from this version's)."
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
