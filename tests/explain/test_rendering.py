"""The pure rendering of the scenes: embedded colour maps, the PNG encoder, numbers."""

from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from meia_cnn.explain import _render as render


@pytest.mark.parametrize("name", render.COLOUR_MAPS)
def test_embedded_colour_maps_are_matplotlibs(name):
    matplotlib = pytest.importorskip("matplotlib")
    cmap = matplotlib.colormaps[name]
    expected = (cmap(np.linspace(0.0, 1.0, 256))[:, :3] * 255 + 0.5).astype(np.uint8)
    np.testing.assert_array_equal(render.colour_table(name), expected)
    x = np.linspace(-0.2, 1.2, 301)
    np.testing.assert_array_equal(
        render.sample_colour_map(name, x), (cmap.__call__(x)[:, :3] * 255 + 0.5).astype(np.uint8)
    )


def test_colour_table_refuses_a_map_it_does_not_hold():
    with pytest.raises(ValueError, match="`name` must be one of"):
        render.colour_table("viridis")
    assert not render.colour_table("gray").flags.writeable


@pytest.mark.parametrize(
    "pixels, mode",
    [
        (np.arange(12, dtype=np.uint8).reshape(3, 4) * 20, "L"),
        (np.arange(36, dtype=np.uint8).reshape(3, 4, 3) * 7, "RGB"),
        (np.arange(48, dtype=np.uint8).reshape(3, 4, 4) * 5, "RGBA"),
    ],
)
def test_encode_png_round_trips_through_pillow(pixels, mode):
    picture = Image.open(io.BytesIO(render.encode_png(pixels)))
    assert picture.mode == mode
    np.testing.assert_array_equal(np.asarray(picture), pixels)


def test_png_bytes_carries_the_colour_map_as_its_palette():
    values = np.array([[0.0, 0.5], [1.0, np.nan]])
    picture = Image.open(io.BytesIO(render.png_bytes(values, cmap="cividis", vmin=0.0, vmax=1.0)))
    rgb = np.asarray(picture.convert("RGB"))
    table = render.colour_table("cividis")
    np.testing.assert_array_equal(rgb.reshape(-1, 3), table[[0, 128, 255, 0]])
    with pytest.raises(ValueError, match="`values` must be a 2-D array"):
        render.png_bytes(np.zeros(3))
    with pytest.raises(ValueError, match="`pixels` must be"):
        render.encode_png(np.zeros((2, 2, 2)))


def test_colours_match_the_picture_and_leave_gaps_for_non_finite_values():
    grid = render.colours([[-2.0, 0.0, 2.0, np.inf]], cmap="PuOr_r", symmetric=True)
    names = render.colour_names("PuOr_r")
    assert grid == [[names[0], names[128], names[255], None]]


def test_rendering_imports_no_plotting_or_widget_library():
    code = (
        "import sys, meia_cnn.explain._render as r; r.png_bytes([[0, 1]], cmap='PuOr_r'); "
        "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'anywidget', 'PIL') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
