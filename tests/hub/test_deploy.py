"""deploy/: the pinned constraints cover the image's requirements; the configs say what they promise."""

import os
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

import constraints  # noqa: E402


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
            f"{name}=={pins[name]} does not satisfy pyproject's {requirement}"
        )


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


def test_the_index_notebooks_check_the_installed_version_first():
    import nbformat

    import meia_cnn

    for path in ("notebooks/00_index.ipynb", "notebooks/es/00_indice.ipynb"):
        notebook = nbformat.read(ROOT / path, as_version=4)
        code = [cell for cell in notebook.cells if cell.cell_type == "code"]
        calls = re.findall(r'mc\.check_version\("([^"]+)"\)', "".join(cell.source for cell in code[:2]))
        assert calls == [meia_cnn.__version__], f"{path}: the version check must name {meia_cnn.__version__}"


def test_the_server_extension_sets_nodelay_and_leaves_another_connection_class_alone(monkeypatch):
    from types import SimpleNamespace

    from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

    from meia_cnn import serving

    def server(connection_class):
        return SimpleNamespace(
            web_app=SimpleNamespace(settings={serving.SETTING: connection_class}),
            log=SimpleNamespace(info=lambda *a: None),
        )

    default = server(ZMQChannelsWebsocketConnection)
    serving._load_jupyter_server_extension(default)
    assert default.web_app.settings[serving.SETTING] is serving.NoDelayKernelWebsocketConnection
    other = server(object)
    serving._load_jupyter_server_extension(other)
    assert other.web_app.settings[serving.SETTING] is object

    # connect() sets nodelay on its websocket, then connects as jupyter_server's connection does
    calls = []
    monkeypatch.setattr(ZMQChannelsWebsocketConnection, "connect", lambda self: calls.append("connect") or "done")
    connection = serving.NoDelayKernelWebsocketConnection.__new__(serving.NoDelayKernelWebsocketConnection)
    connection._trait_values = {"websocket_handler": SimpleNamespace(set_nodelay=calls.append)}
    assert connection.connect() == "done"
    assert calls == [True, "connect"]


def test_the_one_server_config_copies_both_languages_before_starting_the_server(tmp_path, monkeypatch):
    import subprocess

    from traitlets.config import Config

    monkeypatch.setenv("MEIA_HUB_NOTEBOOKS", "copy")
    monkeypatch.setenv("MEIA_CNN_LANG", "es")
    c = Config()
    exec((ROOT / "deploy" / "jupyterhub_config.py").read_text(), {"get_config": lambda: c})
    assert c.Spawner.default_url == "/lab/tree/meia-cnn/es/00_indice.ipynb"
    # the class's language, and where the kernels send in-class attempts (the class view service)
    (service,) = (s for s in c.JupyterHub.services if s["name"] == "meia-class")
    assert c.Spawner.environment == {
        "MEIA_CNN_LANG": "es",
        "MEIA_CLASS_URL": service["url"] + "/services/meia-class/",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    command = [*c.Spawner.cmd[:-1], "echo"]  # the server replaced by `echo ARGS`
    out = subprocess.run(
        [*command, "server", "--started"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)},
    )
    assert out.stdout == "server --started\n" and out.stderr == ""
    assert (tmp_path / "meia-cnn" / "00_index.ipynb").is_file()
    assert (tmp_path / "meia-cnn" / "es" / "00_indice.ipynb").is_file()


def test_the_demo_class_answers_are_right_or_a_known_mistake_of_every_exercise():
    import ast

    import demo_hub

    from meia_cnn import exercises

    for exercise_id in exercises.EXERCISES:
        right, mistakes = demo_hub.class_answers(exercise_id)
        assert exercises.get(exercise_id).check(ast.literal_eval(right)).correct, exercise_id
        for wrong in mistakes:
            feedback = exercises.get(exercise_id).check(ast.literal_eval(wrong))
            assert feedback.status == "wrong" and re.match(r"(mistake\.\d+|table\.)", feedback.mistake), (
                exercise_id,
                wrong,
                feedback.mistake,
            )


def test_the_demo_class_plans_each_students_answers_over_the_minutes_asked():
    import demo_hub

    hub = demo_hub.DemoHub(students=["ana", "bruno", "carla"])
    plan = demo_hub.DemoClass(hub, minutes=1.5, section="04").plan()
    assert plan == sorted(plan) and 0 < plan[0][0] and plan[-1][0] < 90
    assert {student for _, student, _, _ in plan} == {"ana", "bruno", "carla"}
    assert {exercise for _, _, exercise, _ in plan} <= {"04.shape_table", "04.output_size", "04.same_zeros"}
    with pytest.raises(ValueError, match="`section` must be a notebook with exercises"):
        demo_hub.DemoClass(hub, section="99")
    with pytest.raises(ValueError, match="`minutes` must be > 0"):
        demo_hub.DemoClass(hub, minutes=0)


@pytest.mark.parametrize("reset", [False, True])
def test_the_demo_hub_starts_with_sigint_as_usual_even_from_a_background_shell(reset):
    """A background job starts with SIGINT ignored; without the reset the hub's idle culler would inherit it
    and hold every stop of the demo hub up for the hub's 30 s SIGINT wait."""
    import signal
    import subprocess

    import demo_hub

    code = "import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)  # as `make hub &` starts it
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            preexec_fn=demo_hub._sigint_as_usual if reset else None,
        )
    finally:
        signal.signal(signal.SIGINT, before)
    assert done.stdout.strip() == str(reset)
