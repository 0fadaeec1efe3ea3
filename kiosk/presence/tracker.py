"""From what the detector sees to what a person does: approaching, engaging, leaving.

Pure logic (standard library only) so it is tested without a camera. Each face seen is
matched to the nearest track by its horizontal position; a track is a number that lives
while the person stays in view and is forgotten when they leave: nobody is recognised
or remembered, and a person who comes back later is a new track.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FaceBox:
    """One face in a frame, in fractions of the frame: centre ``x``, ``y`` (0 left/top,
    1 right/bottom) and ``size`` (the box's height over the frame's)."""

    x: float
    y: float
    size: float


@dataclass(frozen=True)
class Sighting:
    """What the detector saw in one frame: how much of it changed since the last
    (0–1) and the frontal faces in it. No pixels."""

    motion: float
    faces: tuple[FaceBox, ...] = ()


@dataclass(frozen=True)
class PresenceChange:
    """A person's step as the tracker sees it: ``kind`` is approached, engaged or left;
    ``person`` a number that lives only while they stay in view."""

    kind: str
    person: int
    x: float = 0.5


APPROACHED = "approached"
ENGAGED = "engaged"
LEFT = "left"


@dataclass
class _Track:
    person: int
    x: float
    size: float
    first: float
    last: float
    seen: int = 1
    close_since: float | None = None
    approached: bool = False
    engaged: bool = False


@dataclass
class TrackerSettings:
    """The thresholds (kiosk.toml [presence]; see docs/presence.md)."""

    engage_seconds: float = 1.5  # facing the screen this long, close enough: engaged
    engage_size: float = 0.22  # a face this tall (of the frame) is close enough to use it
    leave_seconds: float = 2.0  # not seen this long: gone
    match_distance: float = 0.3  # a face this far (of the width) from a track is someone else
    approach_frames: int = 2  # seen in this many looks before it counts (one false hit is not a person)


@dataclass
class PresenceTracker:
    """Feed it one ``Sighting`` per look with its time; it returns what changed."""

    settings: TrackerSettings = field(default_factory=TrackerSettings)
    _tracks: list[_Track] = field(default_factory=list)
    _ids: "itertools.count[int]" = field(default_factory=lambda: itertools.count(1))

    def feed(self, sighting: Sighting, now: float) -> list[PresenceChange]:
        """Match the faces to tracks, and return the steps taken since the last look."""
        s = self.settings
        out: list[PresenceChange] = []
        free = list(self._tracks)
        for face in sorted(sighting.faces, key=lambda f: -f.size):
            track = min(free, key=lambda t: abs(t.x - face.x), default=None)
            if track is not None and abs(track.x - face.x) <= s.match_distance:
                free.remove(track)
                track.x, track.size, track.last = face.x, face.size, now
                track.seen += 1
            else:
                track = _Track(next(self._ids), face.x, face.size, now, now)
                self._tracks.append(track)
            if face.size >= s.engage_size:
                track.close_since = track.close_since if track.close_since is not None else now
            else:
                track.close_since = None
            if not track.approached and track.seen >= s.approach_frames:
                track.approached = True
                out.append(PresenceChange(APPROACHED, track.person, track.x))
            if (not track.engaged and track.approached and track.close_since is not None
                    and now - track.close_since >= s.engage_seconds):
                track.engaged = True
                out.append(PresenceChange(ENGAGED, track.person, track.x))
        for track in list(self._tracks):
            if now - track.last >= s.leave_seconds:
                self._tracks.remove(track)
                if track.approached:
                    out.append(PresenceChange(LEFT, track.person, track.x))
            elif track.last != now:
                # A face missed in one look (turned away a moment): closeness must start over
                # only after a real gap, so a blink of the detector does not reset it.
                if now - track.last > s.leave_seconds / 2:
                    track.close_since = None
        return out

    def reset(self) -> list[PresenceChange]:
        """Forget everyone (the camera went to a video call): each approached person left."""
        out = [PresenceChange(LEFT, t.person, t.x) for t in self._tracks if t.approached]
        self._tracks.clear()
        return out

    def people(self) -> int:
        """How many people are in view now (approached tracks)."""
        return sum(1 for t in self._tracks if t.approached)

    def gaze(self) -> float | None:
        """Where to look (0 left … 1 right, as the person sees the screen): the engaged
        person nearest the screen, else the nearest approached one; None: nobody."""
        tracks = [t for t in self._tracks if t.approached]
        if not tracks:
            return None
        best = max(tracks, key=lambda t: (t.engaged, t.size))
        # The camera looks at the person, so its left is their right: mirror it.
        return 1.0 - best.x
