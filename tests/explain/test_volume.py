"""volume_state and make_kernels against scipy, the core's arithmetic and the presets; the scene and its pictures."""

import io
import json

import numpy as np
import pytest
from PIL import Image
from scipy import signal

from meia_cnn import arithmetic
from meia_cnn.explain._render import colour_indices, colour_table, colours, format_number, plain_text, sample_colour_map
from meia_cnn.explain.volume import (
    DEFAULT_ARRAY,
    KERNEL_RECIPES,
    MAX_KERNELS,
    as_photo,
    channel_pngs,
    deck_geometry,
    deck_png,
    make_kernels,
    map_png,
    volume_scene,
    volume_state,
)


def _hand_feature_map(x, kernels):
    """Each map is the sum over channels of a 2-D cross-correlation (scipy), one per kernel."""
    return np.stack(
        [
            sum(signal.correlate2d(x[:, :, c], kernels[:, :, c, f], mode="valid") for c in range(x.shape[2]))
            for f in range(kernels.shape[3])
        ],
        axis=-1,
    )


#: The integer patterns by hand (Sobel, binomial Gaussian, Laplacian, emboss), independent of the core.
_HAND = {
    ("sobel_x", 3): np.outer([1, 2, 1], [-1, 0, 1]),
    ("sobel_y", 3): np.outer([-1, 0, 1], [1, 2, 1]),
    ("gaussian", 3): np.outer([1, 2, 1], [1, 2, 1]),
    ("laplacian", 3): np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]]),
    ("emboss", 3): np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    ("sobel_x", 5): np.outer([1, 4, 6, 4, 1], [-1, -2, 0, 2, 1]),
    ("sobel_y", 5): np.outer([-1, -2, 0, 2, 1], [1, 4, 6, 4, 1]),
    ("gaussian", 5): np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]),
}


def _preset(name, k):
    if (name, k) in _HAND:
        return _HAND[name, k]
    from meia_cnn.kernels import kernel_preset

    p = kernel_preset(name, k)
    return p / np.abs(p[p != 0]).min()


@pytest.mark.parametrize("k", [3, 5])
def test_kernels_are_the_presets_times_channel_weights(k):
    kernels = make_kernels(MAX_KERNELS, k)
    for f, (pattern, weights, _) in enumerate(KERNEL_RECIPES):
        for c in range(3):
            np.testing.assert_allclose(kernels[:, :, c, f], _preset(pattern, k) * weights[c])
    assert np.array_equal(kernels, np.round(kernels))  # integers: legible numbers


def test_one_by_one_kernels_only_mix_channels():
    kernels = make_kernels(MAX_KERNELS, 1)
    np.testing.assert_array_equal(kernels[0, 0].T, [w for _, w, _ in KERNEL_RECIPES])


@pytest.mark.parametrize("f, k", [(1, 1), (3, 3), (8, 5), (5, 3)])
def test_feature_map_against_scipy(f, k):
    x = np.random.default_rng(4).random((9, 7, 3))
    state = volume_state(x, f, k)
    np.testing.assert_allclose(state.feature_map, _hand_feature_map(x, make_kernels(f, k)), atol=1e-12)
    gh, gw, gd = arithmetic.feature_map_shape(x.shape, f, k)
    assert state.shapes == {"input": (7, 9, 3), "kernel": (k, k, 3), "feature_map": (gw, gh, gd)}
    assert gd == f == state.filters and state.kernel_size == k
    assert state.params == k * k * 3 * f + f  # weights + biases, by hand
    assert len(state.meanings) == f and not state.feature_map.flags.writeable


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: make_kernels(0), "from 1 to 8"),
        (lambda: make_kernels(9), "from 1 to 8"),
        (lambda: make_kernels(2, 4), "1, 3 or 5"),
        (lambda: volume_state(np.ones((4, 4, 2)), 1, 1), "3 channels"),
        (lambda: volume_state(np.ones((4, 4, 3)), 1, 5), "larger than"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("f, k", [(1, 1), (3, 3), (8, 5)])
def test_every_kernel_shown_with_its_own_map(f, k):
    """per_kernel[n]: kernel n as make_kernels gives it and its map, a channel sum of scipy's correlations."""
    x = np.random.default_rng(5).random((8, 9, 3))
    state = volume_state(x, f, k)
    kernels = make_kernels(f, k)
    assert [one.index for one in state.per_kernel] == list(range(f))
    for n, one in enumerate(state.per_kernel):
        np.testing.assert_array_equal(one.weights, kernels[..., n])
        by_hand = sum(signal.correlate2d(x[:, :, c], kernels[:, :, c, n], mode="valid") for c in range(3))
        np.testing.assert_allclose(one.feature_map, by_hand, atol=1e-12)
        assert one.meaning == KERNEL_RECIPES[n][2]
        assert not one.weights.flags.writeable and not one.feature_map.flags.writeable


# -- the scene: what the explorer draws and writes, built without a widget ---------------------
def _numbers(values):
    return [[format_number(v) for v in row] for row in values]


@pytest.mark.parametrize("f, k", [(1, 1), (3, 3), (8, 5)])
def test_scene_of_the_small_array_writes_every_number(f, k):
    state = volume_state(DEFAULT_ARRAY, f, k)
    scene = volume_scene(state)
    assert json.loads(json.dumps(scene)) == scene  # what the page receives, as it is
    gh, gw, gd = arithmetic.feature_map_shape((6, 6, 3), f, k)
    kernels = make_kernels(f, k)
    fmap = _hand_feature_map(DEFAULT_ARRAY, kernels)
    assert scene["head"] == (
        f"6×6×3  ∗  1 kernel {k}×{k}×3  →  {gw}×{gh}×{gd}"
        if f == 1
        else f"6×6×3  ∗  {f} kernels {k}×{k}×3  →  {gw}×{gh}×{gd}"
    )
    channels = scene["channels"]
    assert (channels["numbers"], channels["rows"], channels["cols"]) == (True, 6, 6)
    assert channels["label"] == "The input's three channels, red, green and blue, each 6 by 6."
    lo, hi = DEFAULT_ARRAY.min(), DEFAULT_ARRAY.max()
    for ch, (grid, name, cmap) in enumerate(zip(channels["grids"], "RGB", ("Reds", "Greens", "Blues"))):
        assert grid["title"] == f"I[:, :, {name}]"
        assert grid["labels"] == _numbers(DEFAULT_ARRAY[:, :, ch])
        assert grid["colours"] == colours(DEFAULT_ARRAY[:, :, ch], cmap=cmap, vmin=lo, vmax=hi)
    assert scene["kernel"] == {"size": k} and scene["map"] == {"numbers": True, "rows": gh, "cols": gw}
    assert len(scene["steps"]) == f
    lim = np.abs(kernels).max()
    for n, step in enumerate(scene["steps"]):
        meaning = KERNEL_RECIPES[n][2]
        assert step["kernel"]["note"] == [f"kernel {n}: {k}×{k}×3", meaning] + (
            ["(1×1: it only mixes channels)"] if k == 1 else []
        )
        assert step["kernel"]["label"] == (
            f"Kernel {n}, {k} by {k} by 3, drawn slice by slice with its weights: {meaning}."
        )
        for ch, piece in enumerate(step["kernel"]["slices"]):
            assert piece["title"] == f"K[:, :, {'RGB'[ch]}]"
            assert piece["labels"] == _numbers(kernels[:, :, ch, n])
            assert piece["colours"] == colours(kernels[:, :, ch, n], cmap="PuOr_r", vmin=-lim, vmax=lim)
        assert step["map"]["title"] == f"G[:, :, {n}]  ({gw}×{gh})"
        assert step["map"]["label"] == f"Feature map {n} of kernel {n}, {gh} by {gw}."
        assert step["map"]["labels"] == _numbers(fmap[:, :, n])
        assert step["deck_label"] == (
            f"The {gd} feature maps stacked as cards, map 0 in front; map {n} framed in orange."
        )
        assert plain_text(step["readout"]) == (
            f"Feature map: G_w × G_h × G_d = {gw} × {gh} × {gd}: G_w = 6 − {k} + 1 = {gw} (equation (3), s = 1) "
            f"and G_d = {gd}, the number of kernels. Each kernel sums over all 3 channels, so it gives one 2-D "
            f"map; kernel {n} gives the map G[:, :, {n}]."
        )
    params = arithmetic.conv_params(3, f, k)
    assert params == state.params == k * k * 3 * f + f
    many = (
        f"{f} kernels, {params} parameters ({k}·{k}·3·{f} weights + {f} biases)."
        if f > 1
        else f"1 kernel, {params} parameters ({k}·{k}·3·1 weights + 1 bias)."
    )
    assert plain_text(scene["readout"]) == (
        "Input, a small 3-channel array: l_w × l_h × l_d = 6 × 6 × 3\n"
        f"Each kernel: K_w × K_h × K_d = {k} × {k} × 3, with K_d = I_d = 3 (equation (2)); {many}"
    )


def test_scene_of_a_photo_names_it_and_sends_no_numbers():
    x = np.random.default_rng(2).random((20, 30, 3))
    scene = volume_scene(volume_state(x, 4, 5), "cat <1>.png")
    assert scene["channels"]["numbers"] is False and scene["map"]["numbers"] is False
    assert all(set(grid) == {"title", "ink"} for grid in scene["channels"]["grids"])
    assert all("labels" not in step["map"] for step in scene["steps"])
    assert scene["readout"].startswith(
        "<div>Input, the photo (cat &lt;1&gt;.png): l_w × l_h × l_d = <b>30 × 20 × 3</b></div>"
    )
    thin, card_h, card_w, off = deck_geometry((16, 26, 4))
    assert (thin, card_h, card_w, off) == (1, 16, 26, 4)  # small maps: one pixel a value, offset 16 % of a side
    assert scene["deck"] == {
        "rows": 16 + 3 * 4,
        "cols": 26 + 3 * 4,
        "card": [16, 26],
        "offset": 4,
        "count": 4,
        "title": "feature map: G_d = 4",
    }


def test_deck_geometry_thins_large_maps_to_cards_of_at_most_64():
    assert deck_geometry((126, 126, 3)) == (2, 63, 63, 10)
    assert deck_geometry((130, 40)) == (3, 44, 14, 7)
    assert deck_geometry((1, 1, 8)) == (1, 1, 1, 1)
    with pytest.raises(ValueError, match=r"`shape` must be \(G_h, G_w\) or \(G_h, G_w, G_d\), got \(6,\)"):
        deck_geometry((6,))
    with pytest.raises(ValueError, match="`shape` must be >= 1, got 0"):
        deck_geometry((0, 4))


def _pixels(png):
    with Image.open(io.BytesIO(png)) as picture:
        return picture.mode, np.asarray(picture.convert("RGBA") if picture.mode == "P" else picture)


def test_pictures_are_the_values_through_their_colour_maps():
    x = np.random.default_rng(3).random((9, 11, 3)) * 4 - 1
    state = volume_state(x, 3, 3)
    lo, hi = x.min(), x.max()
    for ch, (png, cmap) in enumerate(zip(channel_pngs(state.input), ("Reds", "Greens", "Blues"))):
        mode, rgba = _pixels(png)
        want = colour_table(cmap)[colour_indices(x[:, :, ch], lo, hi)]
        assert mode == "P" and rgba.shape == (9, 11, 4)
        np.testing.assert_array_equal(rgba[..., :3], want)
    one = state.per_kernel[1].feature_map
    lim = np.abs(one).max()
    np.testing.assert_array_equal(
        _pixels(map_png(one))[1][..., :3], colour_table("PuOr_r")[colour_indices(one, -lim, lim)]
    )
    mode, deck = _pixels(deck_png(state.feature_map))
    thin, card_h, card_w, off = deck_geometry(state.feature_map.shape)
    assert mode == "RGBA" and deck.shape == (card_h + 2 * off, card_w + 2 * off, 4)
    front = deck[2 * off :, :card_w]  # map 0, bottom left, in front of the others
    m = state.feature_map[:, :, 0]
    np.testing.assert_array_equal(front[..., :3], sample_colour_map("PuOr_r", 0.5 + 0.5 * m / np.abs(m).max()))
    assert (front[..., 3] == 255).all() and deck[0, 0, 3] == 0  # transparent around the cards


def test_as_photo_makes_three_channels_and_thins_by_striding():
    grey = np.linspace(0, 1, 300 * 200).reshape(300, 200)
    photo = as_photo(grey)
    assert photo.shape == (100, 67, 3)
    np.testing.assert_array_equal(photo[..., 1], grey[::3, ::3])
    small = np.random.default_rng(0).random((5, 6, 3))
    np.testing.assert_array_equal(as_photo(small), small)
    with pytest.raises(ValueError, match=r"`upload` must have 3 channels \(H, W, 3\) or be grey"):
        as_photo(np.zeros((4, 4, 4)), "upload")
    with pytest.raises(ValueError, match="`size` must be >= 1, got 0"):
        as_photo(small, size=0)
