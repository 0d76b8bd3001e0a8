"""Settings, read once from the environment (and an optional ``.env``) into a frozen object."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_API_URL = "https://api.telegram.org"
#: Messages one user may send per minute before the bot stops answering them for the rest of the window.
DEFAULT_FLOOD_PER_MINUTE = 20
_TOKEN_RE = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{20,100}$")
DEFAULT_REMINDER_DAYS: tuple[int, ...] = (7, 1)
MAX_REMINDER_DAYS = 365
#: How long polling keeps retrying while the Bot API rejects the token (401) before the bot exits: long enough to
#: ride out a brief outage or a token being rotated, short enough that a revoked token ends the process.
DEFAULT_AUTH_RETRY_SECONDS = 300
#: A host name (letters, digits, dots, hyphens, underscores) or an IP address; urlsplit accepts far more.
_HOST_RE = re.compile(r"[A-Za-z0-9._-]{1,253}|[0-9A-Fa-f:.]{2,45}")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse a ``.env`` file of KEY=VALUE lines (comments and blank lines ignored).

    Args:
        path: the file; a missing file gives an empty mapping.

    Returns:
        The variables it sets.
    """
    if not path.is_file():
        return {}
    out = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        out[key.strip()] = value.strip().strip("'\"")
    return out


def _default_dir(name: str) -> Path:
    here = Path.cwd() / name
    return here if here.is_dir() else REPO_ROOT / name


def _encoder_setting(value: str) -> bool:
    value = value.strip().lower()
    if value not in ("on", "off", "1", "0", "true", "false", ""):
        raise SettingsError(f"SUMMITBOT_ENCODER must be on or off, got {value!r}")
    return value in ("on", "1", "true", "")


def _cache_setting(value: str | None) -> Path | None:
    if value is None:
        return Path("data/embeddings.sqlite3")
    return Path(value) if value.strip() and value.strip().lower() != "off" else None


@dataclass(frozen=True)
class Settings:
    """Everything configurable; built by :meth:`from_env` and passed to whatever needs it."""

    token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    db_path: Path = Path("data/summitbot.sqlite3")
    admins: frozenset[int] = frozenset()
    log_level: str = "INFO"
    intents_dir: Path = field(default_factory=lambda: _default_dir("intents"))
    knowledge_dir: Path = field(default_factory=lambda: _default_dir("knowledge"))
    sources_dir: Path | None = None
    #: The fitted ranker (``summitbot train`` writes it).
    ranker_path: Path = field(default_factory=lambda: _default_dir("model") / "ranker.json")
    #: The sentence encoder: on unless SUMMITBOT_ENCODER=off (then lexical signals only).
    encoder: bool = True
    #: Where embeddings are cached between runs (None: embed everything at every start).
    embedding_cache: Path | None = Path("data/embeddings.sqlite3")
    timezone: str = "UTC"
    reminder_days: tuple[int, ...] = DEFAULT_REMINDER_DAYS
    flood_per_minute: int = DEFAULT_FLOOD_PER_MINUTE
    #: Messages the bot sends one group per minute at most (Telegram's limit is 20; a bot granted more may raise it).
    group_messages_per_minute: int = 20
    #: Messages the bot sends one chat per second at most (Telegram's is about one; a local Bot API server, or a
    #: test that is not about pacing, may allow more).
    chat_messages_per_second: int = 1
    webhook_secret: str | None = field(default=None, repr=False)
    health_port: int | None = None
    health_listen: str = "127.0.0.1"
    auth_retry_seconds: int = DEFAULT_AUTH_RETRY_SECONDS

    @property
    def api_url_for_logs(self) -> str:
        """``api_url`` without a user name and password in it (what logs and messages show)."""
        parts = urlsplit(self.api_url)
        if "@" not in parts.netloc:
            return self.api_url
        return parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()

    @property
    def api_credentials(self) -> tuple[str, ...]:
        """The user name and password inside ``api_url``, if any: secrets to redact from every log record."""
        parts = urlsplit(self.api_url)
        userinfo = parts.netloc.rpartition("@")[0]
        # A very short password would garble every log line it matches; the whole "user:password" is always redacted.
        return tuple(s for s in (userinfo, parts.password) if s and len(s) >= 6)

    @property
    def base_url(self) -> str:
        """Root for Bot API methods (PTB appends the token)."""
        return f"{self.api_url}/bot"

    @property
    def base_file_url(self) -> str:
        """Root for file downloads (PTB appends the token)."""
        return f"{self.api_url}/file/bot"

    def require_token(self) -> str:
        """The bot token, or a clear error saying how to set it.

        Returns:
            The token.

        Raises:
            SettingsError: when no token is configured.
        """
        if not self.token:
            raise SettingsError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it (or put it in .env)")
        return self.token

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
        """Read and validate settings.

        Args:
            environ: the environment (default: ``os.environ``); it wins over the ``.env`` file.
            dotenv: an optional ``.env`` file.

        Returns:
            The settings.

        Raises:
            SettingsError: naming the variable that is wrong (never echoing the token).
        """
        env = {**(read_dotenv(dotenv) if dotenv else {}), **(os.environ if environ is None else environ)}
        token = env.get("TELEGRAM_BOT_TOKEN", "").strip() or None
        if token is not None and not _TOKEN_RE.match(token):
            raise SettingsError("TELEGRAM_BOT_TOKEN does not look like a bot token (digits, a colon, then letters; as @BotFather gives it)")
        api_url = parse_api_url(env.get("TELEGRAM_API_URL", ""))
        admins: set[int] = set()
        for item in filter(None, (s.strip() for s in env.get("SUMMITBOT_ADMINS", "").split(","))):
            if not re.fullmatch(r"-?[0-9]{1,19}", item):  # ASCII digits only: int() also takes "١٢", and "²" breaks it
                raise SettingsError(f"SUMMITBOT_ADMINS must be comma-separated Telegram user ids, got {item!r}")
            admins.add(int(item))
        level = env.get("SUMMITBOT_LOG_LEVEL", "INFO").strip().upper()
        if level not in logging.getLevelNamesMapping():
            raise SettingsError(f"SUMMITBOT_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {level!r}")
        sources = env.get("SUMMITBOT_SOURCES_DIR")
        default_sources = REPO_ROOT.parent / "shared" / "sources"
        return cls(
            token=token,
            api_url=api_url,
            db_path=Path(env.get("SUMMITBOT_DB") or "data/summitbot.sqlite3"),
            admins=frozenset(admins),
            log_level=level,
            intents_dir=Path(env["SUMMITBOT_INTENTS_DIR"]) if env.get("SUMMITBOT_INTENTS_DIR") else _default_dir("intents"),
            knowledge_dir=Path(env["SUMMITBOT_KNOWLEDGE_DIR"]) if env.get("SUMMITBOT_KNOWLEDGE_DIR") else _default_dir("knowledge"),
            sources_dir=Path(sources) if sources else (default_sources if default_sources.is_dir() else None),
            ranker_path=Path(env["SUMMITBOT_RANKER"]) if env.get("SUMMITBOT_RANKER") else _default_dir("model") / "ranker.json",
            encoder=_encoder_setting(env.get("SUMMITBOT_ENCODER", "on")),
            embedding_cache=_cache_setting(env.get("SUMMITBOT_EMBEDDING_CACHE")),
            timezone=env.get("SUMMITBOT_TIMEZONE", "UTC").strip() or "UTC",
            reminder_days=parse_reminder_days(env.get("SUMMITBOT_REMINDER_DAYS", "")),
            flood_per_minute=_int_setting(env, "SUMMITBOT_FLOOD_PER_MINUTE", None, 1, 10_000) or DEFAULT_FLOOD_PER_MINUTE,
            group_messages_per_minute=_int_setting(env, "SUMMITBOT_GROUP_MESSAGES_PER_MINUTE", 20, 1, 10_000) or 20,
            chat_messages_per_second=_int_setting(env, "SUMMITBOT_CHAT_MESSAGES_PER_SECOND", 1, 1, 1_000) or 1,
            webhook_secret=_webhook_secret(env.get("SUMMITBOT_WEBHOOK_SECRET", "")),
            health_port=_int_setting(env, "SUMMITBOT_HEALTH_PORT", None, 1, 65535),
            health_listen=env.get("SUMMITBOT_HEALTH_LISTEN", "").strip() or "127.0.0.1",
            auth_retry_seconds=_int_setting(env, "SUMMITBOT_AUTH_RETRY_SECONDS", DEFAULT_AUTH_RETRY_SECONDS, 1, 86_400) or DEFAULT_AUTH_RETRY_SECONDS,
        )


def parse_api_url(raw: str) -> str:
    """``TELEGRAM_API_URL``: an http(s) URL with a well-formed host (and port), without a trailing slash.

    Args:
        raw: the variable's value; empty for the default.

    Returns:
        The URL.

    Raises:
        SettingsError: naming the variable (never echoing a password inside the URL).
    """
    api_url = raw.strip().rstrip("/") or DEFAULT_API_URL
    problem = _api_url_problem(api_url)
    if problem:
        shown = re.sub(r"//[^/@]*@", "//***@", api_url)
        raise SettingsError(f"TELEGRAM_API_URL must be an http(s) URL such as {DEFAULT_API_URL} ({problem}), got {shown!r}")
    return api_url


def _api_url_problem(api_url: str) -> str | None:
    try:
        parts: SplitResult = urlsplit(api_url)
        port = parts.port  # raises ValueError when out of range or not a number
    except ValueError as exc:  # urlsplit's own complaint (an unclosed "[", a bad port) names no secret
        return str(exc)
    if parts.scheme not in ("http", "https"):
        return "the scheme must be http or https"
    host = parts.hostname or ""
    if not _HOST_RE.fullmatch(host) or ".." in host or host.startswith(("-", ".")):
        return "the host is not a host name or an IP address"
    if port == 0:
        return "port 0"
    if parts.query or parts.fragment:
        return "no query or fragment"
    return None


def parse_reminder_days(text: str) -> tuple[int, ...]:
    """``SUMMITBOT_REMINDER_DAYS``: how many days before an event its reminders go out.

    Args:
        text: comma-separated whole numbers of days (1–365), e.g. "7,1"; empty for the default; "none" for no reminders.

    Returns:
        The distinct numbers, largest first.

    Raises:
        SettingsError: naming the variable and what is accepted.
    """
    raw = text.strip()
    if not raw:
        return DEFAULT_REMINDER_DAYS
    if raw.casefold() in ("none", "off"):
        return ()
    days: set[int] = set()
    for item in (part.strip() for part in raw.split(",")):
        if not re.fullmatch(r"[0-9]{1,3}", item) or not 1 <= int(item) <= MAX_REMINDER_DAYS:
            raise SettingsError(
                f"SUMMITBOT_REMINDER_DAYS must be comma-separated numbers of days from 1 to {MAX_REMINDER_DAYS} (e.g. 7,1) or none, got {item!r}"
            )
        days.add(int(item))
    return tuple(sorted(days, reverse=True))


def _int_setting(env: Mapping[str, str], name: str, default: int | None, low: int, high: int) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not re.fullmatch(r"[0-9]{1,9}", raw) or not low <= int(raw) <= high:  # ASCII digits: "²".isdigit() is True
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


def _webhook_secret(raw: str) -> str | None:
    secret = raw.strip()
    if secret and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise SettingsError("SUMMITBOT_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
    return secret or None
