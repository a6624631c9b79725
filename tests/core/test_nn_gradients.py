"""The fast training path computes the gradients PyTorch's autograd and finite differences compute.

``fit`` calls the layers' unchecked ``_forward``/``_backward``, keeps the
forward pass's im2col matrix, computes the input gradient of a convolution as
a transposed convolution (and none for the first layer), and updates Adam's
moments as one vector: each is checked here against an independent answer.
PyTorch is optional: the tests that compare with it skip without it.
"""

import numpy as np
import pytest

from meia_cnn.nn import (
    Adam,
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    reference_model,
)

from .test_nn import numerical_gradient


@pytest.mark.parametrize(
    "shape, kernel, stride, padding",
    [
        ((2, 5, 6, 2), 3, 1, 4),  # padding wider than the kernel: rows of g fall outside the input
        ((1, 7, 6, 2), 3, 2, ((3, 0), (0, 3))),
        ((2, 6, 6, 3), (3, 2), (3, 2), "same"),
        ((1, 9, 9, 1), 2, 4, "valid"),  # a stride larger than the kernel skips input cells
    ],
)
def test_conv2d_input_gradient_as_a_transposed_convolution_matches_finite_differences(shape, kernel, stride, padding):
    rng = np.random.default_rng(0)
    layer = Conv2D(shape[-1], 3, kernel, stride=stride, padding=padding, dtype=np.float64, seed=0)
    x = rng.standard_normal(shape)
    r = rng.standard_normal(layer.forward(x).shape)

    def loss():
        return float(np.sum(layer.forward(x) * r))

    loss()
    dx = layer.backward(r)
    np.testing.assert_allclose(dx, numerical_gradient(loss, x), rtol=1e-6, atol=1e-8)


def test_fit_path_stores_the_same_gradients_as_the_public_passes():
    rng = np.random.default_rng(0)
    model = Sequential(
        [
            Conv2D(2, 3, 3, padding="same", dtype=np.float64),
            ReLU(),
            MaxPool2D(2),
            Conv2D(3, 4, 2, stride=2, dtype=np.float64),
            ReLU(),
            AvgPool2D(1),
            Flatten(),
            Dense(16, 3, dtype=np.float64),
        ],
        input_shape=(8, 8, 2),
        seed=1,
    )
    X = rng.standard_normal((5, 8, 8, 2))
    y = np.array([0, 1, 2, 1, 0])
    model.loss.forward(model.forward(X, training=True), y)
    model.backward(model.loss.backward())
    public = [g.copy() for g in model._trainable()[1]]
    model.loss._forward(model._forward(X, True), y)
    assert model._backward(model.loss.backward()) is None  # the input's gradient is not computed
    for a, b in zip(public, model._trainable()[1]):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda: Conv2D(2, 3, 3, stride=2, padding="same", dtype=np.float64, seed=0), (2, 7, 6, 2)),
        (lambda: MaxPool2D(3, stride=2, padding="same"), (2, 7, 6, 2)),
        (lambda: AvgPool2D(3, stride=2, padding="same"), (2, 7, 6, 2)),
        (lambda: ReLU(), (2, 7, 6, 2)),
        (lambda: Flatten(), (2, 7, 6, 2)),
        (lambda: Dense(6, 4, dtype=np.float64, seed=0), (3, 6)),
        (lambda: Dropout(0.5, seed=0), (2, 7, 6, 2)),
    ],
    ids=["conv", "maxpool", "avgpool", "relu", "flatten", "dense", "dropout"],
)
def test_the_public_passes_are_the_checks_then_the_unchecked_passes(make, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    public, fast = make(), make()
    out = public.forward(x, training=True)
    np.testing.assert_array_equal(fast._forward(x, True), out)
    g = rng.standard_normal(out.shape)
    np.testing.assert_array_equal(fast._backward(g), public.backward(g))
    for name, grad in public.grads.items():
        np.testing.assert_array_equal(fast.grads[name], grad)


def test_max_pool_gives_a_tie_to_its_first_cell_only():
    x = np.zeros((1, 4, 4, 2))
    x[0, 2:, 2:, 1] = 5.0  # one window of four equal maxima; the others all zeros
    pool = MaxPool2D(2)
    pool.forward(x)
    dx = pool.backward(np.ones((1, 2, 2, 2)))
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1  # the first cell of every window, in row-major order
    np.testing.assert_array_equal(dx[0, :, :, 0], expected)
    np.testing.assert_array_equal(dx[0, :, :, 1], expected)


def test_adam_on_one_vector_follows_the_paper_for_every_array():
    rng = np.random.default_rng(0)
    params = [rng.standard_normal((3, 2)), rng.standard_normal(4), rng.standard_normal((2, 1, 2))]
    expected = [p.copy() for p in params]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    adam = Adam(0.01)
    for t in range(1, 4):
        grads = [rng.standard_normal(p.shape) for p in params]
        adam.step(params, grads)
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            m_hat, v_hat = m[i] / (1 - 0.9**t), v[i] / (1 - 0.999**t)
            expected[i] -= 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
    for p, e in zip(params, expected):
        np.testing.assert_allclose(p, e, rtol=1e-10, atol=1e-12)


# -- against PyTorch's autograd -------------------------------------------------------------
def _torch_reference(torch, model):
    """The reference CNN in PyTorch with ``model``'s weights (channels first; dense rows reordered)."""
    nn = torch.nn
    conv1, conv2, dense = model.layers[0], model.layers[3], model.layers[-1]
    net = nn.Sequential(
        nn.Conv2d(1, conv1.filters, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(conv1.filters, conv2.filters, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(dense.in_features, 10),
    ).double()
    with torch.no_grad():
        for conv, layer in ((net[0], conv1), (net[3], conv2)):
            conv.weight.copy_(torch.from_numpy(layer.params["W"].transpose(3, 2, 0, 1).astype(np.float64)))
            conv.bias.copy_(torch.from_numpy(layer.params["b"].astype(np.float64)))
        w = dense.params["W"].reshape(2, 2, conv2.filters, 10).transpose(2, 0, 1, 3).reshape(-1, 10)
        net[-1].weight.copy_(torch.from_numpy(w.T.astype(np.float64)))
        net[-1].bias.copy_(torch.from_numpy(dense.params["b"].astype(np.float64)))
    return net


def test_reference_cnn_gradients_equal_torch_autograd():
    torch = pytest.importorskip("torch")
    from meia_cnn.nn import digits_split

    model = reference_model(seed=3)
    X = digits_split()[0][:32].astype(np.float64)  # real digits: flat backgrounds give pooling ties
    y = digits_split()[2][:32]
    net = _torch_reference(torch, model)
    for layer in model.layers:
        if layer.trainable:
            layer.dtype = np.dtype(np.float64)
            for k in layer.params:
                layer.params[k] = layer.params[k].astype(np.float64)
                layer.grads[k] = np.zeros_like(layer.params[k])
    loss = model.loss.forward(model.forward(X, training=True), y)
    dX = model.backward(model.loss.backward())

    xt = torch.from_numpy(X.transpose(0, 3, 1, 2).copy()).requires_grad_(True)
    ref = torch.nn.functional.cross_entropy(net(xt), torch.from_numpy(y))
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    np.testing.assert_allclose(dX, xt.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-9, atol=1e-12)
    conv1, conv2, dense = model.layers[0], model.layers[3], model.layers[-1]
    for conv, layer in ((net[0], conv1), (net[3], conv2)):
        np.testing.assert_allclose(
            layer.grads["W"], conv.weight.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-9, atol=1e-12
        )
        np.testing.assert_allclose(layer.grads["b"], conv.bias.grad.numpy(), rtol=1e-9, atol=1e-12)
    dW = net[-1].weight.grad.numpy().T.reshape(conv2.filters, 2, 2, 10).transpose(1, 2, 0, 3).reshape(-1, 10)
    np.testing.assert_allclose(dense.grads["W"], dW, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(dense.grads["b"], net[-1].bias.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 1), (3, 2)])
def test_strided_padded_conv2d_gradients_equal_torch_autograd(stride, padding):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(stride)
    layer = Conv2D(3, 4, 3, stride=stride, padding=padding, dtype=np.float64, seed=stride)
    layer.params["b"][...] = rng.standard_normal(4)
    x = rng.standard_normal((2, 9, 8, 3))
    out = layer.forward(x)
    g = rng.standard_normal(out.shape)
    dx = layer.backward(g)

    xt = torch.from_numpy(x.transpose(0, 3, 1, 2).copy()).requires_grad_(True)
    wt = torch.from_numpy(layer.params["W"].transpose(3, 2, 0, 1).copy()).requires_grad_(True)
    bt = torch.from_numpy(layer.params["b"].copy()).requires_grad_(True)
    yt = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=padding)
    np.testing.assert_allclose(out, yt.detach().numpy().transpose(0, 2, 3, 1), rtol=1e-12, atol=1e-12)
    yt.backward(torch.from_numpy(g.transpose(0, 3, 1, 2).copy()))
    np.testing.assert_allclose(dx, xt.grad.numpy().transpose(0, 2, 3, 1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["W"], wt.grad.numpy().transpose(2, 3, 1, 0), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.grads["b"], bt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(4, 8, 8, 1), (3, 9, 12, 2), (2, 5, 5, 4)])  # both im2col layouts
def test_conv2d_forward_equals_the_core_conv2d_exactly(shape):
    rng = np.random.default_rng(0)
    layer = Conv2D(shape[-1], 5, 3, padding="same", seed=0)
    layer.params["b"][...] = rng.standard_normal(5)
    x = rng.standard_normal(shape).astype(np.float32)
    from meia_cnn import ops

    np.testing.assert_array_equal(layer.forward(x), ops.conv2d(x, layer.params["W"], layer.params["b"], padding="same"))
