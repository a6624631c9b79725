"""meia_cnn.explain.training: the run described equals the reference recipe's; the scene is what the page shows."""

import json
import math
import re
import struct

import numpy as np
import pytest

from meia_cnn import i18n
from meia_cnn.explain._render import PALETTE, plain_text
from meia_cnn.explain.training import (
    CURVES,
    RUN_SETTINGS,
    TrainingRun,
    curve_axes,
    curves_scene,
    kernels_picture,
    live_text,
    training_plan,
    training_scene,
)
from meia_cnn.nn import REFERENCE_SETTINGS, digits_split, reference_model


@pytest.mark.parametrize("f, k", [(8, 3), (1, 1), (16, 7), (4, 5)])
def test_plan_is_the_reference_model(f, k):
    plan = training_plan(f, k, 3, seed=1)
    model = reference_model(f, k, seed=1)
    assert plan.n_params == model.n_params
    # by hand: two convolutions and a dense layer
    assert plan.n_params == (k * k * 1 * f + f) + (k * k * f * 2 * f + 2 * f) + (8 * f * 10 + 10)
    assert plan.layers == tuple(layer.describe() for layer in model.layers)
    X_train, X_test, _, _ = digits_split()
    assert (plan.n_train, plan.n_test) == (len(X_train), len(X_test)) == (1347, 450)
    assert plan.batches == math.ceil(1347 / REFERENCE_SETTINGS["batch_size"])
    assert plan.settings == {"filters": f, "kernel_size": k, "epochs": 3, "seed": 1}


def test_the_recipe_is_whatever_the_reference_settings_are():
    plan = training_plan(8, 3, 15, seed=0)
    assert dict(plan.recipe) == {k: v for k, v in REFERENCE_SETTINGS.items() if k not in RUN_SETTINGS}


def test_curve_axes():
    empty = curve_axes({"loss": [], "val_loss": []}, 15)
    assert empty.loss_range == (0.0, 2.5) and empty.xrange == (0.5, 15.5)
    assert [t for t, _ in empty.xticks] == [1, 3, 6, 9, 12, 15]
    axes = curve_axes({"loss": [2.3, 0.2], "val_loss": [2.0, 0.1]}, 2)
    assert axes.loss_range == pytest.approx((0.0, 2.415))
    assert all(v <= axes.loss_range[1] for v, _ in axes.loss_ticks)
    assert axes.loss_ticks == ((0.0, "0"), (1.0, "1"), (2.0, "2")) and axes.xticks == ((1, "1"), (2, "2"))
    assert curve_axes({"loss": [0.1]}, 1).loss_range == (0.0, 0.5)  # at least 0.5
    assert axes.acc_ticks[-1] == (1.0, "1") and axes.acc_range == (0.0, 1.0)


def test_bad_epochs():
    with pytest.raises(ValueError, match="`epochs` must be an int >= 1"):
        training_plan(8, 3, 0, seed=0)


# -- the scene: what the page draws and writes, with no widget library ----------------------------
def _kernels(f, k):
    return np.random.default_rng(0).normal(size=(k, k, f))


def test_scene_before_any_run():
    plan = training_plan(8, 3, 15, seed=0)
    scene = training_scene(plan)
    assert json.loads(json.dumps(scene)) == scene  # what the page receives, as it is
    assert scene["epochs"] == 15 and scene["kernels"] is None and scene["stale"] is False
    assert scene["colours"] == {"train": PALETTE["blue"], "test": PALETTE["orange"], "grey": PALETTE["grey"]}
    assert scene["titles"] == {
        "loss": "loss (cross-entropy) per epoch",
        "acc": "accuracy per epoch",
        "epoch": "epoch",
        "train": "train",
        "test": "test",
    }
    assert scene["kernels_empty"] == "first-layer kernels: after training"
    text = plain_text(scene["readout"])
    assert "Network: Conv2D(1→8, 3×3, same) → " in text and ": 1,898 parameters." in text
    assert (
        "Training: 15 epochs with the kit's reference recipe (batch 32, learning rate 0.03, schedule cosine, "
        "warm-up 0.1) on 1347 training and 450 test images."
    ) in text
    assert text.endswith("Not trained yet: press Train.")


def test_a_finished_run_shows_its_kernels_its_accuracy_and_when_it_is_stale():
    run = TrainingRun(
        training_plan(4, 5, 3, seed=0), epochs_done=3, test_accuracy=0.9612, seconds=4.26, kernels=_kernels(4, 5)
    )
    assert run.finished
    scene = training_scene(run.plan, run)
    assert scene["kernels"] == {
        "rows": 5,
        "cols": 4 * 6 - 1,
        "title": "first-layer kernels: 4 × 5×5",
        "label": "The 4 kernels of the first convolution after training, 5 by 5 each.",
    }
    text = plain_text(scene["readout"])
    assert text.endswith("Final test accuracy: 96.1 % after 3 epochs (4 filters, 5×5 kernels) in 4.3 s.")
    assert not scene["stale"] and "previous settings" not in text
    # other settings: the curves (and their axes) are still the run's, and the readout says so
    other = training_scene(training_plan(6, 5, 10, seed=0), run)
    assert other["stale"] and other["epochs"] == 3 and other["kernels"] == scene["kernels"]
    assert (
        "The curves belong to the previous settings (4 filters, 5×5 kernels, 3 epochs): press Train to train "
        "this network."
    ) in plain_text(other["readout"])


def test_a_running_or_stopped_run_shows_no_final_line():
    plan = training_plan(2, 3, 5, seed=0)
    running = training_scene(plan, TrainingRun(plan, epochs_done=2, running=True, kernels=_kernels(2, 3)))
    assert running["kernels"] is None  # the kernels of the last model are not this run's yet
    assert "Final" not in running["readout"] and "Not trained" not in running["readout"]
    stopped = TrainingRun(plan, epochs_done=2, stopped=True)
    assert not stopped.finished
    assert plain_text(training_scene(plan, stopped)["readout"]).endswith("The run stopped after 2 of 5 epochs.")


def test_the_parameter_count_is_grouped_as_the_language_writes_it():
    small, large = training_plan(8, 3, 15, seed=0), training_plan(16, 7, 15, seed=0)
    assert large.n_params == 27210  # (7·7·16 + 16) + (7·7·16·32 + 32) + (8·16·10 + 10)
    assert "<b>27,210</b> parameters" in training_scene(large)["readout"]
    with i18n.using_language("es"):
        assert "<b>27\u202f210</b>" in training_scene(large)["readout"]  # a narrow no-break space
        assert "<b>1898</b>" in training_scene(small)["readout"]  # four digits stay together
        spanish = plain_text(training_scene(small)["readout"])
    assert not re.search(r"\b(batch|learning|schedule|cosine|warm|parameters|epochs)\b", spanish), spanish


def test_curves_are_points_per_epoch_on_the_runs_axes():
    history = {"loss": [1.9, 0.6], "accuracy": [0.5, 0.8], "val_loss": [1.2, 0.5], "val_accuracy": [0.6, 0.85]}
    curves = curves_scene(history, 15, "after epoch 2")
    assert json.loads(json.dumps(curves)) == curves
    for key in CURVES:
        assert curves[key] == [[1, history[key][0]], [2, history[key][1]]]
    axes = curve_axes(history, 15)
    assert curves["xrange"] == [0.5, 15.5] and curves["loss_range"] == list(axes.loss_range)
    assert curves["xticks"] == [list(t) for t in axes.xticks] and curves["acc_ticks"][-1] == [1.0, "1"]
    assert curves["live"] == "after epoch 2"
    assert curves_scene({}, 3)["loss"] == [] and curves_scene({}, 3)["xrange"] == [0.5, 3.5]


def test_the_epoch_line_in_both_languages():
    logs = {"epoch": 3, "epochs": 15, "loss": 0.25, "accuracy": 0.9251, "val_accuracy": 0.9}
    assert live_text(logs) == "Epoch 3/15: train loss 0.250, train accuracy 92.5 %, test accuracy 90.0 %."
    with i18n.using_language("es"):
        spanish = live_text(logs)
    assert spanish.startswith("Época 3/15") and "0.250" in spanish and "loss" not in spanish


def test_kernels_picture_is_the_mosaic():
    png = kernels_picture(_kernels(4, 5))
    width, height = struct.unpack(">II", png[16:24])  # the PNG header's size
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and (height, width) == (5, 23)
    assert kernels_picture(None) == b""
    assert kernels_picture(np.zeros((3, 3, 2)))[:4] == b"\x89PNG"  # all zero: no division by zero


def test_one_epoch_and_one_filter_are_singular_in_both_languages():
    plan = training_plan(1, 3, 1, seed=0)
    done = TrainingRun(plan, epochs_done=1, test_accuracy=0.5, seconds=0.4, kernels=_kernels(1, 3))
    other = training_scene(training_plan(2, 3, 1, seed=0), done)
    english = plain_text(training_scene(plan)["readout"]) + plain_text(other["readout"])
    assert "Training: 1 epoch with" in english
    assert "(1 filter, 3×3 kernels, 1 epoch)" in english
    final = plain_text(training_scene(plan, done)["readout"])
    assert final.endswith("Final test accuracy: 50.0 % after 1 epoch (1 filter, 3×3 kernels) in 0.4 s.")
    with i18n.using_language("es"):
        spanish = plain_text(training_scene(plan)["readout"]) + plain_text(training_scene(plan, done)["readout"])
        stopped = TrainingRun(training_plan(2, 3, 5, seed=0), epochs_done=1, stopped=True)
        spanish += plain_text(training_scene(stopped.plan, stopped)["readout"])
    assert "Entrenamiento: 1 época con" in spanish
    assert "tras 1 época (1 filtro, núcleos de 3×3)" in spanish
    assert "se detuvo tras 1 de 5 épocas." in spanish
    assert not re.search(r"\b1 (épocas|filtros)\b", spanish), spanish
