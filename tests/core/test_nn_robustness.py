"""nn asked for the impossible: named errors instead of MemoryError, NaN, raw numpy errors or RecursionError."""

import json
import tracemalloc

import numpy as np
import pytest

from meia_cnn import nn
from meia_cnn.nn import (
    REFERENCE_WEIGHTS,
    SGD,
    Adam,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    ReLU,
    Sequential,
    digits_split,
    load_reference,
    reference_model,
)
from meia_cnn.nn import model as model_module
from meia_cnn.nn.layers import MAX_PARAMS


def tiny(seed=0):
    return Sequential(
        [Conv2D(1, 2, 3, padding="same"), ReLU(), MaxPool2D(2), Flatten(), Dense(8, 3)],
        input_shape=(4, 4, 1),
        seed=seed,
    )


# -- size limits --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Dense(100000, 100000), r"Dense\(100000→100000\) would hold 10,000,100,000 parameters"),
        (lambda: Conv2D(1, 10**5, 1000), r"Conv2D\(1→100000, 1000\) would hold 100,000,100,000 parameters"),
        (lambda: Conv2D(10**6, 10**6, 1), "would hold 1,000,001,000,000 parameters"),
    ],
)
def test_huge_layers_are_refused_before_allocating(make, match):
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match + r".*at most 50,000,000 per layer"):
            make()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


def test_the_limit_is_inclusive():
    assert MAX_PARAMS == 50_000_000
    with pytest.raises(ValueError, match="50,000,001 parameters"):
        Dense(50_000_000, 1)  # W plus one bias
    assert Dense(999, 1000).n_params == 999 * 1000 + 1000


# -- inputs ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_dense_refuses_non_finite_input(bad):
    x = np.zeros((2, 4))
    x[1, 2] = bad
    with pytest.raises(ValueError, match="`x` must be finite: it contains NaN or infinity"):
        Dense(4, 2).forward(x)


@pytest.mark.parametrize("layer", [ReLU(), Flatten(), MaxPool2D(2), Conv2D(1, 2, 1)])
def test_layers_refuse_non_finite_input(layer):
    x = np.zeros((1, 2, 2, 1))
    x[0, 0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="`x` must be finite"):
        layer.forward(x)


@pytest.mark.parametrize("bad", [np.array(["a"]), np.array([1 + 2j]), np.array([None, "b"], dtype=object)])
def test_relu_refuses_what_is_not_numbers(bad):
    with pytest.raises(TypeError, match="`x` must hold (real )?numbers"):
        ReLU().forward(bad)


# -- divergence --------------------------------------------------------------------------------------
def test_a_sane_rate_does_not_trip_the_divergence_check():
    rng = np.random.default_rng(0)
    X, y = rng.random((12, 4, 4, 1)), np.arange(12) % 3
    history = tiny().fit(X, y, epochs=5, batch_size=4, optimizer=SGD(0.5), progress=False)
    assert all(np.isfinite(history["loss"]))


# -- configurations and files ---------------------------------------------------------------------
def test_a_deeply_nested_configuration_is_refused_before_parsing():
    with pytest.raises(ValueError, match="nests lists or objects 100000 deep: at most 8"):
        Sequential.from_config("[" * 100_000)
    with pytest.raises(ValueError, match="nests lists or objects 50000 deep"):
        Sequential.from_config('{"a": ' * 50_000 + "1" + "}" * 50_000)
    # brackets inside strings do not count
    config = tiny().get_config()
    config["note"] = "[" * 1000
    assert isinstance(Sequential.from_config(json.dumps(config)), Sequential)


def test_a_deeply_nested_dict_is_refused_without_recursing():
    deep = []
    for _ in range(100_000):
        deep = [deep]
    config = tiny().get_config()
    config["layers"][0]["kernel_size"] = deep
    with pytest.raises(ValueError, match="nests lists or objects more than 8 deep"):
        Sequential.from_config(config)


def test_an_overlong_configuration_is_refused():
    with pytest.raises(ValueError, match="at most 1,000,000 are allowed"):
        Sequential.from_config(" " * 1_000_001)


@pytest.mark.parametrize(
    "change, error, match",
    [
        (lambda c: c.update(layers=[]), ValueError, "`layers` must be a non-empty list"),
        (lambda c: c["layers"].__setitem__(0, "conv"), ValueError, "layer 0 of the model configuration must be"),
        (lambda c: c["layers"][0].update(kernel=3), ValueError, r"layer 0 \(conv2d_1\).*kernel"),
        (lambda c: c["layers"][0].update({"class": "Lambda"}), ValueError, "unknown layer type 'Lambda'"),
        (lambda c: c["layers"][4].update(in_features=10**9), ValueError, "would hold"),
        (lambda c: c.update(format="other"), ValueError, "not a meia-cnn Sequential configuration"),
        (lambda c: c.update(input_shape="8x8"), ValueError, "`input_shape` must be a list of ints"),
        (lambda c: c.update(layers=c["layers"] * 1001), ValueError, "at most 1000 are allowed"),
    ],
)
def test_bad_configurations_are_named(change, error, match):
    config = tiny().get_config()
    change(config)
    with pytest.raises(error, match=match):
        Sequential.from_config(config)


def save_arrays(path, **arrays):
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)
    return path


def test_load_refuses_a_nested_config_in_a_file(tmp_path):
    path = save_arrays(tmp_path / "deep.npz", __config__=np.array("[" * 100_000))
    with pytest.raises(ValueError, match="nests lists or objects 100000 deep"):
        Sequential.load(path)


def test_load_never_unpickles(tmp_path):
    path = save_arrays(tmp_path / "pickle.npz", __config__=np.array([{"format": 1}], dtype=object))
    with pytest.raises(ValueError, match="cannot be read without pickle"):
        Sequential.load(path)
    (tmp_path / "text.npz").write_text("not a model")
    with pytest.raises(ValueError, match="is not a model file written by Sequential.save"):
        Sequential.load(tmp_path / "text.npz")
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(ValueError, match="not an .npz archive"):
        Sequential.load(tmp_path / "one.npy")


def test_load_checks_names_shapes_and_dtypes(tmp_path):
    model = tiny(seed=1)
    good = model.get_weights()
    config = np.array(json.dumps(model.get_config()))
    cases = [
        ({**good, "conv2d_1.W": good["conv2d_1.W"].astype(np.int64)}, "must be float32 or float64, got dtype int64"),
        ({**good, "conv2d_1.W": np.zeros((3, 3, 1, 5), np.float32)}, "'conv2d_1.W' must have shape"),
        ({k: v for k, v in good.items() if k != "dense_1.b"}, r"missing \['dense_1.b'\]"),
        ({**good, "extra.W": np.zeros(2, np.float32)}, r"unexpected \['extra.W'\]"),
        ({**good, "dense_1.b": np.full(3, np.nan, np.float32)}, "'dense_1.b' must be finite"),
        ({**good, "../../x": np.zeros(2, np.float32)}, "holds an array named"),
    ]
    other = tiny(seed=2)
    before = other.get_weights()
    for i, (arrays, match) in enumerate(cases):
        path = save_arrays(tmp_path / f"m{i}.npz", __config__=config, **arrays)
        with pytest.raises(ValueError, match=match):
            Sequential.load(path)
        with pytest.raises(ValueError, match=match):
            other.load_weights(path)
        for key, value in other.get_weights().items():  # a refused file changes nothing
            np.testing.assert_array_equal(value, before[key])


def test_load_measures_arrays_before_decompressing(tmp_path, monkeypatch):
    path = tmp_path / "m.npz"
    Sequential([Dense(100, 100)], input_shape=(100,)).save(path)  # 40 KB of weights, compressed to less
    monkeypatch.setattr(model_module, "MAX_PARAMS", 100)
    with pytest.raises(ValueError, match="would take .* bytes, more than a layer may hold"):
        Sequential.load(path)


def test_load_with_an_expected_architecture(tmp_path):
    path = tmp_path / "small.npz"
    reference_model(4).save(path)
    with pytest.raises(ValueError, match=r"holds Sequential\(\[Conv2D\(1→4.*expected Sequential\(\[Conv2D\(1→8"):
        Sequential.load(path, expected=reference_model())
    assert Sequential.load(path, expected=reference_model(4)).n_params == reference_model(4).n_params


def test_the_shipped_weights_pass_the_schema_check():
    with np.load(REFERENCE_WEIGHTS, allow_pickle=False) as npz:
        assert sorted(npz.files) == sorted(list(reference_model().get_weights()) + ["__config__", "__metadata__"])
        assert all(npz[k].dtype == np.float32 for k in npz.files if not k.startswith("__"))
    model = load_reference()
    assert model.get_config() == reference_model().get_config()


def test_caches_stay_bounded_over_many_seeds_and_sizes():
    """A loop over seeds or input sizes keeps a bounded number of splits and layer geometries."""
    from meia_cnn.nn import reference

    first = digits_split(seed=0)
    for seed in range(1, 12):
        digits_split(test_size=0.2, seed=seed)
    assert len(reference._SPLIT_CACHE) <= reference._SPLIT_CACHE_SIZE
    again = digits_split(seed=0)  # recomputed after eviction: the same split
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)

    layer = Conv2D(1, 2, 3, padding="same", seed=0)
    for side in range(3, 200):
        assert layer.output_shape((side, side + 1, 1)) == (side, side + 1, 2)
    assert len(layer._memo) <= 64


@pytest.mark.parametrize(
    "make",
    [
        lambda v: nn.SGD(v),
        lambda v: nn.SGD(0.1, momentum=v),
        lambda v: nn.Adam(v),
        lambda v: nn.Adam(beta1=v),
        lambda v: nn.Adam(eps=v),
        lambda v: nn.StepDecay(v),
        lambda v: nn.StepDecay(1, factor=v),
        lambda v: nn.CosineDecay(final=v),
        lambda v: nn.Constant(warmup=v),
    ],
)
def test_numbers_too_large_for_a_float_are_value_errors(make):
    with pytest.raises(ValueError, match=r"too large for a float, got an integer of 401 digits"):
        make(10**400)


def test_a_per_update_rate_too_large_for_a_float_is_a_value_error():
    with pytest.raises(ValueError, match=r"`lr` is too large for a float"):
        nn.SGD(0.1).step([np.ones(2)], [np.ones(2)], lr=10**400)


@pytest.mark.parametrize("fn", [nn.softmax, nn.log_softmax])
def test_softmax_checks_its_logits(fn):
    with pytest.raises(ValueError, match=r"`logits` must be finite"):
        fn(np.array([[np.nan, 1.0]]))
    with pytest.raises(ValueError, match=r"`logits` must be finite"):
        fn(np.array([[np.inf, 1.0]]))
    with pytest.raises(TypeError, match=r"`logits` must hold real numbers, got dtype complex128"):
        fn(np.array([[1j, 1.0]]))
    with pytest.raises(TypeError, match=r"`logits` must hold numbers"):
        fn(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match=r"`logits` is too large: .*MAX_ELEMENTS"):
        fn(np.broadcast_to(np.float32(0), (20000, 20000)))  # 4e8 elements, no memory behind them
    with pytest.raises(ValueError, match=r"`logits` must have at least one class"):
        fn(np.zeros((2, 0)))
    assert fn(np.zeros((3, 2), np.float32)).dtype == np.float32


@pytest.mark.parametrize(
    "text",
    [
        '"' + '\\"' * 499_999,  # an unterminated string of escaped quotes (quadratic before: 45 minutes)
        '"a\\' * 333_333,
        '[{"":' * 200_000,
    ],
)
def test_configuration_text_is_checked_in_linear_time(text):
    import time

    start = time.perf_counter()
    with pytest.raises(ValueError, match="the model configuration"):
        Sequential.from_config(text)
    assert time.perf_counter() - start < 3.0


def test_load_of_a_crafted_configuration_is_linear_too(tmp_path):
    import time

    path = save_arrays(tmp_path / "slow.npz", __config__=np.array('"' + '\\"' * 499_999))
    start = time.perf_counter()
    with pytest.raises(ValueError, match="not valid JSON"):
        Sequential.load(path)
    assert time.perf_counter() - start < 3.0


def zip_members(path, members):
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return path


def npy_header(shape, dtype="<f4"):
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_an_npy_header_declaring_a_huge_array_is_refused_before_allocating(tmp_path):
    model = tiny()
    path = zip_members(
        tmp_path / "huge.npz",
        {
            "__config__.npy": _npy_bytes(np.array(json.dumps(model.get_config()))),
            "dense_1.W.npy": npy_header((10**12,)) + b"\0" * 64,
        },
    )
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"'dense_1.W' declares shape \(1000000000000,\)"):
            Sequential.load(path)
        with pytest.raises(ValueError, match=r"declares shape"):
            model.load_weights(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def _npy_bytes(array):
    import io

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["dense_1.W", "notes.txt", "dense_1.W.npz"])
def test_a_member_that_is_not_an_npy_array_is_a_value_error(tmp_path, member):
    model = tiny()
    members = {f"{k}.npy": _npy_bytes(v) for k, v in model.get_weights().items()}
    members["__config__.npy"] = _npy_bytes(np.array(json.dumps(model.get_config())))
    members[member] = b"\x93NUMPY not really"
    path = zip_members(tmp_path / "odd.npz", members)
    with pytest.raises(ValueError, match=rf"holds '{member}', which is not an .npy array"):
        Sequential.load(path)


def test_a_broken_npy_header_is_a_value_error(tmp_path):
    path = zip_members(tmp_path / "broken.npz", {"__config__.npy": b"\x93NUMPY\x01\x00garbage"})
    with pytest.raises(ValueError, match=r"has no valid .npy header"):
        Sequential.load(path)


def test_the_total_parameter_count_is_capped_across_layers(monkeypatch):
    # 40 Dense(7000, 7000), each under the per-layer limit, reached 3.8 GiB together
    assert model_module.MAX_TOTAL_PARAMS == 50_000_000
    monkeypatch.setattr(model_module, "MAX_TOTAL_PARAMS", 5_000)
    layers = [Dense(40, 40) for _ in range(4)]  # 1,640 each: every layer allowed, 6,560 in all
    with pytest.raises(ValueError, match=r"the model would hold 6,560 parameters in 4 layers: at most 5,000"):
        Sequential(layers)
    config = Sequential(layers[:3]).get_config()
    config["layers"] += [dict(config["layers"][0], name=f"more_{i}") for i in range(40)]
    built = []
    real_dense = model_module.LAYER_TYPES["Dense"]

    class Counting(real_dense):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setitem(model_module.LAYER_TYPES, "Dense", Counting)
    with pytest.raises(ValueError, match=r"parameters in 4 layers: at most 5,000 in all"):
        Sequential.from_config(config)
    assert len(built) == 4  # refused one layer past the limit, not after building all 43


# -- after a divergence ---------------------------------------------------------------------------
def _finite(model):
    return all(np.isfinite(v).all() for v in model.get_weights().values())


@pytest.mark.parametrize("optimizer", [SGD(1e30), SGD(1e30, momentum=0.9), Adam(1e30)])
def test_a_diverged_fit_leaves_the_last_finite_weights(optimizer):
    X_train, _, y_train, _ = digits_split()
    model = reference_model(4)
    with pytest.raises(ValueError, match=r"`lr`=1e\+30.*too large.*weights before the failing update were restored"):
        model.fit(X_train[:256], y_train[:256], epochs=3, optimizer=optimizer, progress=False)
    assert _finite(model)
    p = model.predict(X_train[:8])  # used to return NaN or raise "`x` must be finite"
    assert np.isfinite(p).all() and np.allclose(p.sum(axis=1), 1)
    assert optimizer._state is None  # its moments held infinities
    history = model.fit(X_train[:64], y_train[:64], epochs=1, optimizer=SGD(0.01), progress=False)
    assert np.isfinite(history["loss"]).all()


def test_a_schedule_that_raises_the_rate_is_named_not_the_learning_rate():
    rng = np.random.default_rng(0)
    X, y = rng.random((12, 4, 4, 1)), np.arange(12) % 3
    model = Sequential([Flatten(), Dense(16, 8), Dense(8, 3)], input_shape=(4, 4, 1))
    with pytest.raises(ValueError, match=r"`lr`=0\.1 times the schedule's multiplier 1e\+30: the `schedule` raised"):
        model.fit(X, y, epochs=3, batch_size=4, optimizer=SGD(0.1), progress=False, schedule=lambda epoch, epochs: 1e30)
    assert _finite(model)


@pytest.mark.parametrize(
    "returned, error, match",
    [
        (float("nan"), ValueError, r"`schedule` must return a finite multiplier >= 0, got nan at epoch 0 of 2"),
        (-1.0, ValueError, r"`schedule` must return a finite multiplier >= 0, got -1.0"),
        (10**400, ValueError, r"`schedule` is too large for a float"),
        ("1", TypeError, r"`schedule` must return a number \(the multiplier of `lr`\), got '1'"),
        (None, TypeError, r"`schedule` must return a number"),
    ],
)
def test_what_a_schedule_returns_is_checked_by_name(returned, error, match):
    rng = np.random.default_rng(0)
    X, y = rng.random((8, 4, 4, 1)), np.arange(8) % 3
    model = tiny()
    before = model.get_weights()
    with pytest.raises(error, match=match):
        model.fit(X, y, epochs=2, optimizer=SGD(0.1), progress=False, schedule=lambda e, n: returned)
    for key, value in model.get_weights().items():
        np.testing.assert_array_equal(value, before[key])


def test_data_that_overflows_before_any_update_is_named_not_the_learning_rate():
    X, y = np.full((8, 4, 4, 1), 1e300), np.arange(8) % 3
    model = tiny()
    before = model.get_weights()
    with pytest.raises(
        ValueError,
        match=r"epoch 1, batch 1.*No update had been made yet: the input `X` "
        r"\(largest \|X\| = 1e\+300\)",
    ):
        model.fit(X, y, epochs=2, optimizer=SGD(1e-6), progress=False)
    for key, value in model.get_weights().items():
        np.testing.assert_array_equal(value, before[key])
    with pytest.raises(ValueError, match=r"the model's outputs for `X` are not finite"):
        model.predict(X)
