"""Updates python-telegram-bot cannot parse ("poison" updates): skipped and recorded, never logged with their content.

PTB parses a whole getUpdates batch at once; one update it cannot read (a poll without a field newer PTB requires,
as an older self-hosted Bot API server sends it) fails the batch, PTB never confirms it, and polling re-fetches the
same batch forever while logging every user's text in it. So the batch is screened before PTB sees it: an update
that does not parse is replaced by a bare ``{"update_id": N}`` — PTB then confirms it like any other, the handlers
see an update with nothing in it (no handler matches), and the bot goes on serving. The webhook server uses
:func:`parse_update` for the same screening of single updates.
"""

from __future__ import annotations

import json
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update

log = logging.getLogger(__name__)
#: How many skipped updates /healthz and the tests can look back on.
KEEP = 100


@dataclass(frozen=True)
class Skipped:
    """One skipped update: its id, what kind it claimed to be, and the parser's exception type (never its text)."""

    update_id: int | None
    kind: str
    error: str


@dataclass
class PoisonLog:
    """The updates skipped so far (count, and the latest :data:`KEEP`)."""

    count: int = 0
    latest: deque[Skipped] = field(default_factory=lambda: deque(maxlen=KEEP))

    def record(self, data: object, error: BaseException) -> Skipped:
        """Note one skipped update and log it by id, kind and exception type only (its content may be users' text)."""
        update_id = data.get("update_id") if isinstance(data, dict) else None
        kinds = [k for k in data if k != "update_id"] if isinstance(data, dict) else []
        skipped = Skipped(update_id if isinstance(update_id, int) else None, ",".join(map(str, kinds))[:80] or "none", type(error).__name__)
        self.count += 1
        self.latest.append(skipped)
        log.warning(
            "skipped update %s (%s): python-telegram-bot cannot parse it (%s); its content is not logged", skipped.update_id, skipped.kind, skipped.error
        )
        return skipped


def parse_update(data: object, poison: PoisonLog, bot: Bot | None = None) -> Update | None:
    """Parse one update (webhook mode); None, recorded in ``poison``, when it cannot be parsed.

    Args:
        data: the decoded JSON body.
        poison: where a skipped update is recorded.
        bot: the bot the update is bound to (for its shortcuts such as ``message.reply_text``).

    Returns:
        The update, or None.
    """
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        poison.record(data, TypeError("not an update"))
        return None
    try:
        return Update.de_json(data, bot)
    except Exception as exc:  # whatever PTB's parser raises: the update is skipped, the server keeps serving
        poison.record(data, exc)
        return None


def screen_updates(payload: bytes, poison: PoisonLog) -> bytes:
    """A getUpdates response with every update PTB cannot parse replaced by a bare ``{"update_id": N}``.

    Args:
        payload: the HTTP body of a successful getUpdates call.
        poison: where skipped updates are recorded.

    Returns:
        The same bytes when every update parses (the usual case), else the screened JSON.
    """
    try:
        body: Any = json.loads(payload)
        updates = body["result"]
    except Exception:  # not JSON, or no result: PTB reports that as it always does
        return payload
    if not isinstance(updates, list) or not updates:
        return payload
    try:
        Update.de_list(updates)  # PTB's parser copies what it reads: the dicts stay as they came
        return payload
    except Exception:  # one update (or more) is unreadable: screened one by one below
        pass
    screened = []
    for data in updates:
        if isinstance(data, dict) and isinstance(data.get("update_id"), int):
            try:
                Update.de_json(data)
                screened.append(data)
            except Exception as exc:  # PTB cannot read it: keep only its id, so that the batch is confirmed
                poison.record(data, exc)
                screened.append({"update_id": data["update_id"]})
        else:
            poison.record(data, TypeError("not an update"))  # no usable id: nothing to confirm, drop it
    body["result"] = screened
    return json.dumps(body).encode()
