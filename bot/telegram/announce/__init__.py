"""The Telegram side of announcements: the commands, the service that runs them, delivery and progress reports."""
