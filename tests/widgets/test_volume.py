"""VolumeExplorer: channels, deep kernels and the stacked feature map agree with the core."""

import io
import re

import numpy as np
import pytest
from PIL import Image
from scipy import signal

from meia_cnn import arithmetic
from meia_cnn.data import sample_image
from meia_cnn.explain.volume import PHOTO_SIZE, deck_geometry
from meia_cnn.widgets._explorer import format_number, plain_text
from meia_cnn.widgets.volume import (
    DEFAULT_ARRAY,
    KERNEL_RECIPES,
    MAX_KERNELS,
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
    return np.stack(
        [
            sum(signal.correlate2d(x[:, :, c], kernels[:, :, c, f], mode="valid") for c in range(x.shape[2]))
            for f in range(kernels.shape[3])
        ],
        axis=-1,
    )


def _check(v):
    c = v.controls
    f_count, k, source = c["filters"].value, c["kernel_size"].value, c["source"].value
    x = v.state.input
    h, w, d = x.shape
    assert d == 3
    kernels = v.state.kernels
    assert kernels.shape == (k, k, d, f_count)  # K_d = I_d
    np.testing.assert_array_equal(kernels, make_kernels(f_count, k))
    fmap = v.state.feature_map
    gh, gw, gd = arithmetic.feature_map_shape(x.shape, f_count, k)
    assert fmap.shape == (gh, gw, gd) and gd == f_count
    np.testing.assert_allclose(fmap, _hand_feature_map(x, kernels), atol=1e-9)
    assert v.state.shapes == {"input": (w, h, d), "kernel": (k, k, d), "feature_map": (gw, gh, gd)}
    shown = c["kernel"].value
    assert c["kernel"].max == f_count - 1 and v.shown == shown == v.view.step
    np.testing.assert_array_equal(v.kernel, kernels[..., shown])
    # the scene: the channels, every kernel's slices and map (the page shows the one chosen), the deck
    scene = v.view.scene
    assert scene["channels"]["numbers"] == (source == "array")
    assert (scene["channels"]["rows"], scene["channels"]["cols"]) == (h, w)
    for ch in range(3):
        if source == "array":
            assert scene["channels"]["grids"][ch]["labels"] == [[format_number(a) for a in row] for row in x[:, :, ch]]
        else:
            assert getattr(v.view, f"ch{ch}")[:4] == b"\x89PNG"
    assert len(scene["steps"]) == f_count
    for n, choice in enumerate(scene["steps"]):
        for ch in range(3):
            assert choice["kernel"]["slices"][ch]["labels"] == [
                [format_number(a) for a in row] for row in kernels[:, :, ch, n]
            ]
        assert choice["kernel"]["note"][:2] == [f"kernel {n}: {k}×{k}×{d}", KERNEL_RECIPES[n][2]]
        assert ("(1×1: it only mixes channels)" in choice["kernel"]["note"]) == (k == 1)
        assert choice["map"]["title"] == f"G[:, :, {n}]  ({gw}×{gh})"
        if source == "array":
            assert choice["map"]["labels"] == [[format_number(a) for a in row] for row in fmap[:, :, n]]
        assert f"map {n} framed in orange" in choice["deck_label"]
        assert f"kernel {n} gives the map G[:, :, {n}]" in plain_text(choice["readout"])
    assert (scene["map"]["rows"], scene["map"]["cols"]) == (gh, gw)
    if source == "photo":
        assert len(v.view.fmaps) == f_count and all(png[:4] == b"\x89PNG" for png in v.view.fmaps)
    _, ch_, cw, off = deck_geometry(fmap.shape)
    deck = scene["deck"]
    assert (deck["count"], deck["offset"], deck["card"]) == (gd, off, [ch_, cw])
    assert (deck["rows"], deck["cols"]) == (ch_ + (gd - 1) * off, cw + (gd - 1) * off)
    assert deck["title"] == f"feature map: G_d = {gd}"
    assert v.view.deck[:4] == b"\x89PNG"
    # the readout, in the slides' notation
    text = v.readout_text
    assert f"l_w × l_h × l_d = {w} × {h} × {d}" in text
    assert f"K_w × K_h × K_d = {k} × {k} × {d}" in text and f"K_d = I_d = {d}" in text
    assert f"G_w × G_h × G_d = {gw} × {gh} × {gd}" in text
    assert f"{arithmetic.conv_params(d, f_count, k)} parameters" in text
    assert f"kernel {shown} gives the map G[:, :, {shown}]" in text


def test_defaults(viz):
    assert viz.state.input.shape == (PHOTO_SIZE, PHOTO_SIZE, 3)
    np.testing.assert_allclose(viz.state.input, sample_image("astronaut", size=PHOTO_SIZE))
    assert viz.state.feature_map.shape == (126, 126, 3)
    assert set(viz.controls) == {"source", "filters", "kernel_size", "kernel", "upload"}
    assert viz.error == ""
    _check(viz)


def test_the_slides_exercise_shape():
    x = np.random.default_rng(1).random((28, 28, 3))
    v = VolumeExplorer(x, filters=8)
    try:
        assert v.state.shapes["feature_map"] == (26, 26, 8)  # the slides' table, first row
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize("source", ["photo", "array"])
def test_every_control_through_its_range(viz, source):
    viz.controls["source"].value = source
    for k in (1, 3, 5):
        version, changed = viz.view.version, viz.controls["kernel_size"].value != k
        viz.controls["kernel_size"].value = k
        assert viz.view.version == version + changed
        for n in range(1, MAX_KERNELS + 1):
            version, changed = viz.view.version, viz.controls["filters"].value != n
            viz.controls["filters"].value = n
            assert viz.view.version == version + changed  # one bump per change
            for shown in range(n):
                version = viz.view.version
                viz.controls["kernel"].value = shown
                assert viz.view.version == version, "the kernel shown is chosen in the page, without Python"
                _check(viz)


def test_one_kernel_is_singular(viz):
    viz.controls["filters"].value = 1
    text = viz.readout_text
    assert "1 kernel," in text and "+ 1 bias)" in text
    assert "1 kernels" not in text and "1 biases" not in text
    assert "∗  1 kernel 3×3×3" in viz.view.scene["head"]
    viz.controls["filters"].value = 2
    assert "2 kernels," in viz.readout_text and "+ 2 biases)" in viz.readout_text


def test_fewer_kernels_clamp_the_kernel_shown(viz):
    viz.controls["filters"].value = 8
    viz.controls["kernel"].value = 7
    viz.controls["filters"].value = 2
    assert viz.controls["kernel"].value == 1
    _check(viz)


def test_array_source_shows_numbers(viz):
    viz.controls["source"].value = "array"
    np.testing.assert_array_equal(viz.state.input, DEFAULT_ARRAY)
    assert viz.state.feature_map.shape == (4, 4, 3)
    assert viz.view.scene["channels"]["grids"][0]["labels"][0][2] == "4"
    _check(viz)


def test_grey_and_large_images_become_three_channels():
    grey = np.linspace(0, 1, 300 * 200).reshape(300, 200)
    v = VolumeExplorer(grey, kernel_size=5)
    try:
        x = v.state.input
        assert x.shape[2] == 3 and max(x.shape[:2]) <= PHOTO_SIZE
        np.testing.assert_array_equal(x[..., 0], x[..., 2])
        np.testing.assert_array_equal(x[..., 0], grey[::3, ::3])
        _check(v)
    finally:
        v.close()


def test_upload(viz, send_upload, upload_files):
    viz.controls["source"].value = "array"
    send_upload(viz.controls["upload"], upload_files["good"], "mine.png")
    assert viz.info == "Showing mine.png." and viz.error == ""
    assert viz.controls["source"].value == "photo"
    assert viz.state.input.shape == (round(PHOTO_SIZE * 40 / 60), PHOTO_SIZE, 3)
    _check(viz)
    good = viz.state.input
    for bad, words in (("random", "not a picture"), ("huge", "too large|cannot be used")):
        send_upload(viz.controls["upload"], upload_files[bad], f"{bad}.png")
        assert f"{bad}.png" in viz.error and re.search(words, viz.error)
        assert "BytesIO" not in viz.error
        np.testing.assert_array_equal(viz.state.input, good)
        viz.controls["filters"].value = 4
        _check(viz)


def test_kernel_larger_than_the_picture_in_words_and_the_last_good_state():
    v = VolumeExplorer(np.ones((4, 4, 3)), kernel_size=3)
    try:
        state = v.state
        v.controls["kernel_size"].value = 5
        assert v.error == "A 5×5 kernel does not fit in the 4×4 input. Choose a smaller kernel or a larger picture."
        assert v.view.notice == v.error and v.state is state
        v.controls["kernel_size"].value = 1
        assert v.error == ""
        _check(v)
    finally:
        v.close()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(filters=0), ValueError, "`filters` must be between 1 and 8 here, got 0"),
        (dict(filters=9), ValueError, "`filters` must be between 1 and 8 here, got 9"),
        (dict(kernel_size=4), ValueError, "`kernel_size` must be one of 1, 3, 5, got 4"),
        (dict(source="video"), ValueError, "`source` must be one of 'photo', 'array', got 'video'"),
        (dict(image=np.zeros((8, 8, 4))), ValueError, "3 channels"),
        (dict(image=np.zeros(5)), ValueError, r"2-D \(H, W\) or 3-D"),
        (dict(image=np.full((4, 4), np.nan)), ValueError, "finite"),
        (dict(image=np.zeros((4, 4)), kernel_size=5), ValueError, "larger than the padded input"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        VolumeExplorer(**kwargs)


def test_a_strip_too_thin_for_the_kernels_is_refused_up_front(viz, send_upload):
    buffer = io.BytesIO()
    Image.fromarray(np.full((3, 200, 3), 90, dtype=np.uint8)).save(buffer, format="png")
    x, version = viz.state.input, viz.view.version
    send_upload(viz.controls["upload"], buffer.getvalue(), "strip.png")
    assert viz.error.startswith("strip.png is 2×128 pixels: every kernel needs a picture of at least 5×5")
    assert viz.view.version == version
    np.testing.assert_array_equal(viz.state.input, x)
    viz.controls["kernel_size"].value = 5
    assert viz.error == ""
    _check(viz)


@pytest.mark.parametrize("source", ["photo", "array"])
def test_every_kernel_shown_is_precomputed_as_the_core_gives_it(viz, source):
    """Each choice of the kernel shown (resolved in the page) holds the core's kernel and map, for every F and K."""
    viz.controls["source"].value = source
    for k in (1, 3, 5):
        viz.controls["kernel_size"].value = k
        for f in (1, 4, MAX_KERNELS):
            viz.controls["filters"].value = f
            x, kernels = viz.state.input, make_kernels(f, k)
            fmap = _hand_feature_map(x, kernels)
            state = viz.state
            assert len(state.per_kernel) == len(viz.view.scene["steps"]) == f
            for n, (one, choice) in enumerate(zip(state.per_kernel, viz.view.scene["steps"])):
                assert one.index == n and one.meaning == KERNEL_RECIPES[n][2]
                np.testing.assert_array_equal(one.weights, kernels[..., n])
                np.testing.assert_allclose(one.feature_map, fmap[:, :, n], atol=1e-9)
                for ch in range(3):
                    assert choice["kernel"]["slices"][ch]["labels"] == [
                        [format_number(a) for a in row] for row in kernels[:, :, ch, n]
                    ]
                if source == "array":
                    assert choice["map"]["labels"] == [[format_number(a) for a in row] for row in fmap[:, :, n]]
                else:  # the picture of map n: the map's values through the colour map, symmetric about 0
                    with Image.open(io.BytesIO(viz.view.fmaps[n])) as picture:
                        assert picture.size == (fmap.shape[1], fmap.shape[0])
                        index = np.asarray(picture)
                    lim = np.abs(fmap[:, :, n]).max() or 1.0
                    expected = np.rint(np.clip((fmap[:, :, n] + lim) / (2 * lim), 0, 1) * 255)
                    assert np.abs(index.astype(int) - expected).max() <= 1
                viz.controls["kernel"].value = n
                assert viz.shown == n == viz.view.step
                np.testing.assert_array_equal(viz.kernel, kernels[..., n])
                assert f"kernel {n} gives the map G[:, :, {n}]" in viz.readout_text


def test_the_kernel_shown_is_linked_in_the_page(viz):
    links = [link for link in viz._links if link.source[0] is viz.controls["kernel"]]
    assert len(links) == 1 and links[0].source[1] == "value" and links[0].target == (viz.view, "step")
