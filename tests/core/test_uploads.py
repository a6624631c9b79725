"""Whatever a student uploads, ``data.load_image`` answers with an image or a message in words.

Each hostile file is built here with Pillow.  The bombs are loaded in a fresh Python
process whose peak resident memory is measured (Pillow's buffers are invisible to
tracemalloc) and bounded.
"""

import io
import json
import re
import struct
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageOps

from meia_cnn import data

MiB = 2**20


def _save(image, fmt, **kwargs):
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def gif_bomb(side=5000, frames=300):
    """A small GIF whose every frame is drawn on a side x side canvas.

    The first frame covers the canvas (a run of zeros, a few KB of LZW); each later
    frame is the smallest GIF image there is, one pixel (LZW ``02 02 44 01 00``).
    """
    first = _save(Image.new("L", (side, side)), "GIF")
    assert first.endswith(b";")
    one_pixel = b"\x2c" + struct.pack("<HHHHB", 1, 1, 1, 1, 0) + b"\x02\x02\x44\x01\x00"
    control = b"\x21\xf9\x04\x00\x01\x00\x00\x00"  # graphic control: 1/100 s, no transparency
    return first[:-1] + (control + one_pixel) * (frames - 1) + b";"


def measured_load(tmp_path, content, **kwargs):
    """Load ``content`` in a new process: (shape or error message, peak RSS growth in bytes)."""
    path = tmp_path / "upload.bin"
    path.write_bytes(content)
    code = f"""
import json
import re
from meia_cnn import data
import PIL.Image, PIL.GifImagePlugin, PIL.PngImagePlugin, PIL.JpegImagePlugin, skimage.transform
def status(key):
    for line in open('/proc/self/status'):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
content = open({str(path)!r}, 'rb').read()
open('/proc/self/clear_refs', 'w').write('5')  # peak RSS (VmHWM) := current RSS
before = status('VmRSS:')
try:
    result = list(data.load_image(content, **{kwargs!r}).shape)
except ValueError as exc:
    result = str(exc)
print(json.dumps([result, status('VmHWM:') - before]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result, growth = json.loads(out.stdout)
    return result, growth


def test_gif_bomb_decodes_only_its_first_frame_with_bounded_memory(tmp_path):
    bomb = gif_bomb()
    assert len(bomb) < 40_000  # the 31 KB of the report
    result, growth = measured_load(tmp_path, bomb)
    assert result == [1024, 1024, 3]  # frame 0 (25 megapixels, within MAX_PIXELS), downscaled
    # 300 frames of 5000x5000 would be 7.5 billion pixels; one frame, converted to RGB, costs this much
    assert growth < 256 * MiB, f"loading the bomb cost {growth / MiB:.0f} MiB"


def test_a_gif_with_too_many_frames_is_refused_from_its_headers(tmp_path):
    bomb = gif_bomb(side=64, frames=data.MAX_FRAMES + 1)
    result, growth = measured_load(tmp_path, bomb)
    assert (
        result == f"the upload is too large: {data.MAX_FRAMES + 1:,} frames, the limit is {data.MAX_FRAMES:,} "
        "frames (only the first is shown)"
    )
    assert growth < 64 * MiB


def test_a_long_small_animation_is_not_too_large():
    # 131 frames of 640x480 in 3 KB: 40.2 million pixels in all, but only the first frame is decoded
    bomb = gif_bomb(side=640, frames=131)
    frames = [Image.new("L", (640, 480), v) for v in range(131)]
    content = _save(frames[0], "GIF", save_all=True, append_images=frames[1:], optimize=False)
    assert 640 * 480 * 131 > data.MAX_PIXELS
    image = data.load_image(content, grey=True)
    assert image.shape == (480, 640) and np.all(image == 0)
    assert data.load_image(bomb).shape == (640, 640, 3)


def test_only_the_first_frame_is_decoded():
    frames = [Image.fromarray(np.full((6, 7), v, np.uint8)) for v in (10, 250, 128)]
    content = _save(frames[0], "GIF", save_all=True, append_images=frames[1:])
    np.testing.assert_allclose(data.load_image(content, grey=True), 10 / 255, atol=1e-12)


def test_large_png_within_the_limits_is_downscaled_while_decoding(tmp_path):
    big = Image.new("RGBA", (6300, 6300), (255, 0, 0, 255))
    content = _save(big, "PNG")
    del big
    assert len(content) < 1_000_000
    result, growth = measured_load(tmp_path, content)
    assert result == [data.MAX_DECODED_SIDE, data.MAX_DECODED_SIDE, 3]
    # the decoded RGBA picture itself is 151 MiB; the float64 image at full size would be 908 MiB
    assert growth < 400 * MiB, f"decoding cost {growth / MiB:.0f} MiB"
    result, growth = measured_load(tmp_path, content, size=64)
    assert result == [64, 64, 3] and growth < 400 * MiB


def test_large_jpeg_is_decoded_at_a_reduced_scale(tmp_path):
    content = _save(Image.new("RGB", (6000, 4000), (0, 128, 255)), "JPEG")
    result, growth = measured_load(tmp_path, content, size=100)
    assert result == [67, 100, 3]  # 4000 * 100 / 6000 = 66.7
    assert growth < 100 * MiB, f"decoding cost {growth / MiB:.0f} MiB"  # full size: 69 MiB of RGB bytes


def test_downscaled_image_keeps_its_content():
    rng = np.random.default_rng(3)
    blocks = (rng.random((3, 4, 3)) * 255).astype(np.uint8)
    big = np.repeat(np.repeat(blocks, 500, axis=0), 500, axis=1)  # 1500 x 2000, blocks of 500 x 500
    image = data.load_image(_save(Image.fromarray(big), "PNG"), size=(30, 40))
    assert image.shape == (30, 40, 3)
    for i in range(3):
        for j in range(4):  # away from the edges between blocks, each block keeps its colour
            np.testing.assert_allclose(
                image[10 * i + 2 : 10 * i + 8, 10 * j + 2 : 10 * j + 8],
                np.broadcast_to(blocks[i, j] / 255, (6, 6, 3)),
                atol=0.01,
            )
    assert data.load_image(_save(Image.fromarray(big), "PNG")).shape == (768, 1024, 3)


def test_cmyk_jpeg_keeps_its_colours():
    red = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # no cyan, full magenta and yellow: red
    image = data.load_image(_save(red, "JPEG", quality=95))
    assert image.shape == (16, 16, 3)
    np.testing.assert_allclose(image[8, 8], [1.0, 0.0, 0.0], atol=0.03)
    white = Image.new("CMYK", (4, 4), (0, 0, 0, 0))
    np.testing.assert_allclose(data.load_image(_save(white, "JPEG", quality=95)), 1.0, atol=0.03)


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_exif_orientation_is_applied(orientation, fmt):
    stored = np.zeros((20, 30), np.uint8)
    stored[:5, :10] = 255  # a white block in the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    content = _save(Image.fromarray(stored), fmt, exif=exif)
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(content)))) / 255
    image = data.load_image(content)
    assert image.shape == expected.shape == ((30, 20) if orientation >= 5 else (20, 30))
    np.testing.assert_allclose(image, expected, atol=0.06 if fmt == "JPEG" else 1e-12)
    # downscaling an upright target from a picture stored on its side
    assert data.load_image(content, size=(15, 10) if orientation >= 5 else (10, 15)).shape == (
        (15, 10) if orientation >= 5 else (10, 15)
    )


def test_min_size_refuses_images_too_small_for_an_explorer():
    strip = _save(Image.new("L", (10000, 3), 128), "PNG")
    with pytest.raises(
        ValueError, match=r"^strip.png is too small: 1024x1 pixels, this needs at least 5x5 \(`min_size`\)$"
    ):
        data.load_image(strip, name="strip.png", min_size=5)
    with pytest.raises(
        ValueError, match=r"^the upload is too small: 10x4 pixels, this needs at least 3x6 \(`min_size`\)$"
    ):
        data.load_image(_save(Image.new("L", (10, 4)), "PNG"), min_size=(6, 3))
    assert data.load_image(_save(Image.new("L", (10, 4)), "PNG"), min_size=(4, 10)).shape == (4, 10)
    with pytest.raises(ValueError, match="`min_size` must be >= 1, got 0"):
        data.load_image(strip, min_size=0)


def test_sixteen_bit_grey_and_palette_transparency():
    grey16 = Image.fromarray(np.array([[0, 65535], [32768, 1000]], np.uint16))
    np.testing.assert_allclose(data.load_image(_save(grey16, "PNG")), np.array([[0, 65535], [32768, 1000]]) / 65535)
    palette = Image.new("P", (2, 1))
    palette.putpalette([0, 0, 0, 255, 0, 0] + [0] * 762)
    palette.putpixel((1, 0), 1)
    content = _save(palette, "PNG", transparency=0)
    np.testing.assert_allclose(data.load_image(content), [[[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]]])  # transparent: white


HOSTILE = {
    "random bytes": np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
    "truncated png": _save(Image.fromarray((np.arange(4096) % 251).astype(np.uint8).reshape(64, 64)), "PNG")[:150],
    "png header only": b"\x89PNG\r\n\x1a\n",
    "gif of too many frames": gif_bomb(side=8, frames=data.MAX_FRAMES + 1),
    "postscript": b"%!PS-Adobe-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n",
    "ico": _save(Image.new("RGB", (16, 16)), "ICO"),
    "html": b"<html><script>alert(1)</script></html>",
    "zip": b"PK\x03\x04" + b"\0" * 100,
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_errors_name_the_upload_and_show_no_python_internals(kind):
    for name, label in ((None, "the upload"), ("photo.png", "photo.png")):
        with pytest.raises(ValueError) as info:
            data.load_image(HOSTILE[kind], name=name)
        message = str(info.value)
        assert message.startswith(label), message
        assert not re.search(r"<|0x[0-9a-fA-F]{6,}|BytesIO|Error|Traceback", message), message


def test_a_path_is_named_by_its_file_name(tmp_path):
    path = tmp_path / "holiday.gif"
    path.write_bytes(HOSTILE["random bytes"])
    with pytest.raises(ValueError, match=r"^file 'holiday.gif' is not an image that can be read"):
        data.load_image(path)


def test_a_huge_size_is_refused_before_resizing():
    content = _save(Image.new("L", (4, 3)), "PNG")
    with pytest.raises(ValueError, match=r"`size` asks for too much memory: the resized image would be 100000×100000"):
        data.load_image(content, size=(10**5, 10**5))
    with pytest.raises(ValueError, match=r"`size` must be from 1 to 20,000 \(MAX_SIDE\), got 1000000"):
        data.load_image(content, size=10**6)
    with pytest.raises(ValueError, match=r"`size` must be from 1 to 20,000 \(MAX_SIDE\), got an integer of 401 digits"):
        data.load_image(content, size=10**400)  # OverflowError before
    with pytest.raises(ValueError, match=r"`size` asks for too much memory"):
        data.sample_image("camera", size=10**6)


def png_of_zeros(width, height):
    """A grey PNG of zeros, written row by row (never holding the pixels): a few hundred KB."""
    import zlib

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer = zlib.compressobj(9)
    row = b"\0" * (width + 1)  # filter byte + one byte per pixel
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def ico_holding(png):
    """An .ico whose one entry declares 256x256 but holds ``png``."""
    entry = struct.pack("<BBBBHHII", 0, 0, 0, 0, 1, 32, len(png), 22)
    return struct.pack("<HHH", 0, 1, 1) + entry + png


def test_an_ico_bomb_is_refused_before_pillow_decodes_it(tmp_path):
    bomb = ico_holding(png_of_zeros(13300, 13300))
    assert len(bomb) < 1_000_000  # the 714 KB of the report
    result, growth = measured_load(tmp_path, bomb)
    assert result == (
        "the upload is not an image that can be read: its first bytes are not those of "
        "PNG, JPEG, GIF, WebP, BMP or TIFF"
    )
    assert growth < 16 * MiB, f"refusing the bomb cost {growth / MiB:.0f} MiB"  # it was +680 MiB


@pytest.mark.parametrize(
    "content",
    [
        b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n0 0 moveto showpage\n",
        b"\xc5\xd0\xd3\xc6" + b"\0" * 60,  # binary EPS
        b"icns\x00\x00\x00\x08",
        b"%PDF-1.4\n",
        b"\x00\x00\x01\x00\x01\x00",  # ICO header
        b"RIFF\x10\x00\x00\x00WAVEfmt ",  # RIFF, but not WebP
    ],
)
def test_formats_outside_the_allow_list_never_reach_a_decoder(tmp_path, monkeypatch, content):
    import PIL.Image

    opened = []
    monkeypatch.setattr(PIL.Image, "open", lambda *a, **k: opened.append(k) or pytest.fail("opened"))
    path = tmp_path / "renamed.png"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"^file 'renamed.png' is not an image that can be read: its first bytes"):
        data.load_image(path)
    assert not opened


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"])
def test_each_allowed_format_is_opened_with_the_allow_list(monkeypatch, fmt):
    import PIL.Image

    real_open, seen = PIL.Image.open, []

    def recording_open(fp, mode="r", formats=None):
        seen.append(formats)
        return real_open(fp, mode, formats)

    monkeypatch.setattr(PIL.Image, "open", recording_open)
    image = data.load_image(_save(Image.new("RGB", (9, 7), (0, 0, 255)), fmt))
    assert image.shape == (7, 9, 3)
    assert seen == [[fmt]] and set(data.IMAGE_FORMATS) == {"PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"}


def test_one_upload_limit_in_python_and_in_the_page(tmp_path):
    assert data.MAX_BYTES == 8 * 1024 * 1024
    content = _save(Image.new("L", (4, 4)), "PNG")
    too_big = content + b"\0" * (20 * 1024 * 1024 - len(content))  # the 20 MB Python accepted
    message = r"is too large: 20 MB \(20,971,520 bytes\), the limit is 8 MB \(8,388,608 bytes\)"
    with pytest.raises(ValueError, match=r"^the upload " + message):
        data.load_image(too_big)
    (tmp_path / "big.png").write_bytes(too_big)
    with pytest.raises(ValueError, match=r"^file 'big.png' " + message):
        data.load_image(tmp_path / "big.png")
    at_limit = content + b"\0" * (data.MAX_BYTES - len(content))
    assert data.load_image(at_limit).shape == (4, 4)  # trailing bytes after IEND are ignored by PNG readers


def test_the_explorers_upload_buttons_use_the_same_limit():
    pytest.importorskip("anywidget")
    from meia_cnn import widgets

    uploads = []
    for name in (
        "ConvolutionExplorer",
        "PoolingExplorer",
        "VolumeExplorer",
        "TemplateMatchingExplorer",
        "FeatureMapExplorer",
    ):
        explorer = getattr(widgets, name, None)
        if explorer is None:
            continue
        upload = explorer().controls.get("upload")
        if upload is not None:
            uploads.append(upload.max_bytes)
    assert uploads and set(uploads) == {data.MAX_BYTES}
    from meia_cnn.widgets._explorer import Upload

    assert Upload().max_bytes == data.MAX_BYTES


def test_only_regular_files_are_read(tmp_path):
    import os
    import threading

    (tmp_path / "photos").mkdir()
    with pytest.raises(ValueError, match=r"^cannot read file 'photos': it is a folder, not an image file"):
        data.load_image(tmp_path / "photos")
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    outcome = []
    worker = threading.Thread(
        target=lambda: outcome.append(pytest.raises(ValueError, data.load_image, fifo)), daemon=True
    )
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "a FIFO blocked load_image"
    assert "it is not a regular file, not an image file" in str(outcome[0].value)
    with pytest.raises(ValueError, match=r"^cannot read file 'null': it is not a regular file"):
        data.load_image("/dev/null")
