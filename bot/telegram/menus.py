"""The command menus (setMyCommands): localized in en/th/vi/fr, scoped to private chats, groups and admins."""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence

from telegram import Bot, BotCommand, BotCommandScope, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

log = logging.getLogger(__name__)

#: Command descriptions per language ("en" is also the default for every other language).
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "start": {
        "en": "Welcome and the events I know",
        "th": "เริ่มต้นใช้งานและดูรายการงาน",
        "vi": "Lời chào và các sự kiện tôi biết",
        "fr": "Accueil et événements que je connais",
    },
    "help": {
        "en": "How to ask me questions",
        "th": "วิธีถามคำถาม",
        "vi": "Cách đặt câu hỏi cho tôi",
        "fr": "Comment me poser des questions",
    },
    "events": {
        "en": "List the events",
        "th": "รายการงานทั้งหมด",
        "vi": "Danh sách các sự kiện",
        "fr": "Liste des événements",
    },
    "lang": {
        "en": "Choose my reply language",
        "th": "เลือกภาษาที่ใช้ตอบ",
        "vi": "Chọn ngôn ngữ trả lời",
        "fr": "Choisir la langue de mes réponses",
    },
    "ask": {
        "en": "Ask a question (also in groups)",
        "th": "ถามคำถาม (ใช้ในกลุ่มได้ด้วย)",
        "vi": "Đặt câu hỏi (cả trong nhóm)",
        "fr": "Poser une question (aussi en groupe)",
    },
    "reload": {
        "en": "Reload intents and knowledge (admins)",
        "th": "โหลดข้อมูลเจตนาและความรู้ใหม่ (ผู้ดูแล)",
        "vi": "Tải lại ý định và dữ liệu (quản trị viên)",
        "fr": "Recharger intentions et connaissances (admins)",
    },
    "fact_add": {"en": "Add a fact (admins)", "th": "เพิ่มข้อเท็จจริง (ผู้ดูแล)", "vi": "Thêm dữ kiện (quản trị viên)", "fr": "Ajouter un fait (admins)"},
    "fact_edit": {"en": "Edit a fact (admins)", "th": "แก้ไขข้อเท็จจริง (ผู้ดูแล)", "vi": "Sửa dữ kiện (quản trị viên)", "fr": "Modifier un fait (admins)"},
    "fact_del": {"en": "Delete a fact (admins)", "th": "ลบข้อเท็จจริง (ผู้ดูแล)", "vi": "Xóa dữ kiện (quản trị viên)", "fr": "Supprimer un fait (admins)"},
    "facts": {
        "en": "List an event's facts (admins)",
        "th": "ดูข้อเท็จจริงของงาน (ผู้ดูแล)",
        "vi": "Liệt kê dữ kiện của sự kiện (quản trị viên)",
        "fr": "Lister les faits d'un événement (admins)",
    },
    "event_add": {"en": "Add an event (admins)", "th": "เพิ่มงาน (ผู้ดูแล)", "vi": "Thêm sự kiện (quản trị viên)", "fr": "Ajouter un événement (admins)"},
    "event_set": {
        "en": "Set an event's date, place, theme… (admins)",
        "th": "ตั้งวัน สถานที่ ธีมของงาน (ผู้ดูแล)",
        "vi": "Đặt ngày, địa điểm, chủ đề… (quản trị viên)",
        "fr": "Définir date, lieu, thème… (admins)",
    },
    "history": {
        "en": "Recent changes (admins)",
        "th": "การเปลี่ยนแปลงล่าสุด (ผู้ดูแล)",
        "vi": "Thay đổi gần đây (quản trị viên)",
        "fr": "Modifications récentes (admins)",
    },
    "undo": {
        "en": "Undo a change (admins)",
        "th": "ยกเลิกการเปลี่ยนแปลง (ผู้ดูแล)",
        "vi": "Hoàn tác thay đổi (quản trị viên)",
        "fr": "Annuler une modification (admins)",
    },
    "unanswered": {
        "en": "Questions without an answer (admins)",
        "th": "คำถามที่ยังตอบไม่ได้ (ผู้ดูแล)",
        "vi": "Câu hỏi chưa trả lời được (quản trị viên)",
        "fr": "Questions sans réponse (admins)",
    },
    "attach": {
        "en": "Attach an unanswered question to a fact (admins)",
        "th": "ผูกคำถามที่ยังตอบไม่ได้กับข้อเท็จจริง (ผู้ดูแล)",
        "vi": "Gắn câu hỏi chưa trả lời vào một dữ kiện (quản trị viên)",
        "fr": "Rattacher une question sans réponse à un fait (admins)",
    },
    "stats": {"en": "Usage statistics (admins)", "th": "สถิติการใช้งาน (ผู้ดูแล)", "vi": "Thống kê sử dụng (quản trị viên)", "fr": "Statistiques d'usage (admins)"},
    "export": {
        "en": "Export the knowledge as YAML (admins)",
        "th": "ส่งออกข้อมูลเป็น YAML (ผู้ดูแล)",
        "vi": "Xuất dữ liệu dạng YAML (quản trị viên)",
        "fr": "Exporter les connaissances en YAML (admins)",
    },
    "subscribe": {
        "en": "Get announcements and event reminders here",
        "th": "รับประกาศและการแจ้งเตือนงานในแชทนี้",
        "vi": "Nhận thông báo và lời nhắc sự kiện tại đây",
        "fr": "Recevoir ici les annonces et rappels d’événements",
    },
    "unsubscribe": {
        "en": "Stop announcements and reminders",
        "th": "หยุดรับประกาศและการแจ้งเตือน",
        "vi": "Ngừng nhận thông báo và lời nhắc",
        "fr": "Ne plus recevoir d’annonces ni de rappels",
    },
    "announce": {
        "en": "Announce to every subscribed chat (admins)",
        "th": "ส่งประกาศถึงทุกแชทที่สมัครไว้ (ผู้ดูแล)",
        "vi": "Gửi thông báo đến mọi cuộc trò chuyện đã đăng ký (quản trị viên)",
        "fr": "Annoncer à toutes les conversations abonnées (admins)",
    },
    "schedule": {
        "en": "Schedule an announcement (admins)",
        "th": "ตั้งเวลาส่งประกาศ (ผู้ดูแล)",
        "vi": "Hẹn giờ gửi thông báo (quản trị viên)",
        "fr": "Programmer une annonce (admins)",
    },
    "announcements": {
        "en": "Pending and sent announcements (admins)",
        "th": "ประกาศที่รอส่งและส่งแล้ว (ผู้ดูแล)",
        "vi": "Thông báo đang chờ và đã gửi (quản trị viên)",
        "fr": "Annonces en attente et envoyées (admins)",
    },
    "unschedule": {
        "en": "Cancel a scheduled announcement (admins)",
        "th": "ยกเลิกประกาศที่ตั้งเวลาไว้ (ผู้ดูแล)",
        "vi": "Hủy một thông báo đã lên lịch (quản trị viên)",
        "fr": "Annuler une annonce programmée (admins)",
    },
    "cancel": {
        "en": "Cancel what is under way (an announcement preview)",
        "th": "ยกเลิกสิ่งที่กำลังดำเนินการ (ตัวอย่างประกาศ)",
        "vi": "Hủy thao tác đang dở (bản xem trước thông báo)",
        "fr": "Annuler l’opération en cours (un aperçu d’annonce)",
    },
}
PRIVATE_COMMANDS: tuple[str, ...] = ("start", "ask", "events", "lang", "help", "subscribe", "unsubscribe")
GROUP_COMMANDS: tuple[str, ...] = ("ask", "events", "lang", "help", "subscribe", "unsubscribe")
ADMIN_COMMANDS: tuple[str, ...] = (
    *PRIVATE_COMMANDS, "facts", "fact_add", "fact_edit", "fact_del", "event_add", "event_set", "history", "undo",
    "unanswered", "attach", "stats", "export", "announce", "schedule", "announcements", "unschedule", "cancel", "reload",
)  # fmt: skip
#: Menu languages: "" is Telegram's default (shown to every language without its own list), in English.
MENU_LANGS: tuple[str, ...] = ("", "th", "vi", "fr")


def commands(names: Sequence[str], lang: str) -> list[BotCommand]:
    """Commands with their descriptions in one language.

    Args:
        names: command names, in menu order.
        lang: a language code ("" or unknown: English).

    Returns:
        The BotCommand list.
    """
    return [BotCommand(name, DESCRIPTIONS[name].get(lang) or DESCRIPTIONS[name]["en"]) for name in names]


def menu_plan(admins: Collection[int]) -> list[tuple[BotCommandScope, str, list[BotCommand]]]:
    """Every (scope, language, commands) the bot sets at start-up.

    Args:
        admins: the admins' user ids (their private chats get the admin menu).

    Returns:
        The plan, general scopes first.
    """
    scopes: list[tuple[BotCommandScope, Sequence[str]]] = [
        (BotCommandScopeAllPrivateChats(), PRIVATE_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
        *((BotCommandScopeChat(admin), ADMIN_COMMANDS) for admin in sorted(admins)),
    ]
    return [(scope, lang, commands(names, lang)) for scope, names in scopes for lang in MENU_LANGS]


async def set_menus(bot: Bot, admins: Collection[int]) -> int:
    """Publish the menus; a failure (e.g. an admin who never opened the bot) is logged, never fatal.

    Args:
        bot: the initialized bot.
        admins: the admins' user ids.

    Returns:
        How many menus were set.
    """
    done = 0
    for scope, lang, items in menu_plan(admins):
        try:
            await bot.set_my_commands(items, scope=scope, language_code=lang or None)
            done += 1
        except TelegramError as exc:
            log.warning("setMyCommands failed for scope %s, language %r: %s", scope.type, lang or "default", exc)
    return done
