"""VolumeExplorer: channels, deep kernels and the stacked feature map agree with the core."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest
from scipy import signal

from meia_cnn import arithmetic
from meia_cnn.data import sample_image
from meia_cnn.widgets.volume import (
    DEFAULT_ARRAY,
    KERNEL_RECIPES,
    MAX_KERNELS,
    PHOTO_SIZE,
    VolumeExplorer,
    make_kernels,
)


@pytest.fixture
def viz():
    v = VolumeExplorer()
    yield v
    v.close()


def _hand_feature_map(x, kernels):
    """Each map is the sum over channels of a 2-D cross-correlation (scipy), one per kernel."""
    return np.stack([
        sum(signal.correlate2d(x[:, :, c], kernels[:, :, c, f], mode="valid") for c in range(x.shape[2]))
        for f in range(kernels.shape[3])
    ], axis=-1)


def _check(v):
    c = v.controls
    f_count, k, source = c["filters"].value, c["kernel_size"].value, c["source"].value
    x = v.input
    h, w, d = x.shape
    assert d == 3
    kernels = v.kernels
    assert kernels.shape == (k, k, d, f_count)  # K_d = I_d
    np.testing.assert_array_equal(kernels, make_kernels(f_count, k))
    fmap = v.feature_map
    gh, gw, gd = arithmetic.feature_map_shape(x.shape, f_count, k)
    assert fmap.shape == (gh, gw, gd) and gd == f_count
    np.testing.assert_allclose(fmap, _hand_feature_map(x, kernels), atol=1e-9)
    assert v.shapes == {"input": (w, h, d), "kernel": (k, k, d), "feature_map": (gw, gh, gd)}
    shown = c["kernel"].value
    assert c["kernel"].max == f_count - 1
    np.testing.assert_array_equal(v.kernel, kernels[..., shown])
    # drawn: the channels, the kernel's slices, its map and the deck
    for ch in range(3):
        if source == "array":
            np.testing.assert_array_equal(v._g_ch[ch].values, x[:, :, ch])
            assert v._g_ch[ch].image.get_visible() and not v._im_ch[ch].get_visible()
        else:
            np.testing.assert_array_equal(v._im_ch[ch].get_array(), x[:, :, ch])
            assert v._im_ch[ch].get_visible() and not v._g_ch[ch].image.get_visible()
        np.testing.assert_array_equal(v._g_k[ch].values, kernels[:, :, ch, shown])
    if source == "array":
        np.testing.assert_allclose(v._g_out.values, fmap[:, :, shown])
    else:
        np.testing.assert_allclose(v._im_out.get_array(), fmap[:, :, shown])
    thin, ch, cw, off = v.deck_geometry(fmap.shape)
    assert max(ch, cw) <= 64 and (ch, cw) == fmap[::thin, ::thin, 0].shape
    deck = np.asarray(v._deck.get_array())
    assert deck.shape[:2] == (ch + (gd - 1) * off, cw + (gd - 1) * off)
    front = deck[(gd - 1) * off:(gd - 1) * off + ch, :cw, :3].astype(int)  # card 0 is in front
    m = fmap[::thin, ::thin, 0]
    lim = np.abs(m).max() or 1.0
    expected = (np.asarray(plt.get_cmap("PuOr_r")(0.5 + 0.5 * m / lim, bytes=True))[..., :3]).astype(int)
    if min(ch, cw) >= 16:
        expected[[0, -1]] = 77
        expected[:, [0, -1]] = 77
    assert np.abs(front - expected).max() <= 1
    assert v._deck_frame.get_xy() == (shown * off - 0.5, (gd - 1 - shown) * off - 0.5)
    assert (v._deck_frame.get_width(), v._deck_frame.get_height()) == (cw, ch)
    assert v._t_deck.get_text() == f"feature map: G_d = {gd}"
    # the readout, in the slides' notation
    text = v.readout_text
    assert f"l_w × l_h × l_d = {w} × {h} × {d}" in text
    assert f"K_w × K_h × K_d = {k} × {k} × {d}" in text and f"K_d = I_d = {d}" in text
    assert f"G_w × G_h × G_d = {gw} × {gh} × {gd}" in text
    assert f"{arithmetic.conv_params(d, f_count, k)} parameters" in text


def test_defaults(viz):
    assert viz.input_shape == (PHOTO_SIZE, PHOTO_SIZE, 3)
    np.testing.assert_allclose(viz.input, sample_image("astronaut", size=PHOTO_SIZE))
    assert viz.feature_map.shape == (126, 126, 3)
    assert set(viz.controls) == {"source", "filters", "kernel_size", "kernel", "upload"}
    assert viz.error == ""
    _check(viz)


def test_the_slides_exercise_shape():
    x = np.random.default_rng(1).random((28, 28, 3))
    v = VolumeExplorer(x, filters=8)
    try:
        assert v.shapes["feature_map"] == (26, 26, 8)  # the slides' table, first row
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize("source", ["photo", "array"])
def test_every_control_through_its_range(viz, source, artist_guard):
    with artist_guard(viz):
        viz.controls["source"].value = source
        for k in (1, 3, 5):
            viz.controls["kernel_size"].value = k
            for n in range(1, MAX_KERNELS + 1):
                viz.controls["filters"].value = n
                for shown in range(n):
                    viz.controls["kernel"].value = shown
                    _check(viz)
                assert KERNEL_RECIPES[viz.controls["kernel"].value][2] in viz._kernel_note.get_text()


def test_fewer_kernels_clamp_the_kernel_shown(viz):
    viz.controls["filters"].value = 8
    viz.controls["kernel"].value = 7
    viz.controls["filters"].value = 2
    assert viz.controls["kernel"].value == 1
    _check(viz)


def test_array_source_shows_numbers(viz):
    viz.controls["source"].value = "array"
    np.testing.assert_array_equal(viz.input, DEFAULT_ARRAY)
    assert viz.feature_map.shape == (4, 4, 3)
    assert viz._g_ch[0].labels[0, 2] == "4"
    assert viz._g_out.labels[0, 0] != ""
    _check(viz)


def test_grey_and_large_images_become_three_channels():
    grey = np.linspace(0, 1, 300 * 200).reshape(300, 200)
    v = VolumeExplorer(grey, kernel_size=5)
    try:
        x = v.input
        assert x.shape[2] == 3 and max(x.shape[:2]) <= PHOTO_SIZE
        np.testing.assert_array_equal(x[..., 0], x[..., 2])
        np.testing.assert_array_equal(x[..., 0], grey[::3, ::3])
        _check(v)
    finally:
        v.close()


def test_upload(viz, send_upload, upload_files, artist_guard):
    viz.controls["source"].value = "array"
    with artist_guard(viz):
        send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    assert viz.error == "Showing mine.png"
    assert viz.controls["source"].value == "photo"
    assert viz.input_shape == (round(PHOTO_SIZE * 40 / 60), PHOTO_SIZE, 3)
    _check(viz)
    good = viz.input
    for bad, words in (("random", "not an image"), ("huge", "too large|absurd|decompression bomb")):
        with artist_guard(viz):
            send_upload(viz.controls["upload"], upload_files[bad], f"{bad}.png")
        assert f"{bad}.png" in viz.error and re.search(words, viz.error)
        np.testing.assert_array_equal(viz.input, good)
        viz.controls["filters"].value = 4
        _check(viz)


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(filters=0), ValueError, "from 1 to 8"),
    (dict(filters=9), ValueError, "from 1 to 8"),
    (dict(kernel_size=4), ValueError, "1, 3 or 5"),
    (dict(source="video"), ValueError, "'photo' or 'array'"),
    (dict(image=np.zeros((8, 8, 4))), ValueError, "3 channels"),
    (dict(image=np.zeros(5)), ValueError, r"2-D \(H, W\) or 3-D"),
    (dict(image=np.full((4, 4), np.nan)), ValueError, "finite"),
    (dict(image=np.zeros((4, 4)), kernel_size=5), ValueError, "larger than the padded input"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        VolumeExplorer(**kwargs)


def test_close_frees_the_figure(viz):
    assert plt.get_fignums() == []
    fig = viz.fig
    viz.close()
    assert viz.fig is None and fig.axes == []


def test_titles_and_readout_name_the_kernel_shown(viz):
    viz.controls["filters"].value = 5
    viz.controls["kernel"].value = 3
    assert viz._t_out.get_text().startswith("G[:, :, 3]")
    assert viz._kernel_note.get_text().startswith("kernel 3: 3×3×3")
    assert "kernel 3 gives the map G[:, :, 3]" in viz.readout_text
    np.testing.assert_allclose(viz._im_out.get_array(), viz.feature_map[:, :, 3])
