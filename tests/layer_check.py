"""After ``sam build``: the built layer holds exactly the packages of the runtime lock, and its
botocore is the one installed in the test venv (``python -m tests.layer_check <layer python dir>``).
A layer whose botocore differs from the tested one runs code the tests never saw.

Every module of the layer and of the functions beside it also has its bytecode for the runtime's
Python (``make build`` compiles them): Lambda's code directories are read-only, so a module without
it is compiled again at every cold start."""

from __future__ import annotations

import importlib.util
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "layers" / "core" / "requirements.txt"
DEV_LOCK = ROOT / "requirements-dev.txt"
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", re.M)
TEMPLATE = ROOT / "template.yaml"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: Path) -> dict[str, str]:
    """Package -> version of a pip-compile lock file."""
    return {canonical(name): version for name, version in _PIN.findall(lock.read_text(encoding="utf-8"))}


def built_packages(layer_python: Path) -> dict[str, str]:
    """Package -> version of what ``sam build`` put into the layer (its dist-info folders)."""
    found = {}
    for dist in metadata.distributions(path=[str(layer_python)]):
        found[canonical(dist.metadata["Name"])] = dist.version
    return found


def runtime_version() -> str:
    """The functions' Python ("3.11"), from the template's Globals."""
    found = re.search(r"^\s+Runtime:\s*python(3\.\d+)\s*$", TEMPLATE.read_text(encoding="utf-8"), re.M)
    if found is None:
        raise SystemExit("layer check: no python Runtime in template.yaml")
    return found.group(1)


def uncompiled(build_dir: Path) -> list[Path]:
    """The modules under ``build_dir`` without bytecode for this interpreter (run with the runtime's
    version, so that is the runtime's bytecode)."""
    return [
        source
        for source in sorted(build_dir.rglob("*.py"))
        if not Path(importlib.util.cache_from_source(str(source))).is_file()
    ]


def problems(layer_python: Path) -> list[str]:
    locked = pins(RUNTIME_LOCK)
    built = built_packages(layer_python)
    out = [f"{n}: built {built.get(n)}, locked {v}" for n, v in sorted(locked.items()) if built.get(n) != v]
    out += [f"{n}: in the layer but not in the lock" for n in sorted(set(built) - set(locked))]
    tested = metadata.version("botocore")
    if built.get("botocore") != tested:
        out.append(f"botocore: the layer has {built.get('botocore')}, the tests ran with {tested}")
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    if version != runtime_version():
        out.append(f"bytecode: checked with Python {version}, the functions run {runtime_version()}")
    build_dir = layer_python.parent.parent  # .aws-sam/build: the layer and every function
    missing = uncompiled(build_dir)
    if missing:
        shown = ", ".join(str(p.relative_to(build_dir)) for p in missing[:3])
        out.append(f"bytecode: {len(missing)} modules have none ({shown}...): run make build")
    return out


def main() -> int:
    layer_python = Path(sys.argv[1])
    found = problems(layer_python)
    for line in found:
        print(f"layer check: {line}", file=sys.stderr)
    if not found:
        print(
            f"layer check: {layer_python} matches {RUNTIME_LOCK.relative_to(ROOT)} "
            f"(botocore {metadata.version('botocore')}); every module has its bytecode"
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
