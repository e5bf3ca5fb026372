"""plivo-node, installed from the npm registry, runs Plivo's Node examples against the sandbox.

The SDK is installed once per test session into a temporary directory (`npm install
plivo@4.79.0`, ~5 s). The test is skipped only when node is missing or the npm registry cannot
be reached, and says which. The script (`node_docs_examples.js`) talks to the sandbox over
loopback only; the sandbox keeps serving on this test's event loop while node runs.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from sandbox.server import Sandbox

PLIVO_NODE = "plivo@4.79.0"
SCRIPT = Path(__file__).with_name("node_docs_examples.js")
OFFLINE = ("ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNREFUSED", "ECONNRESET", "ENETUNREACH")


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.skip("node/npm are not installed: the plivo-node check needs Node.js")
    prefix = tmp_path_factory.mktemp("plivo-node")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix",
             str(prefix), PLIVO_NODE],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        pytest.skip(f"npm registry unreachable: `npm install {PLIVO_NODE}` timed out")
    if done.returncode != 0:
        if any(code in done.stderr for code in OFFLINE):
            pytest.skip(f"npm registry unreachable: {done.stderr.strip()[-300:]}")
        pytest.fail(f"npm install {PLIVO_NODE} failed:\n{done.stderr}")
    return prefix / "node_modules"


@pytest.fixture
async def box() -> AsyncIterator[Sandbox]:
    sb = Sandbox(
        seed=4, delay=0, auth_id="MANODEDOCSEXAMPLE004", auth_token="node-token",
        retry_scale=0, preregistered=True,
    )  # fmt: skip
    await sb.start()
    yield sb
    await sb.stop()


async def test_plivo_node_runs_the_docs_examples(box: Sandbox, node_modules: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", ""),
        "NODE_PATH": str(node_modules),
        "SANDBOX_URL": box.base_url,
        "AUTH_ID": box.auth_id,
        "AUTH_TOKEN": box.auth_token,
        "CALLBACK": "http://127.0.0.1:9/tendlc_status/",  # loopback; nobody listens
    }
    proc = await asyncio.create_subprocess_exec(
        "node", str(SCRIPT), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    stdout, stderr = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 0, stderr.decode()
    out = json.loads(stdout.decode().strip().splitlines()[-1])

    assert out["profile_dba"] == "Test DBA" and out["profile_updated"] == "google"
    assert "Test Profile" in out["profile_aliases"]
    assert out["brand_message"] == "Request to create brand was received and is being processed."
    assert out["brand"]["status"] == "COMPLETED" and out["brand"]["vetting"] == "ACTIVE"
    assert out["brand_count"] == 3 and out["standard_brands"] == 2  # with the preregistered one
    assert "2FA" in out["usecases"] and out["starter_usecases"] == ["Starter"]
    assert out["otp"].startswith("Message sent to XXXXXXX") and out["otp"].endswith("registration.")
    assert out["campaign_message"].startswith("Request to create campaign was received")
    assert out["misaligned_create"]["error"] == "message_flow is required"
    # plivo-node sends sample3 as sample_3 (lodash snakeCase): ignored, as on a real create
    assert out["campaign"] == {"status": "ACTIVE", "sample3": None}
    assert out["campaigns_plivo"] == 2 and out["imported"] == "C1234567"
    assert out["link_message"].startswith("Request to link 14845007032, 14845551234 to campaign")
    assert out["not_owned"]["error"] == "The number 14155550123 does not belong to your account"
    assert out["linked"] == [["14845007032", "COMPLETED"], ["14845551234", "COMPLETED"]]
    assert out["one"] == "COMPLETED" and out["unlink_message"].startswith("Request to unlink")
    assert ["14845551234", "COMPLETED"] in out["rented"] and out["rented_one"]
    assert out["updated"] == {
        "status": "FAILED",
        "sample2": "sample1 should be 20 minimum character",  # the test's arguments, in order
    }
    assert out["deleted_campaign"] == "Campaign Deactivated"
    assert "active campaigns" in out["deleted_brand"]["error"]
