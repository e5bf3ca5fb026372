"""The README's plivo SDK example under `tendlc sandbox`, run as written: the two commands'
credentials, the Python block's, and its callback reaching a receiver that verifies it."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import shlex
from pathlib import Path

from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, ResourceType
from receiver.http.server import Receiver
from receiver.store.store import Store
from sandbox.server import Sandbox

README = Path(__file__).resolve().parents[2] / "README.md"
DEADLINE = 20.0


def example() -> tuple[dict[str, str], str, str]:
    """The sandbox command's options, the receiver command's token, the Python block."""
    text = README.read_text()
    start = text.index("Inside tendlc's own environment")
    section = text[start : text.index("(Setting `client.base_uri`", start)]
    sandbox_line = next(ln for ln in section.splitlines() if "tendlc sandbox --" in ln)
    words = shlex.split(sandbox_line)
    options = {w: words[i + 1] for i, w in enumerate(words) if w.startswith("--")}
    token = re.search(r"PLIVO_AUTH_TOKEN=(\S+) tendlc receive", section).group(1)
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    return options, token, code


async def test_the_readme_sdk_example_runs_as_written_and_its_callbacks_verify(tmp_path):
    options, token, code = example()
    assert token == options["--auth-token"]  # the receiver checks with the sandbox's token
    assert f'RestClient("{options["--auth-id"]}", "{token}")' in code
    sandbox = Sandbox(
        auth_id=options["--auth-id"], auth_token=token, delay=0, retry_scale=0,
        preregistered=True, seed=3,
    )  # fmt: skip
    store = Store.open(tmp_path / "db")
    receiver = Receiver(store, ReceiverConfig(port=0, auth_token=token))
    await sandbox.start()
    await receiver.start()
    try:  # the README's ports, 8766 and 8765, are the ones these bound
        code = code.replace("127.0.0.1:8766", f"127.0.0.1:{sandbox.port}")
        code = code.replace("127.0.0.1:8765", f"127.0.0.1:{receiver.port}")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            await asyncio.to_thread(exec, compile(code, "README.md", "exec"), {})
        assert out.getvalue().strip() in ("PROCESSING", "COMPLETED")
        await sandbox.idle()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while not [
            b for b in store.registry.all(ResourceType.BRAND) if b.badge is Badge.REGISTERED
        ]:
            assert loop.time() < deadline, "the brand's callbacks never arrived"
            await asyncio.sleep(0.02)
        callbacks = [e for e in store.journal() if getattr(e, "verified", None) is not None]
        assert callbacks and all(e.verified for e in callbacks)
    finally:
        await receiver.stop()
        await sandbox.stop()
        await store.close()
