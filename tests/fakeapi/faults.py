"""Scheduling of injected failures: Telegram errors, 5xx, slow answers, dropped connections."""

from __future__ import annotations

from .models import ApiError, ChatId, Fault, FaultKind, JsonDict, normalize_chat_id

_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected failure",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
}


class FaultInjector:
    """Keeps per-method fault schedules and hands them out one call at a time."""

    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def fail_next(
        self,
        method: str,
        *,
        error_code: int,
        description: str | None = None,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
        chat_id: ChatId | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next `times` calls of method (optionally only to chat_id) with an error."""
        parameters: JsonDict = {}
        if retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after or 1}"
            elif migrate_to_chat_id is not None:
                description = "Bad Request: group chat was upgraded to a supergroup chat"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, "Internal Server Error")
        error = ApiError(error_code, description, parameters)
        self._add(Fault("error", method, times, normalize_chat_id(chat_id), error=error))

    def delay_next(self, method: str, seconds: float, times: int = 1, *, chat_id: ChatId | None = None) -> None:
        """Hold the answer to the next `times` calls of method for `seconds`."""
        self._add(Fault("delay", method, times, normalize_chat_id(chat_id), seconds=seconds))

    def drop_connection_next(self, method: str, times: int = 1, *, chat_id: ChatId | None = None) -> None:
        """Close the connection without any answer for the next `times` calls of method."""
        self._add(Fault("drop", method, times, normalize_chat_id(chat_id)))

    def drop_connection_after_next(self, method: str, times: int = 1, *, chat_id: ChatId | None = None) -> None:
        """Carry out the next `times` calls of method, then close the connection without answering: the call took
        effect (a message was sent, updates were handed out) but the client never learns it."""
        self._add(Fault("drop_after", method, times, normalize_chat_id(chat_id)))

    def fail_http_5xx(self, method: str, status: int = 502, times: int = 1, *, chat_id: ChatId | None = None) -> None:
        """Answer the next `times` calls of method with a non-JSON HTTP 5xx (proxy error page)."""
        if not 500 <= status <= 599:
            raise ValueError("status must be a 5xx code")
        self._add(Fault("http", method, times, normalize_chat_id(chat_id), status=status))

    def garble_next(self, method: str, times: int = 1, *, chat_id: ChatId | None = None) -> None:
        """Answer the next `times` calls of method with HTTP 200 and a body that is not JSON (a proxy cutting the
        answer short); the call has no effect."""
        self._add(Fault("garble", method, times, normalize_chat_id(chat_id)))

    def clear_faults(self) -> None:
        """Cancel every scheduled fault."""
        self.faults.clear()

    def _add(self, fault: Fault) -> None:
        """Schedule a fault after validating its count."""
        if fault.times < 1:
            raise ValueError("times must be at least 1")
        self.faults.append(fault)

    def take_fault(self, kind: FaultKind, method: str, chat_id: ChatId | None) -> Fault | None:
        """Consume one use of the oldest fault of kind matching method ("*" = any) and chat."""
        for fault in self.faults:
            if fault.kind != kind or fault.method not in (method, "*"):
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            return fault
        return None
