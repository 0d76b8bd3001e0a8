"""Who may change a group's subscription: its admins, asked with getChatMember and remembered briefly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import Bot, ChatMember, Message, User
from telegram.error import TelegramError

log = logging.getLogger(__name__)
#: How long a getChatMember answer is trusted (seconds).
ADMIN_TTL = 60.0
MAX_ENTRIES = 10_000


class GroupAdmins:
    """Answers "is this user an admin of this group?", caching each answer for ``ttl`` seconds."""

    def __init__(self, ttl: float = ADMIN_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._clock = ttl, clock
        self._known: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Bot, message: Message, user: User) -> bool:
        """Whether the sender of a group message administers that group.

        An anonymous admin (writing as the group itself) is one by definition. Otherwise getChatMember decides
        (creator or administrator); a failed call counts as "no", and is not cached.

        Args:
            bot: the bot.
            message: the message (its chat is the group).
            user: its sender.

        Returns:
            True for an admin.
        """
        chat_id = message.chat_id
        if message.sender_chat is not None and message.sender_chat.id == chat_id:
            return True
        key, now = (chat_id, user.id), self._clock()
        cached = self._known.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user.id)
        except TelegramError as exc:
            log.info("getChatMember(%s, %s) failed: %s", chat_id, user.id, exc)
            return False
        allowed = member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
        if len(self._known) >= MAX_ENTRIES:
            self._known = {k: v for k, v in self._known.items() if v[0] > now}
            if len(self._known) >= MAX_ENTRIES:
                self._known.clear()
        self._known[key] = (now + self._ttl, allowed)
        return allowed
