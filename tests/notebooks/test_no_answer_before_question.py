"""No answer is shown before its question.

Each notebook is run top to bottom in a fresh kernel (nbclient).  Just before
the first cell that asks an exercise (``check("id", ...)``,
``ExerciseWidget("id")``, ``SolutionButton("id")`` or the shape table), every
thing a student has seen so far is gathered: the markdown and code of the
cells above, their outputs, and the text of every live widget (its state's
strings: values, descriptions, HTML, options; and its scalar numbers).  The
test fails when the exercise's solution appears in it: a whole number >= 10
(written ``1898``, ``1,898`` or ``1 898``), a whole number from 2 to 9
written as a square size counted in prose ("three see 7×7", "three see $7 \\times 7$") or a shape (``(13, 13, 8)``,
``13×13×8``, ``13 \\times 13 \\times 8``, ``13x13x8``).

A planted leak (in markdown, in an output, in a widget) is caught by the same
code in ``test_a_planted_leak_is_caught``, so the test can fail.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat import v4

from meia_cnn import exercises

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))

_ASK = re.compile(r"""(?:check|ExerciseWidget|SolutionButton|prompt|solution)\(\s*["'](?P<id>\d\d[a-z]?\.\w+)["']"""
                  r"""(?:[^)]*variant\s*=\s*(?P<variant>\w+))?""")
_TABLE = re.compile(r"ShapeTableExercise\((?:[^)]*variant\s*=\s*(?P<variant>\w+))?")

# Run in the notebook's kernel: the text of every live widget, as JSON.
_PROBE = r'''
def _meia_widget_texts():
    import json
    from ipywidgets.widgets.widget import _instances
    texts = []
    def walk(value, top):
        if isinstance(value, str):
            if not value.startswith("IPY_MODEL_"):
                texts.append(value)
        elif isinstance(value, bool):
            pass
        elif isinstance(value, (int, float)) and top:
            texts.append(repr(value))
        elif isinstance(value, (list, tuple)):
            for item in value[:200]:
                if isinstance(item, str) and not item.startswith("IPY_MODEL_"):
                    texts.append(item)
        elif isinstance(value, dict) and top:
            for item in value.values():
                walk(item, False)
    for widget in list(_instances.values()):
        try:
            state = widget.get_state()
        except Exception:
            continue
        for key, value in state.items():
            if key.startswith("_") or key in ("layout", "style"):
                continue
            walk(value, True)
    print(json.dumps(texts))
_meia_widget_texts()
del _meia_widget_texts
'''


def answer_patterns(solution) -> list[re.Pattern]:
    """Regexes that find ``solution`` written in text (numbers >= 10, shapes)."""
    if isinstance(solution, dict):
        return [p for value in solution.values() for p in answer_patterns(value)]
    if isinstance(solution, tuple) and len(solution) == 3 and all(isinstance(v, int) for v in solution):
        a, b, c = solution
        sep = r"\s*(?:×|x|\\times|,)\s*"
        return [re.compile(rf"(?<![\d.]){a}{sep}{b}{sep}{c}(?![\d.])")]
    if isinstance(solution, float) and solution.is_integer():
        solution = int(solution)
    if isinstance(solution, int) and not isinstance(solution, bool) and 2 <= solution < 10:
        # a small answer is everywhere as a number (a 5 × 5 kernel, a 7×7 map in a table), but a square size
        # counted in prose ("three see 7×7") answers a size or receptive-field question
        counted = r"\b(?:two|three|four|five|six|seven|eight|nine|ten)\b\W+(?:\w+\W+){0,2}?"
        return [re.compile(rf"{counted}\$?{solution}\s*(?:×|x|\\times)\s*{solution}(?![\d.])", re.I)]
    if isinstance(solution, int) and not isinstance(solution, bool) and abs(solution) >= 10:
        digits = str(abs(solution))
        groups = [digits[max(0, i - 3):i] for i in range(len(digits), 0, -3)][::-1]
        grouped = r"[,\u2009\u202f ]?".join(groups)
        return [re.compile(rf"(?<![\w.,]){grouped}(?!\w|[.,]\d)")]
    return []


def find_leaks(texts: list[str], solution) -> list[str]:
    """The snippets of ``texts`` where ``solution`` is written."""
    found = []
    for pattern in answer_patterns(solution):
        for text in texts:
            for match in pattern.finditer(text):
                start = max(0, match.start() - 40)
                found.append(text[start:match.end() + 40].replace("\n", " "))
    return found


def _output_texts(cell) -> list[str]:
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            texts.append(out.get("text", ""))
        for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
            if mime in out.get("data", {}):
                texts.append(out["data"][mime])
    return texts


def _run_probe(client, nb, source):
    probe = v4.new_code_cell(source)
    nb.cells.append(probe)
    try:
        client.execute_cell(probe, len(nb.cells) - 1)
    finally:
        nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream")
    errors = [o for o in probe.outputs if o.get("output_type") == "error"]
    assert not errors, errors
    return text


def scan_notebook(nb) -> dict[str, list[str]]:
    """Run ``nb``; return ``{exercise id: leaks found above its first question}``."""
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}})
    seen_text: list[str] = []
    results: dict[str, list[str]] = {}
    with client.setup_kernel():
        for index, cell in enumerate(list(nb.cells)):
            asked = []
            if cell.cell_type == "code":
                for match in _ASK.finditer(cell.source):
                    asked.append((match.group("id"), match.group("variant")))
                for match in _TABLE.finditer(cell.source):
                    asked.append(("04.shape_table", match.group("variant")))
            fresh = [(i, v) for i, v in asked if (i, v) not in results]
            if fresh:
                widgets = json.loads(_run_probe(client, nb, _PROBE) or "[]")
                for exercise_id, variant in fresh:
                    k = 0 if variant is None else int(_run_probe(client, nb, f"print(int({variant}))"))
                    solution = exercises.solution(exercise_id, variant=k)
                    results[(exercise_id, variant)] = find_leaks(seen_text + widgets, solution)
            seen_text.append(cell.source)
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
                errors = [o for o in cell.outputs if o.get("output_type") == "error"]
                assert not errors, f"cell {index}: {errors[0].get('ename')}: {errors[0].get('evalue')}"
                seen_text.extend(_output_texts(cell))
    out: dict[str, list[str]] = {}
    for (exercise_id, _variant), leaks in results.items():
        out.setdefault(exercise_id, []).extend(leaks)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_no_answer_is_shown_before_its_question(name):
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    results = scan_notebook(nb)
    own = [e.id for e in exercises.for_notebook(name.split("_", 1)[0])]
    assert set(own) <= set(results), f"{name}: exercises never asked: {set(own) - set(results)}"
    leaks = {k: v for k, v in results.items() if v}
    assert not leaks, f"{name}: answers shown before their question: {leaks}"


# -- the test can fail: planted leaks are caught ------------------------------------------
def _notebook(*cells):
    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = list(cells)
    return nb


ASK = v4.new_code_cell('from meia_cnn.exercises import check\nanswer = ...\ncheck("01.conv_params", answer)')


@pytest.mark.parametrize("plant", [
    v4.new_markdown_cell("The layer has 912 parameters."),
    v4.new_code_cell("print(f'{(5 * 5 * 3 + 1) * 12:,}')"),
    v4.new_code_cell("import ipywidgets\nlabel = ipywidgets.HTML('<b>parameters: 912</b>')"),
    v4.new_code_cell("import ipywidgets\nbox = ipywidgets.IntText(value=912)"),
], ids=["markdown", "output", "widget-html", "widget-value"])
def test_a_planted_leak_is_caught(plant):
    assert exercises.solution("01.conv_params") == 912
    leaks = scan_notebook(_notebook(plant, ASK))["01.conv_params"]
    assert leaks, "the planted answer was not found"


def test_nothing_is_found_when_nothing_leaks_and_after_the_question_is_fine():
    after = v4.new_markdown_cell("After the question: 912.")
    clean = _notebook(v4.new_markdown_cell("A layer of 12 kernels 5 × 5 on 32 × 32 × 3."), ASK, after)
    assert scan_notebook(clean) == {"01.conv_params": []}


def test_patterns_for_numbers_and_shapes():
    assert find_leaks(["total 44,251,200 parameters"], 44_251_200)
    assert find_leaks(["total 44251200"], 44_251_200)
    assert not find_leaks(["total 144,251,2001"], 44_251_200)
    assert find_leaks(["a 13 \\times 13 \\times 8 map"], (13, 13, 8))
    assert find_leaks(["shape (13, 13, 8)"], (13, 13, 8))
    assert find_leaks(["13×13×8"], {"valid/2": (13, 13, 8)})
    assert not find_leaks(["(113, 13, 8)"], (13, 13, 8))
    assert not find_leaks(["7 is small"], 7)          # numbers under 10 are everywhere
    assert find_leaks(["two see $5 \\times 5$, three see $7 \\times 7$"], 7)   # but a square size counted in prose is
    assert find_leaks(["three see 7×7"], 7) and not find_leaks(["three see 17×17", "two see 7×70"], 7)
    assert not find_leaks(["pool4  3×3/2  7×7×832"], 7) and not find_leaks(["8 kernels of $5 \\times 5$"], 5)
    assert not find_leaks(["IPY_MODEL_da104b7e", "x912y"], 104) and not find_leaks(["x912y"], 912)
    assert find_leaks(["$912$ and =912."], 912)
