"""Arguments of an outbox entry as text and back (``outbox edit``, the conflict's Edit…).

A text argument is shown and taken as it is; any other (a number, true/false, null, a list)
as JSON, so what comes back has the type the API encodes it with. A word that is not JSON is
kept as text: the operation's own validation names what is wrong with it.
"""

from __future__ import annotations

import json
from typing import Any


def as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def from_text(original: Any, text: str) -> Any:
    if isinstance(original, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def edited(original: dict[str, Any], texts: dict[str, str]) -> dict[str, Any]:
    """The arguments whose text differs from the original's, with their new values."""
    return {
        name: from_text(original.get(name), text)
        for name, text in texts.items()
        if name not in original or as_text(original[name]) != text
    }
