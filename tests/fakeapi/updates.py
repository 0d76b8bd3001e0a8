"""Builders for Telegram-shaped objects and update dicts (plain JSON dicts)."""

from __future__ import annotations

import time
from typing import Any

from .entities import auto_entities
from .models import ChatId, JsonDict

GROUP_ANONYMOUS_BOT_ID = 1087968824
_FALSE_RIGHTS = (
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_send_messages",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_manage_topics",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_edit_tag",
    "can_react_to_messages",
)
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)


def now() -> int:
    """Return the current Unix time in whole seconds, as Telegram dates are."""
    return int(time.time())


def user(
    user_id: int,
    *,
    first_name: str = "Ann",
    username: str | None = None,
    language_code: str | None = None,
    is_bot: bool = False,
) -> JsonDict:
    """Build a User object."""
    data: JsonDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if username:
        data["username"] = username
    if language_code:
        data["language_code"] = language_code
    return data


def chat_type_for(chat_id: ChatId) -> str:
    """Guess a chat type from the id, as Telegram's id ranges imply."""
    if isinstance(chat_id, str):
        return "channel"
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def chat(
    chat_id: ChatId,
    chat_type: str | None = None,
    *,
    title: str | None = None,
    first_name: str | None = None,
    username: str | None = None,
) -> JsonDict:
    """Build a Chat object; private chats get a first_name, others a title."""
    kind = chat_type or chat_type_for(chat_id)
    data: JsonDict = {"id": chat_id, "type": kind}
    if kind == "private":
        data["first_name"] = first_name or "Ann"
    else:
        data["title"] = title or f"Chat {chat_id}"
    if username:
        data["username"] = username
    return data


def message(
    message_id: int,
    chat_obj: JsonDict,
    sender: JsonDict | None,
    *,
    text: str | None = None,
    entities: list[JsonDict] | None = None,
    date: int | None = None,
    **extra: Any,
) -> JsonDict:
    """Build a Message; entities default to auto-detected commands and mentions."""
    data: JsonDict = {"message_id": message_id, "date": date or now(), "chat": chat_obj}
    if sender is not None:
        data["from"] = sender
    if text is not None:
        data["text"] = text
        found = auto_entities(text) if entities is None else entities
        if found:
            data["entities"] = found
    data.update({k: v for k, v in extra.items() if v is not None})
    return data


def photo_sizes(file_id: str, file_unique_id: str) -> list[JsonDict]:
    """Build the PhotoSize list Telegram attaches to a photo message."""
    return [
        {"file_id": f"{file_id}_{w}", "file_unique_id": f"{file_unique_id}{w}", "width": w, "height": w * 3 // 4, "file_size": w * 60} for w in (90, 320, 800)
    ]


def callback_query(query_id: str, sender: JsonDict, msg: JsonDict, data: str, chat_instance: str) -> JsonDict:
    """Build a CallbackQuery for a button pressed under msg."""
    return {
        "id": query_id,
        "from": sender,
        "message": msg,
        "chat_instance": chat_instance,
        "data": data,
    }


def inline_query(query_id: str, sender: JsonDict, query: str, offset: str = "") -> JsonDict:
    """Build an InlineQuery."""
    return {"id": query_id, "from": sender, "query": query, "offset": offset, "chat_type": "sender"}


def chat_member(member: JsonDict, status: str) -> JsonDict:
    """Build a ChatMember of the given status with every field PTB requires."""
    data: JsonDict = {"status": status, "user": member}
    if status == "creator":
        data["is_anonymous"] = False
    elif status == "administrator":
        data.update({"can_be_edited": False, "is_anonymous": False})
        data.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "restricted":
        data.update({"is_member": True, "until_date": 0})
        data.update(dict.fromkeys(_FALSE_RIGHTS, False))
    elif status == "kicked":
        data["until_date"] = 0
    elif status not in ("member", "left"):
        raise ValueError(f"unknown chat member status {status!r}")
    return data


def chat_member_updated(chat_obj: JsonDict, sender: JsonDict, member: JsonDict, old_status: str, new_status: str) -> JsonDict:
    """Build a ChatMemberUpdated (as in my_chat_member / chat_member updates)."""
    return {
        "chat": chat_obj,
        "from": sender,
        "date": now(),
        "old_chat_member": chat_member(member, old_status),
        "new_chat_member": chat_member(member, new_status),
    }


def update(update_id: int, kind: str, payload: JsonDict) -> JsonDict:
    """Wrap a payload into an Update dict, e.g. kind="message"."""
    return {"update_id": update_id, kind: payload}


def update_kind(upd: JsonDict) -> str:
    """Return the payload key of an update ("message", "callback_query", ...)."""
    return next((k for k in upd if k != "update_id"), "")
