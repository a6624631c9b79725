"""How a scene writes numbers and colours: number formatting, colour maps, PNG pictures.

Private to the kit (its arguments are the arrays of states the kit built, not a caller's data).
Pure functions of numpy (and :mod:`zlib`): the scenes of :mod:`meia_cnn.explain`
use them, the explorers send what they return, and nothing here imports a
widget or a plotting library.  The colour maps are embedded as 256 RGB rows
each (:mod:`meia_cnn.explain._colour_maps`, written once from matplotlib by
:file:`scripts/make_colour_maps.py`).
"""

from __future__ import annotations

import functools
import html
import math
import re
import struct
import zlib

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._colour_maps import HEX

__all__ = [
    "PALETTE",
    "COLOUR_MAPS",
    "format_number",
    "colour_table",
    "colour_names",
    "colour_indices",
    "sample_colour_map",
    "value_range",
    "colours",
    "encode_png",
    "png_bytes",
    "plain_text",
]

#: Okabe & Ito's colour-blind-safe palette, the one palette of the kit (draw.js has the same).
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
#: The colour maps a scene may use (``"cividis"`` for values >= 0, ``"PuOr_r"`` for signed ones).
COLOUR_MAPS = tuple(HEX)
#: zlib level of the PNG pictures: fast to encode, a little larger.
PNG_COMPRESS_LEVEL = 1


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


@functools.cache  # keyed by the closed set COLOUR_MAPS (an unknown name raises)
def colour_table(name: str) -> NDArray[np.uint8]:
    """A colour map as 256 RGB rows of bytes (read-only).

    Parameters
    ----------
    name : str
        One of :data:`COLOUR_MAPS`.

    Returns
    -------
    ndarray of shape (256, 3), uint8

    Examples
    --------
    >>> colour_table("gray")[[0, 255]].tolist()
    [[0, 0, 0], [255, 255, 255]]
    """
    if name not in HEX:
        raise ValueError(f"`name` must be one of {COLOUR_MAPS}, got {name!r}")
    table = np.frombuffer(bytes.fromhex("".join(HEX[name])), dtype=np.uint8).reshape(256, 3)
    table.flags.writeable = False
    return table


@functools.cache  # keyed by the closed set COLOUR_MAPS
def colour_names(name: str) -> tuple[str, ...]:
    """A colour map's 256 colours as ``"#rrggbb"``.

    Examples
    --------
    >>> colour_names("gray")[255]
    '#ffffff'
    """
    return tuple(f"#{r:02x}{g:02x}{b:02x}" for r, g, b in colour_table(name).tolist())


def value_range(
    values: NDArray, vmin: float | None = None, vmax: float | None = None, symmetric: bool = False
) -> tuple[float, float]:
    """The values at the two ends of a colour map: given, else the finite extremes (``hi > lo``).

    Examples
    --------
    >>> value_range(np.array([-1.0, 3.0]), symmetric=True)
    (-3.0, 3.0)
    """
    finite = values[np.isfinite(values)]
    lo = float(vmin) if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    hi = float(vmax) if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    if symmetric:
        m = max(abs(lo), abs(hi), 1e-12)
        lo, hi = -m, m
    if hi <= lo:
        hi = lo + 1.0
    return lo, hi


def colour_indices(values: NDArray, lo: float, hi: float) -> NDArray[np.intp]:
    """Each value's row of a colour table (0 at ``lo``, 255 at ``hi``; not finite -> 0).

    Examples
    --------
    >>> colour_indices(np.array([0.0, 0.5, 2.0]), 0.0, 1.0).tolist()
    [0, 128, 255]
    """
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.nan_to_num(np.clip((values - lo) / (hi - lo), 0.0, 1.0))
    return np.minimum((scaled * 255 + 0.5).astype(np.intp), 255)


def sample_colour_map(name: str, fractions: ArrayLike) -> NDArray[np.uint8]:
    """The colours of a map at ``fractions`` in [0, 1] (as matplotlib's ``cmap(x)``: row ``floor(256 x)``).

    Parameters
    ----------
    name : str
        One of :data:`COLOUR_MAPS`.
    fractions : array_like
        Positions along the map; outside [0, 1] they take the end colours.

    Returns
    -------
    ndarray of shape ``fractions.shape + (3,)``, uint8

    Examples
    --------
    >>> sample_colour_map("gray", [0.0, 0.5, 1.0]).tolist()
    [[0, 0, 0], [128, 128, 128], [255, 255, 255]]
    """
    x = np.nan_to_num(np.asarray(fractions, dtype=float))
    return colour_table(name)[np.clip((x * 256).astype(np.intp), 0, 255)]


def _grid(values: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 2:
        raise ValueError(f"`values` must be a 2-D array, got shape {arr.shape}")
    return arr


def colours(
    values: ArrayLike,
    *,
    cmap: str = "cividis",
    vmin: float | None = None,
    vmax: float | None = None,
    symmetric: bool = False,
) -> list[list[str | None]]:
    """Cell colours for a grid, as ``"#rrggbb"`` (``None`` where a value is not finite).

    Parameters
    ----------
    values : (M, N) array
    cmap : str
        One of :data:`COLOUR_MAPS`: ``"cividis"`` for values >= 0, ``"PuOr_r"``
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
    arr = _grid(values)
    lo, hi = value_range(arr, vmin, vmax, symmetric)
    names = colour_names(cmap)
    index = colour_indices(arr, lo, hi).tolist()
    ok = np.isfinite(arr).tolist()
    return [[names[i] if good else None for i, good in zip(irow, okrow)] for irow, okrow in zip(index, ok)]


def encode_png(pixels: ArrayLike, palette: bytes | None = None) -> bytes:
    """PNG bytes of 8-bit pixels: grey or palette indices ``(H, W)``, RGB ``(H, W, 3)``, RGBA ``(H, W, 4)``.

    Written directly with zlib (level 1, no row filter): the pictures are
    small, and an imaging library's set-up per picture costs more than the
    encoding itself.

    Parameters
    ----------
    pixels : array of uint8
    palette : bytes, optional
        Up to 256 RGB triples; then ``pixels`` (2-D) are indices into it.

    Returns
    -------
    bytes

    Examples
    --------
    >>> encode_png(np.zeros((2, 3), np.uint8))[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
    """
    arr = np.ascontiguousarray(pixels, dtype=np.uint8)
    if arr.ndim == 2:
        colour_type = 0 if palette is None else 3
    elif arr.ndim == 3 and arr.shape[2] in (3, 4) and palette is None:
        colour_type = 2 if arr.shape[2] == 3 else 6
    else:
        raise ValueError(f"`pixels` must be (H, W), (H, W, 3) or (H, W, 4), got shape {arr.shape}")
    h, w = arr.shape[:2]
    rows = np.zeros((h, 1 + arr[0].size), dtype=np.uint8)  # each row: filter type 0, then its bytes
    rows[:, 1:] = arr.reshape(h, -1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    head = chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, colour_type, 0, 0, 0))
    table = b"" if palette is None else chunk(b"PLTE", palette)
    return (
        b"\x89PNG\r\n\x1a\n"
        + head
        + table
        + chunk(b"IDAT", zlib.compress(rows.tobytes(), PNG_COMPRESS_LEVEL))
        + chunk(b"IEND", b"")
    )


def png_bytes(
    values: ArrayLike,
    *,
    cmap: str = "gray",
    vmin: float | None = None,
    vmax: float | None = None,
    symmetric: bool = False,
) -> bytes:
    """A 2-D array as PNG bytes through a colour map (one byte a pixel, the map as its palette).

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
    arr = _grid(values)
    lo, hi = value_range(arr, vmin, vmax, symmetric)
    return encode_png(colour_indices(arr, lo, hi).astype(np.uint8), colour_table(cmap).tobytes())


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
