"""Cold import of each function, against a bare ``import boto3``, as Lambda would import them.

Each measurement is a fresh interpreter (see lambda_env: the function's directory, the layer and
the runtime's boto3 on ``sys.path``, the template's environment) that times only the import
(interpreter start-up is the same for every target and left out) and counts the modules it loads.
Rounds are interleaved: each round measures every function, in a shuffled order, each right next to
a bare boto3 import (before it in one round, after it in the next), so a busy spell of the machine
hits the functions and the baseline alike. Time is CPU time (user + sys of the child during the
import), which other processes inflate far less than wall time. A function's ratio and extra
milliseconds compare the median of its runs with the median of all the baseline's runs: on a
shared virtual machine one run can take half again as long as the next, and the baseline's median
over every round is steadier than the one run beside each function. The module count does not
depend on the load.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import lambda_env
from lambda_env import Function

BOTO3 = "import boto3"


@dataclass
class ImportTime:
    target: str
    wall_runs_ms: list[float] = field(default_factory=list)
    cpu_runs_ms: list[float] = field(default_factory=list)
    modules: int = 0
    # The baseline's median CPU ms over every round (0 for the baseline itself).
    baseline_ms: float = 0.0

    @property
    def ratio(self) -> float:
        return self.cpu_ms / self.baseline_ms if self.baseline_ms else 1.0

    @property
    def extra_ms(self) -> float:
        return self.cpu_ms - self.baseline_ms if self.baseline_ms else 0.0

    @property
    def wall_ms(self) -> float:
        return statistics.median(self.wall_runs_ms)

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu_runs_ms)


def run_child(target: Function | None, names: bool = False) -> dict[str, object]:
    """One fresh interpreter importing ``target`` (None: the bare boto3): its JSON line."""
    argv, env = lambda_env.command(target, names)
    return _child_line(argv, env, target.name if target else BOTO3)


def _child_line(argv: list[str], env: dict[str, str], what: str) -> dict[str, object]:
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if out.returncode != 0:
        raise RuntimeError(f"import failed ({what}):\n{out.stderr[-2000:]}")
    result: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(
    rounds: int, seconds: float, workers: int = 1, min_rounds: int = 5
) -> tuple[ImportTime, list[ImportTime]]:
    """The baseline and every function: ``rounds`` interleaved rounds, fewer (but at least
    ``min_rounds``) once ``seconds`` have passed."""
    functions = {f.name: f for f in lambda_env.functions()}
    results = {name: ImportTime(name) for name in functions}
    baseline = ImportTime(BOTO3)
    shuffle = random.Random(16)  # noqa: S311 - the same orders every run, not a secret

    def record(result: ImportTime, figures: dict[str, object]) -> None:
        result.cpu_runs_ms.append(float(figures["cpu_ms"]))  # type: ignore[arg-type]
        result.wall_runs_ms.append(float(figures["wall_ms"]))  # type: ignore[arg-type]
        result.modules = int(figures["modules"])  # type: ignore[call-overload]

    def pair(name: str, baseline_first: bool) -> tuple[str, dict[str, object], dict[str, object]]:
        if baseline_first:
            base = run_child(None)
            return name, run_child(functions[name]), base
        figures = run_child(functions[name])
        return name, figures, run_child(None)

    deadline = time.perf_counter() + seconds
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for round_ in range(rounds):
            if round_ >= min_rounds and time.perf_counter() > deadline:
                break
            order = list(functions)
            shuffle.shuffle(order)
            first = [round_ % 2 == 0] * len(order)
            for name, figures, base in pool.map(pair, order, first):
                record(results[name], figures)
                record(baseline, base)
    for result in results.values():
        result.baseline_ms = baseline.cpu_ms
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


def built_import(function: Function, build_dir: Path, bytecode: bool = True) -> float:
    """CPU ms of one cold import of ``function`` from a build (its folder under ``build_dir``, then
    the layer's). ``bytecode=False`` for a copy without it: nothing is written either, as on
    Lambda, whose code directories are read-only, so every module of the build is compiled."""
    argv, env = lambda_env.command(function)
    sys_path = [build_dir / function.logical_id, build_dir / "CoreLayer" / "python"]
    argv[argv.index(lambda_env.CHILD) + 1] = "\x1f".join(map(str, sys_path))
    if not bytecode:
        argv[1:1] = ["-B"]
    return float(_child_line(argv, env, f"{function.name}, built")["cpu_ms"])  # type: ignore[arg-type]


def copy_without_bytecode(build_dir: Path, functions: list[Function], target: Path) -> None:
    """The layer and ``functions`` of ``build_dir`` under ``target``, without their bytecode."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ["CoreLayer", *(f.logical_id for f in functions)]:
        shutil.copytree(build_dir / name, target / name, ignore=skip, symlinks=True)


def instructions(target: Function | None) -> int | None:
    """Instructions one cold import of ``target`` (None: the bare boto3) executes, interpreter
    start-up and exit left out, counted by valgrind's callgrind: the same on any machine whatever
    its load. None when valgrind is not installed."""
    if shutil.which("valgrind") is None:
        return None
    argv, env = lambda_env.command(target)
    # The child exits right after its import (no teardown counted); the same child importing
    # nothing is the start-up to subtract. A fixed hash seed keeps the count the same run to run.
    env = {**env, "PYTHONHASHSEED": "0"}
    exit_first = "import os; os._exit(0)\ncpu, wall ="
    child = lambda_env.CHILD.replace("cpu, wall =", exit_first)
    if exit_first not in child:
        raise RuntimeError("lambda_env.CHILD no longer times its import as this expects")
    counts = []
    for module in (argv[argv.index(lambda_env.CHILD) + 2], "sys"):
        call = [*argv]
        call[call.index(lambda_env.CHILD)] = child
        call[call.index(child) + 2] = module
        subprocess.run(call, capture_output=True, env=env, check=True)  # noqa: S603 - writes the bytecode first
        with tempfile.TemporaryDirectory(prefix="securityinfo-callgrind-") as tmp:
            out = Path(tmp) / "callgrind.out"
            subprocess.run(  # noqa: S603
                ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *call],  # noqa: S607
                capture_output=True,
                env=env,
                check=True,
            )
            totals = [
                line for line in out.read_text().splitlines() if line.startswith(("summary:", "totals:"))
            ]
        counts.append(int(totals[-1].split()[1]))
    return counts[0] - counts[1]
