"""Test-facing helpers that put Telegram-shaped updates into the fake's queue."""

from __future__ import annotations

from typing import Any

from . import updates as build
from .feed import UpdateFeed
from .models import Call, ChatId, JsonDict
from .state import BotState

_PAYLOAD_KEYS = ("message", "edited_message", "channel_post", "edited_channel_post")


def as_message(obj: JsonDict | Call) -> JsonDict:
    """Accept a Message dict, an Update dict holding one, or a Call whose result is one."""
    if isinstance(obj, Call):
        if not isinstance(obj.result, dict) or "message_id" not in obj.result:
            raise ValueError(f"{obj.method} call did not return a message")
        return obj.result
    if "update_id" in obj:
        for key in _PAYLOAD_KEYS:
            if key in obj:
                return obj[key]  # type: ignore[no-any-return]
        raise ValueError("update holds no message")
    return obj


def _has_button(msg: JsonDict, data: str) -> bool:
    """Tell whether msg carries an inline button with this callback_data."""
    rows = (msg.get("reply_markup") or {}).get("inline_keyboard") or []
    return any(button.get("callback_data") == data for row in rows for button in row)


class UpdateInjector:
    """Builds and queues updates: messages, edits, photos, buttons, inline queries, ..."""

    def __init__(self, state: BotState, feed: UpdateFeed) -> None:
        self.state = state
        self.feed = feed

    def push_update(self, update: JsonDict) -> JsonDict:
        """Queue a raw update dict (update_id is assigned if missing) and return it."""
        return self.feed.push(update)

    def pending_updates(self) -> int:
        """Count updates not yet confirmed by a getUpdates offset."""
        return len(self.feed.updates)

    def _push(self, kind: str, payload: JsonDict) -> JsonDict:
        """Queue payload as an update of the given kind."""
        return self.feed.push(build.update(self.feed.next_id(), kind, payload))

    def _user(self, user_id: int, **fields: Any) -> JsonDict:
        """Build and remember a user."""
        return self.state.remember_user(build.user(user_id, **fields))

    def _chat(
        self,
        chat_id: ChatId,
        chat_type: str | None,
        sender: JsonDict | None,
        title: str | None = None,
    ) -> JsonDict:
        """Build and remember a chat, keeping a known title/type unless given."""
        known = self.state.chats.get(chat_id, {})
        kind = chat_type or known.get("type") or build.chat_type_for(chat_id)
        sender = sender or {}
        return self.state.remember_chat(
            build.chat(
                chat_id,
                kind,
                title=title or known.get("title"),
                first_name=sender.get("first_name"),
                username=sender.get("username") if kind == "private" else known.get("username"),
            )
        )

    def _reply(self, chat_id: ChatId, message_id: int | None) -> JsonDict | None:
        """Return the stored message being replied to (without its own reply)."""
        if message_id is None:
            return None
        found = self.state.find_message(chat_id, message_id)
        if found is None:
            raise ValueError(f"no message {message_id} in chat {chat_id}")
        return {k: v for k, v in found.items() if k != "reply_to_message"}

    def send_text(
        self,
        text: str,
        *,
        chat_id: ChatId,
        user_id: int,
        chat_type: str = "private",
        language_code: str | None = "en",
        first_name: str = "Ann",
        username: str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[JsonDict] | None = None,
        chat_title: str | None = None,
        message_thread_id: int | None = None,
    ) -> JsonDict:
        """Queue a text message from a user (commands and @mentions get entities); with ``message_thread_id``, in
        that topic of a forum supergroup."""
        sender = self._user(user_id, first_name=first_name, username=username, language_code=language_code)
        chat_obj = self._chat(chat_id, chat_type, sender, chat_title)
        topic = {"message_thread_id": message_thread_id, "is_topic_message": True} if message_thread_id is not None else {}
        if topic:
            chat_obj = {**chat_obj, "is_forum": True}
        msg = build.message(
            self.state.new_message_id(chat_id),
            chat_obj,
            sender,
            text=text,
            entities=entities,
            reply_to_message=self._reply(chat_id, reply_to_message_id),
            **topic,
        )
        return self._push("message", self.state.store(msg))

    def edit_text(self, message: JsonDict | Call, new_text: str) -> JsonDict:
        """Queue an edited_message update for a message the user sent earlier."""
        old = as_message(message)
        current = self.state.find_message(old["chat"]["id"], old["message_id"]) or old
        edited = {k: v for k, v in current.items() if k not in ("text", "entities")}
        edited.update(build.message(0, current["chat"], None, text=new_text))
        edited.update(message_id=current["message_id"], date=current["date"], edit_date=build.now())
        return self._push("edited_message", self.state.store(edited))

    def send_photo(
        self,
        chat_id: ChatId,
        user_id: int,
        caption: str | None = None,
        *,
        chat_type: str | None = None,
        first_name: str = "Ann",
        language_code: str | None = "en",
    ) -> JsonDict:
        """Queue a photo message (its bytes are downloadable through getFile)."""
        sender = self._user(user_id, first_name=first_name, language_code=language_code)
        chat_obj = self._chat(chat_id, chat_type, sender)
        file_id, unique = self.state.add_file("photo", "photo.jpg", b"\xff\xd8\xff fake jpeg")
        sizes = build.photo_sizes(file_id, unique)
        for size in sizes:
            self.state.files[size["file_id"]] = self.state.files[file_id]
        msg = build.message(self.state.new_message_id(chat_id), chat_obj, sender, photo=sizes, caption=caption)
        return self._push("message", self.state.store(msg))

    def press_button(
        self,
        message: JsonDict | Call,
        data: str,
        user_id: int,
        *,
        check_button: bool = True,
        first_name: str = "Ann",
        language_code: str | None = "en",
    ) -> JsonDict:
        """Queue a callback_query for an inline button under a message the bot sent."""
        ref = as_message(message)
        msg = self.state.find_message(ref["chat"]["id"], int(ref["message_id"]))
        if msg is None or msg.get("from", {}).get("id") != self.state.bot_id:
            raise ValueError("press_button needs a message the bot sent")
        if check_button and not _has_button(msg, data):
            raise ValueError(f"message {msg['message_id']} has no button with data {data!r}")
        query_id = self.state.unique("CQ")
        self.state.callback_queries[query_id] = None
        sender = self._user(user_id, first_name=first_name, language_code=language_code)
        query = build.callback_query(query_id, sender, msg, data, f"ci{msg['chat']['id']}")
        return self._push("callback_query", query)

    def inline_query(
        self,
        query: str,
        user_id: int,
        language_code: str | None = "en",
        *,
        first_name: str = "Ann",
    ) -> JsonDict:
        """Queue an inline_query typed by a user."""
        query_id = self.state.unique("IQ")
        self.state.inline_queries[query_id] = None
        sender = self._user(user_id, first_name=first_name, language_code=language_code)
        return self._push("inline_query", build.inline_query(query_id, sender, query))

    def my_chat_member(
        self,
        chat_id: ChatId,
        chat_type: str,
        old_status: str,
        new_status: str,
        user_id: int,
        *,
        chat_title: str | None = None,
        language_code: str | None = None,
    ) -> JsonDict:
        """Queue a my_chat_member update (the bot added, removed, blocked, promoted, ...) made by ``user_id``."""
        sender = self._user(user_id, language_code=language_code)
        chat_obj = self._chat(chat_id, chat_type, sender, chat_title)
        self.set_member_status(chat_id, self.state.bot_id, new_status)
        if new_status in ("left", "kicked"):
            self.block_chat(chat_id)
        else:
            self.unblock_chat(chat_id)
        payload = build.chat_member_updated(chat_obj, sender, self.state.bot_user, old_status, new_status)
        return self._push("my_chat_member", payload)

    def migrate(self, old_chat_id: int, new_chat_id: int, user_id: int = 1) -> list[JsonDict]:
        """Queue the two service messages of a group becoming a supergroup; sends then fail."""
        sender = self.state.users.get(user_id) or self._user(user_id)
        old = self._chat(old_chat_id, "group", sender)
        new = self._chat(new_chat_id, "supergroup", sender, old.get("title"))
        group_bot = build.user(build.GROUP_ANONYMOUS_BOT_ID, first_name="Group", username="GroupAnonymousBot", is_bot=True)
        first = build.message(self.state.new_message_id(old_chat_id), old, sender, migrate_to_chat_id=new_chat_id)
        second = build.message(self.state.new_message_id(new_chat_id), new, group_bot, sender_chat=new, migrate_from_chat_id=old_chat_id)
        self.state.migrated[old_chat_id] = new_chat_id
        return [self._push("message", self.state.store(first)), self._push("message", self.state.store(second))]

    def set_member_status(self, chat_id: ChatId, user_id: int, status: str) -> None:
        """Make getChatMember(chat_id, user_id) report status."""
        build.chat_member({}, status)  # validates the status name
        self.state.member_status[(chat_id, user_id)] = status

    def block_chat(self, chat_id: ChatId) -> None:
        """Make sends to chat_id fail with 403 (blocked by user / kicked from group)."""
        self.state.blocked.add(chat_id)

    def unblock_chat(self, chat_id: ChatId) -> None:
        """Undo block_chat."""
        self.state.blocked.discard(chat_id)

    def sent_messages(self, chat_id: ChatId | None = None) -> list[JsonDict]:
        """Messages the bot sent (current versions, after edits), optionally in one chat."""
        return self.state.sent_messages(chat_id)
