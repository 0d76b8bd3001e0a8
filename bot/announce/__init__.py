"""Announcements: subscriptions, scheduling and paced delivery within Telegram's limits."""
