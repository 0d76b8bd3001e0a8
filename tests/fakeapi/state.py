"""What the fake Telegram knows: chats, users, messages, members, commands and files."""

from __future__ import annotations

import itertools
import json
from typing import Any

from . import updates as build
from .models import ApiError, ChatId, JsonDict, bad_request, normalize_chat_id


class BotState:
    """Mutable world state of the fake Bot API, shared by the HTTP methods and injectors."""

    def __init__(self, *, bot_id: int, bot_username: str, bot_first_name: str) -> None:
        self.bot_user: JsonDict = build.user(bot_id, first_name=bot_first_name, username=bot_username, is_bot=True)
        self.chats: dict[ChatId, JsonDict] = {}
        self.users: dict[int, JsonDict] = {}
        self.messages: dict[tuple[ChatId, int], JsonDict] = {}
        self.bot_message_keys: list[tuple[ChatId, int]] = []
        self.member_status: dict[tuple[ChatId, int], str] = {}
        self.blocked: set[ChatId] = set()
        self.migrated: dict[ChatId, int] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}  # (description | short_description, language code)
        self.callback_queries: dict[str, JsonDict | None] = {}
        self.inline_queries: dict[str, JsonDict | None] = {}
        self.files: dict[str, tuple[str, bytes]] = {}
        self.webhook: JsonDict = {}
        self._next_message_id: dict[ChatId, int] = {}
        self._ids = itertools.count(1)

    @property
    def bot_id(self) -> int:
        """The bot's own user id."""
        return int(self.bot_user["id"])

    def unique(self, prefix: str) -> str:
        """Return a fresh opaque identifier such as a file or query id."""
        return f"{prefix}{next(self._ids):06d}"

    def remember_user(self, user_obj: JsonDict) -> JsonDict:
        """Record a user seen in an update so later calls can refer to it."""
        self.users[int(user_obj["id"])] = user_obj
        return user_obj

    def remember_chat(self, chat_obj: JsonDict) -> JsonDict:
        """Record (or refresh) a chat seen in an update."""
        self.chats[chat_obj["id"]] = chat_obj
        return chat_obj

    def resolve_chat_id(self, raw: Any) -> ChatId:
        """Normalize a chat_id parameter, resolving @usernames of known chats."""
        chat_id = normalize_chat_id(raw)
        if chat_id is None:
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            for known in self.chats.values():
                if f"@{known.get('username', '')}".lower() == chat_id.lower():
                    return known["id"]  # type: ignore[no-any-return]
        return chat_id

    def chat_for(self, chat_id: ChatId) -> JsonDict:
        """Return the Chat object for chat_id, inventing a plausible one if never seen."""
        if chat_id not in self.chats:
            first = self.users.get(chat_id, {}).get("first_name") if isinstance(chat_id, int) else None
            username = chat_id[1:] if isinstance(chat_id, str) else None
            self.chats[chat_id] = build.chat(chat_id, first_name=first, username=username)
        return self.chats[chat_id]

    def check_can_send(self, chat_id: ChatId) -> None:
        """Raise the error Telegram gives when sending to a migrated or blocked chat."""
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        if chat_id in self.blocked:
            kind = self.chat_for(chat_id)["type"]
            reason = {
                "private": "bot was blocked by the user",
                "group": "bot was kicked from the group chat",
                "supergroup": "bot was kicked from the supergroup chat",
            }.get(kind, "bot is not a member of the channel chat")
            raise ApiError(403, f"Forbidden: {reason}")

    def new_message_id(self, chat_id: ChatId) -> int:
        """Allocate the next message id in a chat (ids are per chat, like in private chats)."""
        value = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = value + 1
        return value

    def store(self, msg: JsonDict) -> JsonDict:
        """Keep a message (user's or bot's) so replies, edits and buttons can find it."""
        key = (msg["chat"]["id"], int(msg["message_id"]))
        if key not in self.messages and msg.get("from", {}).get("id") == self.bot_id:
            self.bot_message_keys.append(key)
        self.messages[key] = msg
        return msg

    def find_message(self, chat_id: ChatId, message_id: int) -> JsonDict | None:
        """Return the current version of a stored message, if any."""
        return self.messages.get((chat_id, message_id))

    def sent_messages(self, chat_id: ChatId | None = None) -> list[JsonDict]:
        """Return messages the bot sent (current versions), optionally in one chat."""
        return [self.messages[key] for key in self.bot_message_keys if chat_id is None or key[0] == chat_id]

    def status_of(self, chat_id: ChatId, user_id: int) -> str:
        """Return the configured member status (default "member")."""
        return self.member_status.get((chat_id, user_id), "member")

    def user_for(self, user_id: int) -> JsonDict:
        """Return a known user or a synthetic one."""
        if user_id == self.bot_id:
            return self.bot_user
        return self.users.get(user_id) or build.user(user_id, first_name=f"User{user_id}")

    @staticmethod
    def command_key(scope: Any, language_code: Any) -> tuple[str, str]:
        """Key commands by canonical scope JSON and language code."""
        scope_obj = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope_obj, sort_keys=True), str(language_code or "")

    def add_file(self, kind: str, name: str, data: bytes) -> tuple[str, str]:
        """Store uploaded bytes, returning (file_id, file_unique_id) for getFile/download."""
        file_id = self.unique(f"{kind.upper()}-")
        suffix = name.rsplit(".", 1)[1] if "." in name else "bin"
        self.files[file_id] = (f"{kind}s/file_{len(self.files)}.{suffix}", data)
        return file_id, file_id.replace("-", "U")
