"""The trainable CNN: gradients against finite differences, training, seeds, errors, weights."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal
from sklearn.metrics import log_loss

from meia_cnn import ops
from meia_cnn.nn import (
    SGD,
    Adam,
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    SoftmaxCrossEntropy,
    digits_split,
    load_reference,
    reference_model,
    softmax,
)
from meia_cnn.nn.reference import REFERENCE_SETTINGS, REFERENCE_WEIGHTS


# -- finite differences ----------------------------------------------------------------
def numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar ``f()`` with respect to every entry of ``x`` (in place)."""
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        up = f()
        x[i] = old - eps
        down = f()
        x[i] = old
        grad[i] = (up - down) / (2 * eps)
    return grad


def check_layer(layer, x, rtol=1e-6, atol=1e-8):
    """Compare the layer's backward pass with finite differences of sum(forward(x) * r)."""
    rng = np.random.default_rng(1)
    out = layer.forward(x, training=True)
    r = rng.standard_normal(out.shape)

    def loss():
        return float(np.sum(layer.forward(x, training=True) * r))

    layer.forward(x, training=True)
    grad_in = layer.backward(r)
    grads = {k: v.copy() for k, v in layer.grads.items()}
    assert grad_in.shape == x.shape
    np.testing.assert_allclose(grad_in, numerical_gradient(loss, x), rtol=rtol, atol=atol)
    for name, p in layer.params.items():
        np.testing.assert_allclose(
            grads[name], numerical_gradient(loss, p), rtol=rtol, atol=atol, err_msg=f"gradient of {name}"
        )


@pytest.mark.parametrize(
    "shape, kw",
    [
        ((2, 5, 5, 1), dict(filters=3, kernel_size=3)),
        ((2, 6, 5, 2), dict(filters=3, kernel_size=3, padding="same")),
        ((1, 7, 7, 3), dict(filters=2, kernel_size=3, stride=2)),
        ((2, 6, 6, 2), dict(filters=2, kernel_size=(2, 3), stride=(2, 1), padding="same")),
        ((1, 5, 6, 2), dict(filters=4, kernel_size=3, padding=((1, 0), (2, 1)))),
        ((1, 4, 4, 1), dict(filters=1, kernel_size=2, padding="full")),
        ((1, 8, 8, 2), dict(filters=2, kernel_size=4, stride=3)),  # strides leave a remainder
    ],
)
def test_conv2d_gradients_match_finite_differences(shape, kw):
    rng = np.random.default_rng(0)
    layer = Conv2D(shape[-1], kw.pop("filters"), kw.pop("kernel_size"), dtype=np.float64, seed=0, **kw)
    layer.params["b"][...] = rng.standard_normal(layer.params["b"].shape)
    check_layer(layer, rng.standard_normal(shape))


def test_conv2d_input_gradient_is_a_full_convolution_with_the_kernel():
    # for stride 1 'valid': dL/dx[..., c] = sum_f convolve2d(g[..., f], W[..., c, f], 'full')
    rng = np.random.default_rng(3)
    layer = Conv2D(2, 3, 3, dtype=np.float64, seed=1)
    x = rng.standard_normal((1, 6, 7, 2))
    g = rng.standard_normal((1, 4, 5, 3))
    layer.forward(x)
    dx = layer.backward(g)
    W = layer.params["W"]
    expected = np.stack(
        [sum(signal.convolve2d(g[0, :, :, f], W[:, :, c, f], mode="full") for f in range(3)) for c in range(2)],
        axis=-1,
    )
    np.testing.assert_allclose(dx[0], expected, rtol=1e-12, atol=1e-12)
    # and dL/dW[:, :, c, f] is the valid cross-correlation of x[..., c] with g[..., f]
    dW = np.stack(
        [
            np.stack([signal.correlate2d(x[0, :, :, c], g[0, :, :, f], mode="valid") for f in range(3)], -1)
            for c in range(2)
        ],
        -2,
    )
    np.testing.assert_allclose(layer.grads["W"], dW, rtol=1e-12, atol=1e-12)


def test_conv2d_forward_is_the_core_conv2d():
    rng = np.random.default_rng(0)
    layer = Conv2D(3, 4, 3, stride=2, padding="same", dtype=np.float64, seed=0)
    x = rng.standard_normal((2, 9, 9, 3))
    expected = ops.conv2d(x, layer.params["W"], layer.params["b"], stride=2, padding="same")
    np.testing.assert_array_equal(layer.forward(x), expected)


@pytest.mark.parametrize(
    "cls, kw, shape",
    [
        (MaxPool2D, dict(size=2), (2, 4, 6, 3)),
        (MaxPool2D, dict(size=3, stride=1), (1, 5, 5, 2)),  # overlapping windows share winners
        (MaxPool2D, dict(size=2, stride=2, padding="same"), (1, 5, 5, 2)),
        (MaxPool2D, dict(size=(2, 3), stride=(1, 2)), (2, 5, 7, 1)),
        (AvgPool2D, dict(size=2), (2, 4, 6, 3)),
        (AvgPool2D, dict(size=3, stride=1), (1, 5, 5, 2)),
        (AvgPool2D, dict(size=3, stride=2, padding="same"), (1, 6, 5, 2)),  # partial windows
    ],
)
def test_pool_gradients_match_finite_differences(cls, kw, shape):
    rng = np.random.default_rng(0)
    # distinct values far apart: no ties, so max pooling is differentiable at x
    x = rng.permutation(np.prod(shape)).reshape(shape) * 0.1 + rng.uniform(0, 0.01, shape)
    check_layer(cls(**kw), x)


def test_max_pool_backward_routes_to_the_argmax():
    x = np.array([[1, 3, 2, 0], [4, 2, 1, 5], [0, 1, 3, 2], [2, 6, 1, 1]], float)[None, :, :, None]
    pool = MaxPool2D(2)
    np.testing.assert_array_equal(pool.forward(x)[0, :, :, 0], [[4, 5], [6, 3]])
    dx = pool.backward(np.array([[1.0, 2.0], [3.0, 4.0]])[None, :, :, None])[0, :, :, 0]
    np.testing.assert_array_equal(dx, [[0, 0, 0, 0], [1, 0, 0, 2], [0, 0, 4, 0], [0, 3, 0, 0]])


def test_relu_flatten_dense_gradients():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4, 2, 2))
    x[np.abs(x) < 0.05] = 0.5  # keep away from the kink at 0
    check_layer(ReLU(), x)
    check_layer(Flatten(), rng.standard_normal((2, 3, 2, 4)))
    dense = Dense(6, 4, dtype=np.float64, seed=0)
    dense.params["b"][...] = rng.standard_normal(4)
    check_layer(dense, rng.standard_normal((5, 6)))


def test_flatten_keeps_height_width_channel_order():
    x = np.arange(2 * 2 * 2 * 3).reshape(2, 2, 2, 3)
    np.testing.assert_array_equal(Flatten().forward(x)[1], x[1].ravel())
    np.testing.assert_array_equal(Flatten().forward(x)[1, :3], x[1, 0, 0, :])


def test_dropout_gradient_uses_the_same_mask_and_keeps_the_expectation():
    drop = Dropout(0.25, seed=0)
    x = np.ones((200, 50))
    out = drop.forward(x)
    kept = out != 0
    assert abs(kept.mean() - 0.75) < 0.02
    np.testing.assert_allclose(out[kept], 1 / 0.75)
    np.testing.assert_array_equal(drop.backward(np.ones_like(x)), out)  # same mask, same scale
    np.testing.assert_array_equal(drop.forward(x, training=False), x)


def test_softmax_cross_entropy_matches_sklearn_and_finite_differences():
    rng = np.random.default_rng(0)
    z = rng.standard_normal((6, 4)) * 3
    y = np.array([0, 3, 1, 1, 2, 3])
    loss = SoftmaxCrossEntropy()
    value = loss.forward(z, y)
    assert value == pytest.approx(log_loss(y, softmax(z), labels=range(4)), rel=1e-12)
    grad = loss.backward()
    np.testing.assert_allclose(grad, numerical_gradient(lambda: loss.forward(z, y), z), rtol=1e-6, atol=1e-9)


def test_softmax_is_stable_for_huge_logits():
    z = np.array([[1000.0, 0.0, -1000.0], [-1e4, -1e4, -1e4]])
    p = softmax(z)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    np.testing.assert_allclose(p[1], 1 / 3)
    loss = SoftmaxCrossEntropy().forward(z, np.array([2, 0]))
    assert np.isfinite(loss) and loss == pytest.approx((2000 + np.log(3)) / 2)


def test_the_whole_network_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    model = Sequential(
        [
            Conv2D(2, 3, 3, padding="same", dtype=np.float64),
            ReLU(),
            MaxPool2D(2),
            Conv2D(3, 2, 2, dtype=np.float64),
            ReLU(),
            AvgPool2D(1),
            Flatten(),
            Dense(8, 3, dtype=np.float64),
        ],
        input_shape=(6, 6, 2),
        seed=1,
    )
    X = rng.standard_normal((4, 6, 6, 2))
    y = np.array([0, 1, 2, 1])

    def loss():
        return model.loss.forward(model.forward(X, training=True), y)

    loss()
    dX = model.backward(model.loss.backward())
    analytic = [g.copy() for g in model._trainable()[1]]
    for p, g in zip(model._trainable()[0], analytic):
        np.testing.assert_allclose(g, numerical_gradient(loss, p), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dX, numerical_gradient(loss, X), rtol=1e-5, atol=1e-8)


# -- optimisers ------------------------------------------------------------------------
def test_sgd_with_momentum_follows_the_formula():
    w = np.array([1.0, 2.0])
    opt = SGD(0.1, momentum=0.9)
    g1, g2 = np.array([1.0, -1.0]), np.array([0.5, 0.5])
    opt.step([w], [g1])
    opt.step([w], [g2])
    v1 = -0.1 * g1
    v2 = 0.9 * v1 - 0.1 * g2
    np.testing.assert_allclose(w, np.array([1.0, 2.0]) + v1 + v2)


def test_adam_follows_the_paper():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(5)
    ref = w.copy()
    m = v = np.zeros(5)
    opt = Adam(0.05)
    for t in range(1, 6):
        g = rng.standard_normal(5)
        opt.step([w], [g])
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        ref = ref - 0.05 * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(w, ref, rtol=1e-10)


# -- training -----------------------------------------------------------------------------
def tiny_model(seed=0):
    return Sequential(
        [Conv2D(1, 4, 3, padding="same"), ReLU(), MaxPool2D(2), Flatten(), Dense(16, 3)],
        input_shape=(4, 4, 1),
        seed=seed,
    )


def test_a_tiny_network_overfits_a_tiny_set():
    rng = np.random.default_rng(0)
    X = rng.random((12, 4, 4, 1))
    y = np.arange(12) % 3
    model = tiny_model()
    history = model.fit(X, y, epochs=150, batch_size=4, optimizer=Adam(0.02), seed=0, progress=False)
    assert history["loss"][-1] < 0.05 < history["loss"][0]
    assert model.evaluate(X, y) == 1.0


def test_sgd_training_lowers_the_loss_on_digits():
    X_train, X_test, y_train, y_test = digits_split()
    model = reference_model(4, seed=0)
    history = model.fit(
        X_train[:400], y_train[:400], epochs=5, batch_size=20, optimizer=SGD(0.05, momentum=0.9), seed=0, progress=False
    )
    assert history["loss"][-1] < 0.5 * history["loss"][0]


def test_same_seed_same_weights_and_different_seed_different_weights():
    rng = np.random.default_rng(0)
    X, y = rng.random((30, 4, 4, 1)), np.arange(30) % 3

    def trained(init_seed, fit_seed):
        model = Sequential(
            [Conv2D(1, 4, 3, padding="same"), ReLU(), MaxPool2D(2), Flatten(), Dropout(0.3), Dense(16, 3)],
            input_shape=(4, 4, 1),
            seed=init_seed,
        )
        model.fit(X, y, epochs=3, batch_size=7, optimizer=Adam(0.01), seed=fit_seed, progress=False)
        return model.get_weights()

    a, b = trained(0, 0), trained(0, 0)
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    c = trained(1, 0)
    d = trained(0, 1)
    assert not np.array_equal(a["conv2d_1.W"], c["conv2d_1.W"])
    assert not np.array_equal(a["dense_1.W"], d["dense_1.W"])


def test_he_initialisation_scale():
    layer = Conv2D(16, 64, 3, seed=0)
    w = layer.params["W"]
    assert w.dtype == np.float32
    assert np.std(w) == pytest.approx(np.sqrt(2 / (3 * 3 * 16)), rel=0.05)
    assert np.all(layer.params["b"] == 0)
    dense = Dense(400, 300, seed=0)
    assert np.std(dense.params["W"]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)


def test_history_callbacks_and_stop_training():
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 4, 4, 1)), np.arange(20) % 3
    model = tiny_model()
    epochs_seen, batches_seen = [], []

    class Recorder:
        def on_epoch_end(self, logs):
            epochs_seen.append(logs)

        def on_batch_end(self, logs):
            batches_seen.append(logs["batch"])

    plain = []
    history = model.fit(
        X,
        y,
        epochs=3,
        batch_size=8,
        optimizer=Adam(0.01),
        seed=0,
        progress=False,
        validation_data=(X[:6], y[:6]),
        callbacks=[Recorder(), plain.append],
    )
    assert [len(history[k]) for k in ("loss", "accuracy", "val_loss", "val_accuracy")] == [3, 3, 3, 3]
    assert [e["epoch"] for e in epochs_seen] == [1, 2, 3]
    assert batches_seen == [1, 2, 3] * 3
    assert plain == epochs_seen
    assert epochs_seen[-1]["val_accuracy"] == model.evaluate(X[:6], y[:6])
    assert epochs_seen[-1]["val_loss"] == pytest.approx(model.loss.forward(model.forward(X[:6]), y[:6]))

    def stop_after_two(logs):
        if logs["epoch"] == 2:
            model.stop_training = True

    history = model.fit(
        X, y, epochs=10, batch_size=8, optimizer=Adam(0.01), seed=0, progress=False, callbacks=stop_after_two
    )
    assert len(history["loss"]) == 2
    assert history["val_loss"] == []


def test_progress_bar_in_a_terminal_shows_loss_and_accuracy(capsys):
    rng = np.random.default_rng(0)
    X, y = rng.random((16, 4, 4, 1)), np.arange(16) % 3
    tiny_model().fit(X, y, epochs=2, batch_size=8, optimizer=Adam(0.01), seed=0, progress=True)
    err = capsys.readouterr().err
    assert "epoch 2/2" in err and "loss=" in err and "accuracy=" in err
    tiny_model().fit(X, y, epochs=2, batch_size=8, optimizer=Adam(0.01), seed=0, progress=False)
    assert capsys.readouterr().err == ""


def test_progress_bar_speaks_spanish(capsys):
    """The bar's words come from the catalogue: época, lote/s, pérdida, exactitud (numbers as Python prints them)."""
    from meia_cnn import i18n

    rng = np.random.default_rng(0)
    X, y = rng.random((16, 4, 4, 1)), np.arange(16) % 3
    with i18n.using_language("es"):
        tiny_model().fit(
            X, y, epochs=2, batch_size=8, optimizer=Adam(0.01), seed=0, progress=True, validation_data=(X[:4], y[:4])
        )
    err = capsys.readouterr().err
    last = err.replace("\r", "\n").strip().splitlines()[-1]
    assert last.startswith("época 2/2: 100%"), last
    assert re.search(r"lote/s|s/lote", last), last
    assert re.search(r"pérdida=\d\.\d{3}, exactitud=\d\.\d{3}, pérdida_val=\d\.\d{3}, exactitud_val=\d\.\d{3}", last), (
        last
    )
    assert not re.search(r"batch|loss|accuracy|epoch|training", err), err


# -- prediction -------------------------------------------------------------------------------
def test_predict_evaluate_and_forward_all_agree():
    model = load_reference()
    X_train, X_test, y_train, y_test = digits_split()
    p = model.predict(X_test)
    assert p.shape == (450, 10)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert model.evaluate(X_test, y_test) == np.mean(p.argmax(axis=1) == y_test)
    outs = model.forward_all(X_test[:5])
    assert [o.shape[1:] for o in outs] == model.output_shapes
    np.testing.assert_allclose(softmax(outs[-1]), p[:5], rtol=1e-5)
    one = model.forward_all(X_test[7])  # one sample: no batch axis
    assert [o.shape for o in one] == model.output_shapes
    np.testing.assert_allclose(model.predict(X_test[7, :, :, 0]), p[7], rtol=1e-4, atol=1e-7)  # channel axis optional


def test_shipped_reference_weights_reach_97_percent():
    """The weights in meia_cnn/assets/digits_cnn.npz (regenerate: python -m meia_cnn.nn)."""
    assert REFERENCE_WEIGHTS.stat().st_size < 16_000
    with np.load(REFERENCE_WEIGHTS, allow_pickle=False) as npz:  # plain arrays, no pickle
        assert "conv2d_1.W" in npz.files and npz["conv2d_1.W"].shape == (3, 3, 1, 8)
    model = load_reference()
    assert [type(layer).__name__ for layer in model.layers] == [
        "Conv2D",
        "ReLU",
        "MaxPool2D",
        "Conv2D",
        "ReLU",
        "MaxPool2D",
        "Flatten",
        "Dense",
    ]
    X_train, X_test, y_train, y_test = digits_split()
    accuracy = model.evaluate(X_test, y_test)
    assert accuracy >= 0.97
    meta = Sequential.load_metadata(REFERENCE_WEIGHTS)
    assert meta["test_accuracy"] == pytest.approx(accuracy, abs=1e-9)
    assert {k: meta[k] for k in REFERENCE_SETTINGS} == REFERENCE_SETTINGS


@pytest.mark.slow
def test_shipped_shapes_weights_are_what_07s_recipe_trains():
    """07's dense network and CNN (regenerate: python -m tools.make_shapes_weights): the same
    accuracies as training them with the recipe, and the lesson holds (the CNN recognises moved
    shapes, the dense network guesses)."""
    from meia_cnn.data import shapes
    from meia_cnn.nn import SHAPES_CNN_WEIGHTS, SHAPES_DENSE_WEIGHTS
    from tools.make_shapes_weights import RECIPE, SIZE, models

    X_left, y_left = shapes(RECIPE["n_train"], size=SIZE, seed=0, region="left")
    X_left_new, y_left_new = shapes(300, size=SIZE, seed=2, region="left")
    X_right, y_right = shapes(300, size=SIZE, seed=1, region="right")
    found = {}
    for (label, shipped), trained, path in zip(
        models().items(), models().values(), (SHAPES_DENSE_WEIGHTS, SHAPES_CNN_WEIGHTS)
    ):
        with np.load(path, allow_pickle=False) as npz:  # plain arrays, no pickle
            assert all(npz[key].dtype != object for key in npz.files)
        shipped.load_weights(path)
        meta = Sequential.load_metadata(path)
        assert {k: meta[k] for k in RECIPE} == RECIPE
        found[label] = (shipped.evaluate(X_left_new, y_left_new), shipped.evaluate(X_right, y_right))
        assert found[label] == pytest.approx((meta["accuracy_same_place"], meta["accuracy_moved"]), abs=1e-9)
        trained.fit(
            X_left,
            y_left,
            epochs=RECIPE["epochs"],
            batch_size=RECIPE["batch_size"],
            optimizer=Adam(RECIPE["lr"]),
            seed=0,
            progress=False,
        )
        assert (trained.evaluate(X_left_new, y_left_new), trained.evaluate(X_right, y_right)) == pytest.approx(
            found[label], abs=0.02
        )
    assert found["CNN"][1] >= 0.9 and found["dense"][1] <= 0.5


def test_save_and_load_round_trip(tmp_path):
    model = tiny_model(seed=3)
    path = tmp_path / "m.npz"
    model.save(path, note="hello")
    again = Sequential.load(path)
    X = np.random.default_rng(0).random((4, 4, 4, 1))
    np.testing.assert_array_equal(again.predict(X), model.predict(X))
    assert Sequential.load_metadata(path) == {"note": "hello"}
    other = tiny_model(seed=9)
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(X), model.predict(X))
    with pytest.raises(ValueError, match="'conv2d_1.W' must have shape"):
        Sequential(
            [Conv2D(1, 5, 3, padding="same"), ReLU(), MaxPool2D(2), Flatten(), Dense(20, 3)], input_shape=(4, 4, 1)
        ).load_weights(path)
    np.savez(tmp_path / "plain.npz", a=np.zeros(3))
    with pytest.raises(ValueError, match="no model configuration"):
        Sequential.load(tmp_path / "plain.npz")


# -- errors --------------------------------------------------------------------------------------
def test_building_checks_every_shape():
    with pytest.raises(
        ValueError,
        match=r"layer 6 \(dense_1\) cannot take the output of layer 5 \(flatten_1\), "
        r"of shape 64: Dense\(60→10\): `in_features`=60 does not match the 64 features",
    ):
        Sequential(
            [
                Conv2D(1, 8, 3, padding="same"),
                ReLU(),
                MaxPool2D(2),
                Conv2D(8, 16, 3, padding="same"),
                MaxPool2D(2),
                Flatten(),
                Dense(60, 10),
            ],
            input_shape=(8, 8, 1),
        )
    with pytest.raises(
        ValueError,
        match=r"layer 1 \(conv2d_2\) cannot take the output of layer 0 \(conv2d_1\), "
        r"of shape 6×6×8: .*in_channels`=3 does not match the input depth C=8",
    ):
        Sequential([Conv2D(1, 8, 3), Conv2D(3, 4, 3)], input_shape=(8, 8, 1))
    with pytest.raises(ValueError, match="put Flatten\\(\\) before it"):
        Sequential([Conv2D(1, 8, 3), Dense(288, 10)], input_shape=(8, 8, 1))
    with pytest.raises(
        ValueError,
        match="layer 0 \\(conv2d_1\\) cannot take the input, of shape 4×4×1: "
        "kernel_size=5 is larger than the padded input",
    ):
        Sequential([Conv2D(1, 2, 5)], input_shape=(4, 4, 1))
    with pytest.raises(ValueError, match="size=3 is larger than the padded input"):
        Sequential([MaxPool2D(3)], input_shape=(2, 2, 1))
    with pytest.raises(ValueError, match="`input_shape` must be a tuple of ints >= 1"):
        Sequential([Flatten()], input_shape=(0, 3))


def test_forward_checks_input_shapes():
    with pytest.raises(ValueError, match=r"expects a batch of images \(N, H, W, C\), got an array of shape \(8, 8\)"):
        Conv2D(1, 2, 3).forward(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="input depth C=3 must equal `in_channels`=1"):
        Conv2D(1, 2, 3).forward(np.zeros((1, 8, 8, 3)))
    with pytest.raises(ValueError, match="input has 5 features, `in_features` is 4"):
        Dense(4, 2).forward(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="put Flatten"):
        Dense(4, 2).forward(np.zeros((3, 2, 2, 1)))
    with pytest.raises(TypeError, match="must hold numbers"):
        Dense(4, 2).forward(np.array([["a"] * 4]))
    with pytest.raises(ValueError, match="call forward"):
        Conv2D(1, 2, 3).backward(np.zeros((1, 6, 6, 2)))
    layer = Dense(4, 2)
    layer.forward(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"`grad_out` must have shape \(3, 2\)"):
        layer.backward(np.zeros((3, 3)))
    model = reference_model()
    with pytest.raises(ValueError, match=r"`X` must be a batch of shape \(N, 8, 8, 1\)"):
        model.predict(np.zeros((2, 9, 9, 1)))


@pytest.mark.parametrize(
    "make, error, match",
    [
        (lambda: Conv2D(0, 8, 3), ValueError, "`in_channels` must be >= 1, got 0"),
        (lambda: Conv2D(1, 2.5, 3), TypeError, "`filters` must be an int >= 1, got 2.5"),
        (lambda: Conv2D(1, 8, -3), ValueError, "`kernel_size` must be >= 1, got -3"),
        (lambda: Conv2D(1, 8, 3, stride=0), ValueError, "`stride` must be >= 1, got 0"),
        (lambda: Conv2D(1, 8, 3, padding="reflect"), ValueError, "`padding` must be 'valid', 'same'"),
        (lambda: Conv2D(1, 8, 3, dtype=np.int32), TypeError, "`dtype` must be float32 or float64"),
        (lambda: MaxPool2D(0), ValueError, "`size` must be >= 1, got 0"),
        (lambda: AvgPool2D(2, stride="2"), TypeError, "`stride` must be an int or a pair"),
        (lambda: Dense(64, 0), ValueError, "`out_features` must be >= 1, got 0"),
        (lambda: Dense("64", 10), TypeError, "`in_features` must be an int >= 1"),
        (lambda: Dropout(1.0), ValueError, r"`rate` must be in \[0, 1\), got 1.0"),
        (lambda: Dropout("half"), TypeError, "`rate` must be a number"),
        (lambda: SGD(0), ValueError, "`lr` must be > 0, got 0"),
        (lambda: SGD(0.1, momentum=1.5), ValueError, r"`momentum` must be in \[0, 1\), got 1.5"),
        (lambda: Adam("fast"), TypeError, "`lr` must be a positive number"),
        (lambda: Sequential(Conv2D(1, 2, 3)), TypeError, "`layers` must be a list of layers"),
        (lambda: Sequential([]), ValueError, "at least one layer"),
        (lambda: Sequential([Conv2D(1, 2, 3), "relu"]), TypeError, r"`layers\[1\]` must be a layer"),
        (lambda: reference_model(8, 9), ValueError, "`kernel_size` must be at most 8"),
    ],
)
def test_bad_arguments_are_named(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_fit_rejects_bad_arguments():
    rng = np.random.default_rng(0)
    X, y = rng.random((10, 4, 4, 1)), np.arange(10) % 3
    model = tiny_model()
    with pytest.raises(ValueError, match=r"`y` labels must be in 0..2 \(the model has 3 outputs\), got 0..3"):
        model.fit(X, np.arange(10) % 4, epochs=1, progress=False)
    with pytest.raises(ValueError, match="`y` must be a 1-D array of 10 class labels"):
        model.fit(X, y[:5], epochs=1, progress=False)
    with pytest.raises(TypeError, match="`y` must hold integer class labels"):
        model.fit(X, y + 0.5, epochs=1, progress=False)
    with pytest.raises(ValueError, match="`epochs` must be >= 1, got 0"):
        model.fit(X, y, epochs=0, progress=False)
    with pytest.raises(TypeError, match="`batch_size` must be an int"):
        model.fit(X, y, batch_size=2.5, progress=False)
    with pytest.raises(TypeError, match="`optimizer` must be an optimizer"):
        model.fit(X, y, optimizer="adam", progress=False)
    with pytest.raises(TypeError, match="`callbacks` must be a callable or a list"):
        model.fit(X, y, epochs=1, callbacks=3, progress=False)
    with pytest.raises(ValueError, match=r"`validation_data\[1\]` labels must be in 0..2"):
        model.fit(X, y, epochs=1, validation_data=(X, y + 5), progress=False)
    with pytest.raises(ValueError, match="`X` must be finite"):
        model.fit(np.full_like(X, np.nan), y, epochs=1, progress=False)
    conv_only = Sequential([Conv2D(1, 2, 3)], input_shape=(4, 4, 1))
    with pytest.raises(ValueError, match="the last layer must output one score per class"):
        conv_only.predict(X)


# -- hygiene and robustness ------------------------------------------------------------------------
def test_importing_nn_does_not_import_widgets_plotting_or_tqdm():
    import subprocess
    import sys

    code = (
        "import sys, meia_cnn.nn;"
        "print(','.join(m for m in ('ipywidgets', 'matplotlib', 'ipympl', 'tqdm') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_a_progress_bar_that_cannot_be_a_widget_falls_back_to_text(monkeypatch, capsys):
    import sys
    import types
    import warnings

    broken = types.ModuleType("tqdm.auto")

    def refuse(*args, **kwargs):
        warnings.warn("IProgress not found. Please update jupyter and ipywidgets.", stacklevel=2)
        raise ImportError("IProgress not found. Please update jupyter and ipywidgets.")

    broken.tqdm = refuse
    monkeypatch.setitem(sys.modules, "tqdm.auto", broken)
    rng = np.random.default_rng(0)
    X, y = rng.random((8, 4, 4, 1)), np.arange(8) % 3
    tiny_model().fit(X, y, epochs=1, batch_size=4, optimizer=Adam(0.01), seed=0)
    assert "epoch 1/1" in capsys.readouterr().err


@settings(max_examples=150, deadline=None)
@given(
    st.tuples(st.integers(1, 7), st.integers(1, 7), st.integers(1, 4)),
    st.integers(-1, 6),
    st.one_of(st.integers(-1, 3), st.tuples(st.integers(0, 3), st.integers(0, 3))),
    st.sampled_from(["valid", "same", "full", 1, ((0, 1), (2, 0)), "bad"]),
)
def test_conv_and_pool_layers_answer_or_refuse(shape, k, stride, padding):
    x = np.random.default_rng(0).standard_normal((2,) + shape)
    for make in (
        lambda: Conv2D(shape[-1], 2, k, stride=stride, padding=padding, dtype=np.float64),
        lambda: MaxPool2D(k, stride=stride, padding=padding),
        lambda: AvgPool2D(k, stride=stride, padding=padding),
    ):
        try:
            layer = make()
            expected = layer.output_shape(shape)
        except (ValueError, TypeError) as exc:
            assert str(exc)
            continue
        out = layer.forward(x)
        assert out.shape == (2,) + expected
        assert layer.backward(np.ones_like(out)).shape == x.shape


def test_summary_table_speaks_the_current_language():
    from meia_cnn import i18n
    from meia_cnn.nn import model as model_module

    net = Sequential([Conv2D(1, 4, 3), ReLU(), Flatten(), Dense(144, 3)])
    net.build((8, 8, 1))
    with i18n.using_language("en"):
        english = net.summary().splitlines()
        postfix = model_module._progress_postfix({"epoch": 1, "loss": 0.5, "accuracy": 0.9, "val_loss": 0.6})
    with i18n.using_language("es"):
        spanish = net.summary().splitlines()
        postfijo = model_module._progress_postfix({"epoch": 1, "loss": 0.5, "accuracy": 0.9, "val_loss": 0.6})
    assert english[0].split() == ["layer", "type", "output", "shape", "parameters"]
    assert spanish[0].split() == ["capa", "tipo", "forma", "de", "salida", "parámetros"]
    assert english[1].split()[0] == "input" and spanish[1].split()[0] == "entrada"
    assert english[-1].split() == ["total", "475"] and spanish[-1].split() == ["total", "475"]
    # the rows between (names, Keras-style layer types, shapes, counts) are the same in both languages
    assert [line.split() for line in english[2:-1]] == [line.split() for line in spanish[2:-1]]
    assert postfix == {"loss": "0.500", "accuracy": "0.900", "val_loss": "0.600"}
    assert postfijo == {"pérdida": "0.500", "exactitud": "0.900", "pérdida_val": "0.600"}
