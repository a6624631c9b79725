"""The kit's hub configuration on 127.0.0.1: it starts, spawns students, runs a notebook, stops."""

import shutil
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

pytest.importorskip("jupyterhub", reason="the hub extra is not installed (pip install -e '.[hub]')")
pytest.importorskip("nbgitpuller", reason="the hub extra is not installed (pip install -e '.[hub]')")
pytest.importorskip("websocket", reason="websocket-client is needed to drive a kernel")

from demo_hub import DemoHub, Student  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.subprocess]


def _free_port_block(size=3):
    """A port P with P, P+1, P+2 free on 127.0.0.1 (hub, hub API, proxy API)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port + size < 65536 and all(_free(port + i) for i in range(size)):
            return port
    pytest.fail("no three consecutive free ports on 127.0.0.1")


def _free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _listening(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("the hub's proxy (configurable-http-proxy) needs Node.js and npm; neither is on PATH")
    demo = DemoHub(
        tmp_path_factory.mktemp("hub"),
        students=["ana", "bruno"],
        port=_free_port_block(),
        language="es",
        proxy_root=ROOT / "build" / "hub",
    )
    demo.start(timeout=120)
    yield demo
    status = demo.stop()
    assert status == 0, (demo.root / "hub.log").read_text()[-3000:]
    assert demo.leftovers == [], "the hub left servers, kernels or its proxy running"
    assert not any(_listening(demo.port + i) for i in range(3)), "the hub or its proxy still listens"


def _login(hub, name, password):
    """Log in through the hub's form as a browser does; the page answered."""
    import http.cookiejar
    import re
    import urllib.error
    import urllib.parse
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{hub.url}/hub/login", timeout=30) as response:
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"username": name, "password": password, "_xsrf": xsrf}).encode()
    try:
        with opener.open(f"{hub.url}/hub/login?next=%2Fhub%2Fhome", data=form, timeout=30) as response:
            return response.url, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.url, error.read().decode()


def test_the_hub_listens_on_localhost_only_and_takes_the_shared_password(hub):
    assert hub.url.startswith("http://127.0.0.1:")
    _, page = _login(hub, "ana", "not-the-password")
    assert "Invalid username or password" in page
    url, page = _login(hub, "ana", hub.password)
    assert url.endswith("/hub/home") and "Invalid" not in page
    _, page = _login(hub, "mallory", hub.password)  # not one of the class
    assert "Invalid username or password" in page


def test_students_spawn_get_the_notebooks_and_run_one_through_a_kernel(hub):
    for name in hub.students:
        assert hub.spawn(name, timeout=240) > 0
        home = hub.root / "homes" / name
        assert (home / "meia-cnn" / "00_index.ipynb").is_file()
        assert (home / "meia-cnn" / "es" / "00_indice.ipynb").is_file()
        assert not (home / "meia-cnn" / "meia_cnn").exists(), "the whole repository was pulled"
    user = hub.api("GET", "/users/ana")
    assert user["servers"][""]["url"] == "/user/ana/"
    student = Student(hub, "ana")
    path = "meia-cnn/es/04_paso_y_relleno.ipynb"
    student.open(path)
    try:
        _, errors = student.run_all(student.notebook(path))
        assert errors == []
        assert any(state.get("_model_name") == "AnyModel" for state in student.comms.values())
        _, errors = student.execute(
            "import os, meia_cnn.i18n as i\nassert i.get_language() == 'es'\nassert os.environ['MEIA_CNN_LANG'] == 'es'"
        )
        assert errors == []
    finally:
        student.close()
    log = (hub.root / "hub.log").read_text()
    assert "kernel websockets are sent with TCP_NODELAY" in log
    assert "/lab/tree/meia-cnn/es/00_indice.ipynb" in log  # the default URL: the Spanish index


def test_voila_on_the_hub_uses_the_kits_template_from_the_jupyter_configuration(hub):
    """The server's working directory is the student's home: voila.json is found in the config path."""
    hub.spawn("bruno", timeout=240)
    page = hub.request("GET", f"{hub.url}/user/bruno/voila/render/meia-cnn/00_index.ipynb", raw=True, timeout=300)
    assert "voila" in page.lower() and "<html" in page.lower()
    assert "cdn.jsdelivr.net/npm/@fortawesome" not in page  # Voila's lab template links it; the kit's does not
