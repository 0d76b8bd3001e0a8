"""Plain data types shared by the fake Bot API modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

JsonDict = dict[str, Any]
ChatId = int | str
FaultKind = Literal["drop", "http", "delay", "error", "drop_after", "garble"]


@dataclass
class UploadedFile:
    """A file part received in a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class Call:
    """One request the fake server received, with its decoded parameters."""

    method: str
    params: JsonDict
    at: float
    files: dict[str, UploadedFile] = field(default_factory=dict)
    status: int = 0
    result: Any = None
    error: JsonDict | None = None

    @property
    def ok(self) -> bool:
        """Whether the server answered this call with ok=true."""
        return self.status == 200 and self.error is None


class ApiError(Exception):
    """A Telegram-shaped error answer ({"ok": false, ...})."""

    def __init__(self, error_code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(f"{error_code} {description}")
        self.error_code = error_code
        self.description = description
        self.parameters = parameters or {}

    def payload(self) -> JsonDict:
        """Return the JSON body Telegram would send for this error."""
        body: JsonDict = {
            "ok": False,
            "error_code": self.error_code,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = dict(self.parameters)
        return body


def bad_request(description: str) -> ApiError:
    """Build a 400 error with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class Fault:
    """A scheduled misbehaviour for the next matching call(s) of one method."""

    kind: FaultKind
    method: str
    times: int = 1
    chat_id: ChatId | None = None
    error: ApiError | None = None
    seconds: float = 0.0
    status: int = 502


def normalize_chat_id(value: Any) -> ChatId | None:
    """Turn "42"/42 into 42 and keep "@channel" as a string."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    return text
