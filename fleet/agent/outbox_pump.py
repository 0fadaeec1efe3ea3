"""Delivering the terminal's durable outbox to the centre: one batch in flight at a time,
sent again if unacknowledged, marked delivered when the centre acknowledges it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Callable, Iterable

from fleet import topics
from kiosk.logs import mask_text
from kiosk.outbox import SEALED_KINDS, Outbox

ACK_TIMEOUT_S = 15.0  # no acknowledgement by then: send the batch again (the centre dedupes)
BATCH = 200  # outbox events per message

# Publishes one batch (the events leaf, QoS 1); whatever it returns is ignored.
PublishBatch = Callable[[bytes], object]


class OutboxPump:
    """Sends pending outbox events in batches through ``publish`` and marks them
    delivered on the centre's acknowledgement. Runs on the agent's worker only."""

    def __init__(self, outbox: Outbox, publish: PublishBatch, *, ack_timeout_s: float = ACK_TIMEOUT_S, batch: int = BATCH) -> None:
        self._outbox = outbox
        self._publish = publish
        self.ack_timeout_s = ack_timeout_s
        self.batch = batch
        # The ids of the batch sent last and not yet acknowledged, and when it went.
        self._inflight: tuple[set[str], float] | None = None

    @property
    def in_flight(self) -> frozenset[str]:
        """Event ids sent and not acknowledged yet."""
        return frozenset(self._inflight[0]) if self._inflight is not None else frozenset()

    def reset(self) -> None:
        """Forget the batch in flight (a new connection): it is sent again."""
        self._inflight = None

    def pump(self, now_m: float) -> int:
        """Send the next batch unless one is still awaiting its acknowledgement
        (``now_m``: a monotonic time). Returns how many events were sent."""
        if self._inflight is not None and now_m - self._inflight[1] < self.ack_timeout_s:
            return 0
        events = self._outbox.pending(self.batch)
        if not events:
            self._inflight = None
            return 0
        batch = topics.EventBatch(
            events=[
                # Sealed payloads (ciphertext for the centre's key) pass as they are: masking
                # could only corrupt them, and nobody can read them on the way.
                topics.Event(event_id=e.event_id, kind=e.kind, created_at=e.created_at,
                             payload=e.payload if e.kind in SEALED_KINDS else json.loads(mask_text(json.dumps(e.payload, ensure_ascii=False))))
                for e in events
            ]
        )
        ids = [e.event_id for e in events]
        self._outbox.mark_attempted(ids)
        self._publish(batch.to_bytes())
        self._inflight = (set(ids), now_m)
        return len(ids)

    def acknowledged(self, event_ids: Iterable[str], at: datetime) -> None:
        """The centre has these events: mark them delivered; once the whole batch in
        flight is acknowledged, the next one may go."""
        ids = list(event_ids)
        self._outbox.mark_delivered(ids, at)
        if self._inflight is not None:
            rest = self._inflight[0] - set(ids)
            self._inflight = (rest, self._inflight[1]) if rest else None
