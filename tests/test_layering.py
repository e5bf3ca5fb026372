"""receiver/, sandbox/ and plivo_client/ work without a screen; the CLI imports without Textual.

The static contracts live in pyproject.toml ([tool.importlinter], run by `lint-imports` in
.ci/run); this test checks what importing each package actually loads.
"""

import subprocess
import sys

import pytest


def _imports_textual(code: str) -> bool:
    probe = code + "\nimport sys\nprint('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1] == "True"


def _every_module_of(package: str, but: str = "") -> str:
    return (
        f"import pkgutil, importlib, {package}\n"
        f"for m in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        f"    if m.name != {but!r}: importlib.import_module(m.name)"
    )


@pytest.mark.parametrize(
    "code",
    [
        _every_module_of("receiver"),
        _every_module_of("sandbox"),
        _every_module_of("plivo_client"),
        _every_module_of("tendlc", but="tendlc.__main__"),  # __main__ would run the CLI
    ],
    ids=["receiver", "sandbox", "plivo_client", "cli"],
)
def test_headless_packages_do_not_import_textual(code):
    assert not _imports_textual(code)


def test_every_module_is_walked():
    """The walk reaches subpackages (receiver.store, receiver.domain, receiver.tunnels)."""
    probe = (
        _every_module_of("receiver")
        + "\nimport sys\nprint('receiver.store.journal' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True"
