"""The notebooks in JupyterLab, in a real browser: they run, their widgets draw, they answer.

Each test opens a notebook from a fresh copy, runs all cells from the Run
menu as a student would, and checks what is on the page.  Expected numbers
come from the core (``meia_cnn``), not from the widgets under test.
"""

import re

import pytest

import meia_cnn

from .meia_browser import (
    NOTEBOOK_PANEL,
    WIDGET_VIEW,
    kit_notebooks,
    nudge_stride,
    press_slider,
    readout_of,
    view_of,
    wait_drawn,
    wait_text_change,
)

pytestmark = pytest.mark.browser

NOTEBOOKS = kit_notebooks()


def _error_outputs(outputs_per_cell):
    found = []
    for index, outputs in enumerate(outputs_per_cell):
        for out in outputs:
            if out.get("output_type") == "error":
                found.append(f"code cell {index}: {out.get('ename')}: {out.get('evalue')}")
    return found


def _widget_outputs(outputs_per_cell):
    return sum(1 for outputs in outputs_per_cell for out in outputs if WIDGET_VIEW in out.get("data", {}))


def _run(lab, name):
    """Open ``notebooks/name``, run all cells, save; return the saved outputs per code cell."""
    path = f"notebooks/{name}"
    lab.open(path)
    lab.run_all()
    lab.save()
    outputs = lab.saved_outputs(path)
    errors = _error_outputs(outputs)
    assert not errors, f"{name}: cells raised:\n" + "\n".join(errors)
    lab.wait_views(_widget_outputs(outputs))
    return outputs


def _explorer(lab, css_class="meia-explorer", containing=None):
    found = lab.page.locator(f"{NOTEBOOK_PANEL} .{css_class}")
    if containing is not None:
        found = found.filter(has=lab.page.locator(containing))
    return found.first


def _number(text):
    return float(text.replace("\u2212", "-").replace(",", ""))


@pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks/ yet")
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_every_widget_renders(lab, name, artifacts):
    outputs = _run(lab, name)
    expected = _widget_outputs(outputs)
    state = lab.wait_widgets_rendered()
    errors = lab.widget_errors() if state["errors"] else []
    assert not errors, f"{name}: widgets failed to render:\n" + "\n".join(errors)
    assert state["loading"] == 0, f"{name}: {state['loading']} widgets still loading"
    assert state["views"] == expected, f"{name}: {state['views']} widget views for {expected} widget outputs"
    assert state["empty"] == 0, f"{name}: {state['empty']} widget outputs are empty"
    assert state["undrawn"] == 0, f"{name}: an explorer shows no drawing"
    lab.page.wait_for_function(  # every browser-drawn explorer has drawn
        "(sel) => [...document.querySelectorAll(sel + ' .meia-view')].every(v => v.dataset.drawn)",
        arg=NOTEBOOK_PANEL,
        timeout=30_000,
        polling=250,
    )
    lab.screenshot_notebook(artifacts / f"{name.removesuffix('.ipynb')}.png")
    for i, widget in enumerate(
        lab.page.locator(f"{NOTEBOOK_PANEL} .meia-explorer, {NOTEBOOK_PANEL} .meia-exercise").all(), start=1
    ):
        widget.screenshot(path=str(artifacts / f"{name.removesuffix('.ipynb')}-widget{i:02d}.png"))


_PRODUCTS = re.compile(r"Products:\s*(?P<terms>.+?)\s*=\s*(?P<sum>[\u2212\-]?[\d.,]+)\s*$", re.M)
_STEP = re.compile(r"Step\s+(\d+)\s+of\s+(\d+)")


def _products_and_sum(readout_text):
    match = _PRODUCTS.search(readout_text)
    assert match, f"no 'Products: ... = sum' line in the readout:\n{readout_text}"
    terms, scale = match.group("terms").strip(), 1.0
    fraction = re.match(r"^1/(\d+)\s*\u00b7\s*\((.*)\)$", terms)
    if fraction:  # a fractional kernel written as 1/d · (whole-number products)
        scale, terms = 1.0 / int(fraction.group(1)), fraction.group(2)
    total = 0.0
    for term in terms.split(" + "):
        a, b = term.split("\u00b7")
        total += _number(a.strip("() ")) * _number(b.strip("() "))
    return scale * total, _number(match.group("sum"))


@pytest.mark.skipif("02_convolution.ipynb" not in NOTEBOOKS, reason="no 02_convolution notebook yet")
def test_convolution_step_slider_moves_with_the_keyboard(lab, artifacts):
    _run(lab, "02_convolution.ipynb")
    explorer = _explorer(lab)
    readout = readout_of(explorer)
    view = view_of(explorer)
    counter = wait_drawn(view)
    before_text = readout.inner_text()
    step_before = int(_STEP.search(before_text).group(1))
    label = explorer.locator(".widget-slider .widget-readout").first
    assert label.inner_text().strip() == f"{step_before} of {_STEP.search(before_text).group(2)}"
    computed, shown = _products_and_sum(before_text)
    assert shown == pytest.approx(computed, abs=0.06)

    press_slider(explorer, "step")
    counter = wait_drawn(view, counter)
    after_text = wait_text_change(readout, before_text)
    # Each key press moves the window by one position and the readout's sum is
    # the sum of its products; within a few positions the sum differs.
    step, sums = step_before, {shown}
    for _ in range(6):
        step += 1
        assert int(_STEP.search(after_text).group(1)) == step
        assert label.inner_text().strip().startswith(f"{step} of")  # the slider counts as the text does
        assert view.get_attribute("data-step") == str(step - 1)
        computed_after, shown_after = _products_and_sum(after_text)
        assert shown_after == pytest.approx(computed_after, abs=0.06)
        sums.add(shown_after)
        if len(sums) > 1:
            break
        before_text = after_text
        press_slider(explorer, "step")
        counter = wait_drawn(view, counter)
        after_text = wait_text_change(readout, before_text)
    assert len(sums) > 1, "the sum under the window never changed"
    explorer.screenshot(path=str(artifacts / "02_convolution-after-step.png"))


@pytest.mark.skipif("04_stride_and_padding.ipynb" not in NOTEBOOKS, reason="no 04_stride_and_padding notebook yet")
def test_stride_change_updates_the_output_size(lab, artifacts):
    _run(lab, "04_stride_and_padding.ipynb")
    explorer = _explorer(lab)
    # The notebook shows a 5x5 input and a 3x3 kernel with valid padding.
    nudge_stride(explorer, lambda s: meia_cnn.output_size(5, 3, stride=s))
    explorer.screenshot(path=str(artifacts / "04_stride_and_padding-after-stride.png"))


@pytest.mark.skipif("04_stride_and_padding.ipynb" not in NOTEBOOKS, reason="no 04_stride_and_padding notebook yet")
def test_shape_table_exercise_answered_in_the_browser(lab, artifacts):
    _run(lab, "04_stride_and_padding.ipynb")
    table = (
        lab.page.locator(f"{NOTEBOOK_PANEL} .meia-exercise")
        .filter(has=lab.page.locator(".widget-html", has_text=re.compile(r"^\s*Padding\s*$")))
        .first
    )
    inputs = table.locator("input[type=number]")
    assert inputs.count() == 9
    feedback = table.locator(".meia-feedback")
    check = table.get_by_role("button", name="Check")
    rows = [("valid", 1), ("same", 1), ("valid", 2)]
    right = [meia_cnn.feature_map_shape((28, 28, 3), 8, 3, stride=s, padding=p) for p, s in rows]

    def answer(values):
        for i, value in enumerate(v for row in values for v in row):
            box = inputs.nth(i)
            box.fill(str(value))
            box.press("Tab")  # an IntText commits its value on blur

    # A classic mistake first: the depth of the input instead of the number of kernels.
    answer([(w, h, 3) for (w, h, _) in right])
    before = feedback.inner_text()
    check.click()
    wrong = wait_text_change(feedback, before) if before.strip() else _wait_nonempty(feedback)
    assert not wrong.strip().startswith("Correct"), wrong

    answer(right)
    check.click()
    lab.page.wait_for_function(
        "(el) => el.innerText.trim().startsWith('Correct')", arg=feedback.element_handle(), timeout=30_000, polling=100
    )
    table.screenshot(path=str(artifacts / "04_stride_and_padding-shape-table.png"))


def _wait_nonempty(locator):
    locator.page.wait_for_function(
        "(el) => el.innerText.trim() !== ''", arg=locator.element_handle(), timeout=30_000, polling=100
    )
    return locator.inner_text()
