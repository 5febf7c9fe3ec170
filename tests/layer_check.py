"""After ``sam build``: the built layer holds exactly the packages of the runtime lock, and its
botocore is the one installed in the test venv (``python -m tests.layer_check <layer python dir>``).
A layer whose botocore differs from the tested one runs code the tests never saw."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "layers" / "core" / "requirements.txt"
DEV_LOCK = ROOT / "requirements-dev.txt"
_PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)", re.M)


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


def problems(layer_python: Path) -> list[str]:
    locked = pins(RUNTIME_LOCK)
    built = built_packages(layer_python)
    out = [f"{n}: built {built.get(n)}, locked {v}" for n, v in sorted(locked.items()) if built.get(n) != v]
    out += [f"{n}: in the layer but not in the lock" for n in sorted(set(built) - set(locked))]
    tested = metadata.version("botocore")
    if built.get("botocore") != tested:
        out.append(f"botocore: the layer has {built.get('botocore')}, the tests ran with {tested}")
    return out


def main() -> int:
    layer_python = Path(sys.argv[1])
    found = problems(layer_python)
    for line in found:
        print(f"layer check: {line}", file=sys.stderr)
    if not found:
        print(
            f"layer check: {layer_python} matches {RUNTIME_LOCK.relative_to(ROOT)} "
            f"(botocore {metadata.version('botocore')})"
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
