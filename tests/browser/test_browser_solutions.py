"""Solutions and instructor notes stay hidden until asked, in JupyterLab and in Voilà.

A student runs every cell (*Run → Run All Cells*) or opens the notebook as a
Voilà app: no worked solution and no instructor note may be on the page.
Pressing *Show solution* under an exercise shows its worked solution.
Screenshots before and after the press are kept in build/test-artifacts/browser/.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from meia_cnn import exercises

from .meia_browser import NOTEBOOK_PANEL, ROOT, kit_notebooks

pytestmark = pytest.mark.browser

NOTEBOOKS = ["01_position_invariance.ipynb", "04_stride_and_padding.ipynb"]
VIEWPORTS = [(850, 900), (1280, 720)]


def _plain(text: str) -> str:
    return " ".join(text.split())


def solution_phrases(exercise_id: str) -> list[str]:
    """Words of the worked solution a page would show as plain text (math left out)."""
    text = re.sub(r"\$[^$]*\$", " ", exercises.solution_text(exercise_id))
    text = re.sub(r"[|*_`]", " ", text)
    parts = [_plain(p) for p in re.split(r"[.;:]", text)]
    return [p for p in parts if len(p) >= 18]


def instructor_phrases(notebook: str) -> list[str]:
    """The start of every instructor note of a notebook, as plain text."""
    nb = nbformat.read(ROOT / "notebooks" / notebook, as_version=4)
    phrases = []
    for cell in nb.cells:
        for note in cell.metadata.get("meia", {}).get("instructor_notes", []):
            text = _plain(re.sub(r"[*_`$]", " ", note))
            phrases.append(text[:40])
    return phrases


def _exercise_ids(notebook: str) -> list[str]:
    return [e.id for e in exercises.for_notebook(notebook[:2])]


def assert_nothing_given_away(text: str, notebook: str) -> None:
    page = _plain(text)
    for exercise_id in _exercise_ids(notebook):
        for phrase in solution_phrases(exercise_id):
            assert phrase not in page, f"{notebook}: the solution of {exercise_id} is on the page: {phrase!r}"
    for phrase in instructor_phrases(notebook):
        assert phrase not in page, f"{notebook}: an instructor note is on the page: {phrase!r}"
    assert "Solution " + notebook[:2] not in page


def test_the_phrases_are_found_when_shown():
    # the check above can fail: each exercise has a phrase, and so does each note
    for notebook in NOTEBOOKS:
        assert sum(bool(solution_phrases(e)) for e in _exercise_ids(notebook)) >= 2, notebook
        assert instructor_phrases(notebook)
    with pytest.raises(AssertionError, match="the solution of 04.shape_table"):
        assert_nothing_given_away("x " + solution_phrases("04.shape_table")[-1] + " y", NOTEBOOKS[1])
    with pytest.raises(AssertionError, match="instructor note"):
        assert_nothing_given_away(" ".join(instructor_phrases(NOTEBOOKS[1])), NOTEBOOKS[1])


def _press_first_show_solution(page, root, artifacts, stem):
    buttons = page.locator(f"{root} .meia-solution-button")
    first = buttons.first
    first.scroll_into_view_if_needed()
    solution = first.locator(".meia-solution")
    assert solution.inner_text().strip() == ""
    page.screenshot(path=str(artifacts / f"{stem}-before-show-solution.png"))
    first.get_by_role("button", name="Show solution").click()
    page.wait_for_function(
        "(el) => el.innerText.trim().length > 0", arg=solution.element_handle(), timeout=30_000, polling=100
    )
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / f"{stem}-after-show-solution.png"))
    return _plain(solution.inner_text())


@pytest.mark.parametrize("notebook", NOTEBOOKS)
@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}x{v[1]}")
def test_run_all_in_lab_shows_no_solution_until_the_button_is_pressed(lab, artifacts, notebook, viewport):
    if notebook not in kit_notebooks():
        pytest.skip(f"no {notebook}")
    page = lab.page
    lab.open(f"notebooks/{notebook}")  # the toolbar's kernel name shows at full width
    lab.run_all()
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    lab.wait_widgets_rendered()
    n = len(_exercise_ids(notebook))
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel + ' .meia-solution-button button').length >= n",
        arg=[NOTEBOOK_PANEL, n],
        timeout=60_000,
        polling=250,
    )
    assert lab.widget_errors() == []
    stem = f"lab-{notebook[:2]}-{viewport[0]}x{viewport[1]}"
    page.screenshot(path=str(artifacts / f"{stem}-run-all-top.png"))
    assert_nothing_given_away(page.inner_text(NOTEBOOK_PANEL), notebook)
    assert page.locator(f"{NOTEBOOK_PANEL} .meia-solution-button button:disabled").count() == 0
    shown = _press_first_show_solution(page, NOTEBOOK_PANEL, artifacts, stem)
    first = _exercise_ids(notebook)[0]
    assert any(phrase in shown for phrase in solution_phrases(first)) or str(exercises.solution(first)) in shown


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_voila_shows_no_solution_until_the_button_is_pressed(voila_server, page, artifacts, notebook):
    if notebook not in kit_notebooks():
        pytest.skip(f"no {notebook}")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(voila_server.url(notebook), timeout=120_000)
    page.locator(".meia-solution-button").first.wait_for(timeout=90_000)
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')", timeout=30_000, polling=250)
    assert "Error displaying widget" not in page.inner_text("body")
    page.screenshot(path=str(artifacts / f"voila-{notebook[:2]}-solutions-hidden.png"), full_page=True)
    assert_nothing_given_away(page.inner_text("body"), notebook)
    shown = _press_first_show_solution(page, "body", artifacts, f"voila-{notebook[:2]}")
    first = _exercise_ids(notebook)[0]
    assert any(phrase in shown for phrase in solution_phrases(first)) or str(exercises.solution(first)) in shown
