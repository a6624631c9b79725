"""FeatureMapExplorer and TrainingExplorer: drawn data equals the model's numbers, artists built once."""

import time

import matplotlib.pyplot as plt
import numpy as np
import pytest

from meia_cnn.nn import (
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    digits_split,
    load_reference,
    reference_model,
    train_reference,
)
from meia_cnn.widgets import FeatureMapExplorer, TrainingExplorer
from meia_cnn.widgets.feature_maps import tile_channels


def n_artists(fig):
    """Artists on the figure and its axes (tick marks, which matplotlib makes as needed, aside)."""
    return len(fig.get_children()) + sum(len(ax.get_children()) for ax in fig.axes)


@pytest.fixture(scope="module")
def split():
    return digits_split()


# -- FeatureMapExplorer ---------------------------------------------------------------------
def test_tile_channels_puts_channel_c_in_row_c_div_ncols():
    maps = np.random.default_rng(0).random((3, 2, 10))
    grid = tile_channels(maps, ncols=4)
    assert grid.shape == (3 * 4 - 1, 4 * 3 - 1)
    for c in range(10):
        r, q = divmod(c, 4)
        np.testing.assert_array_equal(grid[r * 4:r * 4 + 3, q * 3:q * 3 + 2], maps[:, :, c])
    assert np.isnan(grid[3]).all() and np.isnan(grid[:, 2]).all()
    assert np.isnan(grid[8:, 6:]).all()  # the two missing tiles stay empty
    np.testing.assert_array_equal(tile_channels(np.arange(20.0))[1, :4], [16, 17, 18, 19])
    with pytest.raises(ValueError, match=r"`maps` must be \(H, W, C\) or \(K,\)"):
        tile_channels(np.zeros((2, 2)))


def test_feature_map_explorer_defaults_show_the_reference_model(split):
    X_train, X_test, y_train, y_test = split
    figs = plt.get_fignums()
    viz = FeatureMapExplorer()
    assert set(viz.controls) == {"index"}
    assert viz.controls["index"].max == len(X_test) - 1
    model = load_reference()
    artists = n_artists(viz.fig)
    for index in (0, 5, 449, 17):
        viz.controls["index"].value = index
        outs = model.forward_all(X_test[index])
        assert viz.error == ""
        assert len(viz.drawn_maps) == len(outs) == 8
        for drawn, out, activation in zip(viz.drawn_maps, outs, viz.activations):
            np.testing.assert_allclose(activation, out, rtol=1e-6, atol=1e-6)
            np.testing.assert_allclose(drawn, tile_channels(out), rtol=1e-6, atol=1e-6, equal_nan=True)
        # the first conv layer's channel 1 is the second tile of the first row
        np.testing.assert_allclose(viz.drawn_maps[0][:8, 9:17], outs[0][:, :, 1], rtol=1e-6, atol=1e-6)
        p = model.predict(X_test[index])
        np.testing.assert_allclose(viz.drawn_probabilities, p, rtol=1e-5, atol=1e-7)
        np.testing.assert_allclose(viz.probabilities, p, rtol=1e-5, atol=1e-7)
        assert viz.prediction == int(p.argmax())
        assert viz.label == int(y_test[index])
        np.testing.assert_array_equal(viz.input_image.get_array(), X_test[index, :, :, 0])
        assert f"Image {index} of 450: predicted {viz.prediction}" in viz.readout_text
        assert viz.input_title.get_text() == f"input #{index} · label {y_test[index]}"
        assert viz.probs_title.get_text() == f"predicted {viz.prediction}\n{100 * p.max():.1f} %"
    assert [t.get_text() for t in viz.class_labels] == [str(c) for c in range(10)]
    assert [t.get_text() for t in viz.layer_titles][:3] == ["conv2d_1: 8×8×8", "relu_1: 8×8×8", "maxpool2d_1: 4×4×8"]
    np.testing.assert_array_equal(viz.kernels, model.layers[0].params["W"])
    np.testing.assert_array_equal(viz.kernel_image.get_array(), tile_channels(viz.kernels[:, :, 0, :]))
    accuracy = model.evaluate(X_test, y_test)
    assert f"gets {100 * accuracy:.1f} % of these 450 images right" in viz.readout_text
    assert n_artists(viz.fig) == artists
    assert plt.get_fignums() == figs
    viz.close()
    assert viz.fig is None


def test_feature_map_explorer_colours_a_mistake(split):
    X_train, X_test, y_train, y_test = split
    model = load_reference()
    wrong = np.flatnonzero(model.predict(X_test).argmax(axis=1) != y_test)
    assert len(wrong)
    viz = FeatureMapExplorer(index=int(wrong[0]))
    guess, truth = viz.prediction, viz.label
    assert guess != truth
    assert viz.bars[guess].get_facecolor()[:3] == pytest.approx((0xD5 / 255, 0x5E / 255, 0))  # vermillion
    assert viz.bars[truth].get_facecolor()[:3] == pytest.approx((0, 0x72 / 255, 0xB2 / 255))  # blue
    assert f"wrong (the label is {truth}" in viz.readout_text
    assert str(int(wrong[0])) in viz.readout_text.split("misclassified:")[1]
    viz.controls["index"].value = int(np.flatnonzero(model.predict(X_test).argmax(axis=1) == y_test)[0])
    assert viz.bars[viz.prediction].get_facecolor()[:3] == pytest.approx((0, 0x9E / 255, 0x73 / 255))  # green
    viz.close()


def test_feature_map_explorer_with_its_own_model_and_data():
    rng = np.random.default_rng(0)
    model = Sequential([Conv2D(2, 3, 3), ReLU(), MaxPool2D(2), Flatten(), Dense(3 * 2 * 2 * 1, 4)],
                       input_shape=(6, 6, 2), seed=1)
    X = rng.random((7, 6, 6, 2))
    viz = FeatureMapExplorer(model, X, index=2)
    assert viz.label is None and viz.controls["index"].max == 6
    artists = n_artists(viz.fig)
    viz.controls["index"].value = 6
    outs = model.forward_all(X[6])
    for drawn, out in zip(viz.drawn_maps, outs):
        np.testing.assert_allclose(drawn, tile_channels(out), equal_nan=True)
    assert "input channel 0" in viz.kernel_title.get_text()
    np.testing.assert_allclose(viz.drawn_probabilities, model.predict(X[6]))
    assert n_artists(viz.fig) == artists
    viz.close()
    dense = Sequential([Flatten(), Dense(36, 3)], input_shape=(6, 6, 1), seed=0)
    viz = FeatureMapExplorer(dense, rng.random((4, 6, 6)), np.array([0, 1, 2, 0]))
    assert viz.kernels is None and viz.kernel_title.get_text() == "no convolution layer"
    assert viz.label == 0
    viz.close()


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


# -- TrainingExplorer ------------------------------------------------------------------------
def test_training_explorer_trains_and_draws_the_history(split):
    X_train, X_test, y_train, y_test = split
    figs = plt.get_fignums()
    viz = TrainingExplorer()
    assert set(viz.controls) == {"filters", "kernel_size", "epochs", "train"}
    assert f"{reference_model().n_params:,} parameters" in viz.readout_text
    artists = n_artists(viz.fig)
    viz.controls["filters"].value = 4
    viz.controls["kernel_size"].value = 5
    assert f"{reference_model(4, 5).n_params:,} parameters" in viz.readout_text
    viz.controls["epochs"].value = 3
    viz.controls["train"].click()
    assert viz.wait(timeout=60)
    assert viz.error == ""
    # the widget's numbers are the model's: the same run as train_reference with these settings
    _, expected = train_reference(filters=4, kernel_size=5, epochs=3)
    assert viz.history == expected
    curves = viz.drawn_curves
    for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
        np.testing.assert_array_equal(curves[key][0], [1, 2, 3])
        np.testing.assert_array_equal(curves[key][1], viz.history[key])
    assert viz.test_accuracy == viz.model.evaluate(X_test, y_test) == viz.history["val_accuracy"][-1]
    assert f"Final test accuracy: {100 * viz.test_accuracy:.1f} % after 3 epochs" in viz.readout_text
    assert viz.progress.value == viz.progress.max == 3 * 43
    np.testing.assert_array_equal(viz.drawn_kernels, tile_channels(viz.model.layers[0].params["W"][:, :, 0, :]))
    assert viz.drawn_kernels.shape == (5, 4 * 6 - 1)  # four 5x5 kernels in one row
    assert viz.ax_loss.get_xlim() == (0.5, 3.5)
    assert viz.kernel_title.get_text() == "first-layer kernels\n4 × 5×5"
    assert n_artists(viz.fig) == artists
    assert plt.get_fignums() == figs
    viz.close()
    assert viz.fig is None


def test_a_second_press_while_training_is_ignored_with_a_message():
    viz = TrainingExplorer(filters=2, epochs=3)
    assert viz.train() is True
    assert viz.training
    viz.controls["train"].click()  # while the first run is going
    assert "Already training" in viz.error
    assert viz.train() is False
    assert viz.wait(timeout=60)
    assert not viz.training
    assert len(viz.history["loss"]) == 3  # one run, not two
    assert viz.error == ""
    assert viz.train(blocking=True) is True  # once finished, a new run starts
    viz.close()


def test_the_figure_can_be_drawn_while_the_curves_grow():
    # in a notebook the front end asks for frames (drawn in the kernel's main
    # thread) while the training thread updates the curves
    viz = TrainingExplorer(filters=2, epochs=12)
    viz.train()
    frames = 0
    while viz.training or frames == 0:
        viz.fig.canvas.draw()
        frames += 1
        time.sleep(0.02)  # a front end asks for at most ~50 frames a second
    assert viz.wait(timeout=60) and viz.error == ""
    viz.fig.canvas.draw()
    assert len(viz.drawn_curves["loss"][1]) == 12
    viz.close()


def test_closing_during_training_stops_the_run():
    viz = TrainingExplorer(filters=8, epochs=40)
    viz.train()
    thread = viz._thread
    viz.close()
    assert not thread.is_alive()
    assert viz.fig is None
    assert len(viz.history["loss"]) < 40


def test_a_failing_run_shows_its_error_and_the_explorer_keeps_working(monkeypatch):
    import meia_cnn.widgets.training as training

    viz = TrainingExplorer(filters=2, epochs=1)

    class Broken:
        stop_training = False

        def fit(self, *args, **kwargs):
            raise ValueError("out of paper")

    monkeypatch.setattr(training, "reference_model", lambda *a, **k: Broken())
    viz.train(blocking=True)
    assert "training failed: out of paper" in viz.error
    assert not viz.training
    monkeypatch.undo()
    viz.train(blocking=True)
    assert viz.error == "" and viz.test_accuracy is not None
    viz.close()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(filters=0), ValueError, r"`filters` must be in 1..16, got 0"),
        (dict(filters=2.0), TypeError, r"`filters` must be an int in 1..16"),
        (dict(kernel_size=4), ValueError, r"`kernel_size` must be one of \(1, 3, 5, 7\), got 4"),
        (dict(epochs=41), ValueError, r"`epochs` must be in 1..40, got 41"),
        (dict(seed="a"), TypeError, "`seed` must be an int"),
    ],
)
def test_training_explorer_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        TrainingExplorer(**kwargs)
