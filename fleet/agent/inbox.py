"""What is handed to the agent's worker: one small dataclass per kind of work.

Other threads (paho's network thread, a flow asking the centre, the command pool) never
publish themselves: they put one of these in the agent's inbox, and the worker — the
agent's only publisher — handles it. The worker dispatches on the item's type.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

from fleet import topics


@dataclass(frozen=True)
class Connected:
    """The link is up (a CONNACK that succeeded; subscriptions sent)."""


@dataclass(frozen=True)
class Disconnected:
    """The link went down (events keep waiting in the outbox)."""


@dataclass(frozen=True)
class Message:
    """A message on one of the terminal's own leaves (commands are not among them)."""

    topic: str
    payload: bytes


@dataclass(frozen=True)
class Reply:
    """A command's result to publish on its response topic; ``after`` runs once the
    broker has acknowledged it (``restart_app`` answers first, then restarts)."""

    response_topic: str
    correlation: bytes | None
    result: topics.CommandResult
    after: Callable[[], None] | None = None


@dataclass(frozen=True)
class Report:
    """The reported configuration changed: publish it (retained)."""


@dataclass(frozen=True)
class AskOut:
    """A question for the centre, with how long it may wait at the broker."""

    request: topics.Ask
    timeout: float


@dataclass(frozen=True)
class Send:
    """A flow's message for one of the terminal's writable leaves (QoS 1)."""

    leaf: str
    payload: bytes
    retain: bool = False


@dataclass(frozen=True)
class Close:
    """Stop: say offline and disconnect."""


InboxItem = Union[Connected, Disconnected, Message, Reply, Report, AskOut, Send, Close]
