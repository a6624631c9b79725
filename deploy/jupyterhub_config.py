"""JupyterHub on one server for a meia-cnn class (plain JupyterHub or The Littlest JupyterHub).

    jupyterhub -f deploy/jupyterhub_config.py

Students log in with their system accounts (JupyterHub's default PAM authenticator and local-process
spawner; on The Littlest JupyterHub put this file's settings in /opt/tljh/config/jupyterhub_config.d/).
Every student's server starts by putting the course notebooks in ~/meia-cnn (English) and
~/meia-cnn/es (Spanish), never overwriting a file already there, and opens the index in the class's
language. Sizes are in deploy/README.md ("Sizing"); the settings below are the ones measured there.

Environment variables read here (all optional):

    MEIA_CNN_LANG        es (default) or en: the notebooks opened, the kit's messages, JupyterLab's menus
    MEIA_HUB_NOTEBOOKS   copy (default): the notebooks installed with the kit (meia-cnn-notebooks);
                         or a git URL: nbgitpuller pulls its `notebooks` branch (see deploy/README.md)
"""

import os
import shlex
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (defined by JupyterHub when it loads this file)

LANGUAGE = os.environ.get("MEIA_CNN_LANG", "es")
NOTEBOOKS = os.environ.get("MEIA_HUB_NOTEBOOKS", "copy")
BIN = Path(sys.executable).parent  # the hub's environment is the students' environment on one server

# ---- what a student's server runs -----------------------------------------------------------------
# The notebooks first (in the home folder, as the student), then the single-user server.
if NOTEBOOKS == "copy":
    # the meia-cnn-notebooks command, through this Python
    copy = f"{shlex.quote(sys.executable)} -c 'import sys, meia_cnn.notebooks as n; sys.exit(n.main())'"
    fetch = f"{copy} --lang en >/dev/null && {copy} --lang es >/dev/null"
else:
    # nbgitpuller merges a new release into the student's copy; the student's edits win.
    fetch = f"{shlex.quote(str(BIN / 'gitpuller'))} {shlex.quote(NOTEBOOKS)} notebooks meia-cnn >/dev/null"
c.Spawner.cmd = [
    "sh",
    "-c",
    f'cd "$HOME" && {{ {fetch} || true; }} && exec "$0" "$@"',
    str(BIN / "jupyterhub-singleuser"),
]
c.Spawner.default_url = (
    "/lab/tree/meia-cnn/es/00_indice.ipynb" if LANGUAGE == "es" else "/lab/tree/meia-cnn/00_index.ipynb"
)
# One BLAS thread per kernel: many students share few cores, and two BLAS threads fighting over a busy core
# make a small convolution 5-8 times slower (benchmarks/bench_ops.py at load 2: 16 ms against 0.75 ms).
ONE_THREAD = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
c.Spawner.environment = {"MEIA_CNN_LANG": LANGUAGE, **ONE_THREAD}
c.Spawner.notebook_dir = "~"

# Idle kernels go after 20 minutes (a kernel is 85-210 MiB), an idle server after an hour
# (a server is ~150 MiB): inside each server, kernels; from the hub, servers (jupyterhub-idle-culler).
c.Spawner.args = [
    "--MappingKernelManager.cull_idle_timeout=1200",
    "--MappingKernelManager.cull_interval=120",
    "--MappingKernelManager.cull_connected=True",
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    },
]
c.JupyterHub.services = [
    {"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler", "--timeout=3600"]},
]

# Memory and CPU per student, from deploy/README.md's measurements: enforced by spawners that can
# (SystemdSpawner on The Littlest JupyterHub, DockerSpawner, KubeSpawner); the local-process
# spawner ignores them.
c.Spawner.mem_guarantee = "400M"
c.Spawner.mem_limit = "1G"
c.Spawner.cpu_guarantee = 0.05
c.Spawner.cpu_limit = 1

# A class starting together on a few cores: give servers time.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
c.JupyterHub.concurrent_spawn_limit = 40

# The class view (meia_cnn.classroom): the hub runs the meia-class service at /services/meia-class/;
# students' kernels send each checked answer to it, members of the "instructors" group see it live
# (add an instructor: the hub's admin page, or `c.JupyterHub.load_groups`). Attempts are kept in
# MEIA_CLASS_DB (SQLite in the hub's folder by default; a postgresql+psycopg:// URL for many nodes).
from meia_cnn.classroom.hubconfig import apply as add_class_view  # noqa: E402

add_class_view(c, port=int(os.environ.get("MEIA_CLASS_PORT", "10101")), db=os.environ.get("MEIA_CLASS_DB"))
