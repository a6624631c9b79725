"""Learning-rate schedules: values worked by hand, what fit applies, and the reference recipe's defaults."""

import inspect
import math

import numpy as np
import pytest

from meia_cnn.nn import (
    REFERENCE_SETTINGS,
    SGD,
    Adam,
    Constant,
    CosineDecay,
    Dense,
    Sequential,
    StepDecay,
    reference_model,
    train_reference,
)
from meia_cnn.nn.schedules import as_schedule


@pytest.mark.parametrize(
    "schedule, epoch, epochs, expected",
    [
        (Constant(), 0, 10, 1.0),
        (Constant(), 9.9, 10, 1.0),
        (Constant(warmup=0.5), 1, 4, 0.5),  # warm-up over 2 of 4 epochs: halfway at epoch 1
        (Constant(warmup=0.5), 2, 4, 1.0),
        (CosineDecay(), 0, 10, 1.0),
        (CosineDecay(), 5, 10, 0.5),
        (CosineDecay(), 2.5, 10, 0.5 + 0.5 * math.sqrt(0.5)),  # (1 + cos(pi/4)) / 2 = 0.853553...
        (CosineDecay(), 7.5, 10, 0.5 - 0.5 * math.sqrt(0.5)),
        (CosineDecay(final=0.2), 5, 10, 0.6),  # 0.2 + 0.8 * 0.5
        (CosineDecay(final=0.2), 0, 10, 1.0),
        (CosineDecay(warmup=0.2), 0, 10, 0.0),
        (CosineDecay(warmup=0.2), 1, 10, 0.5),
        (CosineDecay(warmup=0.2), 2, 10, 1.0),  # the decay starts after 2 epochs ...
        (CosineDecay(warmup=0.2), 6, 10, 0.5),  # ... and is halfway 4 epochs later, of 8
        (StepDecay(3, factor=0.5), 2.9, 10, 1.0),
        (StepDecay(3, factor=0.5), 3, 10, 0.5),
        (StepDecay(3, factor=0.5), 6, 10, 0.25),
        (StepDecay(3, factor=0.5), 9.5, 10, 0.125),
        (StepDecay(3, factor=0.5, warmup=0.1), 0.5, 10, 0.5),  # warm-up: 1 epoch of 10
        (StepDecay(3, factor=0.5, warmup=0.1), 3.9, 10, 1.0),  # 2.9 epochs after the warm-up
        (StepDecay(3, factor=0.5, warmup=0.1), 4, 10, 0.5),
    ],
)
def test_schedules_match_hand_computed_values(schedule, epoch, epochs, expected):
    assert schedule(epoch, epochs) == pytest.approx(expected, abs=1e-12)


def test_fit_applies_the_schedule_before_every_update_and_keeps_the_optimizer_rate():
    # 4 samples in batches of 2: 2 updates per epoch, at epochs 0, 0.5, 1, 1.5 of 2
    rng = np.random.default_rng(0)
    X, y = rng.random((4, 3)), np.array([0, 1, 0, 1])
    model = Sequential([Dense(3, 2, dtype=np.float64)], input_shape=(3,), seed=0)
    seen = []

    class Recorder:
        def on_batch_end(self, logs):
            seen.append(logs["lr"])

    opt = SGD(0.1)
    model.fit(X, y, epochs=2, batch_size=2, optimizer=opt, schedule="cosine", progress=False, callbacks=Recorder())
    c = math.sqrt(0.5)
    np.testing.assert_allclose(seen, [0.1, 0.1 * (0.5 + 0.5 * c), 0.05, 0.1 * (0.5 - 0.5 * c)], rtol=1e-12)
    assert opt.lr == 0.1


def test_a_scheduled_fit_takes_the_scheduled_steps():
    # plain SGD with a step decay is gradient descent with the hand-computed rates
    rng = np.random.default_rng(1)
    X, y = rng.random((4, 3)), np.array([0, 1, 1, 0])
    model = Sequential([Dense(3, 2, dtype=np.float64)], input_shape=(3,), seed=0)
    manual = Sequential([Dense(3, 2, dtype=np.float64)], input_shape=(3,), seed=0)
    model.fit(
        X, y, epochs=3, batch_size=4, optimizer=SGD(0.5), schedule=StepDecay(1, factor=0.1), seed=0, progress=False
    )
    for rate in (0.5, 0.05, 0.005):
        manual.loss.forward(manual.forward(X, training=True), y)
        manual.backward(manual.loss.backward())
        for layer in manual.layers:
            for key in layer.params:
                layer.params[key] -= rate * layer.grads[key]
    for key, value in model.get_weights().items():
        np.testing.assert_allclose(value, manual.get_weights()[key], rtol=1e-12)


def test_a_callable_is_a_schedule_and_epoch_logs_carry_the_rate():
    rng = np.random.default_rng(0)
    X, y = rng.random((6, 3)), np.arange(6) % 2
    model = Sequential([Dense(3, 2)], input_shape=(3,), seed=0)
    logs = []
    model.fit(
        X,
        y,
        epochs=2,
        batch_size=3,
        optimizer=Adam(0.02),
        schedule=lambda epoch, epochs: 0.25,
        progress=False,
        callbacks=logs.append,
    )
    assert [entry["lr"] for entry in logs] == [0.005, 0.005]


def test_optimizer_step_takes_one_rate_for_one_update():
    w = np.array([1.0, 2.0])
    opt = SGD(0.5)
    opt.step([w], [np.array([1.0, -1.0])], lr=0.1)
    np.testing.assert_allclose(w, [0.9, 2.1])
    adam = Adam(0.1)
    v = np.array([1.0])
    adam.step([v], [np.array([3.0])], lr=0.0)  # no move, but the moments advance
    assert v[0] == 1.0 and adam._state["t"] == 1
    with pytest.raises(ValueError, match="`lr` must be a finite number >= 0, got -1"):
        opt.step([w], [w], lr=-1)


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: as_schedule("exponential"), ValueError, "`schedule` must be one of 'constant', 'cosine'"),
        (lambda: as_schedule(3), TypeError, "`schedule` must be a name such as 'cosine'"),
        (lambda: as_schedule(CosineDecay(), warmup=0.1), ValueError, "`warmup` applies to a schedule given by name"),
        (lambda: CosineDecay(warmup=1), ValueError, r"`warmup` must be in \[0, 1\), got 1"),
        (lambda: CosineDecay(warmup="a"), TypeError, "`warmup` must be a number"),
        (lambda: CosineDecay(final=2), ValueError, r"`final` must be in \[0, 1\], got 2"),
        (lambda: StepDecay(0), ValueError, "`every` must be > 0, got 0"),
        (lambda: StepDecay(2, factor=0), ValueError, r"`factor` must be in \(0, 1\], got 0"),
        (lambda: StepDecay(2, factor=float("nan")), ValueError, "`factor` must be in"),
    ],
)
def test_bad_schedules_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_fit_refuses_a_bad_schedule_before_training():
    model = Sequential([Dense(3, 2)], input_shape=(3,), seed=0)
    before = model.get_weights()
    with pytest.raises(ValueError, match="`schedule` must be one of"):
        model.fit(np.zeros((4, 3)), np.zeros(4, int), schedule="fast", progress=False)
    for key, value in model.get_weights().items():
        np.testing.assert_array_equal(value, before[key])


def test_reference_settings_are_the_defaults_of_train_reference():
    params = inspect.signature(train_reference).parameters
    assert {k: params[k].default for k in REFERENCE_SETTINGS} == REFERENCE_SETTINGS
    assert REFERENCE_SETTINGS["seed"] == 0
    assert inspect.signature(reference_model).parameters["seed"].default == 0
    # the names that notebooks and widgets pass keep working
    assert {
        "filters",
        "kernel_size",
        "epochs",
        "batch_size",
        "lr",
        "seed",
        "progress",
        "callbacks",
        "validation",
    } <= set(params)


def test_train_reference_uses_the_recipe_for_any_number_of_epochs():
    for epochs in (1, 2):  # the warm-up is a fraction of the run: short runs work too
        model, history = train_reference(filters=2, epochs=epochs, validation=False)
        assert len(history["loss"]) == epochs and history["val_loss"] == []
