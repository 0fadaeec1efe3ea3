"""Media of a call: the tracks aiortc sends and the sinks for what it receives.

Everything here runs on the call's asyncio loop (remote_video/peer.py), never on Kivy's
thread. The camera is read through its latest-frame slot (``Camera.latest_frame``): a
track never waits on the sensor, it takes whatever is newest when the encoder wants a
frame. Received video is converted to RGB on the loop's thread and left in a
``FrameSlot``; the UI takes the newest one on its own clock (screens/call.py), so
decoding never happens on the UI thread and a slow UI only skips frames.
"""

from __future__ import annotations

import asyncio
import fractions
import math
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol

import av
from av.stream import Stream
import numpy as np
import numpy.typing as npt
from aiortc.codecs.opus import OpusEncoder
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack

from devices.camera.framecode import read_code
from kiosk.ports import AudioChunk, AudioSource, Frame

# An RGB picture, H×W×3 bytes: what the camera gives, the encoder takes and the UI shows.
Picture = npt.NDArray[np.uint8]

VIDEO_CLOCK = 90000
AUDIO_RATE = 48000
AUDIO_PTIME = 0.020


@dataclass(frozen=True)
class VideoLevel:
    """One step of the bandwidth ladder: what the camera track sends."""

    width: int
    height: int
    fps: int
    kbps: int


class FrameSlot:
    """The newest picture (H×W×3 RGB ndarray), written by one thread, read by another.

    A slot, not a queue: the reader only ever wants the latest, and a late reader must
    not make the writer wait or pile up memory.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frame: Picture | None = None
        self.count = 0  # frames put (a reader compares it to know if something is new)

    def put(self, frame: Picture) -> None:
        """Replace the picture."""
        with self._lock:
            self._frame = frame
            self.count += 1

    def get(self) -> tuple[int, Picture | None]:
        """``(count, picture)``: the newest picture and how many were put so far."""
        with self._lock:
            return self.count, self._frame

    def clear(self) -> None:
        """Forget the picture (the call ended)."""
        with self._lock:
            self._frame = None


@dataclass
class SendLog:
    """When each coded frame (devices/camera/framecode.py) went to the encoder, for the
    self-test's latency (sender and receiver share one monotonic clock)."""

    sent_at: dict[int, float] = field(default_factory=dict)

    def mark(self, code: int) -> None:
        """Remember the send time of ``code`` (keeps the last few thousand)."""
        self.sent_at[code] = time.monotonic()
        if len(self.sent_at) > 4096:
            for k in list(self.sent_at)[:1024]:
                del self.sent_at[k]


class FrameSource(Protocol):
    """What a video track reads: a camera (``kiosk.ports.Camera``) or a test pattern."""

    def latest_frame(self) -> Frame | None:
        """The newest frame, or None before the first one."""


class CameraTrack(MediaStreamTrack):
    """The terminal's picture: the camera's newest frame at the level's size and rate.

    A missing camera (``None``, or one unplugged mid-call) sends a plain grey picture, so
    the lawyer still hears the person and sees that the picture, not the call, is gone.
    """

    kind = "video"

    def __init__(self, camera: FrameSource | None, level: VideoLevel, send_log: SendLog | None = None) -> None:
        super().__init__()
        self._source = camera
        self.level = level
        self._send_log = send_log
        self._start: float | None = None
        self._pts = 0
        self.frames_sent = 0
        self.self_view = FrameSlot()  # what the person sees of themselves

    def set_level(self, level: VideoLevel) -> None:
        """Change size and rate from the next frame on (bandwidth steps)."""
        self.level = level

    def _picture(self) -> Picture | None:
        frame = self._source.latest_frame() if self._source is not None else None
        if frame is None:
            return None
        return np.frombuffer(frame.rgb, np.uint8).reshape(frame.height, frame.width, 3)

    async def recv(self) -> av.VideoFrame:
        """The next frame, paced at the level's rate (aiortc calls this)."""
        if self.readyState != "live":
            raise MediaStreamError
        now = time.monotonic()
        if self._start is None:
            self._start = now
            self._next = now
        else:
            self._next += 1.0 / self.level.fps
            delay = self._next - now
            if delay > 0:
                await asyncio.sleep(delay)
            elif delay < -0.5:
                self._next = now  # stalled: restart the schedule rather than burst
        # The RTP clock follows wall time, so a rate change keeps timing right.
        self._pts = int((time.monotonic() - self._start) * VIDEO_CLOCK)
        img = self._picture()
        w, h = self.level.width, self.level.height
        if img is None:
            img = np.full((h, w, 3), 96, np.uint8)
        elif (img.shape[1], img.shape[0]) != (w, h):
            import cv2  # deferred: OpenCV loads only when a camera's size differs from the level's

            img = np.asarray(cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA), np.uint8)
        if self._send_log is not None:
            self._send_log.mark(read_code(img))
        self.self_view.put(img)
        frame = av.VideoFrame.from_ndarray(img, format="rgb24")
        frame.pts = self._pts
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self.frames_sent += 1
        return frame


def tone(seconds: float, rate: int = AUDIO_RATE, start: int = 0, freq: float = 440.0) -> npt.NDArray[np.int16]:
    """A tone that swells and fades twice a second (so level meters move): int16 mono."""
    t = (np.arange(int(seconds * rate)) + start) / rate
    env = 0.5 + 0.5 * np.sin(2 * math.pi * 2 * t)
    return (np.sin(2 * math.pi * freq * t) * env * 8000).astype(np.int16)


class AudioTrack(MediaStreamTrack):
    """The terminal's sound: 20 ms of 48 kHz mono, paced by the wall clock, handed to
    aiortc already encoded (one Opus packet per 20 ms).

    Fed from a microphone (``AudioSource.chunks`` on a reader thread, resampled) or,
    for the simulator, from a generated tone. Silence fills any gap: audio never stops
    because the microphone hiccups.

    Why encoded here: given a raw frame, aiortc's sender encodes it in the loop's
    default thread pool (``run_in_executor``) and waits for the result before it asks
    for the next frame — two thread wake-ups per 20 ms frame, in the same pool as the
    VP8 encoder. On a loaded machine (two cores, the GIL shared with the camera and the
    receivers) a hop took from a few ms up to 150 ms, so sound left at a third to two
    thirds of real time (and once a single frame in a whole call while the picture
    flowed). Encoding 20 ms of
    Opus costs well under a millisecond, so it is done inline on the call's loop and the
    sender only packs the packet (aiortc's pre-encoded path): audio first. The audio
    transceiver is restricted to Opus for this (``CallPeer``).
    """

    kind = "audio"

    def __init__(self, mic: AudioSource | None = None, *, generated: bool = False) -> None:
        super().__init__()
        self._samples = int(AUDIO_RATE * AUDIO_PTIME)
        self._generated = generated or mic is None
        self._pcm: queue.Queue[npt.NDArray[np.int16]] = queue.Queue(maxsize=50)
        self._buf = np.zeros(0, np.int16)
        self._stop = threading.Event()
        self._start: float | None = None
        self._count = 0
        self.frames_sent = 0
        self._encoder: OpusEncoder | None = None  # made on the first frame
        self._reader: threading.Thread | None = None
        if not self._generated:
            self._reader = threading.Thread(target=self._read_mic, args=(mic,), name="call-mic", daemon=True)
            self._reader.start()

    def _read_mic(self, mic: AudioSource) -> None:
        chunks: Iterator[AudioChunk] = mic.chunks()
        for chunk in chunks:
            if self._stop.is_set():
                break
            pcm = np.frombuffer(chunk.pcm, np.int16)
            if chunk.sample_rate != AUDIO_RATE:
                # Linear interpolation is enough for speech at a village line's quality.
                n = int(len(pcm) * AUDIO_RATE / chunk.sample_rate)
                pcm = np.interp(np.linspace(0, len(pcm) - 1, n), np.arange(len(pcm)), pcm).astype(np.int16)
            try:
                self._pcm.put_nowait(pcm)
            except queue.Full:
                pass  # the call is behind: drop rather than add delay

    def stop(self) -> None:
        """Stop sending (and the microphone reader)."""
        self._stop.set()
        super().stop()

    async def recv(self) -> av.Packet[Stream]:
        """The next 20 ms, Opus-encoded (aiortc calls this)."""
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        wait = self._start + self._count * AUDIO_PTIME - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        n = self._samples
        if self._generated:
            pcm = tone(AUDIO_PTIME, start=self._count * n)
        else:
            while len(self._buf) < n:
                try:
                    self._buf = np.concatenate([self._buf, self._pcm.get_nowait()])
                except queue.Empty:
                    self._buf = np.concatenate([self._buf, np.zeros(n - len(self._buf), np.int16)])
            pcm, self._buf = self._buf[:n], self._buf[n:]
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = self._count * n
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._count += 1
        self.frames_sent += 1
        packet = self._encode(frame)
        return packet if packet is not None else await self.recv()  # the encoder buffered: the next 20 ms

    def _encode(self, frame: av.AudioFrame) -> av.Packet[Stream] | None:
        """20 ms of Opus, inline on the loop (see the class's docstring)."""
        if self._encoder is None:
            self._encoder = OpusEncoder()
        payloads, timestamp = self._encoder.encode(frame)
        if not payloads:
            return None
        packet = av.Packet(payloads[0])  # one Opus packet per 20 ms frame
        packet.pts = timestamp
        packet.time_base = fractions.Fraction(1, AUDIO_RATE)
        return packet


class AudioSink:
    """Where the other side's voice goes: counts and level always; played on the
    terminal's loudspeaker through sounddevice when ``play`` (not in the simulator)."""

    def __init__(self, play: bool = False, volume: int = 80) -> None:
        self.volume = volume
        self.frames = 0
        self.samples = 0
        self.peak = 0  # the loudest sample heard (proves sound, not just packets)
        self._play = play
        self._stream: Any = None  # a sounddevice.RawOutputStream (sounddevice ships no types)

    def write(self, frame: av.AudioFrame) -> None:
        """Take one decoded frame (on the call's loop)."""
        pcm = frame.to_ndarray()
        self.frames += 1
        self.samples += frame.samples
        self.peak = max(self.peak, int(np.abs(pcm).max()) if pcm.size else 0)
        if self._play:
            self._output(pcm, frame)

    def _output(self, pcm: npt.NDArray[Any], frame: av.AudioFrame) -> None:
        try:
            if self._stream is None:
                import sounddevice  # deferred: only a real loudspeaker needs PortAudio

                channels = len(frame.layout.channels)
                self._stream = sounddevice.RawOutputStream(samplerate=frame.sample_rate, channels=channels, dtype="int16", latency="low")
                self._stream.start()
            scaled = (pcm.astype(np.int32) * self.volume // 100).clip(-32768, 32767).astype(np.int16)
            self._stream.write(scaled.tobytes())
        except Exception:  # noqa: BLE001 — no loudspeaker: keep the call, lose the sound
            self._play = False

    def close(self) -> None:
        """Release the loudspeaker."""
        if self._stream is not None:
            try:
                self._stream.stop()
                self._stream.close()
            except Exception:  # noqa: BLE001
                pass
            self._stream = None


@dataclass
class VideoCounter:
    """Received video: frames, and (with a send log) the latency of each coded frame."""

    frames: int = 0
    latencies: list[float] = field(default_factory=list)
    first_at: float | None = None
    last_at: float | None = None


async def consume_video(track: MediaStreamTrack, slot: FrameSlot, counter: VideoCounter, send_log: SendLog | None = None) -> None:
    """Receive frames until the track ends: RGB into ``slot``, counts into ``counter``."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        if not isinstance(frame, av.VideoFrame):
            continue  # a video track yields pictures; anything else is not one
        now = time.monotonic()
        img = np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)  # rgb24 is bytes already: no copy
        counter.frames += 1
        counter.first_at = counter.first_at or now
        counter.last_at = now
        if send_log is not None:
            sent = send_log.sent_at.get(read_code(img))
            if sent is not None:
                counter.latencies.append(now - sent)
        slot.put(img)


async def consume_audio(track: MediaStreamTrack, sink: AudioSink) -> None:
    """Receive sound until the track ends."""
    while True:
        try:
            frame = await track.recv()
        except MediaStreamError:
            return
        if isinstance(frame, av.AudioFrame):  # an audio track yields sound; anything else is not
            sink.write(frame)
