"""Running the centre's commands: checked, claimed in the journal (at most once per id),
run, and answered on the response topic the request named.

Quick commands run where they arrive; slow ones (``commands.SLOW``) are handed to
``submit`` (the agent's small pool), so paho's network thread never blocks on a device.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable

from fleet import topics
from fleet.agent import commands
from fleet.agent.state import AgentState
from kiosk.logs import mask_text

log = logging.getLogger(__name__)

# Publishes a result on the request's response topic; the callable, if any, runs once
# the broker has acknowledged that reply.
ReplyTo = Callable[[topics.CommandResult, Callable[[], None] | None], None]
Handler = Callable[[commands.CommandContext, dict[str, Any]], commands.Outcome]


class CommandRunner:
    """Takes command requests for one terminal and answers each exactly once."""

    def __init__(
        self,
        terminal_id: str,
        state: AgentState,
        context: commands.CommandContext,
        *,
        now: Callable[[], datetime],
        submit: Callable[[Callable[[], None]], object],
        handlers: dict[str, Handler] | None = None,
        slow: frozenset[str] = commands.SLOW,
    ) -> None:
        self._state = state
        self._context = context
        self._now = now
        self._submit = submit
        self._handlers: dict[str, Handler] = dict(commands.HANDLERS if handlers is None else handlers)
        self._slow = slow
        self._responses = topics.root(terminal_id) + f"/{topics.RES}/"

    def usable_response_topic(self, response_topic: str | None) -> bool:
        """Whether replies may go to ``response_topic`` (under this terminal's own
        ``res/`` leaves: a request cannot make the terminal write elsewhere)."""
        return bool(response_topic) and str(response_topic).startswith(self._responses)

    def receive(self, payload: bytes, correlation: bytes | None, answer: ReplyTo) -> None:
        """Handle one request whose response topic was checked by the caller: bad,
        expired, unknown and repeated requests are answered with an error (a repeat
        with the first run's result), never run; the others are run and answered."""
        fallback_id = correlation.decode("utf-8", "replace")[:64] if isinstance(correlation, (bytes, bytearray)) else ""
        try:
            cmd = topics.Command.from_bytes(payload)
        except ValueError as exc:
            answer(topics.CommandResult(id=fallback_id, ok=False, error="bad_request", message=str(exc)[:500]), None)
            return
        if cmd.expires_at is not None and cmd.expires_at <= self._now():
            answer(topics.CommandResult(id=cmd.id, ok=False, error="expired", message="the command expired before it arrived"), None)
            return
        handler = self._handlers.get(cmd.name)
        if handler is None:
            answer(topics.CommandResult(id=cmd.id, ok=False, error="unknown_command", message=f"unknown command {cmd.name!r}"), None)
            return
        prior = self._state.claim_command(cmd.id, cmd.name, self._now().isoformat())
        if prior is not None:
            # At most once: a repeated id is answered from the journal, never run again.
            if prior:
                answer(topics.CommandResult(**{**prior, "duplicate": True}), None)
            else:
                answer(topics.CommandResult(id=cmd.id, ok=False, error="duplicate", message="already received", duplicate=True), None)
            return
        if cmd.name in self._slow:
            self._submit(lambda: self._run(cmd, handler, answer))
        else:
            self._run(cmd, handler, answer)  # quick: no thread hand-over

    def _run(self, cmd: topics.Command, handler: Handler, answer: ReplyTo) -> None:
        after = None
        try:
            out = handler(self._context, cmd.args)
            result = topics.CommandResult(id=cmd.id, ok=True, result=out.result)
            after = out.after
        except commands.CommandError as exc:
            result = topics.CommandResult(id=cmd.id, ok=False, error=exc.code, message=exc.message)
        except Exception as exc:  # noqa: BLE001 — a failing command is an error reply, not a crash
            log.exception("command %s failed", cmd.name)
            result = topics.CommandResult(id=cmd.id, ok=False, error="failed", message=mask_text(f"{type(exc).__name__}: {exc}")[:500])
        stored = result.model_dump(mode="json", exclude_none=True)
        if cmd.name == "screenshot":
            stored["result"] = {"bytes": result.result.get("bytes")}  # the journal keeps no images
        self._state.finish_command(cmd.id, stored)
        log.info("command %s %s: %s", cmd.name, cmd.id, "ok" if result.ok else result.error)
        answer(result, after)
