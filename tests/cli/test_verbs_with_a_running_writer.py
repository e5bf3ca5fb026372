"""A verb run while another process writes the store (the TUI, `tendlc receive`): its requests
are journaled by that process, live, and --wait follows the callbacks it receives."""

from __future__ import annotations

import json
import os

import pytest

from receiver.config import ReceiverConfig
from receiver.domain.models import Change, ResourceType
from receiver.http.inbox import INBOX_NAME
from receiver.http.server import Receiver
from receiver.store.store import Store
from tests.cli.conftest import TOKEN


@pytest.fixture
def writer(cli, box):
    """A receiver writing cli.db on the sandbox's loop, as `tendlc receive` would."""
    seen: list[Change] = []

    async def start():
        store = Store.open(cli.db)
        store.subscribe(seen.append)  # what the TUI's main screen does
        receiver = Receiver(store, ReceiverConfig(port=0, auth_token=TOKEN))
        await receiver.start()
        return store, receiver

    store, receiver = box.loop.run(start())
    yield store, receiver, seen

    async def stop():
        await receiver.stop()
        await store.close()

    box.loop.run(stop())


def test_the_writer_advertises_a_private_inbox_and_removes_it(cli, box, writer):
    store, receiver, _ = writer
    path = cli.db / INBOX_NAME
    doc = json.loads(path.read_text())
    assert doc["url"].startswith("http://127.0.0.1:") and doc["pid"] == os.getpid()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert str(receiver.port) not in doc["url"].rsplit(":", 1)[1]  # not the tunnelled port
    box.loop.run(receiver.stop())
    assert not path.exists()


def test_a_scripts_request_shows_up_live_and_wait_follows_the_callbacks(cli, box, writer):
    store, receiver, seen = writer
    uuid = cli.profile_uuid("harbor-dental-primary")
    out = cli.json("brand", "create", "--profile-uuid", uuid, "--brand-alias", "live", "--wait")
    assert out["ok"] is True, out
    brand_id = out["brand_id"]

    # journaled by the writer process, announced to its subscribers (the TUI)
    requests = [c.request for c in seen if c.request is not None]
    assert [r.id for r in requests] == [out["request_id"]]
    assert requests[0].params["url"] == receiver.config.callback_url  # callbacks come here
    # the callbacks the sandbox sent landed in the same store and settled the brand
    res = store.registry.get(ResourceType.BRAND, brand_id)
    assert res is not None and res.badge.value == "registered"
    assert any(t.cause.value == "callback" for t in res.timeline)


def test_a_rejection_reported_by_callback(cli, box, writer):
    uuid = cli.profile_uuid("harbor-dental-primary")
    result = cli("brand", "create", "--profile-uuid", uuid, "--brand-alias", "reject", "--wait")
    assert result.exit_code == 1
    assert "rejected — code 1101: the US EIN provided is invalid" in result.stdout


def test_without_an_inbox_a_locked_store_is_a_clear_error(cli, box, writer):
    (cli.db / INBOX_NAME).unlink()
    result = cli("brand", "list")
    assert result.exit_code == 1
    assert "in use by another tendlc process" in result.stderr
    assert "does not take requests from scripts" in result.stderr


def test_the_inbox_refuses_a_wrong_token(cli, writer):
    import requests

    doc = json.loads((cli.db / INBOX_NAME).read_text())
    answer = requests.get(doc["url"] + "/info", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert answer.status_code == 401
    answer = requests.post(doc["url"] + "/request", json={}, timeout=5)
    assert answer.status_code == 401


def test_without_credentials_a_verb_uses_the_consoles_sandbox(cli, box, writer):
    from click.testing import CliRunner

    from tendlc.main import main

    store, receiver, seen = writer
    sb = box.sandbox
    receiver.inbox_info = lambda: {
        "sandbox": {"api_url": sb.base_url, "auth_id": sb.auth_id, "auth_token": sb.auth_token}
    }
    box.loop.run(receiver.stop())
    box.loop.run(receiver.start())  # the inbox now advertises the sandbox
    env = {"PLIVO_AUTH_ID": "", "PLIVO_AUTH_TOKEN": "", "TENDLC_DB": str(cli.db)}
    result = CliRunner().invoke(main, ["profile", "list"], env=env)
    assert result.exit_code == 0, result.output
    assert "harbor-dental-primary" in result.stdout
    assert f"using the console's sandbox at {sb.base_url}" in result.stderr


def test_a_verb_waits_for_another_verb_to_let_go_of_the_store(cli, box, monkeypatch):
    from tendlc.verbs import session

    held = Store.open(cli.db)  # another verb, mid-write (no inbox: it is not a writer process)
    waits: list[float] = []

    def other_verb_finishes(seconds: float) -> None:
        waits.append(seconds)
        held.close_sync()

    monkeypatch.setattr(session, "lock_sleep", other_verb_finishes)
    uuid = cli.profile_uuid("harbor-dental-primary")
    result = cli("brand", "create", "--profile-uuid", uuid, "--brand-alias", "patient")
    assert result.exit_code == 0, result.output
    assert waits == [0.05]
    events = cli("events", api=False)
    assert '"action": "brand.create"' in events.stdout  # recorded once the store was free


def test_a_wait_holds_no_lock(cli, box, clock, monkeypatch):
    """While one verb waits, another can record (the store is opened only to write)."""
    from tendlc.verbs import waiting

    box.gate.hold()
    seen: list[int] = []

    def meanwhile(seconds: float) -> None:
        if not seen:
            seen.append(cli("profile", "list").exit_code)
        clock.sleep(seconds)

    monkeypatch.setattr(waiting, "sleep", meanwhile)
    uuid = cli.profile_uuid("harbor-dental-primary")
    result = cli("brand", "create", "--profile-uuid", uuid, "--brand-alias", "w", "--wait",
                 "--timeout", "3")  # fmt: skip
    assert result.exit_code == 1 and "timed out" in result.stderr
    assert seen == [0]
