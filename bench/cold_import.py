"""Cold import time of each function's module, against a bare ``import boto3`` in the same run.

Each measurement is a fresh interpreter that times only the import (interpreter start-up is the
same for both and left out). Each round measures every target, the baseline included, so drift on
a busy machine hits every target alike; the median of the rounds is reported.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BOTO3 = "import boto3"

_TIME_MODULE = """
import importlib.util, sys, time
wall, cpu = time.perf_counter(), time.process_time()
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
print(time.perf_counter() - wall, time.process_time() - cpu)
"""
_TIME_BOTO3 = """
import time
wall, cpu = time.perf_counter(), time.process_time()
import boto3
print(time.perf_counter() - wall, time.process_time() - cpu)
"""
_TOP_IMPORTS = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("app", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
"""

# What the template's Globals give every function; importing must not need real values.
IMPORT_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "TABLE_NAME": "bench",
    "SECRETS_KEY_ID": "arn:aws:kms:us-east-1:123456789012:key/bench",
    "EVENT_BUS_NAME": "bench",
    "ADMIN_GROUP": "admins",
    "TOTP_ISSUER": "Security Info",
    "HASH_KEY_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:bench",
    "POWERTOOLS_SERVICE_NAME": "security-info",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}


@dataclass
class ImportTime:
    """Wall time is what a cold start waits; CPU time is the same work without the noise of other
    processes on a busy machine (importing from a warm page cache is almost all CPU)."""

    target: str
    wall_runs_ms: list[float]
    cpu_runs_ms: list[float]

    @property
    def wall_ms(self) -> float:
        return statistics.median(self.wall_runs_ms)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu_runs_ms)


def function_modules() -> dict[str, Path]:
    return {path.parent.name: path for path in sorted((REPO / "functions").glob("*/app.py"))}


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT")}
    env.update(IMPORT_ENV)
    return env


def _once(code: str, *args: str) -> tuple[float, float]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and scripts
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=_env(), check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"import failed ({' '.join(args) or BOTO3}):\n{out.stderr[-2000:]}")
    wall, cpu = (float(v) * 1000 for v in out.stdout.split())
    return wall, cpu


def measure(
    runs: int, seconds: float, workers: int = 2, min_runs: int = 3
) -> tuple[ImportTime, list[ImportTime]]:
    """The bare boto3 baseline and every function: ``runs`` rounds, fewer (but at least
    ``min_runs``) if the rounds take longer than ``seconds``. ``workers`` interpreters run at once;
    CPU time does not mind, and the baseline shares every round's conditions."""
    modules = function_modules()
    results = {target: ImportTime(target, [], []) for target in [BOTO3, *modules]}

    def one(target: str) -> tuple[str, tuple[float, float]]:
        return target, _once(_TIME_BOTO3) if target == BOTO3 else _once(_TIME_MODULE, str(modules[target]))

    deadline = time.perf_counter() + seconds
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for round_ in range(runs):
            if round_ >= min_runs and time.perf_counter() > deadline:
                break
            for target, (wall, cpu) in pool.map(one, results):
                results[target].wall_runs_ms.append(wall)
                results[target].cpu_runs_ms.append(cpu)
    baseline = results.pop(BOTO3)
    return baseline, list(results.values())


def _importtime(*args: str) -> dict[str, float]:
    """Top-level modules of ``-X importtime`` with their cumulative ms."""
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-X", "importtime", "-c", *args],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
    )
    top: dict[str, float] = {}
    for line in out.stderr.splitlines():
        # "import time:  self [us] | cumulative | imported package", nesting shown by indentation
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].removeprefix(" ")
        if name and not name.startswith(" "):
            top[name] = top.get(name, 0.0) + int(parts[1]) / 1000
    return top


def top_imports(function: str, count: int = 5) -> list[tuple[str, float]]:
    """What costs most (cumulative, top-level only) in one import of ``function``, leaving out
    what the interpreter imports at start-up anyway."""
    startup = _importtime("import importlib.util")
    top = _importtime(_TOP_IMPORTS, str(function_modules()[function]))
    mine = {name: ms for name, ms in top.items() if name not in startup}
    return sorted(mine.items(), key=lambda kv: kv[1], reverse=True)[:count]
