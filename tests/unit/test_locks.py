"""The lock files: every pin has hashes, the tests run on the runtime lock's versions, and unused
packages stay out of the layer."""

from __future__ import annotations

from importlib import metadata

import pytest

from tests.layer_check import DEV_LOCK, ROOT, RUNTIME_LOCK, pins

LOCKS = [RUNTIME_LOCK, DEV_LOCK, ROOT / "requirements-sam.txt", ROOT / "requirements-checkov.txt"]


@pytest.mark.parametrize(
    "lock", LOCKS, ids=lambda p: p.name if p.parent == ROOT else str(p.relative_to(ROOT))
)
def test_every_pin_carries_a_hash(lock: object) -> None:
    from pathlib import Path

    assert isinstance(lock, Path)
    text = lock.read_text(encoding="utf-8")
    entries = [
        e for e in text.replace("\\\n", " ").splitlines() if "==" in e and not e.lstrip().startswith("#")
    ]
    assert entries
    unhashed = [e.split()[0] for e in entries if "--hash=sha256:" not in e]
    assert not unhashed


def test_the_dev_venv_uses_the_runtime_lock_versions() -> None:
    runtime, dev = pins(RUNTIME_LOCK), pins(DEV_LOCK)
    assert {n: dev.get(n) for n in runtime} == runtime


def test_the_installed_botocore_is_the_locked_one() -> None:
    # What `make build` then checks against the built layer (tests/layer_check.py).
    assert metadata.version("botocore") == pins(RUNTIME_LOCK)["botocore"]


def test_unused_packages_are_not_locked() -> None:
    assert "pyotp" not in pins(RUNTIME_LOCK)  # never imported
    # Every native package of the layer must have an arm64 wheel (sam build takes wheels only).
    assert pins(RUNTIME_LOCK)["cbor2"].split(".")[0] == "5"


def test_the_build_check_finds_a_module_without_bytecode(tmp_path: object) -> None:
    # Lambda cannot cache bytecode in its read-only code directories: `make build` compiles the
    # layer and the functions, and layer_check refuses a build where a module was left out.
    import compileall
    from pathlib import Path

    from tests.layer_check import runtime_version, uncompiled

    assert isinstance(tmp_path, Path)
    layer = tmp_path / "CoreLayer" / "python" / "pkg"
    function = tmp_path / "GetSecurityInfoFunction"
    layer.mkdir(parents=True)
    function.mkdir()
    (layer / "__init__.py").write_text("")
    (function / "app.py").write_text("import pkg\n")
    assert [p.name for p in uncompiled(tmp_path)] == ["__init__.py", "app.py"]
    assert compileall.compile_dir(layer.parent, quiet=1)
    assert [p.name for p in uncompiled(tmp_path)] == ["app.py"]
    assert compileall.compile_dir(function, quiet=1)
    assert uncompiled(tmp_path) == []
    assert runtime_version() == "3.11"
