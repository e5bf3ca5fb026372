"""The snippets `tendlc sandbox` prints, run as printed: Python (plivo SDK), curl, Node (plivo-node)."""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import plivo
import pytest

from sandbox.main import banner
from sandbox.server import Sandbox
from sandbox.snippets import Target, curl_snippet, indent, node_snippet, python_snippet
from sandbox.transport import point_client_at

PLIVO_NODE = "plivo@4.79.0"  # the plivo-node release the sandbox is checked against
AUTH_ID = "MASNIPPETS0123456789"
TOKEN = "SnippetToken_0123456789abcdef0123456789"


@pytest.fixture
async def served() -> AsyncIterator[tuple[Sandbox, Target, str]]:
    """A sandbox holding one brand, its Target, and that brand's id."""
    sb = Sandbox(seed=4, delay=0, auth_id=AUTH_ID, auth_token=TOKEN)
    await sb.start()
    client = plivo.RestClient(AUTH_ID, TOKEN)
    point_client_at(client, sb.base_url)
    profile = sb.world.primary.profile_uuid
    brand = await asyncio.to_thread(client.brand.create, "snippets", "STANDARD", profile)
    await sb.idle()
    yield sb, Target(sb.base_url, AUTH_ID, TOKEN), brand.brand_id
    await sb.stop()


async def run(*argv: str, cwd: Path | None = None) -> str:
    """Run a program without blocking the loop the sandbox serves on; its stdout."""
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    async with asyncio.timeout(120):
        out, err = await proc.communicate()
    assert proc.returncode == 0, f"{argv[0]} failed ({proc.returncode}): {err.decode()}"
    return out.decode()


def test_the_banner_prints_each_snippet_as_tested():
    sb = Sandbox(auth_id=AUTH_ID, auth_token=TOKEN, port=8766)
    text = banner(sb, 2.0, None, False)
    target = Target(sb.base_url, AUTH_ID, TOKEN)
    for snippet in (python_snippet(target), node_snippet(target), curl_snippet(target)):
        assert indent(snippet) in text
    assert "Python (pip install plivo):" in text and "Node (npm install plivo):" in text


async def test_the_python_snippet_runs_with_the_plivo_sdk(served):
    sandbox, target, brand_id = served
    out = await run(sys.executable, "-c", python_snippet(target))
    assert out.strip() == f"1 brand(s): ['{brand_id}']"
    assert "import sandbox" not in python_snippet(target)  # needs plivo only, not tendlc


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed on this machine")
async def test_the_curl_snippet_runs_with_curl(served):
    sandbox, target, brand_id = served
    out = await run(*shlex.split(curl_snippet(target)))
    body = json.loads(out)
    assert [b["brand_id"] for b in body["brands"]] == [brand_id]
    assert body["meta"]["total_count"] == 1


@pytest.fixture(scope="session")
def plivo_node(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with plivo-node installed from the npm registry (skips when it cannot be)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed for the Node snippet test; neither is on PATH")
    where = tmp_path_factory.mktemp("plivo-node")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--no-package-lock", PLIVO_NODE],
            cwd=where, capture_output=True, text=True, timeout=300,
            env={**os.environ, "npm_config_update_notifier": "false"},
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm install {PLIVO_NODE} took over 300 s (is the npm registry reachable?)")
    if done.returncode != 0 or not (where / "node_modules" / "plivo").is_dir():
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        pytest.skip(f"npm install {PLIVO_NODE} failed (registry unreachable?): {' | '.join(tail)}")
    return where


async def test_the_node_snippet_runs_with_plivo_node(served, plivo_node):
    sandbox, target, brand_id = served
    script = plivo_node / "snippet.js"
    script.write_text(node_snippet(target))
    out = await run("node", str(script), cwd=plivo_node)
    body = json.loads(out)
    assert [b["brandId"] for b in body["brands"]] == [brand_id]  # plivo-node camel-cases keys
    assert body["meta"]["totalCount"] == 1
