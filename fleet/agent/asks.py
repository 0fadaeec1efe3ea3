"""Questions to the centre waiting for their answers (MQTT v5 request/response: the
ask's id is the correlation data, the answer comes on the terminal's ``answer`` leaf)."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable

from fleet import topics
from kiosk.ports import CentreError, CentreUnavailable


class _AskWait:
    """One ask waiting for its answer."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.answer: topics.Answer | None = None


class PendingAsks:
    """Sends asks through ``send`` (request, timeout) and hands each answer to the
    thread waiting for it; answers nobody waits for any more are dropped."""

    def __init__(self, send: Callable[[topics.Ask, float], None]) -> None:
        self._send = send
        self._waits: dict[str, _AskWait] = {}
        self._lock = threading.Lock()

    def ask(self, name: str, args: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Ask the centre and wait for the answer's result (any thread but the one that
        delivers answers). Raises ``CentreUnavailable`` when unanswered within
        ``timeout``, ``CentreError`` when the centre answers with an error.

        The request carries ``expires_at``, so a centre that sees it late never acts on it.
        """
        ask_id = uuid.uuid4().hex
        expires = datetime.now().astimezone() + timedelta(seconds=timeout)
        request = topics.Ask(id=ask_id, name=name, args=args, expires_at=expires)
        wait = _AskWait()
        with self._lock:
            self._waits[ask_id] = wait
        try:
            self._send(request, timeout)
            got = wait.done.wait(timeout)
        finally:
            with self._lock:
                self._waits.pop(ask_id, None)
        if not got or wait.answer is None:
            raise CentreUnavailable(f"no answer to {name} within {timeout:g} s")
        if not wait.answer.ok:
            raise CentreError(wait.answer.error or "failed", wait.answer.message or "")
        return dict(wait.answer.result)

    def answered(self, answer: topics.Answer) -> bool:
        """Hand ``answer`` to its ask; False if nobody waits for it (late, or not ours)."""
        with self._lock:
            wait = self._waits.get(answer.id)
        if wait is None:
            return False
        wait.answer = answer
        wait.done.set()
        return True
