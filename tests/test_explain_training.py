"""meia_cnn.explain.training: the run described equals the reference recipe's model and split."""

import math

import pytest

from meia_cnn.explain.training import RUN_SETTINGS, curve_axes, training_plan
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
