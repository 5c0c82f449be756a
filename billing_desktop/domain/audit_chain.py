"""The audit log's tamper-evident chain (issue 18 §4): each row's SHA-256 covers the previous
row's hash and the row's own content, so changing, removing or reordering a row breaks every
hash from there on.

Canonical serialisation (version 1), the exact bytes hashed for one row::

    sha256( previous_hash_hex + "\\n" + canonical_json(row) )

* ``previous_hash_hex``: the 64 lowercase hex digits of the previous row's hash in chain
  order; :data:`GENESIS` (64 zeros) for the first row.
* ``canonical_json(row)``: UTF-8 JSON of the object
  ``{"v": 1, "seq", "id", "at", "actor", "origin", "action", "entity", "entity_id",
  "before", "after", "request_key"}`` with keys sorted, no spaces (separators ``,`` and
  ``:``), non-ASCII characters written as themselves (``ensure_ascii=False``), NaN refused.
  ``seq`` is the row's place in the chain (1, 2, …), ``id`` its row id, ``at`` the instant as
  stored (integer microseconds since 1970-01-01 UTC), ``before``/``after`` the JSON objects as
  stored (or null), every other field its text (or null).

Pure: no store, no Qt. The store seals rows with :func:`link` as a write commits and the
``audit verify`` use case walks the chain with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

VERSION = 1
GENESIS = "0" * 64
CONTENT_FIELDS = (
    "seq",
    "id",
    "at",
    "actor",
    "origin",
    "action",
    "entity",
    "entity_id",
    "before",
    "after",
    "request_key",
)


def canonical(content: Mapping[str, object]) -> bytes:
    """The canonical bytes of one row's ``content`` (every name of :data:`CONTENT_FIELDS`)."""
    missing = [name for name in CONTENT_FIELDS if name not in content]
    if missing:
        raise ValueError(f"audit chain: the row lacks {', '.join(missing)}")
    document = {name: content[name] for name in CONTENT_FIELDS}
    document["v"] = VERSION
    text = json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


def link(previous: str, content: Mapping[str, object]) -> str:
    """The hash of a row whose predecessor's hash is ``previous`` (:data:`GENESIS` first)."""
    digest = hashlib.sha256()
    digest.update(previous.encode("ascii"))
    digest.update(b"\n")
    digest.update(canonical(content))
    return digest.hexdigest()


__all__ = ["CONTENT_FIELDS", "GENESIS", "VERSION", "canonical", "link"]
