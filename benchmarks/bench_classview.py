"""Load on the class view service: N virtual students each sending A attempts over D seconds.

Starts a real JupyterHub on 127.0.0.1 with the meia-class service (tests/hub/classroom_hub.py: the same
configuration call the deploy configs make), creates N users with their own hub tokens, then sends
every attempt straight to the service's API as a kernel does (one POST per attempt, with the
student's token, at a random moment of the D seconds).  Meanwhile an instructor's view long-polls
the summary, and a probe student answers every 5 s to time how long a new answer takes to reach
the view.  Reports: attempts sent / acknowledged / stored (must be equal), record latency p50/p95/max,
view update delay p50/p95/max, the service's peak RSS and CPU, the hub's too.

    python benchmarks/bench_classview.py                       # 2,000 students x 20 attempts, 10 minutes
    python benchmarks/bench_classview.py --students 200 --duration 60
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from meia_cnn.exercises import EXERCISES, for_notebook  # noqa: E402
from tests.hub.classroom_hub import ACCESS, INSTRUCTOR, Hub, missing  # noqa: E402

PROBE_EXERCISE = "00.numbers" if "00.numbers" in EXERCISES else next(iter(EXERCISES))


def _proc(pid: int) -> tuple[float, float]:
    """(RSS MiB, CPU seconds) of a process, from /proc."""
    rss = 0.0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss, (int(fields[11]) + int(fields[12])) / ticks


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


async def _load(hub: Hub, tokens: dict[str, str], args: argparse.Namespace) -> dict:
    from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

    AsyncHTTPClient.configure(None, max_clients=args.concurrency)
    client = AsyncHTTPClient()
    url = hub.direct_url + "api/attempts"
    exercises = [ex.id for ex in for_notebook("04")] + [ex.id for ex in for_notebook("05")]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    acknowledged = 0
    start = time.monotonic()

    async def send(user: str, attempt: dict) -> None:
        nonlocal acknowledged
        body = json.dumps({"attempts": [attempt]})
        for retry in range(5):
            t = time.monotonic()
            try:
                await client.fetch(
                    HTTPRequest(
                        url,
                        method="POST",
                        body=body,
                        request_timeout=60,
                        headers={"Authorization": f"token {tokens[user]}", "Content-Type": "application/json"},
                    )
                )
                latencies.append(time.monotonic() - t)
                acknowledged += 1
                return
            except HTTPClientError as exc:
                errors[str(exc.code)] = errors.get(str(exc.code), 0) + 1
            except OSError as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
            await asyncio.sleep(0.5 * 2**retry)

    async def student(user: str) -> None:
        moments = sorted(random.uniform(0, args.duration) for _ in range(args.attempts))
        for moment in moments:
            await asyncio.sleep(max(0.0, start + moment - time.monotonic()))
            exercise = random.choice(exercises)
            correct = random.random() < 0.45
            await send(
                user,
                {
                    "key": uuid.uuid4().hex,
                    "exercise": exercise,
                    "variant": 0,
                    "status": "correct" if correct else "wrong",
                    "mistake": "" if correct else random.choice(["mistake.0", "other", "hint"]),
                    "time": time.time(),
                },
            )

    delays: list[float] = []
    done = asyncio.Event()

    async def probe() -> None:
        """Every 5 s one answer to the probe exercise; the watcher times when the view shows it."""
        n = 0
        version = 0
        headers = {"Authorization": f"token {tokens['teacher']}"}
        watcher = AsyncHTTPClient(force_instance=True)  # the instructor's page: its own connection
        summary_url = hub.direct_url + "api/summary?section=00"
        while not done.is_set():
            n += 1
            t = time.monotonic()
            await send(
                "probe",
                {
                    "key": uuid.uuid4().hex,
                    "exercise": PROBE_EXERCISE,
                    "variant": 0,
                    "status": "wrong",
                    "mistake": "other",
                    "time": time.time(),
                },
            )
            while time.monotonic() - t < 60:
                try:
                    reply = await watcher.fetch(
                        HTTPRequest(f"{summary_url}&since={version}", headers=headers, request_timeout=90)
                    )
                except (HTTPClientError, OSError) as exc:
                    errors[f"view {type(exc).__name__}"] = errors.get(f"view {type(exc).__name__}", 0) + 1
                    continue
                data = json.loads(reply.body)
                version = data["version"]
                card = next(e for e in data["exercises"] if e["id"] == PROBE_EXERCISE)
                if card["attempts"] >= n:
                    delays.append(time.monotonic() - t)
                    break
            await asyncio.sleep(max(0.0, 5 - (time.monotonic() - t)))

    probing = asyncio.ensure_future(probe())
    await asyncio.gather(*(student(u) for u in tokens if u.startswith("s")))
    done.set()
    await probing
    return {
        "latencies": latencies,
        "errors": errors,
        "acknowledged": acknowledged,
        "delays": delays,
        "probes": len(delays),
        "seconds": time.monotonic() - start,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=2000)
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--duration", type=float, default=600.0)
    parser.add_argument("--concurrency", type=int, default=200)
    args = parser.parse_args()
    reason = missing()
    if reason:
        sys.exit(f"cannot start a hub here: {reason}")
    with tempfile.TemporaryDirectory(prefix="bench-classview-") as tmp:
        hub = Hub(Path(tmp))
        try:
            hub.start()
            users = [f"s{i:05d}" for i in range(args.students)]
            t = time.monotonic()
            hub.add_users([*users, "teacher", "probe"])
            with ThreadPoolExecutor(8) as pool:
                tokens = dict(zip(users, pool.map(lambda u: hub.token_for(u, [ACCESS]), users)))
            tokens["teacher"] = hub.token_for("teacher", [ACCESS, INSTRUCTOR])
            tokens["probe"] = hub.token_for("probe", [ACCESS])
            print(f"{args.students} users and tokens created in {time.monotonic() - t:.0f} s")
            service, hub_pid = hub.service_pid(), hub.process.pid
            samples: list[tuple[float, float, float, float]] = []

            async def run() -> dict:
                async def sample() -> None:
                    while True:
                        samples.append((*_proc(service), *_proc(hub_pid)))
                        await asyncio.sleep(1)

                sampler = asyncio.ensure_future(sample())
                try:
                    return await _load(hub, tokens, args)
                finally:
                    sampler.cancel()

            cpu0 = (_proc(service)[1], _proc(hub_pid)[1])
            result = asyncio.run(run())
            cpu1 = (_proc(service)[1], _proc(hub_pid)[1])
            import sqlite3

            with sqlite3.connect(hub.db.removeprefix("sqlite:///")) as conn:
                stored = conn.execute("SELECT count(*), count(DISTINCT key) FROM attempts").fetchone()
        finally:
            hub.stop()
    sent = args.students * args.attempts + result["probes"]
    lat, delays = result["latencies"], result["delays"]
    secs = result["seconds"]
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end")
    print(
        f"students {args.students} x attempts {args.attempts} over {args.duration:.0f} s "
        f"(+{result['probes']} probe answers); ran {secs:.0f} s"
    )
    print(
        f"attempts sent {sent}, acknowledged {result['acknowledged']}, stored {stored[0]} "
        f"({stored[1]} distinct keys); errors before a retry succeeded: {result['errors'] or 'none'}"
    )
    print(
        f"record latency: p50 {_pct(lat, 0.5) * 1e3:.1f} ms, p95 {_pct(lat, 0.95) * 1e3:.1f} ms, "
        f"p99 {_pct(lat, 0.99) * 1e3:.1f} ms, max {max(lat) * 1e3:.1f} ms ({len(lat) / secs:.0f} requests/s; "
        f"{sum(x > 1 for x in lat)} over 1 s)"
    )
    print(
        f"view update delay (answer sent -> summary shows it): p50 {_pct(delays, 0.5) * 1e3:.0f} ms, "
        f"p95 {_pct(delays, 0.95) * 1e3:.0f} ms, max {max(delays, default=float('nan')) * 1e3:.0f} ms"
    )
    print(
        f"service: peak RSS {max(s[0] for s in samples):.0f} MiB, CPU {cpu1[0] - cpu0[0]:.1f} s "
        f"({100 * (cpu1[0] - cpu0[0]) / secs:.0f}% of one core on average)"
    )
    print(f"hub: peak RSS {max(s[2] for s in samples):.0f} MiB, CPU {cpu1[1] - cpu0[1]:.1f} s")


if __name__ == "__main__":
    main()
