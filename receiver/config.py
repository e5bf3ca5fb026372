"""Settings shared by the receiver, the headless commands and the TUI (DESIGN.md "The command line")."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
DEFAULT_CALLBACK_PATH = "/tendlc_status/"
MAX_BODY_BYTES = 64 * 1024
READ_TIMEOUT = 10.0  # seconds from a request's first byte to its last (headers and body)
IDLE_TIMEOUT = 15.0  # seconds a kept-alive connection may wait for its next request
MAX_CONNECTIONS = 512  # open at once; more are answered 503 and closed
LOAD_WAIT = 20.0  # seconds a callback may wait for a store that is still opening


def default_db_path() -> Path:
    """`TENDLC_DB`, else the platform's user data dir (platformdirs)."""
    env = os.environ.get("TENDLC_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("tendlc", appauthor=False) / "store"


def normalise_callback_path(path: str) -> str:
    path = "/" + path.strip("/")
    return path if path == "/" else path + "/"


@dataclass(frozen=True, slots=True)
class ReceiverConfig:
    """Where the receiver listens, what URL Plivo calls, and the tokens that sign callbacks."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    callback_path: str = DEFAULT_CALLBACK_PATH
    public_url: str | None = None  # base Plivo reaches, e.g. https://abc.trycloudflare.com
    auth_token: str | None = None
    main_auth_token: str | None = None
    max_body: int = MAX_BODY_BYTES
    read_timeout: float = READ_TIMEOUT
    idle_timeout: float = IDLE_TIMEOUT
    max_connections: int = MAX_CONNECTIONS
    load_wait: float = LOAD_WAIT

    def __repr__(self) -> str:  # never show tokens
        return (
            f"ReceiverConfig(host={self.host!r}, port={self.port!r}, "
            f"callback_path={self.callback_path!r}, public_url={self.public_url!r}, "
            f"auth_token={'set' if self.auth_token else None}, "
            f"main_auth_token={'set' if self.main_auth_token else None})"
        )

    @property
    def local_base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def public_base(self) -> str:
        return (self.public_url or self.local_base).rstrip("/")

    @property
    def callback_url(self) -> str:
        """The URL handed to Plivo as `url` on every request."""
        return self.public_base + normalise_callback_path(self.callback_path)

    @property
    def local_callback_url(self) -> str:
        return self.local_base + normalise_callback_path(self.callback_path)

    @classmethod
    def tokens_from_env(cls) -> tuple[str | None, str | None]:
        return (
            os.environ.get("PLIVO_AUTH_TOKEN") or None,
            os.environ.get("PLIVO_MAIN_AUTH_TOKEN") or None,
        )
