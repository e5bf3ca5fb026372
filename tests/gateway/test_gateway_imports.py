"""The gateway and the request types import without Textual (the CLI and headless use them)."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
import plivo_client.gateway, plivo_client.types, plivo_client.validation, plivo_client.sdk
from plivo_client.gateway import Gateway, GatewayError
from plivo_client.validation import BrandRequest, CampaignRequest, LinkRequest, parse_numbers
print("textual" in sys.modules)
"""


def test_gateway_and_requests_import_without_textual():
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip().splitlines()[-1] == "False"
