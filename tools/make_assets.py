"""Write the photos and digits the kit ships, from scikit-image and scikit-learn.

::

    python -m tools.make_assets          # writes meia_cnn/assets/photos.npz and digits.npz
    python -m tools.make_assets --check  # exits with 1 when the shipped files differ

The kit reads its sample photos and the 8x8 digits from these two files, so a
kernel needs neither scikit-image nor scikit-learn.  Both hold the arrays the
libraries' own loaders return, unchanged (dtype included): ``photos.npz`` one
array per name of :data:`meia_cnn.data.SAMPLE_NAMES` from ``skimage.data``,
``digits.npz`` the ``images`` (uint8 levels 0..16) and ``labels`` of
``sklearn.datasets.load_digits``.  The files are written the same way every
time (members in a fixed order, a fixed timestamp), so running this again with
the same libraries gives the same bytes.  Where each picture comes from and
its licence: ``meia_cnn/assets/LICENSES.md``.
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np

ASSETS = Path(__file__).resolve().parents[1] / "meia_cnn" / "assets"


def photos() -> dict[str, np.ndarray]:
    """Every sample photo the kit offers, as ``skimage.data`` returns it."""
    import skimage.data

    from meia_cnn.data import SAMPLE_NAMES

    return {name: np.asarray(getattr(skimage.data, name)()) for name in SAMPLE_NAMES}


def digits() -> dict[str, np.ndarray]:
    """scikit-learn's digits: ``images`` (1797, 8, 8) uint8 levels 0..16 and ``labels`` (1797,) uint8."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = bunch.images.astype(np.uint8)
    labels = bunch.target.astype(np.uint8)
    if not (np.array_equal(images, bunch.images) and np.array_equal(labels, bunch.target)):
        raise ValueError("the digits are not whole numbers 0..16: they would not survive uint8")
    return {"images": images, "labels": labels}


def npz_bytes(arrays: Mapping[str, np.ndarray]) -> bytes:
    """An ``.npz`` (deflated) of ``arrays``, the same bytes for the same arrays.

    Parameters
    ----------
    arrays : mapping of str to array

    Returns
    -------
    bytes

    Examples
    --------
    >>> first = npz_bytes({"a": np.arange(3)})
    >>> first == npz_bytes({"a": np.arange(3)})
    True
    >>> np.load(io.BytesIO(first), allow_pickle=False)["a"].tolist()
    [0, 1, 2]
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, member.getvalue(), compresslevel=9)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.make_assets [--check]``.

    Parameters
    ----------
    argv : list of str, optional
        The arguments (default: the command line's).

    Returns
    -------
    int
        0, or 1 when ``--check`` finds a file that differs.
    """
    parser = argparse.ArgumentParser(prog="python -m tools.make_assets", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped files, write nothing")
    args = parser.parse_args(argv)
    status = 0
    for name, arrays in (("photos.npz", photos()), ("digits.npz", digits())):
        content = npz_bytes(arrays)
        path = ASSETS / name
        if args.check:
            same = path.is_file() and path.read_bytes() == content
            print(f"{path}: {'up to date' if same else 'DIFFERS'}")
            status |= not same
        else:
            path.write_bytes(content)
            print(f"{path}: {len(content):,} bytes")
    return status


if __name__ == "__main__":
    sys.exit(main())
