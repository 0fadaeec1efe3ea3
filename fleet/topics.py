"""Every MQTT topic string and payload schema of the fleet, in one place (versioned).

Topic root: ``kiosk/v1/{terminal_id}/``. A terminal publishes only under its own root
and reads only its own commands, configuration and acknowledgements; the broker's ACL
(fleet/broker.py) is generated from the same names, so the two cannot drift apart.

Payloads are JSON validated by pydantic models. ``v`` is the schema version: a reader
rejects a version it does not know instead of guessing.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal, Self, get_args

from pydantic import BaseModel, ConfigDict, Field

from kiosk.terminal_id import check_terminal_id, is_terminal_id

SCHEMA_VERSION = 1
PREFIX = "kiosk/v1"
CENTER_USER = "center"  # the centre's broker user; never a terminal id (kiosk.terminal_id.RESERVED)

# Leaves under a terminal's root. (who writes, who reads)
STATUS = "status"  # terminal → centre, retained presence (birth / last will)
TELEMETRY = "telemetry"  # terminal → centre, periodic health
EVENTS = "events"  # terminal → centre, outbox batches (QoS 1)
ACK = "ack"  # centre → terminal: event ids stored (end-to-end acknowledgement)
CMD = "cmd"  # centre → terminal: command requests (MQTT v5 request/response)
RES = "res"  # terminal → centre: responses, under res/{worker}
DESIRED = "config/desired"  # centre → terminal, retained desired configuration
REPORTED = "config/reported"  # terminal → centre, retained reported configuration
# The centre channel: live requests and call signalling (not durable; see kiosk.ports).
ASK = "ask"  # terminal → centre: a request that needs an answer now (v5 request/response)
ANSWER = "answer"  # centre → terminal: the answers to its asks
CALL_OUT = "call/out"  # terminal → centre: video call signalling
CALL_IN = "call/in"  # centre → terminal: video call signalling
# Signed software updates (fleet/update, docs/update.md).
UPDATE_DESIRED = "update/desired"  # centre → terminal, retained: the release to install
UPDATE_REPORTED = "update/reported"  # terminal → centre, retained: what it did with it


def root(terminal_id: str) -> str:
    """``kiosk/v1/{terminal_id}``; ``ValueError`` if it is not a terminal id (a ``/``,
    ``+`` or ``#`` in it would address other terminals' topics)."""
    return f"{PREFIX}/{check_terminal_id(terminal_id)}"


def topic(terminal_id: str, leaf: str) -> str:
    """One terminal's topic for ``leaf`` (one of the constants above)."""
    return f"{root(terminal_id)}/{leaf}"


def response_topic(terminal_id: str, worker: str) -> str:
    """Where ``terminal_id`` answers the centre worker ``worker``'s commands (under the
    terminal's own root, so the ACL "write only under your root" still holds)."""
    return f"{root(terminal_id)}/{RES}/{worker}"


def any_terminal(leaf: str) -> str:
    """The wildcard subscription for ``leaf`` of every terminal."""
    return f"{PREFIX}/+/{leaf}"


def shared(group: str, subscription: str) -> str:
    """An MQTT v5 shared subscription: several centre workers split the messages."""
    return f"$share/{group}/{subscription}"


def parse(topic_name: str) -> tuple[str, str] | None:
    """``(terminal_id, leaf)`` of a fleet topic, or None for anything else."""
    parts = topic_name.split("/", 3)
    if len(parts) < 4 or f"{parts[0]}/{parts[1]}" != PREFIX or not is_terminal_id(parts[2]):
        return None
    return parts[2], parts[3]


# ACL lines for Mosquitto (pattern %u = the connecting user = the terminal id).
TERMINAL_WRITES = (STATUS, TELEMETRY, EVENTS, f"{RES}/+", REPORTED, ASK, CALL_OUT, UPDATE_REPORTED)
TERMINAL_READS = (CMD, DESIRED, ACK, ANSWER, CALL_IN, UPDATE_DESIRED)


class _Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")
    v: int = SCHEMA_VERSION

    def to_bytes(self) -> bytes:
        """Compact UTF-8 JSON."""
        return self.model_dump_json(exclude_none=True).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> Self:
        """Validate a payload; raises ``ValueError`` (pydantic's) if it is not one."""
        obj = cls.model_validate_json(data)
        if obj.v != SCHEMA_VERSION:
            raise ValueError(f"unsupported schema version {obj.v}")
        return obj


class Status(_Payload):
    """Presence. ``session`` grows with every connection of a terminal, so the centre
    ignores an ``offline`` (a late last will) older than the ``online`` it has."""

    state: Literal["online", "offline"]
    session: int
    boot: int = 0
    at: datetime | None = None


class DeviceReport(BaseModel):
    """One device in telemetry (a state and a technician detail, never personal data)."""

    kind: str
    state: str
    detail: str = ""
    paper: str | None = None  # printers: ready | paper_low | paper_out | …


class Telemetry(_Payload):
    """Periodic health. Counts, never people."""

    at: datetime
    session: int
    devices: list[DeviceReport] = Field(default_factory=list)
    disk_free_mb: float = 0
    disk_total_mb: float = 0
    mem_rss_mb: float = 0
    mem_available_mb: float = 0
    uptime_s: float = 0
    versions: dict[str, str] = Field(default_factory=dict)
    tickets_today: int = 0
    waiting: int = 0
    outbox_pending: int = 0
    speech_model: bool = False
    config_version: int = 0
    volume: int | None = None
    visit_state: str = ""
    # Why the terminal runs on its last good configuration ("" : it runs on its file).
    config_fallback: str = Field(default="", max_length=2000)


class Event(_Payload):
    """One outbox event as sent (its id makes a second delivery harmless)."""

    event_id: str
    kind: str
    payload: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime


class EventBatch(_Payload):
    """Outbox events sent together in one QoS 1 message."""

    events: list[Event]


class Ack(_Payload):
    """The centre has stored these events (the terminal may mark them delivered)."""

    event_ids: list[str]


class Command(_Payload):
    """A command request. The id is also the MQTT v5 correlation data."""

    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=32)
    args: dict[str, Any] = Field(default_factory=dict)
    expires_at: datetime | None = None


class CommandResult(_Payload):
    """A command response: ``ok`` with a result, or an ``error`` code and message."""

    id: str
    ok: bool
    result: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None  # unknown_command | bad_request | expired | failed | …
    message: str | None = None
    duplicate: bool = False


class Desired(_Payload):
    """Desired configuration: a version and the config sections to apply (retained)."""

    version: int = Field(ge=1)
    config: dict[str, Any]


class Reported(_Payload):
    """What the terminal did with a desired version (retained)."""

    version: int  # the version now applied (0: none from the centre yet)
    state: Literal["applied", "pending", "rejected"]
    desired_version: int = 0
    error: str | None = None
    restart_required: bool = False
    at: datetime | None = None


class UpdateDesired(_Payload):
    """The release a terminal should install (retained; empty payload: none)."""

    version: str = Field(pattern=r"^\d{1,6}(\.\d{1,6}){0,3}$")
    rollout: str = Field(default="", max_length=64)
    at: datetime | None = None


UpdateState = Literal["downloading", "staged", "switched", "confirmed", "rolled_back", "refused", "retrying"]
UPDATE_STATES: tuple[UpdateState, ...] = get_args(UpdateState)


class UpdateReported(_Payload):
    """What the terminal did with the desired release (retained)."""

    running: str | None = Field(default=None, max_length=32)
    version: str = Field(max_length=32)
    state: UpdateState
    error: str | None = Field(default=None, max_length=2000)
    at: datetime | None = None


class Ask(_Payload):
    """A terminal's request to the centre. The id is also the MQTT v5 correlation data;
    the answer goes to the terminal's ``answer`` topic."""

    id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=64)
    args: dict[str, Any] = Field(default_factory=dict)
    expires_at: datetime | None = None


class Answer(_Payload):
    """The centre's answer to an ``Ask``: ``ok`` with a result, or an error code."""

    id: str
    ok: bool
    result: dict[str, Any] = Field(default_factory=dict)
    error: str | None = None  # unknown | bad_request | expired | failed | a handler's own code
    message: str | None = None


def json_bytes(obj: Any) -> bytes:
    """Compact JSON for ad-hoc payloads (command results embedded in larger docs)."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str).encode()


# --- Video consultation signalling (remote_video/ and fleet/desk/) --------------------
# Terminal → centre on CALL_OUT: request (with the terminal's SDP offer), cancel, hangup.
# Centre → terminal on CALL_IN: queued (position, estimate), answered (the desk's SDP
# answer, the lawyer's display name), ended (reason), error (reason).
CALL_SIGNALS = ("request", "cancel", "hangup", "queued", "answered", "ended", "error")


class CallSignal(_Payload):
    """One video-call signalling message. No personal data: the terminal's id, its
    service and priority class, and the consent; never the person's name or number."""

    type: Literal["request", "cancel", "hangup", "queued", "answered", "ended", "error"]
    call_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    sdp: str | None = Field(default=None, max_length=60000)
    service: str | None = Field(default=None, max_length=64)
    priority: Literal["normal", "elderly", "disabled", "military"] | None = None
    record: bool | None = None  # the person's consent to recording (request only)
    language: str | None = Field(default=None, max_length=8)
    position: int | None = None  # 1 = next to be answered
    estimate_s: float | None = None
    lawyers_on_duty: int | None = None
    lawyer: str | None = Field(default=None, max_length=64)  # display name, e.g. "王律师"
    reason: str | None = Field(default=None, max_length=64)  # no_lawyer | lawyer_hung_up | …
