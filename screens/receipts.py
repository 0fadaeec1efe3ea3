"""Receipts from the app: the ticket when it is issued, the materials list on request.

Jobs run on the core's print queue (never the UI thread); their results come back
through the UI bridge and are told to the person: printed, or not and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk import events as ev
from kiosk.ports import DeviceKind
from kiosk.printing import PrintQueue
from kiosk.receipt import materials_receipt, ticket_receipt

if TYPE_CHECKING:
    from screens.app import KioskApp


class ReceiptDesk:
    """Sends the visit's receipts to the printer and reports how it went."""

    def __init__(self, app: "KioskApp") -> None:
        self.app = app
        terminal = app.terminal
        self.queue = PrintQueue(lambda: terminal.devices.get(DeviceKind.PRINTER), app.bridge.post, terminal.devices_ready)
        # What the ticket screen says of the paper: None, printing, printed, not printed.
        self.ticket_state_key: str | None = None
        self._ticket_tries = 0  # prints of this visit's ticket asked for so far
        self._ticket_problem_key: str | None = None  # why the last one failed (printer.paper_out…)

    @property
    def available(self) -> bool:
        """True when the terminal has a printer (working or not)."""
        return self.queue.available

    def print_ticket(self) -> None:
        """Print the visit's ticket (again), with the wait as it is now."""
        app = self.app
        visit = app.terminal.flow.visit
        ticket = visit.ticket
        if ticket is None:
            return
        t = app.terminal
        current = t.queue.get(ticket.ticket_id) or ticket
        holder = visit.card.masked_name if visit.card else None
        receipt = ticket_receipt(current, t.catalog.get(ticket.service), t.config, language=visit.language, holder_name=holder,
                                 take_card=visit.card_placed)
        # A second try says so: the same "printing" as before would look like nothing happened.
        self.ticket_state_key = "visit_walk.reprinting" if self._ticket_tries else "ticket.printing"
        self._ticket_tries += 1
        self.queue.submit(f"ticket:{ticket.ticket_id}", receipt)

    @property
    def ticket_failed(self) -> bool:
        """True when the visit's ticket could not be printed (the last try failed)."""
        return self.ticket_state_key in ("ticket.not_printed", "visit_walk.still_not_printed")

    @property
    def ticket_retrying(self) -> bool:
        """True while a ticket that failed before is being printed again."""
        return self.ticket_state_key == "visit_walk.reprinting"

    def ticket_state_text(self) -> str:
        """What the ticket screen says of the paper, in the visit's language ("" for nothing)."""
        key = self.ticket_state_key
        if key is None:
            return ""
        if key == "visit_walk.still_not_printed":
            return self.app.tr(key, why=self.app.tr(self._ticket_problem_key or "printer.error"))
        return self.app.tr(key)

    def reprint_number(self, number: str) -> bool:
        """Print today's ticket ``number`` again (one that could not be printed in an
        earlier visit); False when there is no such ticket waiting. No name is printed:
        the card of that visit is long gone."""
        t = self.app.terminal
        ticket = t.queue.find(number)
        if ticket is None or ticket.state.value != "waiting":
            return False
        receipt = ticket_receipt(ticket, t.catalog.get(ticket.service), t.config, language=t.flow.visit.language)
        self.queue.submit(f"ticket:{ticket.ticket_id}", receipt)
        return True

    def print_materials(self) -> None:
        """Print the chosen service's materials list."""
        app = self.app
        visit = app.terminal.flow.visit
        if visit.service is None:
            return
        if app.strip.shows(DeviceKind.PRINTER):
            # The band already says the printer cannot print: "正在打印" under it would
            # contradict it, and nothing would come out.
            app.speak(app.strip.problem)
            return
        t = app.terminal
        receipt = materials_receipt(t.catalog.get(visit.service), t.config, language=visit.language)
        self.queue.submit(f"materials:{visit.service}", receipt)
        app.show_notice("materials.printing")

    def ticket_issued(self) -> None:
        """A new ticket is on screen: print it, or say at once that it cannot be."""
        self.ticket_state_key = None
        self._ticket_tries = 0
        self._ticket_problem_key = None
        if self.available:
            self.print_ticket()
        else:
            self.ticket_state_key = "ticket.not_printed"
            ticket = self.app.terminal.flow.visit.ticket
            if ticket is not None:
                self.app.terminal.queue.mark_printed(ticket.ticket_id, False)

    def on_print_finished(self, event: ev.PrintFinished) -> None:
        """A job ended (on the UI thread): update the ticket screen, tell the person."""
        app = self.app
        for ui in app.uis.values():  # a feature's own paper (the appointment slip)
            if ui.print_finished(event) is False:
                return  # an earlier person's: nothing to say to this one
        if event.job_id.startswith("ticket:"):
            # Whoever's it is, the store keeps whether its paper came out: one that did
            # not outlives the visit (reprinted by number; staff see it as not printed).
            ticket_id = int(event.job_id.split(":", 1)[1])
            app.terminal.queue.mark_printed(ticket_id, event.ok)
            ticket = app.terminal.flow.visit.ticket
            if ticket is None or event.job_id != f"ticket:{ticket.ticket_id}":
                if app.sm.current == "technician":
                    app.root_screen("technician").reprinted(ticket_id, event.ok)
                return  # an earlier person's ticket: nothing to say to this one
            self._ticket_problem_key = None if event.ok else (event.message_key or "printer.error")
            if event.ok:
                self.ticket_state_key = "ticket.printed"
            else:
                # After a try again, the result is said anew, with the printer's reason.
                self.ticket_state_key = "visit_walk.still_not_printed" if self._ticket_tries > 1 else "ticket.not_printed"
            if app.sm.current == "ticket":
                app.root_screen("ticket").refresh()
        if event.ok:
            if event.job_id.startswith("materials:"):
                app.show_notice("materials.printed")
        elif event.job_id.startswith("ticket:"):
            app.show_notice(event.message_key or "printer.error")  # "…请拍照或扫码保存您的号码"
        elif app.strip.shows(DeviceKind.PRINTER):
            app.banner = ""  # no "正在打印…" left under the band that says it cannot print
        else:
            # Not a ticket: there is no number to save. One message only: while the band
            # already says the printer cannot print, a second banner would only repeat it.
            key = f"card_left.not_printed_{(event.message_key or 'printer.error').rpartition('.')[2]}"
            app.show_notice(key if app.terminal.translator.has(key) else "card_left.not_printed_error")
