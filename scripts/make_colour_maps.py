"""Write meia_cnn/explain/_colour_maps.py: the colour maps the explorers use, as 256 RGB bytes each.

Run once with matplotlib installed (``python scripts/make_colour_maps.py``); the kit
itself never imports matplotlib to colour a picture.  tests/explain/test_rendering.py
checks the tables against matplotlib.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib
import numpy as np

#: The colour maps of the explorers (colour-blind safe ones first).
NAMES = ("cividis", "PuOr_r", "gray", "Oranges", "Reds", "Greens", "Blues")
OUT = Path(__file__).resolve().parents[1] / "meia_cnn" / "explain" / "_colour_maps.py"


def table(name: str) -> np.ndarray:
    """The map's 256 entries as RGB bytes, rounded to the nearest."""
    return (matplotlib.colormaps[name](np.linspace(0.0, 1.0, 256))[:, :3] * 255 + 0.5).astype(np.uint8)


def main() -> None:
    lines = [
        '"""Colour maps as 256 RGB rows of bytes, hex-encoded (written by scripts/make_colour_maps.py)."""',
        "",
        "# fmt: off",
        "HEX = {",
    ]
    for name in NAMES:
        text = table(name).tobytes().hex()
        lines.append(f"    {name!r}: (")
        lines += [f'        "{part}"' for part in textwrap.wrap(text, 96)]
        lines.append("    ),")
    lines += ["}", "# fmt: on", ""]
    OUT.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
