"""The headless verbs with --attach URL: the request is journaled on the server (so every
attached console sees it) with the server's callback URL, and --wait follows the server."""

from __future__ import annotations

import pytest

from receiver.config import ReceiverConfig
from receiver.domain.models import Badge, RequestRecord, ResourceType, sequential_ids
from receiver.http.api import ApiTokens, StoreApi
from receiver.http.server import Receiver
from receiver.store.store import Store
from tests.cli.conftest import TOKEN

WRITE = "write-token-0123456789abcdef"
READ = "read-token-0123456789abcdef0"


@pytest.fixture
def server(box, tmp_path):
    """`tendlc receive --serve-api` on the box's loop, verifying with the sandbox's token."""

    async def start():
        store = Store.open(tmp_path / "server")
        receiver = Receiver(
            store, ReceiverConfig(port=0, auth_token=TOKEN), ids=sequential_ids(), inbox=False
        )
        api = StoreApi(store, ApiTokens(WRITE, READ), lambda: receiver.config.callback_url)
        receiver.extra_routes = api.routes()
        await receiver.start()
        return store, receiver

    store, receiver = box.loop.run(start())
    yield store, receiver
    box.loop.run(receiver.stop())
    box.loop.run(store.close())


def test_brand_create_attach_records_on_the_server_and_waits_for_its_callback(
    cli, server, monkeypatch
):
    store, receiver = server
    base = receiver.config.local_base
    monkeypatch.setenv("TENDLC_API_TOKEN", WRITE)
    uuid = cli.profile_uuid("harbor-dental-primary")
    out = cli.json(
        "brand", "create", "--profile-uuid", uuid, "--brand-alias", "remote", "--wait",
        "--attach", base,
    )  # fmt: skip
    assert out["ok"] and out["outcome"][out["brand_id"]]["status"] == "registered", out
    request = store.find_entry(out["request_id"])
    assert isinstance(request, RequestRecord) and request.action == "brand.create"
    assert request.params["url"] == receiver.config.callback_url  # the server's, for Plivo
    assert store.registry.get(ResourceType.BRAND, out["brand_id"]).badge is Badge.REGISTERED
    local = Store.open(cli.db, readonly=True)  # the local store holds none of it
    try:
        assert list(local.journal()) == []
    finally:
        local.close_sync()


def test_attach_with_a_read_token_or_a_wrong_one_records_nothing(cli, server, monkeypatch):
    store, receiver = server
    uuid = cli.profile_uuid("harbor-dental-primary")
    args = ("brand", "create", "--profile-uuid", uuid, "--brand-alias", "x")
    monkeypatch.setenv("TENDLC_API_TOKEN", "wrong-token-0123456789abcdef")
    result = cli(*args, "--attach", receiver.config.local_base)
    assert result.exit_code == 1 and "refused the API token (401)" in result.stderr
    monkeypatch.delenv("TENDLC_API_TOKEN")
    result = cli(*args, "--attach", receiver.config.local_base)
    assert result.exit_code == 2 and "--attach needs TENDLC_API_TOKEN" in result.output
    assert list(store.journal()) == []
    result = cli(*args, "--attach", "ftp://nowhere")
    assert result.exit_code == 2 and "--attach" in result.output
