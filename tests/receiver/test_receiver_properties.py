"""Property tests: the parser and the HTTP handler with arbitrary bodies, headers and methods."""

import asyncio
import logging
from urllib.parse import quote

import pytest
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.test_utils import TestClient, TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from receiver.config import ReceiverConfig
from receiver.http.server import Receiver, make_app
from receiver.parse import ParseError, classify, decode_text, keep_headers, parse_body
from receiver.refused import raw_body
from receiver.signature import SIGNATURE_HEADERS, signature_headers
from receiver.store.store import Store

TOKEN = "SubAcctToken_0123456789abcdef"
PATH = "/tendlc_status/"
SETTINGS = settings(  # derandomized: the same examples every run
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

CONTENT_TYPES = st.one_of(
    st.sampled_from(
        [
            "application/json",
            "application/json; charset=utf-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=xyz",
            "multipart/form-data",
            "text/plain",
            "application/vnd.api+json",
            "",
        ]
    ),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=40),
)
ENCODINGS = st.sampled_from(["utf-8", "latin-1", "utf-16", "utf-32"])
TEXT_BODIES = st.builds(
    lambda text, enc: text.encode(enc, errors="replace"),
    st.one_of(
        st.text(max_size=200),
        st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=5).map(
            lambda d: "&".join(f"{quote(k)}={quote(v)}" for k, v in d.items())
        ),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=10),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=8,
        ).map(lambda v: __import__("json").dumps(v)),
    ),
    ENCODINGS,
)
BODIES = st.one_of(st.binary(max_size=300), TEXT_BODIES)
QUERIES = st.text(max_size=60)
METHODS = st.one_of(
    st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]),
    st.from_regex(r"[A-Z]{1,8}", fullmatch=True),
)
HEADER_NAMES = st.one_of(
    st.sampled_from([*SIGNATURE_HEADERS, "Authorization", "Cookie", "X-Forwarded-For"]),
    st.from_regex(r"X-[A-Za-z0-9-]{1,12}", fullmatch=True),
)
HEADER_VALUES = st.text(  # what an HTTP client can send: printable ASCII and Latin-1
    st.one_of(
        st.characters(min_codepoint=32, max_codepoint=126),
        st.characters(min_codepoint=160, max_codepoint=255),
    ),
    max_size=60,
).map(str.strip)


@SETTINGS
@given(method=METHODS, content_type=CONTENT_TYPES, body=BODIES, query=QUERIES)
def test_parse_body_returns_string_fields_or_a_parse_error(method, content_type, body, query):
    try:
        parsed = parse_body(method, content_type, body, query)
    except ParseError as exc:
        assert str(exc)
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in parsed.params.items())
    found = classify(parsed.params)
    assert found.number is None or found.number.isdigit()


@SETTINGS
@given(params=st.dictionaries(st.text(max_size=15), st.text(max_size=30), max_size=8))
def test_classify_any_fields(params):
    found = classify(params)
    assert found.status is None or found.status == found.status.lower()


@SETTINGS
@given(headers=st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=30))
def test_kept_headers_drop_credentials_and_stay_small(headers):
    kept = keep_headers(headers)
    assert not {k.lower() for k in kept} & {"authorization", "cookie", "proxy-authorization"}
    assert sum(len(k) + len(v) + 4 for k, v in kept.items()) <= 8 * 1024 + 2 * len(headers)


class _Errors(logging.Handler):
    """ERROR records, except aiohttp's own refusals of malformed HTTP (e.g. an unknown method)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        if not isinstance(exc, HttpProcessingError):
            self.records.append(record)


@pytest.mark.parametrize("token", [TOKEN, None], ids=["verifying", "no-token"])
def test_any_request_gets_a_deliberate_answer_and_every_ack_is_stored(tmp_path, token):
    loop = asyncio.new_event_loop()
    errors = _Errors()
    logging.getLogger().addHandler(errors)

    async def setup() -> tuple[Store, Receiver, TestClient]:
        store = Store.open(tmp_path / "db", unverified_limit=10_000)
        receiver = Receiver(store, ReceiverConfig(auth_token=token, max_body=128))
        client = TestClient(TestServer(make_app(receiver)))
        await client.start_server()
        return store, receiver, client

    store, receiver, client = loop.run_until_complete(setup())
    counts = {"journal": 0, "ring": 0}
    statuses: set[int] = set()

    async def send(method, path_query, headers, body, signed_form):
        if signed_form is not None:
            method, body = "POST", None
            headers = {**headers, **signature_headers("POST", receiver.config.callback_url,
                                                       signed_form, TOKEN)}  # fmt: skip
            async with client.request(method, PATH, data=signed_form, headers=headers) as resp:
                return resp.status, await resp.text(errors="replace"), None
        async with client.request(method, path_query, data=body, headers=headers) as resp:
            return resp.status, await resp.text(errors="replace"), body

    @SETTINGS
    @given(
        method=METHODS,
        query=QUERIES,
        headers=st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=6),
        content_type=CONTENT_TYPES,
        body=BODIES,
        signed_form=st.none()
        | st.dictionaries(
            st.sampled_from(["brand_id", "campaign_id", "number", "status", "event", "x"]),
            st.text(st.characters(min_codepoint=33, max_codepoint=0x2FFF), max_size=12),
            max_size=4,
        ),
    )
    def check(method, query, headers, content_type, body, signed_form):
        if content_type:
            headers = {**headers, "Content-Type": content_type}
        path_query = PATH + ("?" + quote(query, safe="=&") if query else "")
        status, text, sent = loop.run_until_complete(
            send(method, path_query, headers, body, signed_form)
        )
        assert status in (200, 400, 403, 405, 413), status  # never a 500 (nor a 503 here)
        statuses.add(status)
        journal = len(list(store.journal())) + store.replay_total
        ring = len(store.unverified())
        # aiohttp's own HTTP parser answers 400 to methods it does not know: never stored
        ours = status != 400 or text.startswith("bad request:")
        refused = ours and status in (400, 403)  # undecodable or unverified: the ring only
        if status == 200:  # acknowledged: in the journal
            assert journal == counts["journal"] + 1
        else:
            assert journal == counts["journal"]
        if status == 200 or refused:
            latest = store.recent(1)[0]
            assert latest.http_status == status
            if sent is not None and method != "GET" and not latest.replay_of:
                assert latest.body == decode_text(sent)
                if refused:
                    raw = sent if isinstance(sent, bytes) else sent.encode()
                    assert raw_body(latest) == raw and latest.body_length == len(raw)
        assert ring == counts["ring"] + refused
        counts.update(journal=journal, ring=ring)

    try:
        check()
        assert {200, 400, 405, 413} <= statuses and (403 in statuses) == (token is not None)
        loop.run_until_complete(store.flush())
        assert not errors.records, [logging.Formatter().format(r) for r in errors.records][:2]
    finally:
        logging.getLogger().removeHandler(errors)
        loop.run_until_complete(client.close())
        loop.run_until_complete(store.close())
        loop.close()
    again = Store.open(tmp_path / "db", readonly=True)
    try:
        assert len(list(again.journal())) + again.replay_total == counts["journal"]
        assert len(again.unverified()) == counts["ring"]
    finally:
        again.close_sync()
