"""The local runtime as a dev server under load: ``python -m local`` in its own process, measured
from this one over loopback.

* a request on a new connection against one on a kept-alive connection (``GET /local/health``,
  median of many): a kept-alive answer that waits for a delayed ACK shows as ~40 ms here;
* a burst of simultaneous new connections: how many got a correct answer, and how long the last
  one took;
* idle CPU: the server process's CPU time over a few seconds of doing nothing, as % of one core
  (read from ``/proc``, so Linux only; elsewhere "n/a").

Prints figures only; whether they are good is for the reader (timings depend on the machine).
"""

from __future__ import annotations

import http.client
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
HEALTH = "/local/health"
START_TIMEOUT_SECONDS = 120.0
BURST_TIMEOUT_SECONDS = 30.0


@dataclass
class ServerFigures:
    new_connection_ms: float
    kept_alive_ms: float
    requests: int
    burst: int
    burst_answered: int
    burst_last_ms: float
    idle_seconds: float
    idle_cpu_percent: float | None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _process_cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the fields after its ")" are plain.
    fields = stat.rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _get(conn: http.client.HTTPConnection) -> int:
    conn.request("GET", HEALTH)
    response = conn.getresponse()
    response.read()
    return response.status


def _expect_ok(status: int) -> None:
    if status != 200:
        raise RuntimeError(f"GET {HEALTH} answered {status}")


def _wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"python -m local exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            if _get(conn) == 200:
                conn.close()
                return
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the local runtime did not become healthy")


def _new_connection_ms(port: int, requests: int) -> float:
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        status = _get(conn)
        conn.close()
        times.append((time.perf_counter() - start) * 1000)
        _expect_ok(status)
    return statistics.median(times)


def _kept_alive_ms(port: int, requests: int) -> float:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    _get(conn)  # the connection is open and warm before timing starts
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        status = _get(conn)
        times.append((time.perf_counter() - start) * 1000)
        _expect_ok(status)
    conn.close()
    return statistics.median(times)


def _burst(port: int, count: int) -> tuple[int, float]:
    """``count`` clients connect at the same moment; returns (answered 200, ms to the last one)."""
    barrier = threading.Barrier(count + 1)
    answered: list[float] = []
    lock = threading.Lock()

    def client() -> None:
        barrier.wait()
        start = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=BURST_TIMEOUT_SECONDS)
            ok = _get(conn) == 200
            conn.close()
        except OSError:
            ok = False
        if ok:
            with lock:
                answered.append((time.perf_counter() - start) * 1000)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(count)]
    for t in threads:
        t.start()
    barrier.wait()
    for t in threads:
        t.join(BURST_TIMEOUT_SECONDS + 5)
    return len(answered), max(answered, default=0.0)


def measure(requests: int = 200, burst: int = 256, idle_seconds: float = 5.0) -> ServerFigures:
    port = _free_port()
    env = {**os.environ, "PORT": str(port), "LOCAL_LOG_LEVEL": "WARNING"}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "local"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, process)
        # Idle first, after start-up has settled, so the load below does not linger in the figure.
        time.sleep(1.0)
        cpu_before, wall_before = _process_cpu_seconds(process.pid), time.monotonic()
        time.sleep(idle_seconds)
        cpu_after, wall_after = _process_cpu_seconds(process.pid), time.monotonic()
        idle = None
        if cpu_before is not None and cpu_after is not None:
            idle = 100 * (cpu_after - cpu_before) / (wall_after - wall_before)
        new_ms = _new_connection_ms(port, requests)
        kept_ms = _kept_alive_ms(port, requests)
        answered, last_ms = _burst(port, burst)
        return ServerFigures(new_ms, kept_ms, requests, burst, answered, last_ms, idle_seconds, idle)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> int:
    f = measure()
    print(f"new connection   p50 {f.new_connection_ms:.2f} ms  ({f.requests} requests)")
    print(f"kept-alive       p50 {f.kept_alive_ms:.2f} ms  ({f.requests} requests)")
    print(f"burst            {f.burst_answered}/{f.burst} answered, last after {f.burst_last_ms:.0f} ms")
    idle = "n/a" if f.idle_cpu_percent is None else f"{f.idle_cpu_percent:.1f}% of a core"
    print(f"idle CPU         {idle} over {f.idle_seconds:g} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
