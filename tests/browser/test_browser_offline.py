"""Offline and private in the browser: JupyterLab, Voilà and an exported deck ask nothing of the internet.

Every request of the page (documents, scripts, CSS, fonts, images, sockets)
is seen twice: by ``page.route`` (anything not addressed to this machine or a
``file:``/``data:``/``blob:`` URL is aborted, so nothing leaves) and by the
``request`` event (counted, whatever its kind).  Each page must count zero
requests to another host while its explorers draw.

Voila's own lab template links Font Awesome from a CDN (two stylesheets); the
kit's ``voila.json`` (repository root and ``notebooks/``, read by Voila from
the folder it starts in) chooses the kit's template, which drops them, and
gives Voila's pages a Content-Security-Policy that allows this machine only,
so anything else would be refused by Chromium itself (failure ``csp``) before
any connection.  Nothing may be requested outside, refused or not.
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from .meia_browser import NOTEBOOKS, kit_notebooks, view_of, wait_drawn

pytestmark = pytest.mark.browser

NOTEBOOK = "04_stride_and_padding.ipynb"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = {"file", "data", "blob", "about", "chrome", "devtools"}


def is_local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in LOCAL_SCHEMES:
        return True
    return parsed.hostname in LOCAL_HOSTS


class Outside:
    """Blocks and counts every request of a page that would leave the machine."""

    def __init__(self, page):
        self.requested: list[str] = []  # seen by the `request` event
        self.blocked: list[str] = []  # aborted by the route
        self.refused_by_policy: list[str] = []  # refused by the page's Content-Security-Policy
        self.local = 0
        page.on("request", self._seen)
        page.on("requestfailed", self._failed)
        page.route("**/*", self._route)

    def _seen(self, request):
        if is_local(request.url):
            self.local += 1
        else:
            self.requested.append(f"{request.resource_type} {request.url}")

    def _failed(self, request):
        # Chromium names the reason "csp" (net::ERR_BLOCKED_BY_CSP in its console)
        if not is_local(request.url) and (request.failure or "").lower() in ("csp", "net::err_blocked_by_csp"):
            entry = f"{request.resource_type} {request.url}"
            self.requested.remove(entry)
            self.refused_by_policy.append(entry)

    def _route(self, route):
        if is_local(route.request.url):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort("blockedbyclient")

    def report(self) -> str:
        return (
            f"{len(self.requested)} outside request(s): {self.requested[:10]} (blocked by the route: "
            f"{len(self.blocked)}; refused by the page's policy: {len(self.refused_by_policy)})"
        )


def _wait_explorers(page, timeout=90_000):
    explorer = page.locator(".meia-explorer").first
    explorer.wait_for(timeout=timeout)
    page.wait_for_function("() => !document.body.innerText.includes('Loading widget')", timeout=60_000, polling=250)
    wait_drawn(view_of(explorer))
    return explorer


@pytest.mark.skipif(NOTEBOOK not in kit_notebooks(), reason=f"no {NOTEBOOK} yet")
def test_jupyterlab_asks_nothing_outside(lab, artifacts):
    outside = Outside(lab.page)
    lab.open(f"notebooks/{NOTEBOOK}")
    lab.run_all()
    lab.wait_widgets_rendered()
    _wait_explorers(lab.page)
    lab.page.screenshot(path=str(artifacts / "offline-lab.png"))
    print(f"JupyterLab: {outside.local} local requests; {outside.report()}")
    assert outside.local > 0
    assert outside.requested == [] and outside.blocked == [], outside.report()


@pytest.mark.skipif(NOTEBOOK not in kit_notebooks(), reason=f"no {NOTEBOOK} yet")
def test_voila_asks_nothing_outside(voila_server, page, artifacts):
    outside = Outside(page)
    # whatever the strict policy refuses (an inline handler, eval, a plugin) is reported by the page
    page.add_init_script("""window.__cspViolations = [];
      document.addEventListener('securitypolicyviolation',
        e => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || '')));""")
    page.goto(voila_server.url(NOTEBOOK), timeout=120_000)
    _wait_explorers(page)
    assert page.evaluate("() => window.__cspViolations") == []
    page.screenshot(path=str(artifacts / "offline-voila.png"), full_page=True)
    print(f"Voila: {outside.local} local requests; {outside.report()}")
    assert outside.local > 0
    assert outside.requested == [] and outside.blocked == [], outside.report()
    assert outside.refused_by_policy == [], outside.report()
    # the Play widget's icons still draw: Font Awesome comes with Voila's own bundle
    icons = page.evaluate("""() => {
      const icon = document.querySelector('.meia-explorer .widget-play .fa');
      if (!icon) return null;
      const faces = [...document.fonts].filter(f => /Font Awesome/.test(f.family));
      return {family: getComputedStyle(icon).fontFamily, loaded: faces.some(f => f.status === 'loaded')};
    }""")
    assert icons is not None, "no Play widget icon in the explorer"
    assert "Font Awesome" in icons["family"] and icons["loaded"], icons
    assert page.evaluate("() => getComputedStyle(document.querySelector('.meia-view')).display") != "none"


@pytest.mark.skipif(NOTEBOOK not in kit_notebooks(), reason=f"no {NOTEBOOK} yet")
def test_exported_deck_asks_nothing_outside(page, tmp_path, artifacts):
    from tools import slides

    results = slides.export_all([NOTEBOOKS / NOTEBOOK], tmp_path, log=lambda *a: None, editions=("student",))
    [(deck, errors)] = results.items()
    assert errors == []
    outside = Outside(page)
    page.goto(deck.resolve().as_uri(), wait_until="load", timeout=120_000)
    page.locator(".reveal .slides section").first.wait_for(state="attached", timeout=60_000)
    explorer = page.locator(".meia-explorer").first
    explorer.wait_for(state="attached", timeout=60_000)  # the widgets' runtime rendered the saved state
    # go to the explorer's slide (reveal.js's API): its drawing, fonts and pictures load there
    page.wait_for_function("() => window.Reveal && Reveal.isReady()", timeout=60_000)
    page.evaluate("""() => {
        const slide = [...Reveal.getSlides()].find(s => s.querySelector('.meia-explorer'));
        const at = Reveal.getIndices(slide);
        Reveal.slide(at.h, at.v);
    }""")
    explorer.wait_for(state="visible", timeout=60_000)
    wait_drawn(view_of(explorer))
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / "offline-deck.png"))
    print(f"Deck: {outside.local} local requests; {outside.report()}")
    assert outside.local > 0
    assert outside.requested == [] and outside.blocked == [], outside.report()
