"""Implementations of the Bot API methods the fake server understands."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from . import updates as build
from .entities import checked_text
from .feed import UpdateFeed
from .limits import RateLimiter
from .media import send_media
from .models import ApiError, ChatId, JsonDict, UploadedFile, bad_request, normalize_chat_id
from .profile import ProfileMethods
from .state import BotState

Handler = Callable[[JsonDict, dict[str, UploadedFile]], Any]
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_NAME = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_UNLIMITED = frozenset({"sendChatAction", "sendMessageDraft"})


def inline_markup(params: JsonDict) -> JsonDict | None:
    """Return reply_markup if it is an inline keyboard (the only kind Telegram echoes)."""
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


class Methods:
    """Dispatches Bot API calls to handlers operating on a BotState and UpdateFeed."""

    def __init__(self, state: BotState, feed: UpdateFeed, limiter: RateLimiter | None) -> None:
        self.state = state
        self.feed = feed
        self.limiter = limiter
        self.handlers: dict[str, Handler] = {
            "getMe": self.get_me,
            "logOut": lambda p, f: True,
            "close": lambda p, f: True,
            "setWebhook": self.set_webhook,
            "deleteWebhook": self.delete_webhook,
            "getWebhookInfo": self.get_webhook_info,
            "sendMessage": self.send_message,
            "editMessageText": self.edit_message_text,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "answerCallbackQuery": self.answer_callback_query,
            "answerInlineQuery": self.answer_inline_query,
            "setMyCommands": self.set_my_commands,
            "getMyCommands": self.get_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getChatMember": self.get_chat_member,
            "getChatAdministrators": self.get_chat_administrators,
            "getChat": self.get_chat,
            "sendChatAction": self.send_chat_action,
            "leaveChat": self.leave_chat,
            "getFile": self.get_file,
            **ProfileMethods(state).handlers(),
        }
        for kind in ("document", "photo", "audio", "video", "voice", "animation", "sticker", "video_note"):
            name = "send" + kind.title().replace("_", "")
            self.handlers[name] = self._media_handler(kind)

    def _media_handler(self, kind: str) -> Handler:
        """Bind send_media to one media kind."""
        return lambda params, files: send_media(self, kind, params, files)

    async def dispatch(self, method: str, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        """Run one method, applying flood limits to send* methods; unknown ones return True."""
        if method == "getUpdates":
            if self.state.webhook.get("url"):
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
            return await self.feed.get_updates(params)
        limited = self.limiter is not None and method.startswith("send") and (method not in _UNLIMITED)
        chat_id = normalize_chat_id(params.get("chat_id"))
        is_group = chat_id is not None and self.state.chat_for(chat_id)["type"] != "private"
        if limited and self.limiter is not None:
            wait = self.limiter.retry_after(chat_id, is_group, time.monotonic())
            if wait is not None:
                raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
        handler = self.handlers.get(method)
        result = handler(params, files) if handler else True
        if limited and self.limiter is not None:
            self.limiter.record(chat_id, is_group, time.monotonic())
        return result

    def target(self, params: JsonDict) -> ChatId:
        """Resolve chat_id and raise if the bot may not send there."""
        chat_id = self.state.resolve_chat_id(params.get("chat_id"))
        self.state.check_can_send(chat_id)
        return chat_id

    def reply_to(self, chat_id: ChatId, params: JsonDict) -> JsonDict | None:
        """Return the replied-to message for reply_parameters/reply_to_message_id."""
        rp = params.get("reply_parameters")
        rp = rp if isinstance(rp, dict) else {}
        mid = rp.get("message_id", params.get("reply_to_message_id"))
        if mid is None:
            return None
        where = normalize_chat_id(rp.get("chat_id")) or chat_id
        found = self.state.find_message(where, int(mid))
        if found is None:
            if rp.get("allow_sending_without_reply") or params.get("allow_sending_without_reply"):
                return None
            raise bad_request("message to be replied not found")
        return {k: v for k, v in found.items() if k != "reply_to_message"}

    def new_bot_message(self, chat_id: ChatId, params: JsonDict, **fields: Any) -> JsonDict:
        """Create, store and return a message sent by the bot."""
        msg = build.message(
            self.state.new_message_id(chat_id),
            self.state.chat_for(chat_id),
            self.state.bot_user,
            entities=[],
            reply_to_message=self.reply_to(chat_id, params),
            reply_markup=inline_markup(params),
            **fields,
        )
        return self.state.store(msg)

    def get_me(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        """getMe: the bot user with its capabilities."""
        return {
            **self.state.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def set_webhook(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        """setWebhook: remember the URL (HTTPS only, like Telegram)."""
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self.feed.clear()
        self.state.webhook = {k: v for k, v in params.items() if k != "certificate"} if url else {}
        return True

    def delete_webhook(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        """deleteWebhook: forget the webhook, optionally dropping pending updates."""
        if params.get("drop_pending_updates"):
            self.feed.clear()
        self.state.webhook = {}
        return True

    def get_webhook_info(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        """getWebhookInfo: current webhook and pending update count."""
        info: JsonDict = {
            "url": self.state.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.feed.updates),
        }
        for key in ("max_connections", "allowed_updates", "ip_address"):
            if key in self.state.webhook:
                info[key] = self.state.webhook[key]
        return info

    def send_message(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        """sendMessage: validate and create a text message from the bot."""
        chat_id = self.target(params)
        text = checked_text(params, "text", 4096, required=True)
        return self.new_bot_message(chat_id, params, text=text)

    def editable(self, params: JsonDict) -> JsonDict:
        """Find the bot message an edit* call refers to."""
        chat_id = self.state.resolve_chat_id(params.get("chat_id"))
        msg = self.state.find_message(chat_id, int(params.get("message_id") or 0))
        if msg is None:
            raise bad_request("message to edit not found")
        if msg.get("from", {}).get("id") != self.state.bot_id:
            raise bad_request("message can't be edited")
        return msg

    def _apply_edit(self, msg: JsonDict, params: JsonDict, **changes: Any) -> JsonDict:
        """Store an edited copy of msg, refusing no-op edits like Telegram."""
        markup = inline_markup(params)
        if all(msg.get(k) == v for k, v in changes.items()) and msg.get("reply_markup") == markup:
            raise bad_request(NOT_MODIFIED)
        edited = {k: v for k, v in msg.items() if k != "reply_markup"}
        edited.update(changes, edit_date=build.now())
        if markup is not None:
            edited["reply_markup"] = markup
        return self.state.store(edited)

    def edit_message_text(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        """editMessageText: replace the text (and markup) of a bot message."""
        text = checked_text(params, "text", 4096, required=True)
        if params.get("inline_message_id"):
            return True
        return self._apply_edit(self.editable(params), params, text=text)

    def edit_message_reply_markup(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        """editMessageReplyMarkup: replace or remove the inline keyboard."""
        if params.get("inline_message_id"):
            return True
        return self._apply_edit(self.editable(params), params)

    def answer_callback_query(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        """answerCallbackQuery: each query may be answered once."""
        qid = str(params.get("callback_query_id") or "")
        if qid not in self.state.callback_queries or self.state.callback_queries[qid] is not None:
            raise bad_request(QUERY_TOO_OLD)
        if len(str(params.get("text") or "")) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.state.callback_queries[qid] = params
        return True

    def answer_inline_query(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        """answerInlineQuery: at most 50 results with unique ids of at most 64 bytes."""
        qid = str(params.get("inline_query_id") or "")
        if qid not in self.state.inline_queries or self.state.inline_queries[qid] is not None:
            raise bad_request(QUERY_TOO_OLD)
        results = params.get("results")
        if not isinstance(results, list):
            raise bad_request("can't parse inline query results JSON object")
        if len(results) > 50:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [str(r.get("id", "")) if isinstance(r, dict) else "" for r in results]
        if any(not i or len(i.encode("utf-8")) > 64 for i in ids):
            raise bad_request("RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise bad_request("RESULT_ID_DUPLICATE")
        self.state.inline_queries[qid] = params
        return True

    def set_my_commands(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        """setMyCommands: validate and store commands per scope and language."""
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "can't parse commands JSON object")
        for cmd in commands:
            name = str(cmd.get("command", "")) if isinstance(cmd, dict) else ""
            if not 1 <= len(name) <= 32 or not set(name) <= _COMMAND_NAME:
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self.state.command_key(params.get("scope"), params.get("language_code"))
        self.state.commands[key] = [dict(c) for c in commands]
        return True

    def get_my_commands(self, params: JsonDict, files: dict[str, UploadedFile]) -> list[JsonDict]:
        """getMyCommands: the list stored for exactly this scope and language."""
        key = self.state.command_key(params.get("scope"), params.get("language_code"))
        return list(self.state.commands.get(key, []))

    def delete_my_commands(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        """deleteMyCommands: forget the list for this scope and language."""
        key = self.state.command_key(params.get("scope"), params.get("language_code"))
        self.state.commands.pop(key, None)
        return True

    def get_chat_member(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        """getChatMember: a member with the configured status (default "member")."""
        chat_id = self.state.resolve_chat_id(params.get("chat_id"))
        user_id = int(params.get("user_id") or 0)
        if not user_id:
            raise bad_request("user not found")
        return build.chat_member(self.state.user_for(user_id), self.state.status_of(chat_id, user_id))

    def get_chat_administrators(self, params: JsonDict, files: dict[str, UploadedFile]) -> Any:
        """getChatAdministrators: members configured as creator/administrator."""
        chat_id = self.state.resolve_chat_id(params.get("chat_id"))
        return [
            build.chat_member(self.state.user_for(uid), status)
            for (cid, uid), status in self.state.member_status.items()
            if cid == chat_id and status in ("creator", "administrator")
        ]

    def get_chat(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        """getChat: a ChatFullInfo built from what is known about the chat."""
        chat_id = self.state.resolve_chat_id(params.get("chat_id"))
        if chat_id in self.state.migrated:
            self.state.check_can_send(chat_id)
        gifts = dict.fromkeys(("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription", "gifts_from_channels"), True)
        return {**self.state.chat_for(chat_id), "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": gifts}

    def send_chat_action(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        """sendChatAction: validate the action name."""
        self.target(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def leave_chat(self, params: JsonDict, files: dict[str, UploadedFile]) -> bool:
        """leaveChat: the bot's status there becomes "left"."""
        chat_id = self.state.resolve_chat_id(params.get("chat_id"))
        self.state.member_status[(chat_id, self.state.bot_id)] = "left"
        return True

    def get_file(self, params: JsonDict, files: dict[str, UploadedFile]) -> JsonDict:
        """getFile: the path under which /file/bot<token>/ serves stored bytes."""
        file_id = str(params.get("file_id") or "")
        if file_id not in self.state.files:
            raise bad_request("invalid file_id")
        path, data = self.state.files[file_id]
        return {"file_id": file_id, "file_unique_id": file_id.replace("-", "U"), "file_size": len(data), "file_path": path}
