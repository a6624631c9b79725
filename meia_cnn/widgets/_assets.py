"""The front-end files of the explorers, as anywidget loads them."""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["JS_DIR", "esm"]

#: Folder of the front-end files shipped with the package.
JS_DIR = Path(__file__).resolve().parent / "js"


@functools.lru_cache(maxsize=None)
def esm(name: str) -> str:
    """The ES module of one explorer: :file:`js/draw.js` followed by :file:`js/{name}`.

    anywidget loads ``_esm`` from a blob URL, where a relative ``import``
    cannot resolve (and the kit uses no bundler and no server route), so the
    shared drawing library is put in front of the explorer's own file.

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
    >>> source.startswith("// draw.js") and "export default" in source
    True
    """
    path = JS_DIR / name
    if path.parent != JS_DIR or not path.is_file():
        raise ValueError(f"`name` must be a file of {JS_DIR}, got {name!r}")
    draw = (JS_DIR / "draw.js").read_text(encoding="utf-8")
    return f"{draw}\n// ---- {name} ----\n{path.read_text(encoding='utf-8')}"
