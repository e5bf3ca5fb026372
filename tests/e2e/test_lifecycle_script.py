"""examples/lifecycle.sh end to end against `tendlc sandbox` on loopback, and the README's copy of
it kept in step with the file."""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "lifecycle.sh"
README = ROOT / "README.md"
AUTH_ID = "MAZZYYXXWWVVUU123456"
TOKEN = "LifecycleToken_0123456789abcdef"
GUARD = 120.0  # seconds: a hang guard, never reached when things work


def base_url_of(proc: subprocess.Popen[str]) -> str:
    """The base URL the sandbox prints on stdout once it listens (port 0: any free port).

    Lines are read on a thread: the banner arrives in one write, so a `select` on the pipe
    after the first `readline` would find the rest already in Python's buffer and wait for
    nothing."""
    assert proc.stdout is not None
    lines: queue.Queue[str] = queue.Queue()
    stdout = proc.stdout

    def pump() -> None:
        for line in stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + GUARD
    seen = ""
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if not line:
            break
        seen += line
        found = re.search(r"base URL\s+(http://127\.0\.0\.1:\d+)", line)
        if found:
            return found.group(1)
    raise AssertionError(f"the sandbox never said where it listens:\n{seen}")


@pytest.fixture
def sandbox() -> Iterator[str]:
    """`tendlc sandbox` on 127.0.0.1, a free port, fixed ids, no delay; yields its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tendlc", "sandbox", "--port", "0", "--seed", "7",
         "--delay", "0", "--auth-id", AUTH_ID, "--auth-token", TOKEN],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        yield base_url_of(proc)
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.skipif(shutil.which("jq") is None, reason="the script needs jq")
def test_the_lifecycle_script_runs_end_to_end(sandbox: str, tmp_path: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)  # this environment's `tendlc`
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PLIVO_AUTH_ID": AUTH_ID,
        "PLIVO_AUTH_TOKEN": TOKEN,
        "TENDLC_API_URL": sandbox,
        "TENDLC_DB": str(tmp_path / "store"),
    }
    env.pop("PLIVO_MAIN_AUTH_TOKEN", None)
    done = subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=GUARD
    )
    out, err = done.stdout, done.stderr
    assert done.returncode == 0, f"exit {done.returncode}\n{out}\n{err}"
    assert "profile_alias: acme-retail" in out
    assert "rejected — code 1004" in out  # the campaign was rejected...
    assert re.search(r"^C\w+: registered$", out, re.M)  # ...then fixed and resubmitted
    linked = re.findall(r"^(\d{11}): linked$", out, re.M)
    assert len(linked) == 3  # three free numbers from the inventory
    assert "14155550000: failed" in out and "(one link failed, as asked)" in out
    assert f"{linked[0]}: unlinked" in out
    for line in ("campaign C", "brand B", "profile "):
        assert re.search(rf"^{line}\S* (deactivated|deleted)$", out, re.M), line
    # The store recorded what the script did, as the console would show it.
    status = dict(re.findall(r"^(number \d+) (\w+)$", out, re.M))
    assert status[f"number {linked[0]}"] == "unlinked"
    kept = re.findall(r"^(brand|campaign) \w+ (\w+)$", out, re.M)[-2:]  # tendlc status
    assert kept == [("brand", "deleted"), ("campaign", "deleted")]


def test_the_readme_shows_the_script_as_it_is() -> None:
    text = README.read_text()
    section = text.split("### The whole lifecycle as a script", 1)[1]
    found = re.search(r"```bash\n(.*?)```", section, re.S)
    assert found, "the README lost the script"
    assert found.group(1) == SCRIPT.read_text()
