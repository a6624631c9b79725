"""A class on the kit's own hub: N simulated students, each a real single-user server and kernels.

    python benchmarks/bench_hub.py                    N = 10 at once (the default of make bench)
    python benchmarks/bench_hub.py --students 10 20   N = 10, then 20, at once
    python benchmarks/bench_hub.py --staggered 60     students arriving over 60 s instead
    python benchmarks/bench_hub.py --nodelay          only the trivial-execute round trip, without
                                                      and with TCP_NODELAY on the kernel websocket
    python benchmarks/bench_hub.py --kernels [DIR]    only each notebook's kernel RSS after Run All

Each student: the hub starts their server (deploy/demo_hub_config.py: nbgitpuller pulls the
notebooks), then in turn opens 02, 04 and 07 (a session and its kernel websocket, as JupyterLab
does), runs every code cell (Run All; the exercises' `check` cells answer `...` and get a hint),
answers one exercise per notebook with `check` again, and moves the explorers' Python-side
controls (dropdowns and toggle buttons) through comm messages as the browser does. With all three
notebooks still open, everyone's memory is read at the same moment (RSS and PSS of the server and
each kernel), then the notebooks are closed. Times are p50/p95 over the students (spawn, Run All)
or over every control change. The machine's load average is printed with the table: the figures
are for this machine as loaded then.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import sys
import threading
import time
import traceback
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "deploy"))

NOTEBOOKS = ("02_convolution", "04_stride_and_padding", "07_cnn_classification")
CONTROLS = ("DropdownModel", "ToggleButtonsModel")
CHANGES_PER_CONTROL = 4
MiB = 2**20
TARGET_CONTROL_P95_MS = 250
TARGET_KERNEL_MIB = 100
TARGET_STUDENT_ONE_NOTEBOOK_MIB = 260


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _memory(process: psutil.Process) -> tuple[float, float]:
    info = process.memory_full_info()
    return info.rss / MiB, getattr(info, "pss", info.rss) / MiB


def _server_of(name: str) -> psutil.Process | None:
    for process in psutil.process_iter(["cmdline"]):
        cmdline = process.info["cmdline"] or []
        if any("jupyterhub-singleuser" in part for part in cmdline) and cmdline[0] != "sh":
            try:
                if process.environ().get("JUPYTERHUB_USER") == name:
                    return process
            except psutil.Error:
                continue
    return None


def _kernel_memory(server: psutil.Process, kernel_id: str) -> tuple[float, float]:
    for child in server.children(recursive=True):
        try:
            if any(kernel_id in part for part in child.cmdline()):
                return _memory(child)
        except psutil.Error:
            continue
    return float("nan"), float("nan")


def _exercise_answer(notebook: dict) -> str | None:
    """The first `check("id", answer)` cell with a number in place of `...` (a wrong answer: a hint)."""
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code" and re.search(r'check\("[^"]+", answer\)', cell["source"]):
            return cell["source"].replace("...", "1", 1)
    return None


class Result:
    def __init__(self, name: str) -> None:
        self.name = name
        self.spawn = float("nan")
        self.run_all: dict[str, float] = {}
        self.controls: list[float] = []
        self.errors: list[str] = []
        self.kernels: dict[str, tuple[float, float]] = {}  # notebook -> (RSS, PSS) MiB
        self.server = (float("nan"), float("nan"))
        self.cpu = float("nan")  # CPU-seconds of the server and its kernels


def _student(hub, name: str, delay: float, barrier: threading.Barrier, result: Result) -> None:
    from demo_hub import Student

    students = []
    try:
        time.sleep(delay)
        result.spawn = hub.spawn(name, timeout=900)
        for notebook_name in NOTEBOOKS:
            student = Student(hub, name)
            path = f"meia-cnn/{notebook_name}.ipynb"
            notebook = student.notebook(path)
            student.open(path)
            students.append((notebook_name, student))
            seconds, errors = student.run_all(notebook)
            result.run_all[notebook_name] = seconds
            result.errors += errors
            answer = _exercise_answer(notebook)
            if answer:
                result.errors += student.execute(answer)[1]
            for comm_id, state in student.comms.items():
                if state.get("_model_name") not in CONTROLS:
                    continue
                options = len(state.get("_options_labels", [])) or 1
                for i in range(CHANGES_PER_CONTROL):
                    seconds, errors = student.move(comm_id, ((state.get("index") or 0) + i + 1) % options)
                    result.controls.append(seconds)
                    result.errors += errors
    except Exception as error:  # a student's failure is a figure of the run, not the end of it
        result.errors.append(f"{type(error).__name__}: {error}")
        traceback.print_exc()
    finally:
        try:
            barrier.wait(timeout=1800)
        except threading.BrokenBarrierError:
            pass
        server = _server_of(name)
        if server is not None:
            result.server = _memory(server)
            result.cpu = sum(sum(p.cpu_times()[:2]) for p in [server] + server.children(recursive=True))
            for notebook_name, student in students:
                result.kernels[notebook_name] = _kernel_memory(server, student.kernel_id)
        try:
            barrier.wait(timeout=600)
        except threading.BrokenBarrierError:
            pass
        for _, student in students:
            try:
                student.close()
            except Exception as error:
                result.errors.append(f"close: {error}")


def run_class(n: int, *, staggered: float = 0.0, port: int = 8865, nodelay: bool = True) -> dict:
    """Start the hub, run N students, stop it; the figures as a dict."""
    from demo_hub import DemoHub

    names = [f"s{i:03d}" for i in range(n)]
    hub = DemoHub(
        ROOT / "build" / "bench-hub",
        students=names,
        port=port,
        language="en",
        nodelay=nodelay,
        proxy_root=ROOT / "build" / "hub",
    )
    cpu_start = psutil.cpu_times()
    load_before = os.getloadavg()
    start = time.perf_counter()
    results = [Result(name) for name in names]
    with hub:
        barrier = threading.Barrier(n)
        threads = [
            threading.Thread(target=_student, args=(hub, name, staggered * i / max(n, 1), barrier, r))
            for i, (name, r) in enumerate(zip(names, results))
        ]
        for thread in threads:
            thread.start()
        hub_rss = proxy_rss = 0.0
        while any(t.is_alive() for t in threads):
            hub_rss = max(hub_rss, _memory(psutil.Process(hub.process.pid))[0])
            try:
                proxy = psutil.Process(int((hub.root / "proxy.pid").read_text()))
                proxy_rss = max(proxy_rss, _memory(proxy)[0])
            except (OSError, ValueError, psutil.Error):
                pass
            time.sleep(1)
        for thread in threads:
            thread.join()
        load_after = os.getloadavg()
    cpu_end = psutil.cpu_times()
    busy = sum(getattr(cpu_end, f) - getattr(cpu_start, f) for f in ("user", "system", "nice"))
    return {
        "n": n,
        "staggered": staggered,
        "nodelay": nodelay,
        "wall": time.perf_counter() - start,
        "load": (load_before[0], load_after[0]),
        "cpu_busy_s": busy,
        "cpus": psutil.cpu_count(),
        "hub_rss": hub_rss,
        "proxy_rss": proxy_rss,
        "spawn": [r.spawn for r in results],
        "run_all": {nb: [r.run_all[nb] for r in results if nb in r.run_all] for nb in NOTEBOOKS},
        "controls": [c for r in results for c in r.controls],
        "errors": [f"{r.name}: {e}" for r in results for e in r.errors]
        + [f"left running after the hub stopped: {p}" for p in hub.leftovers],
        "server": [r.server for r in results],
        "cpu": [r.cpu for r in results],
        "kernels": {nb: [r.kernels[nb] for r in results if nb in r.kernels] for nb in NOTEBOOKS},
    }


def summary_rows(figures: dict) -> list[dict]:
    from _common import row

    mode = f"N={figures['n']} " + (f"over {figures['staggered']:.0f} s" if figures["staggered"] else "at once")
    rows = []
    spawn = figures["spawn"]
    rows.append(row(f"{mode}: spawn p50", round(_pct(spawn, 0.5), 1), "s", "<= 60"))
    rows.append(row(f"{mode}: spawn p95", round(_pct(spawn, 0.95), 1), "s", "<= 120"))
    for nb, times in figures["run_all"].items():
        rows.append(
            row(
                f"{mode}: {nb[:2]} Run All p50/p95 (p95)",
                round(_pct(times, 0.95), 1),
                "s",
                "<= 120",
            )
            | {"note": f"p50 {_pct(times, 0.5):.1f} s"}
        )
    controls = [1000 * c for c in figures["controls"]]
    rows.append(
        row(
            f"{mode}: control change p50 ({len(controls)} changes)",
            round(_pct(controls, 0.5), 1),
            "ms",
            f"<= {TARGET_CONTROL_P95_MS}",
        )
    )
    rows.append(row(f"{mode}: control change p95", round(_pct(controls, 0.95), 1), "ms", f"<= {TARGET_CONTROL_P95_MS}"))
    servers = [s for s in figures["server"] if not math.isnan(s[0])]
    for nb, memories in figures["kernels"].items():
        rss = [m[0] for m in memories if not math.isnan(m[0])]
        rows.append(
            row(
                f"{mode}: kernel RSS after Run All, {nb[:2]} (median)",
                round(statistics.median(rss), 1) if rss else float("nan"),
                "MiB",
                f"<= {TARGET_KERNEL_MIB}",
            )
        )
    totals_rss, totals_pss = [], []
    for i, server in enumerate(figures["server"]):
        kernels = [figures["kernels"][nb][i] for nb in NOTEBOOKS if i < len(figures["kernels"][nb])]
        totals_rss.append(server[0] + sum(k[0] for k in kernels))
        totals_pss.append(server[1] + sum(k[1] for k in kernels))
    rows.append(
        row(
            f"{mode}: server RSS (median)",
            round(statistics.median(s[0] for s in servers), 1) if servers else float("nan"),
            "MiB",
            "<= 160",
        )
    )
    one_notebook = [
        s[0] + statistics.median(m[0] for m in figures["kernels"][nb])
        for s in servers
        for nb in NOTEBOOKS[:1]
        if figures["kernels"][nb]
    ]
    if one_notebook:
        rows.append(
            row(
                f"{mode}: student with 02 open (server + kernel RSS)",
                round(statistics.median(one_notebook), 1),
                "MiB",
                f"<= {TARGET_STUDENT_ONE_NOTEBOOK_MIB}",
            )
        )
    rows.append(
        row(
            f"{mode}: student with 02, 04, 07 open: RSS (median)",
            round(statistics.median(totals_rss), 1),
            "MiB",
            "<= 600",
        )
    )
    rows.append(
        row(
            f"{mode}: student with 02, 04, 07 open: PSS (median)",
            round(statistics.median(totals_pss), 1),
            "MiB",
            "<= 450",
        )
    )
    rows.append(row(f"{mode}: hub RSS (peak)", round(figures["hub_rss"], 1), "MiB", "<= 300"))
    rows.append(row(f"{mode}: proxy RSS (peak)", round(figures["proxy_rss"], 1), "MiB", "<= 150"))
    rows.append(row(f"{mode}: errors", len(figures["errors"]), "", "<= 0"))
    cpu = [c for c in figures["cpu"] if not math.isnan(c)]
    rows.append(
        row(
            f"{mode}: CPU-seconds per student (server + kernels, median)",
            round(statistics.median(cpu), 1) if cpu else float("nan"),
            "s",
            "<= 30",
        )
        | {
            "note": f"whole machine busy {figures['cpu_busy_s']:.0f} CPU-s over {figures['wall']:.0f} s "
            f"on {figures['cpus']} CPUs (other work included)"
        }
    )
    rows.append(
        row(
            f"{mode}: load average before -> after (1 min)",
            round(figures["load"][1], 2),
            "",
            f"<= {2 * figures['cpus']}",
        )
        | {"note": f"before {figures['load'][0]:.2f}"}
    )
    return rows


def nodelay_round_trips(repeats: int = 40, port: int = 8875) -> dict[str, list[float]]:
    """A trivial execute (`1`) through the hub, without and with TCP_NODELAY: seconds per round trip."""
    from demo_hub import DemoHub, Student

    found = {}
    for nodelay in (False, True):
        hub = DemoHub(
            ROOT / "build" / "bench-hub",
            students=["s000"],
            port=port,
            language="en",
            nodelay=nodelay,
            proxy_root=ROOT / "build" / "hub",
        )
        with hub:
            hub.spawn("s000")
            student = Student(hub, "s000")
            student.open("meia-cnn/00_index.ipynb")
            for _ in range(5):
                student.execute("1")
            found["with" if nodelay else "without"] = [student.execute("1")[0] for _ in range(repeats)]
            student.close()
    return found


def nodelay_rows(found: dict[str, list[float]]) -> list[dict]:
    from _common import row

    return [
        row(
            f"trivial execute through the hub, {key} TCP_NODELAY: p50",
            round(1000 * _pct(v, 0.5), 1),
            "ms",
            "<= 20" if key == "with" else "<= 1000",
        )
        | {"note": f"p95 {1000 * _pct(v, 0.95):.1f} ms"}
        for key, v in found.items()
    ]


def kernel_rss_per_notebook(folder: Path = ROOT / "notebooks") -> dict[str, float]:
    """Each notebook run top to bottom in a fresh kernel (nbclient, no hub): the kernel's RSS after, MiB."""
    import nbformat
    from nbclient import NotebookClient

    found = {}
    for path in sorted(folder.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        client = NotebookClient(
            notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
        )
        with client.setup_kernel():
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
            pid = client.km.provisioner.process.pid
            found[path.stem] = _memory(psutil.Process(pid))[0]
    return found


def run(students: tuple[int, ...] = (10,), staggered: float = 0.0) -> list[dict]:
    """The rows for benchmarks/run_all.py: the round trip with and without TCP_NODELAY, then each N."""
    rows = nodelay_rows(nodelay_round_trips())
    for n in students:
        figures = run_class(n, staggered=staggered)
        for error in figures["errors"][:10]:
            print("error:", error, file=sys.stderr)
        rows += summary_rows(figures)
    return rows


def main() -> int:
    from _common import print_table

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, nargs="+", default=[10])
    parser.add_argument("--staggered", type=float, default=0.0, help="spread the arrivals over this many seconds")
    parser.add_argument("--nodelay", action="store_true", help="only the round trip with and without TCP_NODELAY")
    parser.add_argument(
        "--kernels",
        type=Path,
        nargs="?",
        const=ROOT / "notebooks",
        metavar="FOLDER",
        help="only each notebook's kernel RSS after Run All (default folder: notebooks/)",
    )
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args()
    if args.kernels:
        from _common import row

        rows = [
            row(f"kernel RSS after Run All: {name}", round(rss, 1), "MiB", f"<= {TARGET_KERNEL_MIB}")
            for name, rss in kernel_rss_per_notebook(args.kernels).items()
        ]
    elif args.nodelay:
        rows = nodelay_rows(nodelay_round_trips())
    else:
        rows = []
        for n in args.students:
            figures = run_class(n, staggered=args.staggered)
            if args.json:
                args.json.write_text(json.dumps(figures, indent=1))
            for error in figures["errors"][:20]:
                print("error:", error, file=sys.stderr)
            rows += summary_rows(figures)
    print(f"{psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 2**30:.1f} GiB")
    print_table(rows, "meia-cnn on JupyterHub")
    for r in rows:
        if r.get("note"):
            print(f"  {r['measure']}: {r['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
