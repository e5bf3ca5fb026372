"""registry.keys: where each resource's line of registry.json starts, and its key, written
beside each snapshot so an open does not scan the snapshot's bytes to find them.

Opening a 200,000-resource store spent 0.5 s finding line starts and keys with a regular
expression over 120 MB (receiver/store/disk/mapped.py); this file holds the same answer in
about 3 MB: a header naming the exact registry.json it describes (inode, size, mtime and a
checksum of its first line, which holds the snapshot's journal position and time), the line
starts, one byte per resource type, and the ids, with their CRC-32. It is a cache: written
after the snapshot (no fsync; a crash leaves a stale or torn file), trusted only when the
header matches the snapshot open now, the CRC matches and spot checks of the lines agree, and
otherwise ignored for the scan.
"""

from __future__ import annotations

import json
import os
import sys
import zlib
from array import array
from collections.abc import Sequence
from pathlib import Path

from receiver.domain.models import ResourceType

KEYS_NAME = "registry.keys"
_MAGIC = b"tendlc registry keys 1\n"
_TYPES = tuple(ResourceType)
_CODES = {t: i for i, t in enumerate(_TYPES)}
_CHECKS = 64  # lines compared with the snapshot's bytes on every read (and the first and last)


def identity(st: os.stat_result, head: bytes) -> dict[str, int]:
    """What names one registry.json: a rewrite is a new inode, and its first line says which
    snapshot it is."""
    return {
        "ino": st.st_ino,
        "size": st.st_size,
        "mtime_ns": st.st_mtime_ns,
        "head_crc": zlib.crc32(head),
    }


def plain_ids(keys: Sequence[tuple[ResourceType, str]]) -> str | None:
    """The ids joined by newlines when each is its own JSON text (printable ASCII without a
    quote or backslash, so the line starts `{"type":"…","id":"<id>"`); None otherwise."""
    joined = "\n".join(rid for _, rid in keys)
    flat = joined.replace("\n", "")
    if not flat.isascii() or not flat.isprintable() or '"' in flat or "\\" in flat:
        return None
    if len(flat) + len(keys) - 1 != len(joined) and keys:
        return None  # an id held a newline
    return joined


def write_key_index(
    snapshot: Path,
    keys: Sequence[tuple[ResourceType, str]],
    starts: array,
    body: tuple[int, int],
    head: bytes,
) -> bool:
    """Write registry.keys for the registry.json just written (`head`: its first line, with
    its newline); False, and no file left, when the keys are not plain or the write fails."""
    path = snapshot.with_name(KEYS_NAME)
    ids = plain_ids(keys)
    if ids is None or len(starts) != len(keys) or not keys:
        path.unlink(missing_ok=True)
        return False
    try:
        header = {
            **identity(os.stat(snapshot), head),
            "count": len(keys),
            "body_start": body[0],
            "body_end": body[1],
            "byteorder": sys.byteorder,
        }
        types = bytes(_CODES[t] for t, _ in keys)
        body_bytes = b"".join((starts.tobytes(), types, ids.encode()))
        header["crc"] = zlib.crc32(body_bytes)  # a torn or damaged file is never trusted
        data = b"".join((_MAGIC, json.dumps(header).encode(), b"\n", body_bytes))
        tmp = path.with_name(KEYS_NAME + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        path.unlink(missing_ok=True)
        path.with_name(KEYS_NAME + ".tmp").unlink(missing_ok=True)
        return False
    return True


def read_key_index(
    snapshot: Path,
    st: os.stat_result,
    head: bytes,
    body: tuple[int, int],
    fd: int,
) -> tuple[list[tuple[ResourceType, str]], array] | None:
    """(keys, line starts) from registry.keys when it describes this registry.json (`st`, its
    first line `head`, the resource lines between `body`, open as `fd`); else None."""
    try:
        raw = snapshot.with_name(KEYS_NAME).read_bytes()
    except OSError:
        return None
    if not raw.startswith(_MAGIC):
        return None
    cut = raw.find(b"\n", len(_MAGIC))
    try:
        header = json.loads(raw[len(_MAGIC) : cut])
        count = header["count"]
        wanted = {**identity(st, head), "body_start": body[0], "body_end": body[1]}
        if any(header.get(k) != v for k, v in wanted.items()) or not isinstance(count, int):
            return None
        if header.get("byteorder") != sys.byteorder or count <= 0:
            return None
        at = cut + 1
        if zlib.crc32(memoryview(raw)[at:]) != header.get("crc"):
            return None
        starts = array("q")
        starts.frombytes(raw[at : at + 8 * count])
        codes = raw[at + 8 * count : at + 9 * count]
        ids = raw[at + 9 * count :].decode("ascii").split("\n")
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    if len(starts) != count or len(codes) != count or len(ids) != count:
        return None
    if max(codes) >= len(_TYPES) or not _ordered(starts, body):
        return None
    types = _TYPES
    keys = [(types[c], rid) for c, rid in zip(codes, ids, strict=True)]
    return (keys, starts) if _lines_agree(fd, keys, starts) else None


def _ordered(starts: array, body: tuple[int, int]) -> bool:
    """The first line starts the body, the last is inside it, each after the one before."""
    if starts[0] != body[0] or starts[-1] >= body[1]:
        return False
    return all(b > a for a, b in zip(starts, starts[1:]))  # noqa: B905 - one shorter


def _lines_agree(fd: int, keys: list[tuple[ResourceType, str]], starts: array) -> bool:
    """Spot checks: the first, the last and _CHECKS lines spread between start with their key,
    each right after the newline the line before ends with. Read with pread, not through a
    mapping: a read there maps whole page-cache folios (MBs each) into the process, and 66 of
    them held most of a 120 MB registry.json resident."""
    n = len(keys)
    for i in {0, n - 1, *range(0, n, max(1, n // _CHECKS))}:
        rtype, rid = keys[i]
        prefix = b'\n{"type":"%s","id":"%s"' % (rtype.value.encode(), rid.encode())
        if os.pread(fd, len(prefix), starts[i] - 1) != prefix:
            return False
    return True
