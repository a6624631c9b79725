"""meia_cnn.explain.feature_maps: every unit's arithmetic equals the layer's output (float32 precision)."""

import numpy as np
import pytest

from meia_cnn import ops
from meia_cnn.explain.feature_maps import (
    feature_map_state,
    layer_scales,
    network_state,
    tile_channels,
    tile_layout,
    unit_detail,
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
    model = Sequential([Conv2D(2, 3, 3, stride=2, padding="same"), ReLU(), AvgPool2D(2, padding="same"),
                        Conv2D(3, 2, 2), MaxPool2D(2, stride=1, padding="same"), Dropout(0.5), Flatten(),
                        Dense(8, 4)], input_shape=(11, 9, 2), seed=3)
    x = np.random.default_rng(7).normal(size=(11, 9, 2)).astype(np.float32)
    return model, x


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
                np.testing.assert_array_equal(d.inputs, padded[r0 + pads[0][0]:r1 + pads[0][0],
                                                               c0 + pads[1][0]:c1 + pads[1][0]])
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
