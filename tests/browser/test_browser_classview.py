"""The class view in Chromium at 1280×720 (projector mode): an instructor logged in through the hub sees
the counts change as simulated students answer, with no names and nothing loaded from outside."""

from __future__ import annotations

import time

import pytest

from ..hub.classroom_hub import ACCESS, new_attempt, request, running_hub

pytestmark = pytest.mark.subprocess

STUDENTS = [f"student{i:02d}" for i in range(12)]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(
        tmp_path_factory.mktemp("classview"), [*STUDENTS, "teacher"], {name: [ACCESS] for name in STUDENTS}
    ) as h:
        yield h


def _answer(hub, student, exercise, status, mistake=""):
    attempt = new_attempt(exercise, status, mistake)
    assert request("POST", hub.service_url + "api/attempts", {"attempts": [attempt]}, hub.tokens[student])[0] == 200


def _card(page, exercise):
    return page.locator(f'section.exercise[data-exercise="{exercise}"]')


def test_the_projector_view_fills_live_as_students_answer(hub, browser, artifacts):
    context = browser.new_context(viewport={"width": 1280, "height": 720}, device_scale_factor=1)
    page = context.new_page()
    errors, outside = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("request", lambda r: r.url.startswith(hub.url) or outside.append(r.url))
    try:
        page.goto(hub.url + "/hub/login?next=/hub/home")  # (not /hub/spawn: no server for the instructor)
        page.fill("#username_input", "teacher")
        page.fill("#password_input", hub.password)
        page.click("#login_submit")
        page.wait_for_url("**/hub/**")
        # the first answers arrive before the page opens
        _answer(hub, STUDENTS[0], "04.output_size", "wrong", "mistake.0")
        page.goto(hub.service_url + "?projector=1&section=04&lang=es")
        card = _card(page, "04.output_size")
        card.wait_for()
        assert card.get_attribute("data-tried") == "1" and card.get_attribute("data-solved") == "0"
        assert "eso es con paso 1" in card.inner_text()
        page.screenshot(path=str(artifacts / "classview-projector-before.png"))
        delays = []
        plan = [("wrong", "mistake.0")] * 4 + [("correct", "")] * 5 + [("wrong", "mistake.1")] * 2
        for i, (status, mistake) in enumerate(plan, start=1):
            start = time.monotonic()
            _answer(hub, STUDENTS[i], "04.output_size", status, mistake)
            page.wait_for_function(
                "n => document.querySelector('section.exercise[data-exercise=\"04.output_size\"]')"
                ".dataset.tried === String(n)",
                arg=i + 1,
                timeout=15_000,
            )
            delays.append(time.monotonic() - start)
        assert card.get_attribute("data-solved") == "5"
        assert card.locator(".tried").inner_text() == "12"
        mistakes = card.locator(".mistakes li")
        assert mistakes.first.locator(".n").inner_text() == "5"  # the common mistake comes first
        text = page.inner_text("body")
        assert not any(name in text for name in [*STUDENTS, "teacher"])  # the projector shows no names
        root = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert root[0] <= root[1], root
        assert page.evaluate("getComputedStyle(document.body).fontSize") == "26px"
        # each count stays on one line with its word ("12 probaron", not "12" / "probaron")
        broken = page.evaluate(
            "[...document.querySelectorAll('.counts .unit')].filter(u => {"
            "  const tops = [...u.getClientRects()].map(r => r.top);"
            "  return Math.max(...tops) - Math.min(...tops) > parseFloat(getComputedStyle(u).fontSize) / 2;"
            "}).map(u => u.textContent)"
        )
        assert broken == [], broken
        assert page.locator(".counts .unit").count() == 3 * page.locator("section.exercise").count()
        page.screenshot(path=str(artifacts / "classview-projector.png"))
        assert errors == [] and outside == []
        delays.sort()
        print(
            f"class view update delay after a POST: median {delays[len(delays) // 2] * 1e3:.0f} ms, "
            f"max {delays[-1] * 1e3:.0f} ms over {len(delays)} answers"
        )
        # the instructor's detail view has the names
        page.goto(hub.service_url + "detail?lang=en")
        page.locator('tr[data-user="student03"]').wait_for()
        page.screenshot(path=str(artifacts / "classview-detail.png"))
    finally:
        context.close()
