"""How often and how soon a failed send is tried again."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with a cap on attempts, for transient failures (network errors, timeouts, 5xx)."""

    max_attempts: int = 5
    first_delay: float = 1.0  # seconds before the first retry; doubled for each further one
    max_delay: float = 300.0
    timeout: float = 15.0  # seconds to wait for Telegram's answer to one send

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.first_delay < 0 or self.max_delay < self.first_delay or self.timeout <= 0:
            raise ValueError(f"invalid retry policy: {self}")

    def delay(self, attempts: int) -> float | None:
        """Seconds to wait before the next attempt.

        Args:
            attempts: how many attempts were made so far (at least 1).

        Returns:
            The delay, or None when no attempt is left (the send has failed for good).
        """
        if attempts >= self.max_attempts:
            return None
        return float(min(self.max_delay, self.first_delay * 2.0 ** max(0, attempts - 1)))
