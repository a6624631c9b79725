"""Explorers keep a flat memory: a class moving controls for an hour does not fill the kernel.

``benchmarks/bench_memory.py`` measures 10,000 changes per explorer; here a
quick standing version: 1,000 random changes on three explorers with pictures
and caches, resident memory bounded, and every cache bounded by design.
"""

from __future__ import annotations

import functools
import gc
import importlib
import inspect
import sys
from pathlib import Path

import pytest

import meia_cnn.widgets as mw
from meia_cnn.widgets import _assets, _explorer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_memory  # noqa: E402

MiB = 2**20
EXPLORERS = sorted(mw._EXPLORERS)
#: The most entries any per-explorer cache may hold (the largest bound in the explorers is 64).
CACHE_BOUND = 65


def _browser_drawn(name):
    cls = getattr(mw, name)
    if not issubclass(cls, _explorer.Explorer):
        pytest.skip(f"{name} is still drawn with ipympl (meia_cnn.widgets._base)")
    return cls


@pytest.mark.parametrize("name", ["StridePaddingExplorer", "VolumeExplorer", "TemplateMatchingExplorer"])
def test_a_thousand_changes_keep_memory_flat(name):
    viz = _browser_drawn(name)()
    try:
        bench_memory.random_changes(viz, 200, seed=1)  # warm-up: caches fill, pictures are encoded
        gc.collect()
        before = bench_memory.rss_bytes()
        accepted = bench_memory.random_changes(viz, 1_000, seed=2)
        gc.collect()
        growth = bench_memory.rss_bytes() - before
    finally:
        viz.close()
    assert accepted > 700, "most changes reach the explorer"
    assert growth <= 10 * MiB, f"{name} grew by {growth / MiB:.1f} MB over 1,000 changes"


def _sized_attributes(viz):
    """The explorer's own dicts, lists and sets (its caches among them), by name."""
    return {
        k: v
        for k, v in vars(viz).items()
        if isinstance(v, (dict, list, set)) and not k.startswith("_trait") and k != "controls"
    }


@pytest.mark.parametrize("name", EXPLORERS)
def test_per_explorer_caches_are_bounded(name):
    """One cache policy: an explorer keeps what it computed in bounded functools.lru_caches, nothing else grows."""
    viz = _browser_drawn(name)()
    try:
        bench_memory.random_changes(viz, 150, seed=3)
        sizes = {k: len(v) for k, v in _sized_attributes(viz).items()}
        caches = {k: c.cache_info() for k, c in viz._caches.items()}
    finally:
        viz.close()
    too_large = {k: n for k, n in sizes.items() if n > CACHE_BOUND}
    assert not too_large, f"{name} holds more than {CACHE_BOUND} entries in {too_large}"
    for cache_name, info in caches.items():
        assert info.maxsize is not None and info.maxsize <= 64 and info.currsize <= info.maxsize, (cache_name, info)


#: Module-level caches with no size limit, each keyed by a closed set of names: (module, function, keys).
CLOSED_KEYS = {
    ("meia_cnn.widgets._assets", "esm"): "one entry per shipped .js file (an unknown name raises)",
    ("meia_cnn.data", "_raw_sample"): "one entry per sample picture name (an unknown name raises)",
    ("meia_cnn.architectures", "_summary"): "one entry per network of the registry (names are resolved first)",
    ("meia_cnn.i18n", "_translations"): "one entry per supported language",
}
MODULES = [
    "meia_cnn.widgets._explorer",
    "meia_cnn.widgets._assets",
    "meia_cnn.data",
    "meia_cnn.architectures",
    "meia_cnn.i18n",
    "meia_cnn.kernels",
    *(
        f"meia_cnn.explain.{m}"
        for m in (
            "architecture",
            "convolution",
            "feature_maps",
            "inception",
            "learn_kernel",
            "one_by_one",
            "pooling",
            "sharing",
            "stride_padding",
            "template_matching",
            "training",
            "transposed",
            "volume",
        )
    ),
    *(f"meia_cnn.widgets.{m}" for m in sorted(set(mw._EXPLORERS.values()))),
]


def _lru_caches():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for attr, value in vars(module).items():
            if isinstance(value, functools._lru_cache_wrapper) and inspect.getmodule(value) is module:
                yield module_name, attr, value


def test_module_caches_are_bounded_or_keyed_by_a_closed_set():
    found = list(_lru_caches())
    assert len(found) >= 5, "the caches of the explorers' modules are found"
    unbounded = [(m, a) for m, a, f in found if f.cache_info().maxsize is None and (m, a) not in CLOSED_KEYS]
    assert not unbounded, f"caches with no size limit and open keys: {unbounded}"
    for (module_name, attr), _why in CLOSED_KEYS.items():
        fn = getattr(importlib.import_module(module_name), attr)
        assert fn.cache_info().maxsize is None or fn.cache_info().maxsize <= 64


def test_closed_key_caches_refuse_names_outside_their_set():
    """An unknown name raises before anything is cached, so these caches cannot grow past their sets."""
    from meia_cnn import architectures, data

    for bad in ("no-such-file.js", "../draw.js", "draw.js"):
        with pytest.raises(ValueError, match="`name` must be a file"):
            _assets.esm(bad)
    before = data._raw_sample.cache_info().currsize
    with pytest.raises((ValueError, KeyError)):
        data.sample_image("no such picture")
    assert data._raw_sample.cache_info().currsize == before
    with pytest.raises(ValueError, match="`name` must be one of"):
        architectures.summary("no such network")
