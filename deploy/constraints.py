"""deploy/constraints.txt: the exact versions of the course image, pinned from a working environment.

    python deploy/constraints.py           # print the pins
    python deploy/constraints.py --write   # write deploy/constraints.txt (make constraints)

The pins are the closure of pyproject.toml's requirements for a student's image (the core's
dependencies and the extras in IMAGE_EXTRAS; never the test tools) as installed in the running
environment: every package those need, recursively, with the version found. Run it in the
environment whose tests passed; the image is then built with `pip install -c deploy/constraints.txt`
so next semester's image has the versions that passed this one.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata
from pathlib import Path

import tomllib
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "deploy" / "constraints.txt"
#: The extras a student's image installs (those pyproject.toml defines; the others are build or test tools).
IMAGE_EXTRAS = ("widgets", "course", "hub")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def roots(pyproject: Path = ROOT / "pyproject.toml") -> list[Requirement]:
    """The image's direct requirements: the core's dependencies and the image extras'."""
    project = tomllib.loads(pyproject.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in IMAGE_EXTRAS:
        requirements += project.get("optional-dependencies", {}).get(extra, [])
    own = canonical(project["name"])
    found = [Requirement(r) for r in requirements]
    return [r for r in found if canonical(r.name) != own]  # an extra that names the kit's other extras


def closure(requirements: list[Requirement]) -> dict[str, str]:
    """Every distribution the requirements need in this environment, recursively: name -> version."""
    pins: dict[str, str] = {}
    todo = [(r, frozenset(r.extras)) for r in requirements]
    seen: set[tuple[str, frozenset[str]]] = set()
    while todo:
        requirement, extras = todo.pop()
        key = (canonical(requirement.name), extras)
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            raise SystemExit(f"{requirement.name} is required but not installed in {sys.prefix}") from None
        pins[canonical(dist.metadata["Name"])] = dist.version
        for text in dist.requires or []:
            sub = Requirement(text)
            wanted = [dict(default_environment(), extra=e) for e in sorted(extras) or [""]]
            if sub.marker is None or any(sub.marker.evaluate(env) for env in wanted):
                todo.append((sub, frozenset(sub.extras)))
    return pins


def render(pins: dict[str, str]) -> str:
    python = ".".join(map(str, sys.version_info[:3]))
    lines = [
        "# The course image's versions (deploy/constraints.py from pyproject.toml; `make constraints`).",
        f"# Pinned from a passing environment: Python {python}, {sys.platform}.",
        "# Use: pip install -c deploy/constraints.txt '.[widgets,course,hub]'",
    ]
    return "\n".join(lines + [f"{name}=={version}" for name, version in sorted(pins.items())]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {OUT.relative_to(ROOT)}")
    args = parser.parse_args(argv)
    text = render(closure(roots()))
    if args.write:
        OUT.write_text(text)
        print(f"wrote {OUT.relative_to(ROOT)}: {text.count('==')} pins")
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
