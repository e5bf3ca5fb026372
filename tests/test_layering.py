"""receiver/ and sandbox/ work without a screen; the CLI and gateway import without Textual."""

import subprocess
import sys

import pytest


def _imports_textual(code: str) -> bool:
    probe = code + "\nimport sys\nprint('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1] == "True"


@pytest.mark.parametrize(
    "code",
    [
        "import pkgutil, importlib, receiver\n"
        "for m in pkgutil.iter_modules(receiver.__path__): importlib.import_module('receiver.' + m.name)",
        "import pkgutil, importlib, sandbox\n"
        "for m in pkgutil.iter_modules(sandbox.__path__): importlib.import_module('sandbox.' + m.name)",
        "import tendlc.main",
    ],
    ids=["receiver", "sandbox", "cli"],
)
def test_headless_packages_do_not_import_textual(code):
    assert not _imports_textual(code)
