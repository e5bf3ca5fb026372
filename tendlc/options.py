"""The options the `tendlc` commands share (db, receiver, tunnel, forwarding, attach), and
the receiver settings and exposure checks they lead to."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from receiver.config import (
    DEFAULT_CALLBACK_PATH,
    DEFAULT_HOST,
    DEFAULT_PORT,
    ReceiverConfig,
)

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LazyGroup(click.Group):
    """A group whose verb groups are imported only when named (click's documented pattern for
    lazily loaded subcommands): `tendlc status` does not import the SDK the verbs need."""

    def __init__(self, *args: Any, lazy_subcommands: dict[str, str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}  # name -> "module:attribute"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_subcommands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.lazy_subcommands.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = target.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        self.add_command(command, cmd_name)  # loaded once
        del self.lazy_subcommands[cmd_name]
        return command


def db_option(f):
    return click.option(
        "--db",
        "db",
        type=click.Path(path_type=Path),
        default=None,
        help="Store directory (default: $TENDLC_DB or the user data dir).",
    )(f)


def receiver_options(f):
    f = click.option(
        "--host", default=DEFAULT_HOST, show_default=True, help="Address the receiver binds."
    )(f)
    f = click.option(
        "--port",
        type=click.IntRange(0, 65535),
        default=DEFAULT_PORT,
        show_default=True,
        help="Receiver port (0 = any free port).",
    )(f)
    f = click.option(
        "--public-url",
        default=None,
        help="Base URL Plivo calls (default: the tunnel's URL, else http://HOST:PORT).",
    )(f)
    f = click.option(
        "--callback-path",
        default=DEFAULT_CALLBACK_PATH,
        show_default=True,
        help="Path the receiver serves callbacks on.",
    )(f)
    return f


def tunnel_option(f):
    return click.option(
        "--tunnel",
        type=click.Choice(["none", "ngrok", "cloudflared"]),
        default="none",
        show_default=True,
        help="Start a tunnel so Plivo can reach the receiver.",
    )(f)


def _forward_target(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]):
    for url in value:
        if not url.startswith(("http://", "https://")):
            raise click.BadParameter(f"{url!r} is not an http:// or https:// URL")
    return value


def attach_option(f):
    return click.option(
        "--attach",
        metavar="URL",
        default=None,
        help="Read a `tendlc receive --serve-api` server instead of the local store "
        "(token from TENDLC_API_TOKEN or TENDLC_API_READ_TOKEN).",
    )(f)


def forward_options(f):
    f = click.option(
        "--forward-retry-scale",
        type=click.FloatRange(min=0.0),
        default=1.0,
        show_default=True,
        help="Multiply Plivo's retry schedule (+60/+120/+240 s) for forwards, e.g. 0.01.",
    )(f)
    return click.option(
        "--forward-to",
        "forward_to",
        multiple=True,
        metavar="URL",
        callback=_forward_target,
        help="After each accepted callback is stored and acknowledged, send it to URL too, "
        "freshly signed for URL (repeatable).",
    )(f)


def receiver_config(
    host: str, port: int, public_url: str | None, callback_path: str
) -> ReceiverConfig:
    token, main_token = ReceiverConfig.tokens_from_env()
    if public_url and not public_url.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://", param_hint="--public-url")
    return ReceiverConfig(
        host=host,
        port=port,
        callback_path=callback_path,
        public_url=public_url,
        auth_token=token,
        main_auth_token=main_token,
    )


UNSIGNED_REFUSAL = (
    "no PLIVO_AUTH_TOKEN set, and the receiver would be reachable from the internet "
    "({why}): anyone who finds the URL could change what tendlc shows. Set PLIVO_AUTH_TOKEN "
    "(and PLIVO_MAIN_AUTH_TOKEN for subaccounts), or pass --accept-unsigned to accept "
    "unsigned callbacks anyway"
)


def exposure(host: str, public_url: str | None, tunnel: str) -> str | None:
    """Why a receiver would be reachable from outside this machine, or None when it is not."""
    from receiver.http.server import is_loopback

    if tunnel != "none":
        return f"--tunnel {tunnel}"
    if public_url:
        return f"--public-url {public_url}"
    if not is_loopback(host):
        return f"--host {host}"
    return None
