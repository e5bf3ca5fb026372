"""What `tendlc sandbox` prints to point Python, Node and curl at it: each a runnable 10DLC call.

Every snippet lists the account's brands (`GET 10dlc/Brand/`), which works on any sandbox
and any number of times; tests run each one against a live sandbox (tests/snippets/).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Target:
    """Where the sandbox listens and the credentials it accepts."""

    base_url: str  # e.g. http://127.0.0.1:8766
    auth_id: str
    auth_token: str

    @property
    def account_url(self) -> str:
        return f"{self.base_url}/v1/Account/{self.auth_id}"


def python_snippet(t: Target) -> str:
    """plivo-python: the SDK ignores a changed base_uri, so mount a requests adapter instead."""
    return f'''import plivo
from requests.adapters import HTTPAdapter


class ToSandbox(HTTPAdapter):
    """Send what the SDK addresses to https://api.plivo.com to the sandbox."""

    def send(self, request, **kwargs):
        request.url = request.url.replace("https://api.plivo.com", "{t.base_url}", 1)
        return super().send(request, **kwargs)


client = plivo.RestClient("{t.auth_id}", "{t.auth_token}")
client.session.mount("https://api.plivo.com/", ToSandbox())
brands = client.brand.list(limit=20)
print(brands.meta.total_count, "brand(s):", [b.brand_id for b in brands.brands])'''


def node_snippet(t: Target) -> str:
    """plivo-node: its client takes the account URL as the `url` option."""
    return f'''const plivo = require("plivo");

const client = new plivo.Client("{t.auth_id}", "{t.auth_token}", {{
  url: "{t.account_url}",
}});
client.brand.list({{ limit: 20 }}).then(
  (brands) => console.log(JSON.stringify(brands)),
  (err) => {{ console.error(err); process.exitCode = 1; }},
);'''


def curl_snippet(t: Target) -> str:
    """curl: HTTP Basic with the auth id and token; Plivo's paths end in a slash."""
    return f'curl -sS -u "{t.auth_id}:{t.auth_token}" "{t.account_url}/10dlc/Brand/?limit=20"'


def indent(text: str, by: str = "    ") -> str:
    return "\n".join(by + line if line else line for line in text.splitlines())


def snippets(t: Target) -> str:
    """The three snippets, titled and indented, as the banner shows them."""
    return "\n\n".join(
        [
            "Python (pip install plivo):",
            indent(python_snippet(t)),
            "Node (npm install plivo):",
            indent(node_snippet(t)),
            "curl:",
            indent(curl_snippet(t)),
        ]
    )
