"""Fast path for benchmarks/scale.py: a store of N resources and ~3N journal entries, on disk.

The entries are the ones the receiver and the gateway journal (a request, a `created` callback
and a terminal callback per resource; with `repeat` > 1, each callback again that many times,
which the registry ignores as duplicates: more history, the same registry). Each is applied to
the registry with the store's own replay code (`replay_entry`, what Store.open runs), and the
files are written directly, without an fsync per batch, in the layout the store writes: TinyDB
segments of 256 entries under journal/, registry.json covering every entry. Numbers are 90% of
the resources, brands and campaigns 5% each (an ISV registering its customers' numbers).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from _common import ROOT  # noqa: F401  (puts the repository on sys.path)

from receiver.domain.registry import Registry
from receiver.store.disk.atomicdb import PRIVATE_DIR, encode
from receiver.store.disk.files import write_snapshot_parts
from receiver.store.entries import replay_entry
from receiver.store.snapshot import RegistryEncoder

SEGMENT = 256
T0 = 1_767_225_600.0


def _callback(seq: int, kind: str, status: str, params: dict[str, str], **ids: Any) -> dict:
    headers = {"Content-Type": "application/x-www-form-urlencoded", "X-Plivo-Signature-V2": "s"}
    body = "&".join(f"{k}={v}" for k, v in params.items())
    return {
        "entry": "callback", "applied": True, "id": f"ev{seq:09d}", "received_at": T0 + seq,
        "method": "POST", "url": "https://example.test/tendlc_status/", "headers": headers,
        "body": body, "params": params, "kind": kind, "status": status,
        "brand_id": ids.get("brand_id"), "campaign_id": ids.get("campaign_id"),
        "number": ids.get("number"), "verified": True, "reason": "V2 ok", "http_status": 200,
        "replay_of": None, "seq": seq, "body_b64": None, "body_length": len(body),
    }  # fmt: skip


def _request(seq: int, action: str, **ids: Any) -> dict:
    numbers = ids.pop("numbers", [])
    return {
        "entry": "request", "callback_url": "https://example.test/tendlc_status/",
        "id": f"rq{seq:09d}", "at": T0 + seq, "action": action, "params": dict(ids), "ok": True,
        "response": {"api_id": f"api{seq}"}, "error": None, "brand_id": ids.get("brand_id"),
        "campaign_id": ids.get("campaign_id"), "numbers": numbers, "seq": seq,
    }  # fmt: skip


def entries_for(i: int, seq: int, repeat: int) -> list[dict]:
    """The journal entries of resource i, numbered from `seq`."""
    out: list[dict] = []
    brand = f"B{i // 20:07d}"
    campaign = f"C{i // 20:07d}"
    if i % 20 == 0:
        out.append(_request(seq, "brand.create", brand_id=brand))
        kind, done, ids = "brand", "registered", {"brand_id": brand}
    elif i % 20 == 1:
        out.append(_request(seq, "campaign.create", brand_id=brand, campaign_id=campaign))
        kind, done, ids = "campaign", "registered", {"brand_id": brand, "campaign_id": campaign}
    else:
        number = f"1{i:010d}"
        out.append(_request(seq, "number.link", campaign_id=campaign, numbers=[number]))
        kind, done, ids = "number_linking", "success", {"campaign_id": campaign, "number": number}
    for _ in range(repeat):
        for status in ("created", done):
            params = {"event": kind, "status": status, **{k: str(v) for k, v in ids.items()}}
            out.append(_callback(seq + len(out), kind, status, params, **ids))
    return out


def build(db: Path, resources: int, repeat: int = 1) -> int:
    """Write the store; returns how many journal entries it holds."""
    journal = db / "journal"
    journal.mkdir(parents=True, exist_ok=True)
    os.chmod(db, PRIVATE_DIR)
    os.chmod(journal, PRIVATE_DIR)
    registry = Registry()
    seq, segment, texts = 1, 1, []

    def flush() -> None:
        nonlocal segment, texts
        path = journal / f"{segment:06d}.json"
        path.write_text('{"journal":{' + ",".join(texts) + "}}")
        os.chmod(path, 0o600)
        segment, texts = segment + 1, []

    for i in range(resources):
        for entry in entries_for(i, seq, repeat):
            replay_entry(registry, entry)
            texts.append(f'"{seq}":{encode(entry)}')
            seq += 1
            if len(texts) == SEGMENT:
                flush()
    if texts:
        flush()
    encoder = RegistryEncoder()
    parts = encoder.parts(registry)  # and registry.keys beside it, as the store writes it
    write_snapshot_parts(db / "registry.json", seq - 1, parts, T0 + seq, keys=encoder.keys())
    os.chmod(db / "registry.json", 0o600)
    return seq - 1
