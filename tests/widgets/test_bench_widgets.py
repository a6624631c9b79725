"""The widget benchmark drives every control it should, through its range (not a timing test)."""

import sys
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pytest

from meia_cnn.widgets._explorer import Explorer

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_widgets  # noqa: E402


class Fake(Explorer):
    """One control of every kind an explorer uses; a preset dropdown fills a text box."""

    def __init__(self):
        super().__init__()
        self.seen = []
        self.controls = {
            "int": widgets.IntSlider(value=3, min=1, max=9, step=2),
            "float": widgets.FloatSlider(value=0.5, min=0.0, max=2.0),
            "pairs": widgets.Dropdown(options=[("one", 1), ("two", 2), ("three", 3)], value=1),
            "mode": widgets.ToggleButtons(options=["a", "b"], value="a"),
            "flag": widgets.Checkbox(value=False),
            "count": widgets.IntText(value=4),
            "bounded": widgets.BoundedIntText(value=5, min=2, max=8),
            "pick": widgets.SelectionSlider(options=["x", "y", "z"], value="x"),
            "range": widgets.IntRangeSlider(value=(2, 4), min=0, max=10),
            "preset": widgets.Dropdown(options=["p", "q"], value="p"),
            "text": widgets.Textarea(value="1 2"),
            "go": widgets.Button(description="go"),
            "upload": widgets.FileUpload(),
        }
        self.controls["play"] = widgets.Play(min=1, max=9)
        self.controls["preset"].observe(self._preset, names="value")
        self._layout()
        self._listen([name for name in self.controls if name not in ("go", "play", "upload")])

    def _preset(self, change):
        self.controls["text"].value = {"p": "1 2", "q": "3 4"}[change["new"]]

    def _compute(self):
        values = {k: c.value for k, c in self.controls.items() if hasattr(c, "value")}
        self.seen.append(values)
        return values

    def _scene(self, state):
        return {"readout": f"int = {state['int']}", "steps": []}, {}


def test_plan_covers_every_control_but_buttons_uploads_and_play():
    v = Fake()
    try:
        driven, skipped = bench_widgets.plan(v, n=5)
        names = [name for name, _ in driven]
        assert sorted(skipped) == ["go", "play", "upload"]
        assert sorted(names + skipped) == sorted(v.controls)
        assert names[-1] == "text"  # text boxes last, after the controls that fill them
        values = dict(driven)
        assert values["int"] == [1, 3, 5, 7, 9]  # min..max on the step grid
        assert values["float"][0] == 0.0 and values["float"][-1] == 2.0 and len(values["float"]) == 5
        assert values["pairs"] == [1, 2, 3]
        assert values["mode"] == ["a", "b"]
        assert values["flag"] == [True, False]
        assert values["bounded"] == [2, 4, 5, 6, 8]
        assert values["pick"] == ["x", "y", "z"]
        assert values["range"][0] == (0, 2) and values["range"][-1] == (8, 10)
        assert set(values["count"]) >= {5, 8, 2}
        assert values["text"] == ["1 2\n", "1 2"]
        driven, _ = bench_widgets.plan(v, n=5, texts={"text": ["3 4", "1 2", "3 4"]})
        assert dict(driven)["text"] == ["3 4", "1 2\n", "1 2"]
    finally:
        v.close()


def test_measure_drives_every_planned_value(monkeypatch):
    made = []

    def build():
        made.append(Fake())
        return made[-1]

    result = bench_widgets.measure(build, repeats=2, n_values=3, frontend=True)
    v = made[0]
    assert v.view.comm is None  # closed after measuring
    per = result["per_control"]
    assert sorted(per) == sorted(set(v.controls) - {"go", "play", "upload"})
    assert sorted(result["skipped"]) == ["go", "play", "upload"]
    # each value that differs from the current one is one timed change per sweep
    # a warm-up sweep, then two timed sweeps; a value equal to the current one is not a change
    assert len(per["int"]) == 2 * 3  # 1, 5, 9 (the warm-up ends on 9)
    assert len(per["mode"]) == 2 * 2  # warm-up: 'b' only ('a' is the start); then 'a', 'b' twice
    assert len(per["text"]) >= 2 * 2  # the preset's text, then whitespace variant, then back
    seen_ints = {s["int"] for s in v.seen}
    assert {1, 5, 9} <= seen_ints
    assert {s["text"] for s in v.seen} >= {"3 4", "1 2\n"}
    assert all(t > 0 for times in per.values() for t in times)


def test_missing_explorers_are_listed_as_not_available(monkeypatch):
    import meia_cnn.widgets as mw

    monkeypatch.setattr(mw, "_EXPLORERS", {"GhostExplorer": "no_such_module"})
    rows = bench_widgets.run()
    assert rows == [dict(measure="GhostExplorer", value="not available", unit="", target="<= 30 ms", ok=False)]


def test_rows_for_a_real_explorer():
    rows = bench_widgets.run(["ParameterSharingExplorer"], repeats=1, n_values=2)
    measures = [r["measure"] for r in rows]
    assert measures[0].startswith("ParameterSharingExplorer: median of")
    assert "(4 controls)" in measures[0]
    assert measures[1] == "ParameterSharingExplorer: p95"
    assert measures[2].startswith("ParameterSharingExplorer: worst control")
    assert all(isinstance(r["value"], (float, int, np.integer)) for r in rows)
    assert rows[0]["target"] == "<= 30 ms" and rows[1]["target"] == "<= 80 ms"


@pytest.mark.parametrize("lo, hi, n, expected", [(0, 0, 6, [0]), (0, 3, 6, [0, 1, 2, 3]), (5, 1, 3, [5])])
def test_spread(lo, hi, n, expected):
    assert bench_widgets._spread(lo, hi, n, integer=True) == expected
