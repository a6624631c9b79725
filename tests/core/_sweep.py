"""The standing sweep behind ``test_public_api_answers_or_names_the_parameter`` (tests/core/test_robustness.py).

Every public function and class of the core, ``nn``, ``explain`` and the upload path, found
through each module's ``__all__`` (so a new one is swept without being listed here), is
called with good arguments, then with one argument at a time replaced by something a
hostile or careless caller sends: ndarray subclasses (``np.matrix``, masked arrays, a custom
subclass), numpy scalars (``np.uint64(2**64 - 1)``, ``np.float32``), bool-like values
(``"False"``, ``1``, ``np.bool_``), huge sizes and non-finite values.  Accepted: the correct
result (the same as with the plain value, for the values that mean the same) or a
``ValueError``/``TypeError`` whose message names a parameter of the call; each call under
a peak of 1 GiB (tracemalloc, which sees numpy's buffers) and a few seconds.

Run as a script it prints a JSON list of failures; the test runs it in a child process
whose address space is limited, so a call that tries to allocate the impossible cannot
take the test run down with it.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import json
import math
import pkgutil
import signal
import sys
import tracemalloc
import typing
from typing import Any

import numpy as np

PEAK_LIMIT = 2**30  # bytes per call
SECONDS = 8  # per call

MODULES = ["meia_cnn", "meia_cnn.arithmetic", "meia_cnn.ops", "meia_cnn.nn", "meia_cnn.nn.learn_kernel"]
#: Functions that are not entry points for data (they change global state or train for minutes).
SKIP = {"set_language", "load_reference"}
#: What the page is sent, not entry points for data: the scenes (built from a state the kit made) and their
#: helpers, and what the page sends back (a click, an upload already read by data.load_image).  (The page's
#: numbers, colours and pictures are drawn by a private module, explain._render.)
SCENE_NAMES = {
    "fit_problem",
    "equation_text",
    "ratio_text",
    "number",
    "filtered_png",
    "photo_png",
    "learn_kernel_pictures",
    "template_matching_pictures",
    "channel_pngs",
    "map_png",
    "deck_png",
    "feature_map_pictures",
    "picked_unit",
    "upload_input",
    "feedback_html",
    "solution_html",
    "table_marks",
}


class Tagged(np.ndarray):
    """A custom ndarray subclass, as a caller's library might pass."""


def public_callables() -> list[tuple[str, Any]]:
    import meia_cnn.explain as explain

    names = MODULES + [
        f"meia_cnn.explain.{m.name}" for m in pkgutil.iter_modules(explain.__path__) if not m.name.startswith("_")
    ]
    found, seen = [], set()
    for module_name in names:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if not callable(obj) or id(obj) in seen or name in SKIP or name.isupper():
                continue
            if dataclasses.is_dataclass(obj) or typing.is_typeddict(obj):  # a record built by the kit
                continue
            if name in SCENE_NAMES or name.endswith("_scene"):
                continue
            if inspect.isclass(obj) and inspect.isabstract(obj):
                continue
            seen.add(id(obj))
            found.append((f"{module_name}.{name}", obj))
    from meia_cnn import data
    from meia_cnn.nn import Sequential

    found.append(("meia_cnn.data.load_image", data.load_image))
    # the model's methods, each called on a fresh reference model (``self``)
    for method in MODEL_METHODS:
        found.append((f"meia_cnn.nn.Sequential.{method}", getattr(Sequential, method)))
    return found


#: Methods of a model a student calls with data of their own.
MODEL_METHODS = ("predict", "evaluate", "fit", "forward", "forward_all", "build")


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray((np.arange(144).reshape(12, 12) % 251).astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _model():
    from meia_cnn.nn import reference_model

    return reference_model(4)


#: Good arguments by parameter name (used when a parameter has no default, or a default of None
#: that hides its kind); FUNCTION_ARGS overrides them for one function.
RNG = np.random.default_rng(0)
GOOD: dict[str, Any] = {
    "x": RNG.random((6, 6)),
    "image": RNG.random((6, 6)),
    "kernel": RNG.random((3, 3)),
    "kernels": RNG.random((3, 3)),
    "photo": RNG.random((12, 12)),
    "input_size": 6,
    "kernel_size": 3,
    "size": 2,
    "stride": 1,
    "padding": "valid",
    "dilation": 1,
    "filters": 2,
    "in_channels": 3,
    "out_features": 4,
    "in_features": 6,
    "input_shape": (8, 8, 3),
    "n1x1": 4,
    "n3x3_reduce": 2,
    "n3x3": 4,
    "n5x5_reduce": 2,
    "n5x5": 4,
    "pool_proj": 2,
    "layers": [(3, 1, 1), (3, 1, 1)],
    "logits": RNG.random((2, 3)),
    "lr": 0.1,
    "rate": 0.5,
    "every": 2.0,
    "schedule": "cosine",
    "channels": 3,
    "name": "lenet5",
    "epochs": 2,
    "seed": 0,
    "weights": RNG.random((3, 2)),
    "output_padding": 0,
    "mode": "valid",
    "images": RNG.random((2, 6, 6)),
    "targets": RNG.random((2, 4, 4)),
    "learning_rate": 0.1,
    "steps": 3,
    "samples": 2,
    "image_size": 8,
    "source": _png(),
    "shape": (6, 6),
    "true_kernel": None,
    "expected": "0.1.0",
}
FUNCTION_ARGS: dict[str, dict[str, Any]] = {
    "meia_cnn.nn.Sequential": {"layers": None, "input_shape": (6, 6, 1)},
    "meia_cnn.conv1x1": {"x": RNG.random((5, 5, 3))},
    "meia_cnn.explain.one_by_one.one_by_one_state": {"x": RNG.random((4, 4, 3))},
    "meia_cnn.explain.one_by_one.one_by_one_inputs": {"x": RNG.random((4, 4, 3))},
    "meia_cnn.explain.volume.volume_state": {"x": RNG.random((6, 6, 3))},
    "meia_cnn.explain.template_matching.template_from_image": {"image": RNG.random((24, 24)), "shape": (6, 6)},
    "meia_cnn.explain.template_matching.template_scene": {"name": "coin"},
    "meia_cnn.explain.pooling.pool_image": {"image": RNG.random((8, 8))},
    "meia_cnn.nn.train_reference": {"epochs": 1, "filters": 2},
    "meia_cnn.explain.training.training_plan": {"filters": 2, "kernel_size": 3, "epochs": 1, "seed": 0},
    "meia_cnn.explain.training.curve_axes": {
        "history": {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8], "val_loss": [], "val_accuracy": []},
        "epochs": 2,
    },
    "meia_cnn.explain.feature_maps.tile_channels": {"maps": RNG.random((4, 4, 3))},
    "meia_cnn.explain.feature_maps.tile_layout": {"shape": (4, 4, 3)},
    "meia_cnn.explain.sharing.parameter_sharing_state": {
        "input_size": 8,
        "channels": 3,
        "kernel_size": 3,
        "filters": 2,
    },
    "meia_cnn.explain.inception.inception_state": {"input_shape": (8, 8, 3)},
    "meia_cnn.explain.architecture.layout": {"vols": [("input", (8, 8, 1), "input"), ("conv", (6, 6, 2), "conv")]},
    "meia_cnn.explain.template_matching.template_matching_state": {"column": 3, "row": 3},
    "meia_cnn.nn.Sequential.predict": {"X": RNG.random((4, 8, 8, 1))},
    "meia_cnn.nn.Sequential.forward": {"X": RNG.random((4, 8, 8, 1))},
    "meia_cnn.nn.Sequential.forward_all": {"X": RNG.random((8, 8, 1))},
    "meia_cnn.nn.Sequential.evaluate": {"X": RNG.random((4, 8, 8, 1)), "y": np.array([0, 1, 2, 3])},
    "meia_cnn.nn.Sequential.fit": {"X": RNG.random((6, 8, 8, 1)), "y": np.arange(6), "epochs": 1, "progress": False},
    "meia_cnn.nn.Sequential.build": {"input_shape": (8, 8, 1)},
    "meia_cnn.explain.feature_maps.feature_map_state": {"layer": 0, "unit": (0, 0, 0)},
    "meia_cnn.explain.feature_maps.unit_detail": {"layer": 0, "unit": (0, 0, 0)},
    "meia_cnn.explain.feature_maps.layer_scales": {"X": RNG.random((4, 8, 8, 1))},
    "meia_cnn.explain.feature_maps.layer_kind": {"layer": None},
    "meia_cnn.explain.feature_maps.unit_limits": {"layer": 0},
}
#: Arguments that are objects the kit builds (a model, a summary): built fresh per call, not varied.
NEEDS_MODEL = {"model", "summary", "scene", "state", "network", "self"}


def good_args(qualname: str, fn: Any) -> tuple[list[inspect.Parameter], dict[str, Any]] | None:
    try:
        params = [
            p for p in inspect.signature(fn).parameters.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return None
    overrides = FUNCTION_ARGS.get(qualname, {})
    args: dict[str, Any] = {}
    for p in params:
        if p.name in overrides:
            args[p.name] = overrides[p.name]
        elif p.name in NEEDS_MODEL:
            args[p.name] = None
        elif p.default is not p.empty:
            if p.default is None and p.name in GOOD and GOOD[p.name] is not None:
                args[p.name] = GOOD[p.name]
            else:
                continue  # the default is the good value; hostile values are tried on it below
        elif p.name in GOOD:
            args[p.name] = GOOD[p.name]
        else:
            raise KeyError(f"{qualname}: no good value for parameter {p.name!r}: add one to GOOD or FUNCTION_ARGS")
    return params, args


def fresh(qualname: str, args: dict[str, Any]) -> dict[str, Any]:
    """Arguments that must be built per call: a model, layers, a scene."""
    out = dict(args)
    if "model" in out and out["model"] is None:
        out["model"] = _model()
    if "self" in out and out["self"] is None:
        out["self"] = _model()
    if "summary" in out and out["summary"] is None:
        from meia_cnn import architectures

        out["summary"] = architectures.summary("lenet5")
    if qualname == "meia_cnn.nn.Sequential" and out.get("layers") is None:
        from meia_cnn.nn import Dense, Flatten

        out["layers"] = [Flatten(), Dense(36, 3)]
    if "scene" in out and out["scene"] is None:
        from meia_cnn.explain.template_matching import template_scene

        out["scene"] = template_scene("coin")
    if qualname.startswith("meia_cnn.explain.feature_maps") and "image" in out:
        out["image"] = np.random.default_rng(1).random((8, 8, 1))
    if qualname.endswith("layer_kind") and out.get("layer") is None:
        from meia_cnn.nn import ReLU

        out["layer"] = ReLU()
    if qualname.startswith("meia_cnn.explain.feature_maps") and "state" in out and out["state"] is None:
        from meia_cnn.explain.feature_maps import network_state

        out["state"] = network_state(out["model"], np.random.default_rng(1).random((8, 8, 1)))
    return out


def same_meaning(value: Any) -> list[tuple[str, Any]]:
    """Values that mean exactly ``value``: the result must be the same."""
    out: list[tuple[str, Any]] = []
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        out.append(("custom ndarray subclass", value.view(Tagged)))
        out.append(("masked array, nothing masked", np.ma.masked_array(value)))
        if value.ndim == 2:
            out.append(("np.matrix", np.asarray(value).view(np.matrix)))
    elif isinstance(value, bool):
        out.append(("np.bool_", np.bool_(value)))
    elif isinstance(value, int):
        out.append(("np.int64", np.int64(value)))
        out.append(("np.uint8", np.uint8(value)) if 0 <= value < 256 else ("np.int32", np.int32(value)))
    elif isinstance(value, tuple) and value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        out.append(("tuple of np.int64", tuple(np.int64(v) for v in value)))
    return out


HUGE_SHAPE = (40_000, 40_000)


def hostile(value: Any) -> list[tuple[str, Any, bool]]:
    """(label, value, must_refuse): values a careless or hostile caller sends in place of ``value``."""
    out: list[tuple[str, Any, bool]] = []
    if isinstance(value, np.ndarray):
        bad = np.array(value, dtype=np.float64)
        if bad.size:
            bad.flat[0] = np.nan
            out.append(("NaN inside", bad, False))
            inf = np.array(value, dtype=np.float64)
            inf.flat[-1] = np.inf
            out.append(("inf inside", inf, False))
            masked = np.ma.masked_array(value, mask=np.zeros(value.shape, bool))
            masked.mask.flat[0] = True
            out.append(("masked array with a masked value", masked, True))
        out.append(("complex", value.astype(np.complex128) + 1j, True))
        out.append(("strings", value.astype(str), True))
        out.append(("float32", value.astype(np.float32), False))
        huge = np.broadcast_to(np.float32(0.5), HUGE_SHAPE + value.shape[2:])
        out.append(("1.6e9 elements (no memory behind them)", huge, False))
        out.append(("huge values", np.full(value.shape, 1e300), False))
    elif isinstance(value, bool):
        for v in ("False", 1, 0, None, 1.0):
            out.append((f"bool-like {v!r}", v, True))
    elif isinstance(value, int):
        for v in (np.uint64(2**64 - 1), 10**18, 2**63, -1, 0, True, "3", 2.5, np.float32(value), None, 10**400):
            out.append((repr(v), v, False))
    elif isinstance(value, float):
        for v in (np.float32(value), 10**400, float("nan"), float("inf"), -1e308, True, "0.1", None):
            out.append((repr(v), v, False))
    elif isinstance(value, str):
        for v in ("", "nope", 3, None, np.str_(value)):
            out.append((repr(v), v, False))
    elif isinstance(value, tuple) and value and all(isinstance(v, int) for v in value):
        for v in (
            tuple([np.uint64(2**64 - 1)] * len(value)),
            tuple([10**9] * len(value)),
            tuple(["3"] * len(value)),
            tuple([math.nan] * len(value)),
            value + (1,),
            value[:1],
        ):
            out.append((repr(v)[:60], v, False))
    return out


def _names_a_parameter(message: str, params: list[inspect.Parameter], name: str) -> bool:
    names = {p.name for p in params} | {name}
    return any(n in message for n in names)


class Slow(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - only when a call hangs
    raise Slow()


def call(
    fn: Any, kwargs: dict[str, Any], params: list[inspect.Parameter], seconds: int = SECONDS
) -> tuple[str, Any, int]:
    """('ok', result) / ('refused', exception) / ('crash', text); and the peak bytes."""
    positional = [p.name for p in params if p.kind == p.POSITIONAL_ONLY]
    args = [kwargs.pop(n) for n in positional if n in kwargs]
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(seconds)
    tracemalloc.start()
    try:
        try:
            result = ("ok", fn(*args, **kwargs))
        except (ValueError, TypeError) as exc:
            result = ("refused", exc)
        except Slow:
            result = ("crash", f"took more than {seconds} s")
        except BaseException as exc:  # noqa: BLE001 - MemoryError, IndexError, OverflowError...
            result = ("crash", f"{type(exc).__name__}: {str(exc)[:200]}")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return result[0], result[1], peak


def same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            type(a) is type(b) is np.ndarray
            and a.shape == b.shape
            and a.dtype == b.dtype
            and np.array_equal(a, b, equal_nan=True)
        )
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(a) is type(b) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (int, str, bool, type(None), np.generic)):
        return type(a) is type(b) and a == b
    return repr(a) == repr(b)


def sweep() -> tuple[list[dict[str, Any]], int]:
    failures: list[dict[str, Any]] = []
    calls = 0
    for qualname, fn in public_callables():
        params, good = good_args(qualname, fn)
        status, baseline, peak = call(fn, fresh(qualname, good), params, seconds=60)  # first use loads data
        calls += 1
        if status != "ok":
            failures.append({"call": qualname, "case": "good arguments", "got": str(baseline)[:300]})
            continue
        for p in params:
            value = good.get(p.name, p.default)
            if p.name in NEEDS_MODEL or p.name in (
                "scene",
                "state",
                "network",
                "layers",
                "history",
                "vols",
                "callbacks",
                "validation_data",
            ):
                continue
            cases = [(label, v, "same") for label, v in same_meaning(value)]
            cases += [(label, v, "refuse" if must else "any") for label, v, must in hostile(value)]
            for label, v, expect in cases:
                kwargs = fresh(qualname, good)
                kwargs[p.name] = v
                status, result, peak = call(fn, kwargs, params)
                calls += 1
                where = {"call": qualname, "parameter": p.name, "case": label}
                if peak > PEAK_LIMIT:
                    failures.append({**where, "got": f"peak {peak / 2**30:.2f} GiB"})
                if status == "crash":
                    failures.append({**where, "got": result})
                elif status == "refused":
                    if not _names_a_parameter(str(result), params, p.name):
                        failures.append(
                            {**where, "got": f"{type(result).__name__} naming no parameter: {str(result)[:200]}"}
                        )
                elif expect == "refuse":
                    failures.append({**where, "got": "accepted"})
                elif expect == "same" and not same(result, baseline):
                    failures.append({**where, "got": "a different result than with the plain value"})
    return failures, calls


if __name__ == "__main__":
    import resource
    import warnings

    warnings.simplefilter("ignore")  # numpy's overflow warnings on hostile values; errors are what count
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 6 * 2**30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    failures, calls = sweep()
    print(json.dumps({"calls": calls, "failures": failures}))
