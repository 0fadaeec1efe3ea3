"""What a capability of the kiosk is to the core: one ``Feature`` behind one protocol.

A feature (legal aid, appointments, ratings, the video call…) is one package under
``kiosk/<feature>/`` with its screens under ``screens/<feature>/``. It declares here what
the visit flow needs to know of it: the visit states it owns, the transitions into and
out of them, the events it alone answers, where Back leads in its states, what ``wipe``
forgets when a visit ends, its screens (as "module:Class" strings: the core never imports
screens), its home tiles with whether each can work now, and its configuration section
(its figures reach the centre as the outbox events it writes). ``kiosk.bootstrap`` registers the features, one line each;
``VisitFlow`` and ``KioskApp`` dispatch to them without naming any.
"""

from __future__ import annotations

import enum
import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, Protocol, Sequence, runtime_checkable

from kiosk.availability import HomeTile
from kiosk.catalog import Catalog
from kiosk.centre_asker import CentreAsker
from kiosk.config import KioskConfig
from kiosk.events import Event
from kiosk.i18n import Translator
from kiosk.ports import CentreChannel, Clock, Device, DeviceKind
from kiosk.queue import QueueService
from kiosk.states import VisitState

if TYPE_CHECKING:
    from kiosk.video_call.call import VideoCallPort
    from kiosk.visit import VisitFlow

# A visit state: the core's ``VisitState`` or a feature's own enum. Its value is also the
# name of the screen that shows it.
State = enum.StrEnum
Transitions = Mapping[tuple[State, type[Event]], State]


@runtime_checkable
class Feature(Protocol):
    """One capability of the kiosk, as the visit flow sees it (UI thread only)."""

    # Read-only in the protocol: a feature declares them as class attributes.
    @property
    def name(self) -> str:
        """Short and stable ("legal_aid"); also the name its UI is found under."""

    @property
    def states(self) -> tuple[State, ...]:
        """The visit states it owns (each one screen)."""

    @property
    def transitions(self) -> Transitions:
        """The plain steps into and out of its states."""

    @property
    def events(self) -> tuple[type[Event], ...]:
        """The events it alone answers (see ``on_event``)."""

    @property
    def untimed(self) -> frozenset[State]:
        """States where nobody is timed out (talking to a lawyer)."""

    @property
    def final(self) -> frozenset[State]:
        """The last screen of its kind of visit ("请取回身份证" is said again there)."""

    @property
    def multi_step(self) -> frozenset[State]:
        """The middle of a long task: the idle question waits longer there."""

    @property
    def screens(self) -> Mapping[str, str]:
        """Its screens: name → "module:Class"."""

    @property
    def config_section(self) -> str | None:
        """Its section of kiosk.toml, when it has one."""

    def on_event(self, flow: "VisitFlow", event: Event, target: State | None) -> State | None:
        """Answer one of ``events``: ``target`` is the table's next state (None: none);
        returns the state to go to (None: stay)."""

    def back(self, flow: "VisitFlow", state: State) -> State | None:
        """Where Back leads from one of its states (None: stay)."""

    def observe(self, flow: "VisitFlow", old: State, new: State, event: Event) -> None:
        """Called after every handled event (e.g. a card read at the start of a visit)."""

    def wipe(self) -> None:
        """Forget everything of the last person (the visit ended, however it ended)."""

    def tiles(self) -> list[HomeTile]:
        """Its home tiles, each with whether it can work now."""


class FeatureBase:
    """Defaults for a feature: nothing owned, nothing answered, nothing to forget.

    A feature subclasses this and sets what it has; the protocol above is what the
    core relies on."""

    name = ""
    states: tuple[State, ...] = ()
    transitions: Transitions = {}
    events: tuple[type[Event], ...] = ()
    untimed: frozenset[State] = frozenset()
    final: frozenset[State] = frozenset()
    multi_step: frozenset[State] = frozenset()
    screens: Mapping[str, str] = {}
    config_section: str | None = None

    def on_event(self, flow: "VisitFlow", event: Event, target: State | None) -> State | None:
        """The table's answer, unchanged."""
        return target

    def back(self, flow: "VisitFlow", state: State) -> State | None:
        """Back from any of its states: the home screen."""
        return VisitState.HOME

    def observe(self, flow: "VisitFlow", old: State, new: State, event: Event) -> None:
        """Nothing to watch."""

    def wipe(self) -> None:
        """Nothing personal kept."""

    def tiles(self) -> list[HomeTile]:
        """No home tile."""
        return []


@dataclass(frozen=True)
class FeatureContext:
    """What a feature is built from (``setup(ctx)`` in its package): the terminal's
    parts, and late-bound views of what exists only once the terminal runs."""

    config: KioskConfig
    data_dir: Path
    catalog: Catalog
    translator: Translator
    clock: Clock
    queue: QueueService
    asker: CentreAsker  # every ask to the centre, on its one worker
    centre: Callable[[], CentreChannel | None]  # the live link (None: offline)
    devices: Callable[[], Mapping[DeviceKind, Device]]
    video: Callable[[], "VideoCallPort | None"]  # the call's port (remote_video, on the terminal); None: no calls


Setup = Callable[[FeatureContext], Feature]


@dataclass(frozen=True)
class Registration:
    """One registered feature: where its core part is made and where its UI part is.

    ``core`` is "module:setup" (``setup(ctx) -> Feature``); ``ui`` is "module:factory"
    of its screens' glue, resolved only by the app (the core never imports screens)."""

    core: str
    ui: str | None = None


@dataclass(frozen=True)
class Registered:
    """A feature made from its registration."""

    feature: Feature
    ui: str | None


def load(spec: str) -> Any:
    """The object a "module:name" string names."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


class FeatureRegistry:
    """The features of one terminal, in registration order, with the look-ups the
    visit flow and the app dispatch by."""

    def __init__(self, registered: Sequence[Registered] = ()) -> None:
        self._registered = list(registered)
        self._owner: dict[State, Feature] = {}
        self._answering: dict[type[Event], Feature] = {}
        for r in self._registered:
            for state in r.feature.states:
                if state in self._owner:
                    raise ValueError(f"state {state.value} is claimed by {self._owner[state].name} and {r.feature.name}")
                self._owner[state] = r.feature
            for event_type in r.feature.events:
                if event_type in self._answering:
                    raise ValueError(f"{event_type.__name__} is answered by {self._answering[event_type].name} and {r.feature.name}")
                self._answering[event_type] = r.feature

    @classmethod
    def build(cls, registrations: Sequence[Registration], ctx: FeatureContext) -> "FeatureRegistry":
        """Make every registered feature from its "module:setup" string."""
        return cls([Registered(load(r.core)(ctx), r.ui) for r in registrations])

    def __iter__(self) -> Iterator[Feature]:
        return (r.feature for r in self._registered)

    def __len__(self) -> int:
        return len(self._registered)

    @property
    def registered(self) -> list[Registered]:
        """Each feature with its UI string (for the app)."""
        return list(self._registered)

    def get(self, name: str) -> Feature | None:
        """The feature called ``name``, if registered."""
        return next((f for f in self if f.name == name), None)

    def owner(self, state: State) -> Feature | None:
        """The feature whose state this is (None: the core's)."""
        return self._owner.get(state)

    def answering(self, event_type: type[Event]) -> Feature | None:
        """The feature that alone answers events of this type (None: the core)."""
        return self._answering.get(event_type)

    def states(self) -> list[State]:
        """Every state the features own."""
        return list(self._owner)

    def transitions(self) -> dict[tuple[State, type[Event]], State]:
        """Every feature's steps, merged (a step into a state nobody owns is left out:
        the feature it leads to is not registered here)."""
        known = {*self._owner, *VisitState}
        out: dict[tuple[State, type[Event]], State] = {}
        for f in self:
            for key, target in f.transitions.items():
                if target in known:
                    out[key] = target
        return out

    def untimed(self) -> frozenset[State]:
        """States where nobody is timed out."""
        return frozenset().union(*(f.untimed for f in self))

    def final(self) -> frozenset[State]:
        """The last screens of the features' visits."""
        return frozenset().union(*(f.final for f in self))

    def multi_step(self) -> frozenset[State]:
        """The middles of the features' long tasks."""
        return frozenset().union(*(f.multi_step for f in self))

    def screens(self) -> dict[str, str]:
        """Every feature's screens."""
        out: dict[str, str] = {}
        for f in self:
            out.update(f.screens)
        return out

    def tiles(self) -> list[HomeTile]:
        """Every feature's home tiles, in their order."""
        return sorted((t for f in self for t in f.tiles()), key=lambda t: t.order)

    def wipe(self) -> None:
        """Every feature forgets the last person."""
        for f in self:
            f.wipe()

