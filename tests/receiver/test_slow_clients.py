"""Slow clients (issue 9 finding 9): half-sent headers, trickled bodies and idle connections are
closed at their deadline; over the cap, the oldest connection without a request makes room, or
the new one is refused when all are busy; and real callbacks still land."""

import asyncio
import contextlib
from urllib.parse import urlencode

import pytest

from receiver.config import ReceiverConfig
from receiver.domain.models import sequential_ids
from receiver.http.connguard import ConnectionGuard
from receiver.http.server import Receiver, make_app
from receiver.signature import signature_headers
from receiver.store.store import Store

TOKEN = "SubAcctToken_0123456789abcdef"
PATH = "/tendlc_status/"
DEADLINE = 10.0  # seconds a test waits for something before it fails (never reached when it works)
HALF_HEADERS = b"POST /tendlc_status/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl"


@pytest.fixture
async def store(tmp_path):
    store = Store.open(tmp_path / "db")
    yield store
    await store.close()


@contextlib.asynccontextmanager
async def serving(store, *, evict_after: float = 0.0, **options):
    options.setdefault("read_timeout", 0.2)
    options.setdefault("max_connections", 4)
    cfg = ReceiverConfig(port=0, auth_token=TOKEN, **options)
    guard = ConnectionGuard(cfg.max_connections, cfg.read_timeout, evict_after=evict_after)
    receiver = Receiver(store, cfg, ids=sequential_ids("ev"), guard=guard)
    await receiver.start()
    try:
        yield receiver
    finally:
        await receiver.stop()


def callback_bytes(receiver: Receiver, brand: str) -> bytes:
    """One signed brand callback as raw HTTP/1.1 bytes (kept alive)."""
    params = {"brand_id": brand, "event": "brand", "status": "registered"}
    headers = signature_headers("POST", receiver.config.callback_url, params, TOKEN)
    body = urlencode(params).encode()
    headers |= {
        "Host": f"127.0.0.1:{receiver.port}",
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(len(body)),
    }
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return f"POST {PATH} HTTP/1.1\r\n{head}\r\n".encode() + body


async def connect(receiver: Receiver) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", receiver.port)


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """One HTTP response: status, headers (lower-cased names), body."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), DEADLINE)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = dict(line.split(": ", 1) for line in lines[1:] if line)
    headers = {k.lower(): v for k, v in headers.items()}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers, body


async def closed_with(reader: asyncio.StreamReader) -> bytes:
    """Everything the server sends until it closes the connection (fails if it never does)."""
    return await asyncio.wait_for(reader.read(), DEADLINE)


async def wait_until(predicate, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not predicate():
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.01)


async def test_half_sent_headers_are_answered_408_and_closed(store):
    async with serving(store) as receiver:
        reader, writer = await connect(receiver)
        writer.write(HALF_HEADERS)
        answer = await closed_with(reader)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
        assert b"Connection: close" in answer
        assert receiver.guard.timed_out == 1
        await wait_until(lambda: receiver.guard.open == 0, "the connection to be released")


async def test_headers_trickled_byte_by_byte_are_cut_at_the_deadline_from_the_first_byte(store):
    async with serving(store) as receiver:
        reader, writer = await connect(receiver)
        sent, answer = 0, b""
        while not answer and sent < 10_000:
            # The attacker's pace: one byte per 20 ms, each well inside any per-read timeout.
            writer.write(HALF_HEADERS[sent % len(HALF_HEADERS) : sent % len(HALF_HEADERS) + 1])
            sent += 1
            with contextlib.suppress(TimeoutError):
                answer = await asyncio.wait_for(reader.read(1), 0.02)
        assert answer, "the connection stayed open"
        assert (answer + await closed_with(reader)).startswith(b"HTTP/1.1 408")
        assert receiver.guard.timed_out == 1


async def test_a_trickled_body_is_cut_with_408(store):
    async with serving(store) as receiver:
        reader, writer = await connect(receiver)
        whole = callback_bytes(receiver, "B1")
        writer.write(whole[:-5])  # headers and most of the body; the last bytes never come
        status, headers, body = await read_response(reader)
        assert (status, body) == (408, b"body not complete within 0.2 s\n")
        assert headers["connection"] == "close"
        assert await closed_with(reader) == b""
    assert list(store.journal()) == []


async def test_the_body_deadline_holds_without_the_guard_too(store, aiohttp_server):
    """read_limited is bounded in time on any server (here aiohttp's own test server)."""
    receiver = Receiver(store, ReceiverConfig(auth_token=TOKEN, read_timeout=0.2))
    server = await aiohttp_server(make_app(receiver))
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    receiver.set_public_url(f"http://127.0.0.1:{server.port}")
    receiver.port = server.port
    writer.write(callback_bytes(receiver, "B1")[:-5])
    status, _, body = await read_response(reader)
    assert (status, body) == (408, b"body not complete within 0.2 s\n")
    writer.close()


async def test_an_idle_kept_alive_connection_is_closed(store):
    async with serving(store, idle_timeout=0.2) as receiver:
        reader, writer = await connect(receiver)
        writer.write(callback_bytes(receiver, "B1"))
        status, headers, body = await read_response(reader)
        assert (status, body) == (200, b"ok\n") and headers.get("connection") != "close"
        assert await closed_with(reader) == b""  # nothing more sent: closed after idle_timeout
        assert receiver.guard.timed_out == 0
    assert [e.brand_id for e in store.journal()] == ["B1"]


async def test_a_kept_alive_connection_serves_request_after_request(store):
    async with serving(store) as receiver:
        reader, writer = await connect(receiver)
        for n in range(3):
            writer.write(callback_bytes(receiver, f"B{n}"))
            assert (await read_response(reader))[0] == 200
        writer.close()
    assert [e.brand_id for e in store.journal()] == ["B0", "B1", "B2"]


async def test_over_the_cap_the_oldest_slow_connection_makes_room_for_a_callback(store):
    async with serving(store, read_timeout=DEADLINE * 2) as receiver:  # no deadline cuts here
        slow = []
        for _ in range(4):  # the cap: four half-sent requests
            slow.append(await connect(receiver))
            slow[-1][1].write(HALF_HEADERS)
            await wait_until(lambda: receiver.guard.stats()["open"] == len(slow), "admission")
        await wait_until(lambda: receiver.guard.stats()["reading"] == 4, "four mid-request")

        reader, writer = await connect(receiver)  # a real callback: the oldest slow one goes
        writer.write(callback_bytes(receiver, "B1"))
        assert (await read_response(reader))[0] == 200
        oldest = await closed_with(slow[0][0])
        assert oldest.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        assert b"Retry-After: 20\r\n" in oldest
        writer.write(callback_bytes(receiver, "B2"))  # its kept-alive connection goes on
        assert (await read_response(reader))[0] == 200
        stats = receiver.guard.stats()
        assert (stats["open"], stats["evicted"], stats["refused"]) == (4, 1, 0)
        for w in (writer, *(w for _, w in slow)):
            w.close()
    assert [e.brand_id for e in store.journal()] == ["B1", "B2"]


async def test_connections_younger_than_evict_after_keep_their_slot(store):
    async with serving(store, read_timeout=DEADLINE * 2, evict_after=DEADLINE * 2) as receiver:
        slow = [await connect(receiver) for _ in range(4)]
        for _, writer in slow:
            writer.write(HALF_HEADERS)
        await wait_until(lambda: receiver.guard.stats()["reading"] == 4, "four mid-request")
        reader, writer = await connect(receiver)
        writer.write(callback_bytes(receiver, "B1"))
        status, headers, _ = await read_response(reader)
        assert (status, headers["retry-after"]) == (503, "20")
        assert (receiver.guard.refused, receiver.guard.evicted, receiver.guard.open) == (1, 0, 4)
        for w in (writer, *(w for _, w in slow)):
            w.close()
    assert list(store.journal()) == []


class HeldStore:
    """The real store, with every record held until `gate` opens (slots busy in handlers)."""

    def __init__(self, store: Store) -> None:
        self._store, self.gate, self.held = store, asyncio.Event(), 0
        self.nonces = store.nonces

    async def record_callback(self, event, **kwargs):
        self.held += 1
        await self.gate.wait()
        return await self._store.record_callback(event, **kwargs)


async def test_when_every_slot_is_in_a_handler_a_new_connection_is_refused_unread(store):
    held = HeldStore(store)
    async with serving(held) as receiver:
        busy = [await connect(receiver) for _ in range(4)]
        for n, (_, writer) in enumerate(busy):
            writer.write(callback_bytes(receiver, f"B{n}"))
        await wait_until(lambda: held.held == 4, "four callbacks in their handlers")

        reader, writer = await connect(receiver)
        writer.write(callback_bytes(receiver, "B9"))
        status, headers, body = await read_response(reader)
        assert (status, headers["retry-after"]) == (503, "1")
        assert body == b"too many open connections (4); retry later\n"
        assert await closed_with(reader) == b""
        assert (receiver.guard.refused, receiver.guard.evicted) == (1, 0)

        held.gate.set()  # the held callbacks finish: each is acknowledged
        for busy_reader, _ in busy:
            assert (await read_response(busy_reader))[0] == 200
        reader, writer = await connect(receiver)  # and the refused one, retried, lands
        writer.write(callback_bytes(receiver, "B9"))
        assert (await read_response(reader))[0] == 200
        for w in (writer, *(w for _, w in busy)):
            w.close()
    assert sorted(e.brand_id for e in store.journal()) == ["B0", "B1", "B2", "B3", "B9"]


async def test_slow_connections_are_cut_at_their_deadline_and_the_port_serves_again(store):
    async with serving(store) as receiver:
        slow = [await connect(receiver) for _ in range(4)]
        for _, writer in slow:
            writer.write(HALF_HEADERS)
        for slow_reader, _ in slow:
            assert (await closed_with(slow_reader)).startswith(b"HTTP/1.1 408")
        await wait_until(lambda: receiver.guard.open == 0, "the slow connections to go")
        reader, writer = await connect(receiver)
        writer.write(callback_bytes(receiver, "B1"))
        assert (await read_response(reader))[0] == 200
        assert (receiver.guard.timed_out, receiver.guard.peak) == (4, 4)
        for w in (writer, *(w for _, w in slow)):
            w.close()
    assert [e.brand_id for e in store.journal()] == ["B1"]


async def test_healthz_reports_the_connection_counts(store):
    async with serving(store) as receiver:
        reader, writer = await connect(receiver)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status, _, body = await read_response(reader)
        writer.close()
    assert status == 200
    assert (
        b'"connections": {"open": 1, "reading": 0, "handling": 1, "peak": 1, "max": 4, "refused": 0, "evicted": 0, "timed_out": 0}'
        in body
    )


@pytest.mark.parametrize("bad", [{"max_connections": 0}, {"read_timeout": 0}, {"evict_after": -1}])
def test_the_guard_refuses_limits_that_would_refuse_everything(bad):
    with pytest.raises(ValueError):
        ConnectionGuard(**bad)
