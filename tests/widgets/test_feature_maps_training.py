"""FeatureMapExplorer and TrainingExplorer: what the page is sent equals the model's numbers."""

import io
import re

import numpy as np
import pytest
from PIL import Image

from meia_cnn import nn
from meia_cnn.data import load_image
from meia_cnn.explain.feature_maps import network_state, tile_channels, unit_detail
from meia_cnn.explain.training import training_plan
from meia_cnn.nn import (
    REFERENCE_SETTINGS,
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
    reference_model,
    train_reference,
)
from meia_cnn.nn.background import CURVES
from meia_cnn.widgets import FeatureMapExplorer, TrainingExplorer
from meia_cnn.widgets._explorer import format_number


@pytest.fixture(scope="module")
def split():
    return digits_split()


@pytest.fixture(scope="module")
def reference():
    return load_reference()


@pytest.fixture
def maps():
    v = FeatureMapExplorer()
    yield v
    v.close()


def _unit(v):
    c = v.controls
    shape = v.model.output_shapes[c["layer"].value]
    return (c["row"].value, c["col"].value, c["channel"].value) if len(shape) == 3 else (c["channel"].value,)


def _check_maps(v, image, label=None, message=""):
    """The state, the scene and the readout against the model, for the image shown."""
    model = v.model
    outs = model.forward_all(image)
    net = network_state(model, image)
    for got, want in zip(v.state.network.outputs, outs):
        np.testing.assert_array_equal(got, want)
    p = model.predict(image)
    np.testing.assert_allclose(v.state.network.probabilities, p, rtol=1e-5, atol=1e-7)
    assert v.state.network.prediction == int(p.argmax()) and v.label == label
    layer, unit = v.controls["layer"].value, _unit(v)
    d = v.state.detail
    want = unit_detail(model, net, layer, unit)
    assert (d.layer, d.unit, d.kind) == (layer, unit, want.kind)
    assert d.value == want.value == float(outs[layer][unit])
    if d.kind in ("conv", "dense"):  # the shown sum is the layer's output (float32 precision)
        assert d.total + d.bias == pytest.approx(float(outs[layer][unit]), rel=1e-5, abs=1e-5)
    scene = v.view.scene
    assert scene["selected"] == {"layer": layer, "unit": list(unit)}
    assert [entry["title"].split(":")[0] for entry in scene["layers"]] == model.layer_names
    for entry, out in zip(scene["layers"], outs):
        assert (entry["rows"], entry["cols"]) == tile_channels(out).shape
    assert len(v.view.maps) == len(model.layers)
    for png, out in zip(v.view.maps, outs):  # each mosaic as drawn: one pixel a value, white gaps
        mosaic = tile_channels(out)
        picture = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        assert picture.shape[:2] == mosaic.shape
        assert (picture[~np.isfinite(mosaic)] == 255).all()
    assert scene["probs"]["texts"] == [f"{q:.3f}" for q in v.state.network.probabilities]
    (r0, r1), (c0, c1) = want.field
    assert scene["input"]["field"] == [r0, r1, c0, c1]
    value = format_number(d.value)
    assert scene["detail"]["equation"].endswith(f"= {value}") or f"= {value}," in scene["detail"]["equation"]
    text = v.readout_text
    assert f"= {value} (receptive field on the input: rows {r0}–{r1 - 1}, cols {c0}–{c1 - 1})" in text
    assert scene["detail"]["equation"] in text
    assert v.error == message


def test_defaults_show_the_reference_model(maps, split, reference):
    X_test, y_test = split[1], split[3]
    assert set(maps.controls) == {"index", "source", "upload", "layer", "channel", "row", "col", "depth"}
    assert maps.controls["index"].max == len(X_test) - 1
    assert (maps.controls["row"].value, maps.controls["col"].value) == (4, 4)  # the middle of the first map
    _check_maps(maps, X_test[0], int(y_test[0]))
    accuracy = reference.evaluate(X_test, y_test)
    assert f"gets {100 * accuracy:.1f} % of these 450 images right" in maps.readout_text
    np.testing.assert_array_equal(maps.kernels, reference.layers[0].params["W"])
    assert maps.view.scene["layers"][0]["title"] == "conv2d_1: 8×8×8"


def test_every_image(maps, split):
    X_test = split[1]
    control = maps.controls["index"]
    for index in range(control.min, control.max + 1, 7):
        version, changed = maps.view.version, control.value != index
        control.value = index
        assert maps.view.version == version + changed
        assert maps.state.network.prediction == int(np.argmax(maps.model.predict(X_test[index])))
        assert f"Image {index} of 450: predicted {maps.state.network.prediction}" in maps.readout_text
    control.value = 17
    _check_maps(maps, X_test[17], int(split[3][17]))


def test_every_unit_of_every_layer(maps, split):
    image, label = split[1][5], int(split[3][5])
    maps.controls["index"].value = 5
    c = maps.controls
    for layer in [v for _, v in c["layer"].options]:
        c["layer"].value = layer
        shape = maps.model.output_shapes[layer]
        assert c["channel"].max == shape[-1] - 1
        assert c["row"].max == (shape[0] - 1 if len(shape) == 3 else 0)
        assert c["depth"].max == (
            maps.model.layers[layer].in_channels - 1 if isinstance(maps.model.layers[layer], Conv2D) else 0
        )
        for name in ("channel", "row", "col", "depth"):
            control = c[name]
            for value in range(control.min, control.max + 1):
                version, changed = maps.view.version, control.value != value
                control.value = value
                assert maps.view.version == version + changed
                _check_maps(maps, image, label)


def test_the_conv_detail_is_the_convolution_explorers_arithmetic(maps, split):
    c = maps.controls
    with maps.hold():
        c["layer"].value = 3
        c["row"].value, c["col"].value, c["channel"].value, c["depth"].value = 1, 2, 5, 4
    d = maps.state.detail
    window, kernel, products = maps.view.scene["detail"]["grids"]
    assert window["labels"] == [[format_number(v) for v in row] for row in d.inputs[:, :, 4]]
    assert kernel["labels"] == [[format_number(v) for v in row] for row in d.weights[:, :, 4]]
    assert products["labels"] == [[format_number(v) for v in row] for row in d.products[:, :, 4]]
    lines = maps.view.scene["detail"]["lines"]
    assert lines[0] == f"Sum over channel 4: {format_number(d.channel_sums[4])}."
    assert lines[1].endswith(f"= {format_number(d.total)}.")
    assert maps.view.scene["detail"]["equation"] == (
        f"Sum of the products {format_number(d.total)} + bias {format_number(d.bias)} = {format_number(d.value)}"
    )


def test_the_output_shows_logits_and_softmax(maps, reference, split):
    c = maps.controls
    with maps.hold():
        c["layer"].value = 7
        c["channel"].value = 3
    net = network_state(reference, split[1][0])
    bars = maps.view.scene["detail"]["bars"]
    assert bars["values"] == pytest.approx(list(net.probabilities))
    assert bars["texts"][3] == f"z = {format_number(net.logits[3])} → p = {net.probabilities[3]:.3f}"
    den = float(np.exp(net.logits).sum())
    assert maps.view.scene["detail"]["lines"][-1] == (
        f"p[3] = e^{format_number(net.logits[3])} / (e^{format_number(net.logits[0])} + … + "
        f"e^{format_number(net.logits[-1])}) = {format_number(np.exp(net.logits[3]))} / {format_number(den)} = "
        f"{net.probabilities[3]:.3f}"
    )
    _check_maps(maps, split[1][0], int(split[3][0]))


def test_a_click_in_the_drawing_picks_the_unit(maps, split):
    version = maps.view.version
    maps.view._handle_custom_msg({"pick": [2, 1, 3, 6]}, [])  # maxpool2d_1, row 1, col 3, channel 6
    assert maps.view.version == version + 1  # one new scene for the click
    assert (maps.controls["layer"].value, _unit(maps)) == (2, (1, 3, 6))
    assert maps.state.detail.kind == "maxpool"
    _check_maps(maps, split[1][0], int(split[3][0]))
    maps.view._handle_custom_msg({"pick": [7, 0, 0, 9]}, [])  # a vector layer: the index
    assert (maps.controls["layer"].value, _unit(maps)) == (7, (9,))
    for junk in ({"pick": [99, 0, 0, 0]}, {"pick": "x"}, {"pick": [0, 0, 0, 1000]}, {"other": 1}, "text"):
        maps.view._handle_custom_msg(junk, [])
    assert (maps.controls["layer"].value, _unit(maps)) == (7, (9,)) and maps.error == ""


@pytest.mark.parametrize(
    "name, value",
    [
        ("index", None),
        ("index", 10**9),
        ("layer", None),
        ("layer", 99),
        ("source", None),
        ("source", "x"),
        ("channel", -1),
        ("row", "x"),
        ("depth", None),
    ],
)
def test_values_outside_the_controls_never_raise(maps, split, name, value):
    state = maps.state
    try:
        maps.controls[name].value = value
    except Exception:  # noqa: BLE001 - the control itself may refuse the value: fine
        pass
    if maps.error:
        assert re.search(r"Choose|whole number", maps.error)
        assert maps.state is state
    with maps.hold():
        maps.controls["source"].value = "test images"
        maps.controls["index"].value = 2
        maps.controls["layer"].value = 0
    assert maps.error == ""
    _check_maps(maps, split[1][2], int(split[3][2]))


def _png(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="png")
    return buffer.getvalue()


def test_own_image_upload(maps, send_upload, upload_files, split):
    dark_on_light = np.full((40, 30), 230, np.uint8)
    dark_on_light[8:32, 12:18] = 20  # a dark stroke on paper: inverted like the digits
    send_upload(maps.controls["upload"], _png(dark_on_light), "one.png")
    assert maps.controls["source"].value == "upload: one.png"
    assert maps.info.startswith("Showing one.png, inverted") and maps.error == ""
    expected = 1.0 - load_image(_png(dark_on_light), grey=True, size=(8, 8))
    np.testing.assert_allclose(maps.state.network.image[:, :, 0], expected, atol=1e-6)
    _check_maps(maps, maps.state.network.image, None)
    assert "Your image one.png: predicted" in maps.readout_text
    maps.controls["layer"].value = 3  # every control works on the upload
    _check_maps(maps, maps.state.network.image, None)
    before = (maps.view.scene, maps.view.version, maps.state.network.image)
    send_upload(maps.controls["upload"], upload_files["random"], "noise.bin")
    assert maps.error.startswith("noise.bin is not a picture") and "BytesIO" not in maps.error
    assert (maps.view.scene, maps.view.version) == before[:2]
    np.testing.assert_array_equal(maps.state.network.image, before[2])
    maps.controls["source"].value = "test images"  # back to the test set
    _check_maps(maps, split[1][0], int(split[3][0]))


def test_a_users_own_model_and_images(send_upload, upload_files):
    rng = np.random.default_rng(0)
    model = Sequential(
        [
            Conv2D(3, 4, 3, padding="same"),
            ReLU(),
            AvgPool2D(2),
            Dropout(0.25),
            Conv2D(4, 2, 2, stride=2),
            MaxPool2D(1),
            Flatten(),
            Dense(2 * 2 * 2, 3),
        ],
        input_shape=(9, 9, 3),
        seed=1,
    )
    X = rng.random((5, 9, 9, 3)).astype(np.float32)
    v = FeatureMapExplorer(model, X, index=2)
    try:
        assert v.label is None and v.controls["index"].max == 4
        assert v.controls["depth"].max == 2
        _check_maps(v, X[2])
        for layer in range(len(model.layers)):
            v.controls["layer"].value = layer
            v.controls["channel"].value = v.controls["channel"].max
            _check_maps(v, X[2])
        send_upload(v.controls["upload"], upload_files["good"], "colour.png")  # RGB: 3 channels kept
        expected = load_image(upload_files["good"], size=(9, 9))
        np.testing.assert_allclose(v.state.network.image, expected * (X.max() - X.min()) + X.min(), atol=1e-5)
        _check_maps(v, v.state.network.image, None, v.error)
    finally:
        v.close()
    dense = Sequential([Flatten(), Dense(36, 3)], input_shape=(6, 6, 1), seed=0)
    v = FeatureMapExplorer(dense, rng.random((4, 6, 6)), np.array([0, 1, 2, 0]))
    try:
        assert v.kernels is None and v.label == 0
        assert v.controls["row"].disabled and v.controls["channel"].description == "Unit"
        _check_maps(v, v.X[0], 0)
    finally:
        v.close()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(model="lenet"), TypeError, "`model` must be a meia_cnn.nn.Sequential"),
        (dict(X=np.zeros((3, 9, 9, 1))), ValueError, r"`X` must be a batch of shape \(N, 8, 8, 1\)"),
        (dict(X=np.zeros((3, 8, 8, 1)), y=[1, 2]), ValueError, "`y` must be a 1-D array of 3 class labels"),
        (dict(X=np.zeros((3, 8, 8, 1)), y=[1, 2, 10]), ValueError, r"labels must be in 0..9"),
        (dict(X=np.zeros((0, 8, 8, 1))), ValueError, "`X` is empty"),
        (dict(index=450), ValueError, r"`index` must be an int in 0..449, got 450"),
        (dict(model=Sequential([Flatten(), Dense(12, 2)], input_shape=(3, 4))), ValueError, "give `X`"),
    ],
)
def test_feature_map_explorer_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        FeatureMapExplorer(**kwargs)


def test_feature_map_close(maps):
    children = [maps.view, maps.message, *maps.controls.values()]
    maps.close()
    assert all(w.comm is None for w in children) and maps.comm is None


# -- TrainingExplorer ------------------------------------------------------------------------
def test_training_explorer_trains_with_the_reference_recipe(split):
    X_train, X_test, y_train, y_test = split
    viz = TrainingExplorer()
    try:
        assert set(viz.controls) == {"filters", "kernel_size", "epochs", "train"}
        assert viz.seed == REFERENCE_SETTINGS["seed"]
        assert viz.controls["epochs"].value == REFERENCE_SETTINGS["epochs"]
        assert f"{reference_model().n_params:,} parameters" in viz.readout_text
        assert "Not trained yet" in viz.readout_text
        viz.controls["filters"].value = 4
        viz.controls["kernel_size"].value = 5
        assert f"{reference_model(4, 5).n_params:,} parameters" in viz.readout_text
        version = viz.view.version
        viz.controls["epochs"].value = 3
        assert viz.view.version == version + 1
        assert viz.view.history["xrange"] == [0.5, 3.5]  # before a run the empty axes follow the epochs
        assert viz.state.settings == {"filters": 4, "kernel_size": 5, "epochs": 3, "seed": viz.seed}
        viz.controls["train"].click()
        assert viz.wait(timeout=120)
        assert viz.error == ""
        # the widget's numbers are the kit's recipe: the same run as train_reference with these settings
        _, expected = train_reference(filters=4, kernel_size=5, epochs=3)
        assert viz.history == expected
        curves = {key: tuple(np.asarray(viz.view.history[key], dtype=float).reshape(-1, 2).T) for key in CURVES}
        for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
            np.testing.assert_array_equal(curves[key][0], [1, 2, 3])
            np.testing.assert_array_equal(curves[key][1], viz.history[key])
        assert viz.test_accuracy == viz.model.evaluate(X_test, y_test) == viz.history["val_accuracy"][-1]
        assert f"Final test accuracy: {100 * viz.test_accuracy:.1f} % after 3 epochs" in viz.readout_text
        assert viz.progress.value == viz.progress.max == 3 * training_plan(4, 5, 3, seed=viz.seed).batches
        assert viz.view.history["live"].startswith("Epoch 3/3: train loss")
        assert viz.view.history["xrange"] == [0.5, 3.5]
        kernels = viz.view.scene["kernels"]
        assert kernels["title"] == "first-layer kernels: 4 × 5×5"
        assert (kernels["rows"], kernels["cols"]) == (5, 4 * 6 - 1)
        assert viz.view.kernels_png[:4] == b"\x89PNG"
        assert not viz.view.scene["stale"]
        # new settings: the readout says the curves are the previous run's until Train is pressed
        viz.controls["filters"].value = 6
        assert viz.view.scene["stale"]
        assert (
            "The curves belong to the previous settings (4 filters, 5×5 kernels, 3 epochs): press Train "
            "to train this network."
        ) in viz.readout_text
        assert f"{reference_model(6, 5).n_params:,} parameters" in viz.readout_text
        viz.controls["filters"].value = 4
        assert not viz.view.scene["stale"] and "previous settings" not in viz.readout_text
    finally:
        viz.close()


def test_a_second_press_while_training_is_ignored_with_a_message():
    viz = TrainingExplorer(filters=2, epochs=3)
    try:
        assert viz.train() is True
        assert viz.training
        viz.controls["train"].click()  # while the first run is going
        assert "Already training" in viz.info and viz.error == ""
        assert viz.train() is False
        assert viz.wait(timeout=120)
        assert not viz.training
        assert len(viz.history["loss"]) == 3  # one run, not two
        assert viz.error == ""
        assert viz.train(blocking=True) is True  # once finished, a new run starts
    finally:
        viz.close()


def test_every_epoch_is_sent_as_curves_only():
    viz = TrainingExplorer(filters=2, epochs=4)
    seen = []
    viz.view.observe(lambda change: seen.append(len(change["new"]["loss"])), names="history")
    try:
        version = viz.view.version
        viz.train(blocking=True)
        assert seen == [1, 2, 3, 4]  # one message per epoch (nothing new to send at the start and the end)
        assert viz.view.version == version + 2  # the start and the end: the page is redrawn twice only
    finally:
        viz.close()


def test_closing_during_training_stops_the_run():
    viz = TrainingExplorer(filters=8, epochs=40)
    viz.train()
    thread = viz._job._thread
    viz.close()
    assert not thread.is_alive()
    assert len(viz.history["loss"]) < 40
    assert viz.comm is None


def test_a_failing_run_shows_its_error_and_the_explorer_keeps_working(monkeypatch):
    viz = TrainingExplorer(filters=2, epochs=1)
    try:

        def broken(**kwargs):
            raise ValueError("out of paper")

        monkeypatch.setattr(nn.reference, "train_reference", broken)
        viz.train(blocking=True)
        assert viz.error == "Training failed: out of paper"
        assert not viz.training and viz.progress_label.value == "failed"
        monkeypatch.undo()
        viz.train(blocking=True)
        assert viz.error == "" and viz.test_accuracy is not None
    finally:
        viz.close()


@pytest.mark.parametrize(
    "name, value", [("kernel_size", None), ("kernel_size", 4), ("filters", None), ("epochs", 10**9), ("filters", "x")]
)
def test_training_values_outside_the_controls_never_raise(name, value):
    viz = TrainingExplorer(filters=2, epochs=1)
    try:
        state = viz.state
        try:
            viz.controls[name].value = value
        except Exception:  # noqa: BLE001 - the control itself may refuse the value: fine
            pass
        if viz.error:
            assert re.search(r"Choose a kernel size|whole number", viz.error) and viz.state is state
            assert viz.train() is False  # no run with a setting that is not valid
        viz.controls["kernel_size"].value = 3
        viz.controls["filters"].value = 2
        viz.controls["epochs"].value = 1
        assert viz.error == ""
    finally:
        viz.close()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(filters=0), ValueError, r"`filters` must be between 1 and 16 here, got 0"),
        (dict(filters=2.0), TypeError, r"`filters` must be an int, got 2.0"),
        (dict(kernel_size=4), ValueError, r"`kernel_size` must be one of 1, 3, 5, 7, got 4"),
        (dict(kernel_size=True), ValueError, r"`kernel_size` must be one of 1, 3, 5, 7, got True"),
        (dict(epochs=41), ValueError, r"`epochs` must be between 1 and 40 here, got 41"),
        (dict(seed="a"), TypeError, "`seed` must be an int"),
        (dict(seed=-1), ValueError, "`seed` must be >= 0, got -1"),
    ],
)
def test_training_explorer_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        TrainingExplorer(**kwargs)
