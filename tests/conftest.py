"""Shared fixtures for the explorer tests (headless: no browser, no kernel)."""

import datetime
import io
import struct
import zlib

import numpy as np
import pytest


def _png_bytes(array):
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="png")
    return buffer.getvalue()


def _huge_png_header(width=30_000, height=30_000):
    """A PNG that declares an absurd size and holds no pixels (a decompression bomb's shape)."""

    def chunk(kind, payload):
        return (
            struct.pack(">I", len(payload))
            + kind
            + payload
            + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.fixture
def upload_files():
    """Files for an explorer's FileUpload: ``good`` (a small PNG), ``random`` bytes, ``huge`` header."""
    rng = np.random.default_rng(0)
    good = (rng.random((40, 60, 3)) * 255).astype(np.uint8)
    return {
        "good": _png_bytes(good),
        "random": rng.integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        "huge": _huge_png_header(),
    }


def upload(control, content, name="picture.png"):
    """Set a FileUpload's value as the browser would."""
    control.value = (
        {
            "name": name,
            "type": "image/png",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
        },
    )


@pytest.fixture
def send_upload():
    return upload
