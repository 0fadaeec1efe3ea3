"""The technician screens: a PIN pad, then device states and simulator controls."""

from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import ColorProperty, StringProperty

from kiosk import __version__
from kiosk.ports import DeviceState
from screens import theme
from screens.base import KioskScreen
from screens.widgets import KButton, SurfaceBox, discard_children

_STATE_COLOURS = {
    DeviceState.READY: theme.OK,
    # A device the terminal is configured with but cannot reach is a fault to repair.
    DeviceState.ABSENT: theme.ACCENT,
    DeviceState.FAULT: theme.ACCENT,
    DeviceState.UNKNOWN: theme.WARN,
}


class PinScreen(KioskScreen):
    """Enter the maintenance PIN (digits shown as dots)."""

    entered = StringProperty("")
    message = StringProperty("")

    def refresh(self) -> None:
        """Start empty."""
        self.entered = ""
        self.message = ""

    def press(self, key: str) -> None:
        """A key of the pad: a digit, ``clear`` or ``ok``."""
        if key == "clear":
            self.entered = ""
        elif key == "ok":
            if self.kiosk.check_pin(self.entered):
                self.kiosk.show_screen("technician")
            else:
                self.entered = ""
                self.message = self.kiosk.tr("tech.pin_wrong")
        elif len(self.entered) < 8:
            self.entered += key
            self.message = ""

    def spoken_intro(self) -> str:
        """For technicians: the PIN prompt."""
        return f"{self.kiosk.tr('tech.pin_prompt')}。"


class DeviceRow(SurfaceBox):
    """A device: name, URL, state and detail."""

    name_text = StringProperty("")
    url = StringProperty("")
    state_text = StringProperty("")
    detail = StringProperty("")
    state_colour = ColorProperty(theme.TEXT_MUTED)


class TechnicianScreen(KioskScreen):
    """Device states (refreshed every second while shown) and simulator controls."""

    title = StringProperty("")
    queue_text = StringProperty("")
    version_text = StringProperty("")
    reprint_text = StringProperty("")  # the last reprint's outcome

    def on_enter(self, *args: object) -> None:
        """Refresh the device states every second while shown."""
        self._poll = Clock.schedule_interval(lambda _dt: self.refresh_states(), 1.0)

    def on_leave(self, *args: object) -> None:
        """Stop refreshing."""
        self._poll.cancel()

    def refresh(self) -> None:
        """Rebuild the device rows and simulator buttons."""
        app = self.kiosk
        t = app.terminal
        self.title = app.tr("tech.title", terminal_id=t.config.terminal_id)
        self.version_text = app.tr("tech.version", version=__version__)
        sims = self.ids.sims
        discard_children(sims)
        for device in t.sim_devices():
            for action in device.sim_actions():
                sims.add_widget(Factory.SimButton(text=app.tr(action.label_key), action=f"sim:{action.action_id}"))
        if not sims.children:
            sims.add_widget(KButton(text=app.tr("tech.no_sim"), bg=theme.BACKGROUND, fg=theme.TEXT_MUTED))
        self.refresh_states()

    def refresh_states(self) -> None:
        """Re-read each device's health and today's queue counts."""
        app = self.kiosk
        t = app.terminal
        rows = self.ids.devices
        discard_children(rows)
        for kind, device in t.devices.items():
            h = device.health()
            # The printer's own word (缺纸, 纸仓盖未关, 离线) first, from its polled status.
            said = app.tr(h.message_key) if h.message_key and h.state is not DeviceState.READY else ""
            rows.add_widget(
                DeviceRow(
                    name_text=app.tr(f"device.{kind.value}"),
                    url=h.url or "—",
                    state_text=app.tr(f"state.{h.state.value}"),
                    detail=f"{said} · {h.detail}" if said else h.detail,
                    state_colour=_STATE_COLOURS[h.state],
                )
            )
        rows.add_widget(self._speech_row())
        tickets = t.queue.tickets()
        waiting = sum(1 for x in tickets if x.state.value == "waiting")
        self.queue_text = app.tr("tech.queue", issued=len(tickets), waiting=waiting)
        self._reprint_buttons([x.number for x in tickets if x.state.value == "waiting" and x.printed is False])

    def _speech_row(self) -> DeviceRow:
        # Voice mode without a model invites speech nothing hears: a fault to repair.
        app = self.kiosk
        hears = app.guide.hears
        state = DeviceState.READY if hears else DeviceState.FAULT
        from kiosk.voice.models import check_model  # deferred: file checks only; the voice package is not paid before the first frame

        model = check_model(app.terminal.data_dir)
        detail = model.detail if model.ok else app.tr("voice_limits.speech_model_missing")
        return DeviceRow(name_text=app.tr("voice_limits.speech_model"), url=model.name, state_text=app.tr(f"state.{state.value}"),
                         detail=detail, state_colour=_STATE_COLOURS[state])

    def _reprint_buttons(self, numbers: list[str]) -> None:
        box = self.ids.reprints
        shown = [b.action for b in box.children]
        wanted = [f"reprint_ticket:{n}" for n in reversed(numbers)]
        if shown == wanted:
            return  # unchanged: keep the buttons (and the keypad's focus) as they are
        discard_children(box)
        for number in numbers:
            box.add_widget(Factory.SimButton(text=f"{self.kiosk.tr('printer_state.reprint_title')} {number}",
                                             action=f"reprint_ticket:{number}"))

    def reprinted(self, ticket_id: int, ok: bool) -> None:
        """A reprint asked for here ended: say how."""
        ticket = self.kiosk.terminal.queue.get(ticket_id)
        number = ticket.number if ticket else str(ticket_id)
        self.reprint_text = self.kiosk.tr("printer_state.reprinted" if ok else "printer_state.reprint_failed", number=number)
        self.refresh_states()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
