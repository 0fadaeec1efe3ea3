"""The app's side of a feature: what its buttons do, and its part in the app's life.

``kiosk.bootstrap`` registers each feature with a "module:factory" string for its UI;
``KioskApp`` makes one ``FeatureUi`` per feature (``factory(app, feature)``) when it
builds, and hands it the actions it names (``la:…``, ``appt:…``). The app names no
feature: its screens table, its action dispatch and its home tiles come from here and
from the features themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Protocol

from kiosk.events import PrintFinished
from kiosk.feature import Feature, load

if TYPE_CHECKING:
    from screens.app import KioskApp


class FeatureUi(Protocol):
    """One feature's glue in the app (UI thread only)."""

    actions: tuple[str, ...]  # the action names it answers ("la" for "la:open")

    def act(self, name: str, arg: str) -> None:
        """Do the action ``name:arg``."""

    def print_finished(self, event: PrintFinished) -> bool | None:
        """A print job ended. None: not this feature's job; False: its job, but an
        earlier person's (nothing to tell this one); True: its job, for this person."""


class FeatureUiBase:
    """Defaults: no action, no print job."""

    actions: tuple[str, ...] = ()

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        self.app = app
        self.feature = feature

    def act(self, name: str, arg: str) -> None:
        """No action of its own."""

    def print_finished(self, event: PrintFinished) -> bool | None:
        """No print job of its own."""
        return None


UiFactory = Callable[["KioskApp", Feature], FeatureUi]


def build_uis(app: "KioskApp") -> dict[str, FeatureUi]:
    """One UI per registered feature that has one, by feature name, in registration
    order (each may add a listener to the visit flow: theirs run before the app's)."""
    uis: dict[str, FeatureUi] = {}
    for registered in app.terminal.flow.features.registered:
        if registered.ui is not None:
            factory: UiFactory = load(registered.ui)
            uis[registered.feature.name] = factory(app, registered.feature)
    return uis
