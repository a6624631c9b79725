"""deploy/: the pinned constraints cover the image's requirements; the configs say what they promise."""

import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))

import constraints


def _pins():
    pins = {}
    for line in (ROOT / "deploy" / "constraints.txt").read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement = Requirement(line)
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"not an exact pin: {line!r}"
        assert not requirement.extras and requirement.marker is None, line
        name = constraints.canonical(requirement.name)
        assert name not in pins, f"{name} pinned twice"
        pins[name] = Version(spec.version)
    return pins


def test_constraints_parse_and_pin_every_requirement_of_the_image_within_its_bounds():
    pins = _pins()
    for requirement in constraints.roots():
        name = constraints.canonical(requirement.name)
        assert name in pins, f"{requirement} is not pinned in deploy/constraints.txt (make constraints)"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} does not satisfy pyproject's {requirement}")


def test_constraints_keep_the_test_tools_out_of_the_image():
    pins = _pins()
    for tool in ("pytest", "nbval", "playwright", "hypothesis", "mypy", "pdoc"):
        assert tool not in pins


def test_both_hub_configs_cull_idle_kernels_and_servers_and_size_students():
    one_server = (ROOT / "deploy" / "jupyterhub_config.py").read_text()
    assert "cull_idle_timeout" in one_server and "jupyterhub_idle_culler" in one_server
    assert re.search(r"mem_limit = \"\d+[MG]\"", one_server)
    z2jh = (ROOT / "deploy" / "config.yaml").read_text()
    for key in ("cull:", "memory:", "guarantee:", "limit:", "defaultUrl:", "gitpuller", "MEIA_CNN_LANG"):
        assert key in z2jh, key
