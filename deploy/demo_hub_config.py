"""The demo hub of `make hub`: deploy/jupyterhub_config.py on 127.0.0.1 with a few local students.

Started by deploy/demo_hub.py, which sets the MEIA_HUB_* variables read here; everything lives
under MEIA_HUB_DIR (build/hub/): the students' homes, the hub's database, the proxy.
Differences from the one-server configuration: students are not system accounts (one shared,
printed password; the simple local spawner runs every server as the current user with its home
in MEIA_HUB_DIR/homes/NAME), and the notebooks come from a local `notebooks` branch by nbgitpuller.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821
load_subconfig(str(Path(__file__).with_name("jupyterhub_config.py")))  # noqa: F821

ROOT = Path(os.environ["MEIA_HUB_DIR"]).resolve()
PORT = int(os.environ.get("MEIA_HUB_PORT", "8765"))
STUDENTS = os.environ.get("MEIA_HUB_STUDENTS", "student1 student2 student3").split()

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.ConfigurableHTTPProxy.command = [os.environ["MEIA_HUB_PROXY"]]
c.ConfigurableHTTPProxy.pid_file = str(ROOT / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{ROOT / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOT / "cookie_secret")
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ["MEIA_HUB_PASSWORD"]
c.Authenticator.allowed_users = set(STUDENTS)

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(ROOT / "homes" / "{username}")
c.Spawner.ip = "127.0.0.1"
if os.getuid() == 0:
    c.Spawner.args.append("--allow-root")
# Kernels and servers inherit the hub's PYTHONPATH (a source checkout) and find the kit's Jupyter
# configuration there too (an installed kit has it in {sys.prefix}/etc/jupyter already).
c.Spawner.environment["JUPYTER_CONFIG_PATH"] = os.environ["MEIA_HUB_JUPYTER_CONFIG"]
if os.environ.get("MEIA_HUB_LAB_SETTINGS"):
    c.Spawner.args.append(f"--LabApp.app_settings_dir={os.environ['MEIA_HUB_LAB_SETTINGS']}")

# A service that drives the hub through its REST API (demo_hub.py, the benchmark, the test).
if os.environ.get("MEIA_HUB_API_TOKEN"):
    c.JupyterHub.services.append({"name": "driver", "api_token": os.environ["MEIA_HUB_API_TOKEN"]})
    c.JupyterHub.load_roles.append(
        {
            "name": "driver",
            "services": ["driver"],
            "scopes": ["admin:users", "admin:servers", "access:servers", "read:hub", "tokens"],
        }
    )

# The class view on the demo's ports, its attempts beside the hub's database; "teacher" (same
# password) is in the instructors group: /services/meia-class/ (add ?projector=1 for the room).
from meia_cnn.classroom.hubconfig import apply as add_class_view  # noqa: E402

add_class_view(c, port=PORT + 3, db=f"sqlite:///{ROOT / 'meia-class.sqlite'}")
c.Authenticator.allowed_users = set(STUDENTS) | {"teacher"}
c.JupyterHub.load_groups = {"instructors": ["teacher"]}
