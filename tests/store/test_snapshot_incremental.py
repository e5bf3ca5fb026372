"""The incremental registry snapshot always equals a full one, and the file reads back."""

from hypothesis import given, settings
from hypothesis import strategies as st

from receiver.domain.models import CallbackEvent, Kind, Observation, RequestRecord, ResourceType
from receiver.domain.registry import Registry
from receiver.store.disk.atomicdb import dump_tables, encode
from receiver.store.disk.files import read_snapshot, write_snapshot, write_snapshot_parts
from receiver.store.snapshot import RegistryEncoder

IDS = st.sampled_from(["A", "B", "C"])
NUMBERS = st.sampled_from(["14155550101", "+1 415 555 0102"])
AT = st.floats(min_value=0, max_value=100, allow_nan=False)

CALLBACKS = st.builds(
    lambda kind, status, brand, campaign, number, at, reason: CallbackEvent(
        "ev",
        at,
        "POST",
        "/",
        {},
        "",
        {"reason": reason} if reason else {},
        kind,
        status,
        brand_id=brand,
        campaign_id=campaign,
        number=number,
        verified=True,
    ),  # fmt: skip
    st.sampled_from(list(Kind)),
    st.sampled_from(["created", "registered", "rejected", "success", "failed", "odd"]),
    IDS,
    IDS,
    NUMBERS,
    AT,
    st.sampled_from(["", "bad sample"]),
)
REQUESTS = st.builds(
    lambda action, ok, brand, campaign, numbers, at, rid: RequestRecord(
        rid,
        at,
        action,
        {"brand_alias": "x", "usecase": "MIXED"},
        ok,
        brand_id=brand,
        campaign_id=campaign,
        numbers=numbers,
    ),  # fmt: skip
    st.sampled_from(
        ["brand.create", "campaign.create", "campaign.update", "number.link", "number.unlink"]
    ),
    st.booleans(),
    IDS,
    IDS,
    st.lists(NUMBERS, max_size=2).map(tuple),
    AT,
    st.sampled_from(["rq1", "rq2", "rq3"]),
)
OBSERVATIONS = st.builds(
    lambda rtype, rid, api, at: (Observation(rtype, rid, api, name="n"), at),
    st.sampled_from(list(ResourceType)),
    st.one_of(IDS, NUMBERS),
    st.sampled_from([None, "PROCESSING", "COMPLETED", "ACTIVE", "FAILED", "EXPIRED"]),
    AT,
)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    rounds=st.lists(st.lists(st.one_of(CALLBACKS, REQUESTS, OBSERVATIONS), max_size=6), max_size=6)
)
def test_incremental_parts_always_equal_a_full_encoding(rounds):
    registry, encoder = Registry(), RegistryEncoder()
    for batch in rounds:
        for item in batch:
            if isinstance(item, CallbackEvent):
                registry.apply_callback(item)
            elif isinstance(item, RequestRecord):
                registry.apply_request(item, "https://cb.example/")
            else:
                registry.apply_observation(*item)
        full = [encode(r) for r in registry.to_dict()["resources"]]
        assert encoder.parts(registry) == full


def test_parts_file_is_byte_identical_to_the_tinydb_write_and_reads_back(tmp_path):
    registry = Registry()
    registry.apply_callback(
        CallbackEvent(
            "ev1",
            1.0,
            "POST",
            "/",
            {},
            "",
            {"reason": "é ✓"},
            Kind.BRAND,
            "rejected",
            brand_id="B1",
            verified=True,
        )  # fmt: skip
    )
    parts = RegistryEncoder().parts(registry)
    size = write_snapshot_parts(tmp_path / "a.json", 7, parts, 2.5)
    write_snapshot(tmp_path / "b.json", 7, registry.to_dict(), 2.5)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert size == len((tmp_path / "a.json").read_bytes())
    snap = read_snapshot(tmp_path / "a.json")
    assert snap.seq == 7 and snap.registry.to_dict() == registry.to_dict()
    assert dump_tables({"t": {"1": {"a": 1}}}) == b'{"t":{"1":{"a":1}}}'


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    rounds=st.lists(st.lists(st.one_of(CALLBACKS, REQUESTS, OBSERVATIONS), max_size=6), max_size=8),
    budget=st.integers(min_value=1, max_value=3),
)
def test_a_snapshot_prepared_over_several_turns_is_current_when_ready(rounds, budget):
    registry, encoder = Registry(), RegistryEncoder()
    encoder.step(registry, budget)
    for batch in rounds:  # applies land between the steps, as callbacks do between loop turns
        for item in batch:
            if isinstance(item, CallbackEvent):
                registry.apply_callback(item)
            elif isinstance(item, RequestRecord):
                registry.apply_request(item, "https://cb.example/")
            else:
                registry.apply_observation(*item)
        if encoder.step(registry, budget):
            full = [encode(r) for r in registry.to_dict()["resources"]]
            assert list(encoder._texts.values()) == full
    assert encoder.parts(registry) == [encode(r) for r in registry.to_dict()["resources"]]
