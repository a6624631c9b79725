"""meia_cnn.explain.feature_maps: every unit's arithmetic equals the layer's output (float32 precision); the scene."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from meia_cnn import ops
from meia_cnn.explain._render import PALETTE, colours, format_number, plain_text
from meia_cnn.explain.feature_maps import (
    checked_images,
    feature_map_pictures,
    feature_map_scene,
    feature_map_state,
    layer_scales,
    mosaic_shape,
    network_state,
    picked_unit,
    tile_channels,
    tile_layout,
    unit_detail,
    unit_limits,
    upload_input,
)
from meia_cnn.nn import (
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    digits_split,
    load_reference,
)
from meia_cnn.nn.losses import softmax

TOL = dict(rel=1e-5, abs=1e-5)
ATOL = dict(rtol=1e-5, atol=1e-5)


@pytest.fixture(scope="module")
def reference():
    return load_reference(), digits_split()[1]


@pytest.fixture(scope="module")
def small():
    """A user's model with strides, padding, average pooling and dropout."""
    model = Sequential(
        [
            Conv2D(2, 3, 3, stride=2, padding="same"),
            ReLU(),
            AvgPool2D(2, padding="same"),
            Conv2D(3, 2, 2),
            MaxPool2D(2, stride=1, padding="same"),
            Dropout(0.5),
            Flatten(),
            Dense(8, 4),
        ],
        input_shape=(11, 9, 2),
        seed=3,
    )
    x = np.random.default_rng(7).normal(size=(11, 9, 2)).astype(np.float32)
    return model, x


def test_tile_channels_puts_channel_c_in_row_c_div_ncols():
    maps = np.random.default_rng(0).random((3, 2, 10))
    grid = tile_channels(maps, ncols=4)
    assert grid.shape == (3 * 4 - 1, 4 * 3 - 1)
    for c in range(10):
        r, q = divmod(c, 4)
        np.testing.assert_array_equal(grid[r * 4 : r * 4 + 3, q * 3 : q * 3 + 2], maps[:, :, c])
    assert np.isnan(grid[3]).all() and np.isnan(grid[:, 2]).all()
    assert np.isnan(grid[8:, 6:]).all()  # the two missing tiles stay empty
    np.testing.assert_array_equal(tile_channels(np.arange(20.0))[1, :4], [16, 17, 18, 19])
    assert tile_layout((20,)) == (2, 16) and tile_layout((2, 2, 17)) == (3, 8)
    with pytest.raises(ValueError, match=r"`maps` must be \(H, W, C\) or \(K,\)"):
        tile_channels(np.zeros((2, 2)))


def test_network_state_is_forward_all_and_softmax(reference):
    model, X = reference
    state = network_state(model, X[5])
    for got, want in zip(state.outputs, model.forward_all(X[5])):
        np.testing.assert_array_equal(got, want)
        assert not got.flags.writeable
    np.testing.assert_allclose(state.probabilities, model.predict(X[5]), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(state.probabilities, softmax(state.logits[None])[0])
    assert state.kinds == ("conv", "relu", "maxpool", "conv", "relu", "maxpool", "flatten", "dense")
    assert state.prediction == int(np.argmax(model.predict(X[5])))


def _check_every_unit(model, x):
    state = network_state(model, x)
    for L, out in enumerate(state.outputs):
        xin = np.asarray(state.image if L == 0 else state.outputs[L - 1], dtype=np.float64)
        layer = model.layers[L]
        for unit in np.ndindex(*out.shape):
            d = unit_detail(model, state, L, unit)
            assert d.value == float(out[unit])
            if d.kind == "conv":
                # the products summed, plus the bias, are the layer's output at the unit
                assert d.total + d.bias == pytest.approx(d.value, **TOL)
                np.testing.assert_allclose(d.products, d.inputs * d.weights)
                np.testing.assert_allclose(d.channel_sums.sum(), d.total, **ATOL)
                (r0, r1), (c0, c1) = d.window
                pads = ((max(0, -r0), max(0, r1 - xin.shape[0])), (max(0, -c0), max(0, c1 - xin.shape[1])))
                padded = ops.pad(xin, pads)
                np.testing.assert_array_equal(
                    d.inputs, padded[r0 + pads[0][0] : r1 + pads[0][0], c0 + pads[1][0] : c1 + pads[1][0]]
                )
                np.testing.assert_array_equal(d.weights, layer.params["W"][:, :, :, unit[2]])
            elif d.kind == "relu":
                assert d.value == max(0.0, float(d.inputs[0])) and d.source == unit
            elif d.kind == "maxpool":
                assert d.value == float(np.nanmax(d.inputs)) == float(xin[d.source])
            elif d.kind == "avgpool":
                assert d.total / d.count == pytest.approx(d.value, **TOL)
                assert d.count == int(np.isfinite(d.inputs).sum())
            elif d.kind == "flatten":
                assert d.value == float(xin[d.source])
            elif d.kind == "dropout":
                assert d.value == float(d.inputs[0])
            elif d.kind == "dense":
                assert d.total + d.bias == pytest.approx(d.value, **TOL)
                np.testing.assert_array_equal(d.weights, layer.params["W"][:, unit[0]])
            else:  # pragma: no cover
                raise AssertionError(d.kind)
            if L == len(model.layers) - 1:
                np.testing.assert_array_equal(d.logits, state.logits)
                np.testing.assert_array_equal(d.probabilities, state.probabilities)
            else:
                assert d.logits is None


def test_every_unit_of_the_reference_model(reference):
    model, X = reference
    _check_every_unit(model, X[0])


def test_every_unit_of_a_users_model(small):
    _check_every_unit(*small)


def test_receptive_fields_by_hand(reference, small):
    model, X = reference
    state = network_state(model, X[0])
    # 3x3 'same' convolution: one row and column around the unit, clipped at the border
    assert unit_detail(model, state, 0, (3, 4, 1)).field == ((2, 5), (3, 6))
    assert unit_detail(model, state, 0, (0, 0, 0)).field == ((0, 2), (0, 2))
    # pooling 2: the 2x2 of the conv below, each 3x3 on the input: 4x4 from (2r - 1, 2c - 1)
    assert unit_detail(model, state, 2, (1, 2, 0)).field == ((1, 5), (3, 7))
    # conv2d_2 at (0, 0): rows -1..1 of the pooled maps -> -2..3 of conv2d_1 -> -3..4 of the input
    assert unit_detail(model, state, 3, (0, 0, 0)).field == ((0, 5), (0, 5))
    assert unit_detail(model, state, 7, (4,)).field == ((0, 8), (0, 8))  # a dense unit sees everything
    # flatten: the cell it copies, and that cell's field
    flat = unit_detail(model, state, 6, (0,))
    assert flat.source == (0, 0, 0)
    assert flat.field == unit_detail(model, state, 5, (0, 0, 0)).field
    m, x = small
    s = network_state(m, x)
    # stride 2, 'same' padding of 3x3 on 11 rows: pads (1, 1); unit row 2 sees rows 3..5
    assert unit_detail(m, s, 0, (2, 1, 0)).field == ((3, 6), (1, 4))


def test_bad_units_are_refused(reference):
    model, X = reference
    state = network_state(model, X[0])
    with pytest.raises(ValueError, match=r"`layer` must be an int in 0..7, got 8"):
        unit_detail(model, state, 8, (0,))
    with pytest.raises(ValueError, match=r"`unit` must have 3 indices"):
        unit_detail(model, state, 0, (0,))
    with pytest.raises(ValueError, match=r"`unit`\[2\] must be in 0..7"):
        unit_detail(model, state, 0, (0, 0, 8))
    with pytest.raises(TypeError, match="`unit` must hold ints"):
        unit_detail(model, state, 7, (1.0,))
    with pytest.raises(ValueError, match="one sample"):
        network_state(model, X[:2])
    with pytest.raises(TypeError, match="`model` must be a meia_cnn.nn.Sequential"):
        network_state("lenet", X[0])


def test_feature_map_state_and_scales(reference):
    model, X = reference
    net = network_state(model, X[3])
    state = feature_map_state(model, X[3], 3, (1, 1, 2), network=net)
    assert state.network is net and state.detail.unit == (1, 1, 2)
    scales = layer_scales(model, X)
    outs = model.forward_all(X[:256])
    for (signed, top), out in zip(scales, outs):
        assert signed == bool(out.min() < 0)
        assert top == pytest.approx(np.percentile(np.abs(out), 99.5))


def test_pictures_are_the_pixels_an_imaging_library_reads():
    """The maps' and the input's PNG (written with zlib) decode, with Pillow, to the pixels given."""
    import io

    from PIL import Image

    from meia_cnn.explain._render import encode_png as _png
    from meia_cnn.explain.feature_maps import _palette

    rng = np.random.default_rng(8)
    index = rng.integers(0, 256, (17, 35), dtype=np.uint8)
    with Image.open(io.BytesIO(_png(index, _palette("cividis")))) as picture:
        assert picture.mode == "P" and picture.size == (35, 17)
        np.testing.assert_array_equal(np.asarray(picture), index)
        palette = np.frombuffer(bytes(picture.getpalette()[:768]), dtype=np.uint8).reshape(256, 3)
    np.testing.assert_array_equal(palette, np.frombuffer(_palette("cividis"), dtype=np.uint8).reshape(256, 3))
    assert tuple(palette[255]) == (255, 255, 255)  # the gaps between tiles
    rgb = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    with Image.open(io.BytesIO(_png(rgb))) as picture:
        assert picture.mode == "RGB"
        np.testing.assert_array_equal(np.asarray(picture), rgb)


# -- the scene: what the explorer draws and writes, built without a widget ---------------------
def _n(v):
    return format_number(v, 3)


def test_scene_of_a_test_image_and_a_convolution_unit(reference):
    model, X = reference
    y = digits_split()[3]
    wrong = [int(j) for j in np.flatnonzero(model.predict(X).argmax(axis=1) != y)]
    state = feature_map_state(model, X[0], 3, (1, 2, 5))
    scene = feature_map_scene(state, image=0, count=len(X), label=int(y[0]), wrong=wrong, depth=4)
    assert json.loads(json.dumps(scene)) == scene  # what the page receives, as it is
    net, d = state.network, state.detail
    assert scene["input"] == {
        "rows": 8,
        "cols": 8,
        "title": f"input #0 · label {y[0]}",
        "field": [d.field[0][0], d.field[0][1], d.field[1][0], d.field[1][1]],
        "label": "The input image, 8 by 8; the selected unit's receptive field is framed in orange.",
    }
    assert scene["selected"] == {"layer": 3, "unit": [1, 2, 5]}
    for entry, out, name in zip(scene["layers"], net.outputs, model.layer_names):
        shape = "×".join(map(str, out.shape))
        assert entry["title"] == f"{name}: {shape}" and entry["name"] == name
        assert (entry["rows"], entry["cols"]) == tile_channels(out).shape
        assert entry["tiles"] == list(tile_layout(out.shape)) and entry["vector"] == (out.ndim == 1)
        assert entry["label"] == (
            f"Output of {name}, {shape}, one small picture per channel; click a unit to see how it was computed."
        )
    p, guess = net.probabilities, net.prediction
    assert scene["probs"]["texts"] == [f"{v:.3f}" for v in p] and scene["probs"]["values"] == pytest.approx(p)
    assert scene["probs"]["title"] == f"predicted {guess}: {100 * p[guess]:.1f} %"
    assert scene["probs"]["colours"] == [PALETTE["green"] if k == guess else PALETTE["grey"] for k in range(10)]
    detail = scene["detail"]
    unit = "conv2d_2, channel 5, row 1, col 2"
    assert detail["title"] == f"How {unit} was computed: a 3×3 window of the input, times the kernel, summed"
    window, kernel, products = detail["grids"]
    assert window["title"] == "input window (channel 4 of 8)" and kernel["title"] == "kernel 5, channel 4"
    assert window["labels"] == [[_n(v) for v in row] for row in d.inputs[:, :, 4]]
    assert kernel["labels"] == [[_n(v) for v in row] for row in d.weights[:, :, 4]]
    assert products["labels"] == [[_n(v) for v in row] for row in d.products[:, :, 4]]
    assert products["colours"] == colours(d.products[:, :, 4], cmap="PuOr_r", symmetric=True)
    sums = _n(d.channel_sums[0]) + "".join(f" − {_n(-s)}" if s < 0 else f" + {_n(s)}" for s in d.channel_sums[1:])
    assert detail["lines"] == [
        f"Sum over channel 4: {_n(d.channel_sums[4])}.",
        f"Sum over the 8 input channels: {sums} = {_n(d.total)}.",
    ]
    assert detail["equation"] == f"Sum of the products {_n(d.total)} + bias {_n(d.bias)} = {_n(d.value)}"
    (r0, r1), (c0, c1) = d.field
    shapes = " → ".join(f"{name} {'×'.join(map(str, o.shape))}" for name, o in zip(net.names, net.outputs))
    accuracy = 100 * (1 - len(wrong) / len(X))
    assert plain_text(scene["readout"]).split("\n") == [
        f"Image 0 of 450: predicted {guess} with probability {100 * p[guess]:.1f} %, right.",
        f"The model gets {accuracy:.1f} % of these 450 images right; misclassified: "
        + ", ".join(map(str, wrong))
        + ".",
        f"Selected: {unit} = {_n(d.value)} (receptive field on the input: rows {r0}–{r1 - 1}, cols {c0}–{c1 - 1}).",
        detail["equation"],
        f"Feature maps: input 8×8×1 → {shapes}; the depth of each map is the number of filters.",
    ]


def test_scene_of_a_wrong_prediction_colours_the_guess_and_the_label(reference):
    model, X = reference
    y = digits_split()[3]
    j = int(np.flatnonzero(model.predict(X).argmax(axis=1) != y)[0])
    state = feature_map_state(model, X[j], 7, (int(y[j]),))
    scene = feature_map_scene(state, image=j, count=len(X), label=int(y[j]), wrong=[j], depth=0)
    p, guess, truth = state.network.probabilities, state.network.prediction, int(y[j])
    assert scene["probs"]["colours"][guess] == PALETTE["vermillion"]
    assert scene["probs"]["colours"][truth] == PALETTE["blue"]
    text = plain_text(scene["readout"])
    assert (
        f"Image {j} of 450: predicted {guess} with probability {100 * p[guess]:.1f} %, wrong (the label is "
        f"{truth}, probability {100 * p[truth]:.1f} %)."
    ) in text
    assert f"misclassified: {j}." in text
    z = state.network.logits
    bars = scene["detail"]["bars"]
    assert bars["selected"] == truth and bars["texts"][3] == f"z = {_n(z[3])} → p = {p[3]:.3f}"
    assert scene["detail"]["lines"][-1] == (
        f"p[{truth}] = e^{_n(z[truth])} / (e^{_n(z[0])} + … + e^{_n(z[-1])}) = {_n(np.exp(z[truth]))} / "
        f"{_n(np.exp(z).sum())} = {p[truth]:.3f}"
    )
    lines = scene["detail"]["lines"][:-1]  # the six largest products, then how many are left
    d = state.detail
    order = np.argsort(-np.abs(d.products), kind="stable")[:6]
    assert lines == [
        f"x[{k}] · w[{k}] = {_n(d.inputs[k])} · {_n(d.weights[k])} = {_n(d.products[k])}" for k in order
    ] + ["… and 58 more products (the 6 largest in size are listed)."]


def test_scene_of_an_upload_and_of_images_without_labels(reference):
    model, X = reference
    state = feature_map_state(model, X[1], 0, (0, 0, 0))
    upload = feature_map_scene(state, image="a<b>.png", count=len(X), label=None, wrong=[4])
    assert upload["input"]["title"] == "your image"
    assert upload["readout"].startswith(
        f"<div>Your image a&lt;b&gt;.png: predicted <b>{state.network.prediction}</b> with probability"
    )
    assert "misclassified: 4" in plain_text(upload["readout"])
    plain = feature_map_scene(state, image=1, count=len(X))
    assert plain["input"]["title"] == "input #1"
    text = plain_text(plain["readout"])
    assert "The model gets" not in text and ", right" not in text and ", wrong" not in text
    assert set(plain["probs"]["colours"]) == {PALETTE["green"], PALETTE["grey"]}


def test_every_kind_of_unit_is_written_with_its_arithmetic(small):
    model, x = small
    net = network_state(model, x)
    seen = set()
    for layer, out in enumerate(net.outputs):
        unit = (1, 1, 0) if out.ndim == 3 else (2,)
        d = feature_map_state(model, x, layer, unit, network=net).detail
        detail = feature_map_scene(feature_map_state(model, x, layer, unit, network=net), image=0, count=1)["detail"]
        value = _n(d.value)
        name = f"{d.name}, channel 0, row 1, col 1" if out.ndim == 3 else f"{d.name}, unit 2"
        seen.add(d.kind)
        assert detail["kind"] == d.kind and detail["title"].startswith(f"How {name} was computed: ")
        if d.kind == "relu":
            assert detail["equation"] == f"max(0, {_n(d.inputs[0])}) = {value}"
        elif d.kind == "avgpool":
            cells = [v for v in d.inputs.ravel() if np.isfinite(v)]
            total = _n(cells[0]) + "".join(f" − {_n(-v)}" if v < 0 else f" + {_n(v)}" for v in cells[1:])
            assert detail["equation"] == f"({total}) / {d.count} = {value}"
            assert detail["grids"][0]["labels"] == [
                ["" if not np.isfinite(v) else _n(v) for v in row] for row in d.inputs
            ]
        elif d.kind == "maxpool":
            (r0, _), (c0, _) = d.window
            assert detail["grids"][0]["mark"] == [d.source[0] - r0, d.source[1] - c0]
            assert detail["equation"] == (
                f"max of the window = {value}, at row {d.source[0]}, col {d.source[1]} of the layer's input"
            )
        elif d.kind == "dropout":
            assert detail["equation"] == f"output = input = {value}"
        elif d.kind == "flatten":
            r, c, ch = d.source
            assert detail["equation"] == f"unit 2 = input row {r}, col {c}, channel {ch} = {value}"
        elif d.kind == "dense":
            assert detail["equation"] == (
                f"Sum of the {len(d.products)} products {_n(d.total)} + bias {_n(d.bias)} = {value}"
            )
            assert detail["bars"]["selected"] == 2
    assert seen == {"conv", "relu", "avgpool", "maxpool", "dropout", "flatten", "dense"}


def test_pictures_are_the_mosaics_drawn_one_pixel_a_value(reference):
    model, X = reference
    net = network_state(model, X[2])
    scales = layer_scales(model, X)
    image, maps = feature_map_pictures(net, scales, (0.0, 16.0))
    with Image.open(io.BytesIO(image)) as picture:
        grey = np.asarray(picture.convert("RGB"))
    np.testing.assert_array_equal(grey[..., 0], (np.clip(net.image[..., 0] / 16.0, 0, 1) * 255 + 0.5).astype(int))
    for png, out, (signed, top) in zip(maps, net.outputs, scales):
        mosaic = tile_channels(out)
        assert mosaic_shape(out.shape) == mosaic.shape
        with Image.open(io.BytesIO(png)) as picture:
            index = np.asarray(picture)
        assert index.shape == mosaic.shape and (index[~np.isfinite(mosaic)] == 255).all()
        lo = -top if signed else 0.0
        want = np.clip((mosaic - lo) / (top - lo), 0, 1) * 254 + 0.5
        finite = np.isfinite(mosaic)
        np.testing.assert_array_equal(index[finite], want[finite].astype(np.uint8))


def test_images_units_and_uploads_checked(reference):
    model, X = reference
    images, labels = checked_images(model)
    np.testing.assert_array_equal(images, X)
    np.testing.assert_array_equal(labels, digits_split()[3])
    assert checked_images(model, X[:3])[1] is None
    with pytest.raises(ValueError, match=r"give `X`: the default digits \(8×8×1\) do not fit"):
        checked_images(Sequential([Flatten(), Dense(12, 2)], input_shape=(3, 4, 1)))
    with pytest.raises(TypeError, match="`model` must be a meia_cnn.nn.Sequential, got str"):
        checked_images("lenet")
    assert picked_unit(model, [2, 1, 3, 6]) == (2, 1, 3, 6)
    assert picked_unit(model, [7, 0, 0, 9]) == (7, 0, 0, 9)
    for junk in ([99, 0, 0, 0], [0, 0, 0, 8], [7, 1, 0, 0], [0, 0, 0], "x", None, [0, 0, 0, 1.0]):
        assert picked_unit(model, junk) is None
    assert unit_limits(model, 0) == {"row": 7, "col": 7, "channel": 7, "depth": 0}
    assert unit_limits(model, 6) == {"row": 0, "col": 0, "channel": 63, "depth": 0}
    with pytest.raises(ValueError, match=r"`layer` must be an int in 0..7, got 8"):
        unit_limits(model, 8)
    dark, inverted = upload_input(np.full((8, 8), 0.25), (0.0, 16.0), dark=True)
    assert dark.shape == (8, 8, 1) and dark.dtype == np.float32 and not inverted and (dark == 4.0).all()
    light, inverted = upload_input(np.full((8, 8), 0.75), (0.0, 16.0), dark=True)
    assert inverted and (light == 4.0).all()
    assert not upload_input(np.full((8, 8), 0.75), (0.0, 1.0), dark=False)[1]
