"""Announcements, Telegram-free: subscriptions, announcements and the outbox (SQLite tables), the sending limits
(pacing, retry), reminders, and the parsing of /subscribe options and /schedule times."""
