"""The receiver's video buffer: a frame goes to the decoder when its marked last packet
is in, not one frame period later when the next frame begins (aiortc's own rule)."""

from __future__ import annotations

import time

from aiortc.jitterbuffer import JitterBuffer
from aiortc.rtp import RtpPacket

from devices.camera.sim import SimCamera
from remote_video.jitter import MarkerJitterBuffer
from remote_video.media import AudioTrack, CameraTrack, VideoLevel
from remote_video.peer import CallPeer, LoopThread, restrict_host_addresses


def packet(seq: int, ts: int, *, marker: bool = False) -> RtpPacket:
    p = RtpPacket(payload_type=96, marker=int(marker), sequence_number=seq, timestamp=ts)
    p._data = bytes([seq])  # type: ignore[attr-defined]  # what the receiver depayloaded
    return p


def feed(buffer: JitterBuffer, packets: list[RtpPacket]) -> list[tuple[int, bytes, int]]:
    """(index of the packet that released it, data, timestamp) of each frame out."""
    out = []
    for i, p in enumerate(packets):
        _pli, frame = buffer.add(p)
        if frame is not None:
            out.append((i, frame.data, frame.timestamp))
    return out


def test_a_frame_is_released_by_its_marked_last_packet() -> None:
    stream = [packet(1, 900), packet(2, 900), packet(3, 900, marker=True), packet(4, 1800), packet(5, 1800, marker=True)]
    assert feed(MarkerJitterBuffer(), stream) == [(2, b"\x01\x02\x03", 900), (4, b"\x04\x05", 1800)]
    # aiortc's own buffer waits for the next frame's first packet: a frame period later.
    assert feed(JitterBuffer(capacity=512, is_video=True), stream) == [(3, b"\x01\x02\x03", 900)]


def test_a_packet_late_within_its_frame_completes_it_on_arrival() -> None:
    stream = [packet(10, 90), packet(12, 90, marker=True), packet(11, 90)]
    assert feed(MarkerJitterBuffer(), stream) == [(2, b"\x0a\x0b\x0c", 90)]


def test_a_sender_that_marks_nothing_still_gets_its_frames_a_period_later() -> None:
    stream = [packet(1, 90), packet(2, 90), packet(3, 180), packet(4, 270)]
    assert feed(MarkerJitterBuffer(), stream) == [(2, b"\x01\x02", 90), (3, b"\x03", 180)]


def test_a_lost_packet_holds_its_frame_back_as_before() -> None:
    stream = [packet(1, 90), packet(3, 90, marker=True), packet(4, 180, marker=True)]
    assert feed(MarkerJitterBuffer(), stream) == []


def test_a_call_receives_its_video_through_the_marker_buffer() -> None:
    restrict_host_addresses(["127.0.0.1"])
    cam = SimCamera("sim:", 320, 240, 15)
    cam.open()
    lt, lc = LoopThread("t"), LoopThread("c")
    try:
        async def make_t() -> CallPeer:
            return CallPeer(CameraTrack(cam, VideoLevel(320, 240, 15, 300)), AudioTrack(generated=True), adapt=False)

        async def make_c() -> CallPeer:
            return CallPeer(None, None, adapt=False)

        term, centre = lt.call(make_t()), lc.call(make_c())
        lt.call(term.accept(lc.call(centre.answer(lt.call(term.offer())))))
        end = time.monotonic() + 20
        while centre.video_counter.frames < 10 and time.monotonic() < end:
            time.sleep(0.1)
        assert centre.video_counter.frames >= 10
        buffers = [getattr(r, "_RTCRtpReceiver__jitter_buffer") for r in centre.pc.getReceivers() if r.track and r.track.kind == "video"]
        assert buffers and all(isinstance(b, MarkerJitterBuffer) for b in buffers)
        lt.call(term.close())
        lc.call(centre.close())
    finally:
        lt.stop()
        lc.stop()
        cam.close()
