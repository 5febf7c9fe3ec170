"""Cold import of each function, against a bare ``import boto3``, as Lambda would import them.

Each measurement is a fresh interpreter (see lambda_env: the function's directory, the layer and
the runtime's boto3 on ``sys.path``, the template's environment) that times only the import
(interpreter start-up is the same for every target and left out) and counts the modules it loads.
Rounds are interleaved: each round measures every function and the baseline several times, in a
shuffled order, so a busy machine's drift hits every target alike. The figures are the medians
over the rounds, of CPU time (user + sys of the child during the import), which other processes
on a busy machine inflate far less than wall time. The module count does not depend on the load.
"""

from __future__ import annotations

import json
import random
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import lambda_env
from lambda_env import Function

BOTO3 = "import boto3"
# The baseline is measured this many times per round, spread over the round.
BASELINE_PER_ROUND = 4


@dataclass
class ImportTime:
    target: str
    wall_runs_ms: list[float] = field(default_factory=list)
    cpu_runs_ms: list[float] = field(default_factory=list)
    modules: int = 0

    @property
    def wall_ms(self) -> float:
        return statistics.median(self.wall_runs_ms)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu_runs_ms)


def run_child(target: Function | None, names: bool = False) -> dict[str, object]:
    """One fresh interpreter importing ``target`` (None: the bare boto3): its JSON line."""
    argv, env = lambda_env.command(target, names)
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if out.returncode != 0:
        what = target.name if target else BOTO3
        raise RuntimeError(f"import failed ({what}):\n{out.stderr[-2000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(
    rounds: int, seconds: float, workers: int = 1, min_rounds: int = 3
) -> tuple[ImportTime, list[ImportTime]]:
    """The baseline and every function: ``rounds`` interleaved rounds, fewer (but at least
    ``min_rounds``) once ``seconds`` have passed."""
    targets: dict[str, Function | None] = {f.name: f for f in lambda_env.functions()}
    results = {name: ImportTime(name) for name in [BOTO3, *targets]}
    targets[BOTO3] = None
    shuffle = random.Random(16)  # noqa: S311 - the same orders every run, not a secret

    def one(name: str) -> tuple[str, dict[str, object]]:
        return name, run_child(targets[name])

    deadline = time.perf_counter() + seconds
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for round_ in range(rounds):
            if round_ >= min_rounds and time.perf_counter() > deadline:
                break
            order = [name for name in targets if name != BOTO3]
            shuffle.shuffle(order)
            step = max(1, len(order) // BASELINE_PER_ROUND)
            for i in range(BASELINE_PER_ROUND):
                order.insert(i * (step + 1), BOTO3)
            for name, figures in pool.map(one, order):
                result = results[name]
                result.cpu_runs_ms.append(float(figures["cpu_ms"]))  # type: ignore[arg-type]
                result.wall_runs_ms.append(float(figures["wall_ms"]))  # type: ignore[arg-type]
                result.modules = int(figures["modules"])  # type: ignore[call-overload]
    baseline = results.pop(BOTO3)
    return baseline, list(results.values())


def loaded_modules(target: Function | None) -> list[str]:
    """The modules a fresh import of ``target`` loads (None: the bare boto3)."""
    names = run_child(target, names=True)["names"]
    return [str(n) for n in names] if isinstance(names, list) else []


def top_imports(function: str, count: int = 5) -> list[tuple[str, float]]:
    """What costs most in one import of ``function`` (``-X importtime``, cumulative, top-level
    entries only, the ones the bare boto3 also loads left out)."""
    target = next(f for f in lambda_env.functions() if f.name == function)
    argv, env = lambda_env.command(target)
    out = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True, text=True, env=env)  # noqa: S603
    # Left out: what the child itself imports before timing, and what a bare boto3 loads.
    nothing = lambda_env.command(None)[0]
    nothing[nothing.index("boto3")] = "sys"
    startup = subprocess.run(  # noqa: S603
        [nothing[0], "-X", "importtime", *nothing[1:]], capture_output=True, text=True, env=env
    )
    known = set(loaded_modules(None)) | {
        line.split("|")[-1].strip() for line in startup.stderr.splitlines() if line.startswith("import time:")
    }
    top: dict[str, float] = {}
    for line in out.stderr.splitlines():
        # "import time:  self [us] | cumulative | imported package", nesting shown by indentation
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[1].strip().isdigit():
            continue
        name = parts[2].removeprefix(" ")
        if name and not name.startswith(" ") and name not in known:
            top[name] = top.get(name, 0.0) + int(parts[1]) / 1000
    return sorted(top.items(), key=lambda kv: kv[1], reverse=True)[:count]
