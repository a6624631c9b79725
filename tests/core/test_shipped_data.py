"""The photos and digits shipped in meia_cnn/assets: the loaders' arrays, licensed, read lean."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import skimage.data
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from meia_cnn import data
from meia_cnn.nn.reference import _stratified_split, digits_split

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "meia_cnn" / "assets"


@pytest.mark.parametrize("name", data.SAMPLE_NAMES)
def test_each_shipped_photo_is_skimages_array(name):
    expected = getattr(skimage.data, name)()
    shipped = data._raw_sample(name)
    assert shipped.dtype == expected.dtype and shipped.shape == expected.shape
    np.testing.assert_array_equal(shipped, expected)
    assert not shipped.flags.writeable


def test_the_shipped_digits_are_sklearns():
    bunch = load_digits()
    images, labels = data.digits()
    np.testing.assert_array_equal(images[..., 0], bunch.images / 16.0)
    np.testing.assert_array_equal(labels, bunch.target)
    assert images.dtype == np.float64 and labels.dtype == np.int64


@pytest.mark.parametrize("test_size, seed", [(0.25, 0), (0.2, 3), (0.1, 7), (0.5, 11), (0.33, 2)])
def test_the_split_is_sklearns_train_test_split(test_size, seed):
    _, labels = data.digits()
    train, test = train_test_split(np.arange(len(labels)), test_size=test_size, stratify=labels, random_state=seed)
    ours = _stratified_split(labels, test_size, seed)
    np.testing.assert_array_equal(ours[0], train)
    np.testing.assert_array_equal(ours[1], test)


def test_digits_split_refuses_a_test_size_outside_0_1():
    for bad in (0.0, 1.0, 450, "0.25"):
        with pytest.raises(ValueError, match="test_size"):
            digits_split(test_size=bad, seed=99)


def test_the_assets_are_plain_arrays_with_their_licences():
    for name in ("photos.npz", "digits.npz"):
        with np.load(ASSETS / name, allow_pickle=False) as npz:
            assert all(npz[key].dtype != object for key in npz.files)
    licences = (ASSETS / "LICENSES.md").read_text()
    for name in data.SAMPLE_NAMES:
        assert f"| `{name}` |" in licences, f"no source or licence recorded for {name}"
    assert "CC BY 4.0" in licences and "Alpaydin" in licences


@pytest.mark.slow
def test_make_assets_writes_the_same_bytes():
    out = subprocess.run(
        [sys.executable, "-m", "tools.make_assets", "--check"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("up to date") == 2


def _idx(path, array):
    """Write ``array`` (uint8) in the idx format of the MNIST files."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + array.astype(np.uint8).tobytes())


def test_every_loader_runs_without_scikit_image_scikit_learn_scipy_or_matplotlib(tmp_path):
    rng = np.random.default_rng(0)
    _idx(tmp_path / "t10k-images-idx3-ubyte", rng.integers(0, 256, (5, 28, 28)))
    _idx(tmp_path / "t10k-labels-idx1-ubyte", rng.integers(0, 10, 5))
    code = (
        "import io, json, sys\n"
        "import meia_cnn, meia_cnn.data, meia_cnn.nn\n"
        "from meia_cnn import data, nn\n"
        "from meia_cnn.explain import template_matching as tm\n"
        "for name in data.SAMPLE_NAMES:\n"
        "    data.sample_image(name, grey=True, size=48)\n"
        "data.digits(); data.shapes(8); nn.digits_split(); nn.load_reference()\n"
        f"data.load_mnist({str(tmp_path)!r}, 'test')\n"
        "for name in tm.TEMPLATES:\n"
        "    tm.template_matching_state(tm.template_scene(name), column=3, row=2)\n"
        "before_pillow = sorted({m.split('.')[0] for m in sys.modules})\n"
        "from PIL import Image\n"
        "png = io.BytesIO(); Image.new('RGB', (300, 200), (200, 30, 60)).save(png, format='PNG')\n"
        "data.load_image(png.getvalue(), grey=True, size=40)\n"
        "print(json.dumps([before_pillow, sorted({m.split('.')[0] for m in sys.modules})]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before_pillow, after_upload = (set(names) for names in json.loads(out.stdout))
    heavy = {"skimage", "sklearn", "scipy", "matplotlib", "imageio", "pooch"}
    assert not before_pillow & (heavy | {"PIL"}), before_pillow
    assert not after_upload & heavy, after_upload  # reading an upload needs Pillow alone
