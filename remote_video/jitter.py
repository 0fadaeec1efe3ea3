"""A video frame handed to the decoder as soon as its last packet is in.

aiortc's receiver (``aiortc.jitterbuffer.JitterBuffer``) knows a frame is complete only
when a packet of the *next* frame arrives, so every picture waits one frame period
before it is decoded: 67 ms at 15 fps, 200 ms at the 5 fps a poor village line falls
back to. The sender marks the last packet of each frame with the RTP marker bit (VP8:
RFC 7741 §4.1; H.264: RFC 6184 §5.1), so a frame whose packets run without a gap from
its first to a marked one is complete now. A lost marker packet costs nothing more
than before: the next frame's first packet still closes the frame, as in aiortc.
"""

from __future__ import annotations

import logging

from aiortc import RTCPeerConnection
from aiortc.jitterbuffer import JitterBuffer, JitterFrame
from aiortc.mediastreams import MediaStreamTrack

log = logging.getLogger(__name__)

VIDEO_CAPACITY = 512  # packets, as aiortc's receiver sizes its video buffer


class MarkerJitterBuffer(JitterBuffer):
    """aiortc's video jitter buffer that also closes a frame on its marked last packet."""

    def __init__(self, capacity: int = VIDEO_CAPACITY) -> None:
        super().__init__(capacity=capacity, is_video=True)

    def _remove_frame(self, sequence_number: int) -> JitterFrame | None:
        packets = []
        timestamp = None
        for count in range(self.capacity):
            packet = self._packets[(self._origin + count) % self._capacity]  # type: ignore[operator]
            if packet is None or (timestamp is not None and packet.timestamp != timestamp):
                break  # a gap, or the next frame began with no marker seen: aiortc's rule
            timestamp = packet.timestamp
            packets.append(packet)
            if packet.marker:
                self.remove(count + 1)
                return JitterFrame(data=b"".join(p._data for p in packets), timestamp=timestamp)  # type: ignore[attr-defined]
        return super()._remove_frame(sequence_number)


def decode_on_marker(pc: RTCPeerConnection, track: MediaStreamTrack) -> bool:
    """Give the receiver of the remote video ``track`` a :class:`MarkerJitterBuffer`
    (call it from the peer connection's ``track`` event, before media flows). False
    when aiortc's receiver no longer looks as expected; the call then works as before."""
    for receiver in pc.getReceivers():
        if receiver.track is track and track.kind == "video":
            # aiortc keeps the buffer private and offers no setting for this.
            if not isinstance(getattr(receiver, "_RTCRtpReceiver__jitter_buffer", None), JitterBuffer):
                log.warning("call: aiortc's receiver has no jitter buffer where expected; frames wait one period")
                return False
            setattr(receiver, "_RTCRtpReceiver__jitter_buffer", MarkerJitterBuffer())
            return True
    return False
