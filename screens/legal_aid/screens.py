"""The legal-aid screens (法律援助申请, docs/legal_aid.md): one screen per ``LA_*`` state.

Every choice is a ``KButton`` whose action is ``la:<step>:<value>``: ``LegalAidUi.act``
(screens/legal_aid/ui.py) turns it into ``LegalAidAnswered`` for the visit flow, or does the screen's own part
(dictation, reading the letter aloud, clearing the signature, printing). Touch, the
keypad focus ring and voice (button names, digits, dictation) all go through it.
Nothing personal is put in an action string: the phone number and the signature go
straight from the widget to the flow.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk import events as ev
from kiosk.legal_aid.events import LegalAidAnswered
from kiosk.legal_aid.flow import LegalAidFlow
from kiosk.legal_aid.receipt import legal_aid_receipt
from kiosk.ports import DeviceKind
from screens import theme
from screens import numpad as _numpad  # noqa: F401 — the NumPad kv rule
from screens.base import KioskScreen
from screens.dictation import Dictation
from screens.numpad import DIGIT_WORDS
from screens.signature import SignaturePad  # noqa: F401 — used in the kv file
from screens.widgets import place_buttons

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)
TOTAL_STEPS = 8


def legal_aid_of(flow: Any) -> LegalAidFlow:
    """The legal-aid feature registered with the visit flow."""
    feature = flow.features.get(LegalAidFlow.name)
    assert isinstance(feature, LegalAidFlow), "legal aid is not registered"
    return feature


class LaScreen(KioskScreen):
    """What every legal-aid screen has: a step, a title, an intro said first."""

    step = StringProperty("")
    title = StringProperty("")
    intro = StringProperty("")
    step_no = 0
    title_key = ""
    intro_key = ""

    @property
    def la(self) -> LegalAidFlow:
        """The terminal's legal-aid flow."""
        return legal_aid_of(self.kiosk.terminal.flow)

    def refresh(self) -> None:
        """Texts in the current language."""
        app = self.kiosk
        self.step = app.tr("legal_aid.step", n=self.step_no, total=TOTAL_STEPS) if self.step_no else ""
        self.title = app.tr(self.title_key) if self.title_key else ""
        # guide.text: an intro that asks for speech says what works when nothing listens.
        self.intro = app.guide.text(self.intro_key) if self.intro_key else ""

    def spoken_intro(self) -> str:
        """Step, title, how to answer."""
        return "。".join(p for p in (self.step, self.title, self.intro) if p) + "。"


def _short(text: str) -> str:
    # What a person says for a choice: "农民工（进城务工人员）" → "农民工".
    return re.sub(r"（[^）]*）|\([^)]*\)", "", text).replace("✓", "").strip()


def _choice(text: str, hint: str, action: str, app: "KioskApp", selected: bool = False) -> dict[str, Any]:
    """A choice button's properties (all of them: a reused button keeps nothing of the
    choice it showed before)."""
    size, small = int(app.fs(30)), int(app.fs(21))
    label = f"[size={size}]{text}[/size]" + (f"\n[size={small}]{hint}[/size]" if hint else "")
    return dict(
        text=label, markup=True, action=action, spoken=f"{_short(text)}，{hint}" if hint else _short(text),
        bg=theme.NAVY if selected else theme.SURFACE, fg=theme.ON_NAVY if selected else theme.TEXT,
        outline=theme.NAVY, selected=selected, size_hint_y=None, height=app.target() * (1.6 if hint else 1.2),
    )


class LaMatterScreen(LaScreen):
    """Which matter: tiles from kiosk/data/legal_aid.toml."""

    step_no = 1
    title_key = "legal_aid.matter_title"
    intro_key = "legal_aid.matter_intro"
    need = StringProperty("")  # what to have ready and the ways to sign, told up front

    def refresh(self) -> None:
        """One tile per matter."""
        super().refresh()
        app = self.kiosk
        self.need = app.tr("legal_aid.ways.need")
        grid = self.ids.choices
        grid.cols = 1 if app.portrait or app.elder else 2
        place_buttons(grid, [_choice(m.name.get(app.lang), m.hint.get(app.lang), f"la:matter:{m.code}", app)
                             for m in self.la.data.matters])

    def spoken_intro(self) -> str:
        """Step, title, how to answer, then what will be needed and how to sign."""
        return f"{super().spoken_intro()}{self.need}"


class LaOutsideScreen(LaScreen):
    """Not within legal aid: say why; a consultation ticket, or a video call."""

    title_key = "legal_aid.outside_title"
    reason = StringProperty("")
    has_video = BooleanProperty(False)
    primary_action = "take"

    def refresh(self) -> None:
        """The reason (the matter's, or hardship not declared)."""
        super().refresh()
        app = self.kiosk
        d = self.la.draft
        if d.outside_reason == "matter" and d.matter:
            reason = self.la.data.matter(d.matter).outside_reason
            self.reason = reason.get(app.lang) if reason else ""
        else:
            # The matter is within legal aid: what stopped it is the answer "我不困难",
            # which the person may change; say so, not "outside legal aid".
            self.title = app.tr("legal_aid.ways.outside_hardship_title")
            self.reason = app.tr("legal_aid.ways.outside_hardship")
        # The video call is offered only where the terminal has one.
        self.has_video = "video" in app.terminal.catalog.codes()

    def spoken_intro(self) -> str:
        """Title and reason."""
        return f"{self.title}。{self.reason}"


class LaGroupScreen(LaScreen):
    """Groups: age from the card (shown), the others asked (several may apply)."""

    step_no = 3
    title_key = "legal_aid.group_title"
    intro_key = "legal_aid.group_intro"
    from_card = StringProperty("")

    def refresh(self) -> None:
        """Toggle buttons for the asked groups."""
        super().refresh()
        app = self.kiosk
        d, data = self.la.draft, self.la.data
        names = "、".join(data.group(g).name.get(app.lang) for g in d.card_groups)
        self.from_card = app.tr("legal_aid.group_from_card", groups=names) if names else ""
        grid = self.ids.choices
        grid.cols = 1 if app.portrait or app.elder else 2
        place_buttons(grid, [_choice(("✓ " if g.code in d.declared_groups else "") + g.name.get(app.lang), "", f"la:group:{g.code}", app,
                                     selected=g.code in d.declared_groups) for g in data.asked_groups()])

    def spoken_intro(self) -> str:
        """Step, title, what the card said, how to answer."""
        return "。".join(p for p in (self.step, self.title, self.from_card, self.intro) if p) + "。"


class LaHardshipScreen(LaScreen):
    """The self-declaration of financial hardship (告知承诺)."""

    step_no = 4
    title_key = "legal_aid.hardship_title"
    intro_key = "legal_aid.hardship_body"
    primary_action = "la:hardship:yes"

    def read_aloud(self) -> None:
        """Say the declaration (朗读), to anyone who asks: it is a promise they make."""
        self.kiosk.speak(f"{self.title}。{self.intro}")


class LaPhoneScreen(LaScreen):
    """The phone number on the big keypad."""

    step_no = 5
    title_key = "legal_aid.phone_title"
    intro_key = "legal_aid.phone_intro"
    primary_action = "numpad:ok"

    def on_kv_post(self, base_widget: Any) -> None:
        """Hand accepted numbers to the flow directly (never through an action string)."""
        self.ids.numpad.on_done = self._entered

    def refresh(self) -> None:
        """The number given earlier in this visit; a new visit starts empty. Digits
        typed and not yet accepted stay through a redraw while the screen is shown
        (big type on or off, another language): the person changed how it looks, not
        what they typed."""
        super().refresh()
        pad = self.ids.numpad
        pad.value = pad.value or self.la.draft.phone
        pad.error = ""

    def on_leave(self, *args: object) -> None:
        """What was typed goes with the screen (the draft keeps an accepted number)."""
        self.ids.numpad.value = ""

    def _entered(self, digits: str) -> None:
        self.kiosk.terminal.flow.handle(LegalAidAnswered("phone", digits))

    def voice_grammar(self) -> list[str]:
        """Digits are what is said here."""
        return DIGIT_WORDS

    def take_speech(self, text: str) -> bool:
        """Spoken digits type on the keypad; True when the words were digits."""
        pad = self.ids.numpad
        if pad.hear(text):
            self.kiosk.speak(pad.spoken_state())
            return True
        return False

    def spoken_intro(self) -> str:
        """Step, title, how to type, what is typed so far."""
        return super().spoken_intro() + self.ids.numpad.spoken_state()


class LaStoryScreen(Dictation, LaScreen):
    """What happened, by voice dictation (free mode), shown for correction, or skipped."""

    step_no = 6
    title_key = "legal_aid.story_title"
    intro_key = "legal_aid.story_intro"
    story = StringProperty("")
    primary_action = "la:story:done"
    # Dictation needs the microphone and a speech model; without them the way on is to
    # skip and tell the window.
    needs_devices = (DeviceKind.MIC,)
    needs_speech = True
    way_on = (("legal_aid.story_skip", "la:story:skip"),)
    # What the band says cannot be used now (no microphone, no speech model), or "".
    device_problem = StringProperty("")

    def refresh(self) -> None:
        """The words so far."""
        super().refresh()
        self.story = self.la.draft.story

    def on_kv_post(self, base_widget: Any) -> None:
        """Hold the buttons that may leave the row (the ids keep only weak references)."""
        super().on_kv_post(base_widget)
        self._steps_aside = [self.ids[name].__self__ for name in ("dictate", "redo", "skip")]

    def device_problem_changed(self, problem: str) -> None:
        """Nothing can listen (or it can again): the buttons that would listen leave the
        row, and its 跳过 too, which the band offers meanwhile; they come back after."""
        self.device_problem = problem
        row = self.ids.actions.__self__  # the widget itself: a button's parent is never the proxy
        dictate, redo, skip = self._steps_aside
        if problem:
            for button in (dictate, redo, skip):
                if button.parent is row:
                    row.remove_widget(button)
        elif dictate.parent is None:
            # Back in their places: 开始说话, 重新说 first, 跳过 just before 说好了，下一步.
            row.add_widget(redo, index=len(row.children))
            row.add_widget(dictate, index=len(row.children))
            row.add_widget(skip, index=1)

    def voice_grammar(self) -> list[str] | None:
        """Free text while dictating (None); the buttons' names otherwise."""
        return None if self.dictating else []

    def dictate(self) -> None:
        """Listen for one utterance in free mode; it is added to the text."""
        app = self.kiosk
        voice = app.terminal.voice_input
        if voice is None:
            app.show_notice("legal_aid.story_no_voice")
            return
        self.start_dictation()
        app.show_notice("legal_aid.story_listening")

    def take_speech(self, text: str) -> bool:
        """While dictating, what is heard is the story (shown, not acted on)."""
        if not self.dictating:
            return False
        self.stop_dictation()
        self.kiosk.terminal.flow.handle(LegalAidAnswered("story", text))
        self.kiosk.speak(self.kiosk.tr("legal_aid.story_heard", text=text))
        return True

    def spoken_intro(self) -> str:
        """Step, title, how, and the words so far."""
        heard = self.story or self.kiosk.tr("legal_aid.story_empty")
        return f"{super().spoken_intro()}{heard}。"


class LaLetterScreen(LaScreen):
    """The commitment letter, shown and read aloud."""

    step_no = 7
    title_key = "legal_aid.letter_title"
    letter = StringProperty("")
    primary_action = "la:letter:agree"

    def refresh(self) -> None:
        """The letter with the masked name and number."""
        super().refresh()
        app = self.kiosk
        self.letter = self.la.letter_text(app.terminal.flow.visit.card, app.lang)

    def on_enter(self, *args: object) -> None:
        """Read it aloud to everyone (not only in voice mode): it is what they sign."""
        if not (self.kiosk.voice or self.kiosk._keypad_in_use):  # noqa: SLF001 — those hear it in the prompt
            self.read_aloud()

    def read_aloud(self) -> None:
        """Say the letter."""
        self.kiosk.speak(f"{self.title}。{self.letter}")

    def spoken_intro(self) -> str:
        """The letter itself."""
        return f"{self.step}。{self.title}。{self.letter}"


class LaSignScreen(LaScreen):
    """Check the summary, then sign with a finger, or leave a fingerprint mark, or keep
    the application to sign at the window."""

    step_no = 8
    title_key = "legal_aid.sign_title"
    intro_key = "legal_aid.ways.sign_intro"
    primary_action = "la:sign:submit"
    mode = StringProperty("signature")  # or "fingerprint"
    summary = StringProperty("")

    def refresh(self) -> None:
        """The summary of what is signed, and the texts of the way of signing."""
        if self.mode == "fingerprint":
            self.title_key, self.intro_key = "legal_aid.ways.fingerprint_title", "legal_aid.ways.fingerprint_intro"
        else:
            self.title_key, self.intro_key = "legal_aid.sign_title", "legal_aid.ways.sign_intro"
        super().refresh()
        self.summary = self.la.summary(self.kiosk.lang)

    def on_enter(self, *args: object) -> None:
        """A fresh pad for every signing, by hand first."""
        self.use("signature", speak=False)

    def use(self, mode: str, speak: bool = True) -> None:
        """Sign by hand or by fingerprint (the pad is cleared either way)."""
        self.mode = mode
        self.ids.pad.mode = mode
        self.ids.pad.clear()
        self.refresh()
        if speak and (self.kiosk.voice or self.kiosk._keypad_in_use):  # noqa: SLF001
            self.kiosk.speak(f"{self.title}。{self.intro}")

    def submit(self) -> None:
        """Refuse an empty pad; else hand the image (signature or mark) to the flow."""
        pad = self.ids.pad
        if pad.is_empty:
            self.kiosk.show_notice("legal_aid.ways.fingerprint_empty" if self.mode == "fingerprint" else "legal_aid.sign_empty")
            return
        self.kiosk.terminal.flow.handle(LegalAidAnswered("sign", self.mode, pad.png_bytes()))

    def spoken_intro(self) -> str:
        """Step, the summary to check, then how to sign."""
        app = self.kiosk
        summary = self.summary.replace("\n", "。")
        return f"{self.step}。{app.tr('legal_aid.ways.summary_spoken')}{summary}。{self.title}。{self.intro}"


class LaDoneScreen(LaScreen):
    """Submitted: the number, the check code, what to bring; the receipt printed."""

    title_key = "legal_aid.done_title"
    number = StringProperty("")
    number_shown = StringProperty("")  # grouped 6-4-3, the way it is read off
    code = StringProperty("")
    materials = StringProperty("")
    delivery = StringProperty("")
    print_state = StringProperty("")
    window_note = StringProperty("")  # kept to sign at the window: what to do there
    primary_action = "finish"

    def refresh(self) -> None:
        """The facts of the submitted application."""
        super().refresh()
        app = self.kiosk
        s = self.la.draft.submitted
        if s is None:
            return
        self.number, self.code = s.number, s.check_code
        if s.sign_method == "window":
            self.title = app.tr("legal_aid.ways.done_window_title")
            self.window_note = app.tr("legal_aid.ways.done_window")
        else:
            self.window_note = ""
        self.number_shown = f"{s.number[:6]} {s.number[6:10]} {s.number[10:]}"
        items = self.la.data.materials(s.matter, app.lang)
        # "3．" without a space: Kivy wraps at spaces, and would leave the number alone on a line.
        sep = ". " if app.lang == "en" else "．"
        self.materials = "\n".join(f"{i}{sep}{m}" for i, m in enumerate(items, 1))
        row = self.la._conn.execute("SELECT delivered_at FROM outbox WHERE event_id = ?", (s.event_id,)).fetchone()  # noqa: SLF001
        self.delivery = app.tr("legal_aid.done_sent" if row is not None and row[0] else "legal_aid.done_queued")

    def on_enter(self, *args: object) -> None:
        """Print the receipt at once; look again later whether the centre has it."""
        self.kiosk._hide_notice(0)  # noqa: SLF001 — the signing step's message is over
        self.print_receipt()
        self._poll = Clock.schedule_interval(lambda _dt: self.refresh(), 2.0)

    def on_leave(self, *args: object) -> None:
        """Stop looking."""
        if getattr(self, "_poll", None) is not None:
            self._poll.cancel()

    def print_receipt(self) -> None:
        """Send the receipt to the print queue."""
        app = self.kiosk
        s = self.la.draft.submitted
        if s is None:
            return
        card = app.terminal.flow.visit.card
        receipt = legal_aid_receipt(s, self.la.data, app.terminal.config, language=app.lang,
                                    holder_name=card.masked_name if card else None,
                                    take_card=app.terminal.flow.visit.card_placed)
        self.print_state = app.tr("legal_aid.done_printing")
        app.receipts.queue.submit(f"legal_aid:{s.number}", receipt)

    def on_print_finished(self, event: ev.PrintFinished) -> None:
        """The receipt printed (or not: the notice says why)."""
        if event.job_id.startswith("legal_aid:"):
            self.print_state = self.kiosk.tr("legal_aid.done_printed") if event.ok else ""

    def spoken_intro(self) -> str:
        """The number, read digit by digit, and what to bring."""
        app = self.kiosk
        digits = " ".join(self.number)
        s = self.la.draft.submitted
        if s is not None and s.sign_method == "window":
            return f"{app.tr('legal_aid.ways.done_window_spoken', number=digits)}{self.window_note}{app.tr('legal_aid.done_bring')}{self.materials}"
        return f"{app.tr('legal_aid.done_spoken', number=digits)}{self.delivery}。{app.tr('legal_aid.done_bring')}{self.materials}"


class LaProgressScreen(LaScreen):
    """Follow an application: the number on the keypad, or the ID card."""

    title_key = "legal_aid.progress_title"
    intro_key = "legal_aid.progress_intro"
    result = StringProperty("")
    results = ListProperty([])
    _said = 0

    def on_kv_post(self, base_widget: Any) -> None:
        """Numbers typed go to the look-up."""
        self.ids.numpad.on_done = self._number

    def _number(self, digits: str) -> None:
        la = self.la
        la.lookup(number=digits)
        self.refresh()

    def refresh(self) -> None:
        """What the look-up found (said aloud once in voice mode)."""
        super().refresh()
        app = self.kiosk
        p = self.la.progress if self.la is not None else {}
        if not p:
            self.result = ""
            self.ids.numpad.value = ""
            return
        if p.get("state") == "asking":
            self.result = app.tr("legal_aid.progress_asking")
            return
        if p.get("message_key"):
            self.result = app.tr(p["message_key"])
        elif not p.get("applications"):
            self.result = app.tr("legal_aid.progress_none")
        else:
            lines = []
            for a in p["applications"]:
                status = app.tr(f"legal_aid.status.{a['status']}")
                if "matter" not in a:  # looked up by number: the status only
                    lines.append(app.tr("legal_aid.progress_item_short", number=a["number"], status=status))
                    continue
                try:
                    matter = self.la.data.matter(a["matter"]).name.get(app.lang)
                except Exception:  # noqa: BLE001 — a matter this kiosk's data file lacks
                    matter = a["matter"]
                line = app.tr("legal_aid.progress_item", number=a["number"], matter=matter, status=status)
                if a.get("note"):
                    line += "\n" + app.tr("legal_aid.progress_note", note=a["note"])
                lines.append(line)
            self.result = "\n".join(lines)
        if p.get("id") != self._said:
            self._said = p.get("id", 0)
            if app.voice or app._keypad_in_use:  # noqa: SLF001
                app.speak(self.result.replace("\n", "。"))

    def voice_grammar(self) -> list[str]:
        """Digits of the number."""
        return DIGIT_WORDS

    def take_speech(self, text: str) -> bool:
        """Spoken digits type the number."""
        pad = self.ids.numpad
        if pad.hear(text):
            self.kiosk.speak(pad.spoken_state())
            return True
        return False


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
