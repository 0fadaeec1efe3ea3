"""Voice mode's guide: says each screen, hears the person, does what was asked.

Speech out goes to the terminal's speaker (one queue: nothing talks over anything).
Speech in comes from the terminal's voice input (microphone + recogniser, on their own
worker) through the UI bridge; the intent matcher says what was meant, on the screen
shown now, and the guide turns that into the same actions the buttons do.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from kiosk.events import SpeechHeard, SpeechPartial
from kiosk.ports import DeviceKind
from kiosk.tickets import spoken_number

if TYPE_CHECKING:
    from screens.app import KioskApp
    from kiosk.voice import ScreenOffers

log = logging.getLogger(__name__)

# Buttons every screen has: not read out as the screen's offers (the help says them).
NAV_ACTIONS = {"back", "home", "finish", "lang", "elder", "voice"}

# Intents (by name) that do the same everywhere. The matcher (kiosk.voice, with its
# pinyin tables) is imported on first use, never before the first frame.
_GLOBAL = {
    "back": "back",
    "home": "home",
    "help": "help",
    "repeat": "repeat",
    "elder_mode": "elder",
    "take_ticket": "take",
    "materials": "materials",
    "finish": "finish",
}


# Texts that invite speech, and what is said instead when nothing can hear it.
_DEAF = {
    "voice.on": "voice_limits.on",
    "voice.howto": "voice_limits.howto",
    "voice.help": "voice_limits.help",
    "voice.idle_answer": "voice_limits.idle_answer",
    "rating.voice_howto": "voice_limits.rating_howto",
    "call.consent_voice": "voice_limits.consent",
    "legal_aid.story_intro": "voice_limits.story_intro",
}


def _normalise(text: str) -> str:
    # Compare what was said with labels without spaces, punctuation or case.
    return "".join(ch for ch in text.lower() if ch.isalnum())


class VoiceGuide:
    """Speech in and out for the app (on the UI thread)."""

    def __init__(self, app: "KioskApp") -> None:
        self.app = app
        self.heard_text = ""  # the last words heard, shown on screen while listening
        self.preface = ""  # said once before the next screen prompt
        self._listening = False

    # --- what works ------------------------------------------------------------------

    @property
    def hears(self) -> bool:
        """True when something listens: a speech model loaded and a microphone that works.
        Until the model has loaded (seconds after start) nothing listens either."""
        t = self.app.terminal
        if t.voice_input is None:
            return False
        mic = t.devices.get(DeviceKind.MIC)
        return mic is not None and mic.health().state.value not in ("absent", "fault")

    def text(self, key: str) -> str:
        """The voice-mode text ``key``; where it asks the person to speak and nothing
        listens, the text that says what works instead (screens read aloud, the keypad)."""
        if not self.hears and key in _DEAF:
            return self.app.tr(_DEAF[key])
        return self.app.tr(key)

    # --- speech out ------------------------------------------------------------------

    def speak(self, text: str, interrupt: bool = True) -> None:
        """Say ``text`` on the speaker (if there is one); ``interrupt`` cuts what is being said."""
        speaker = self.app.terminal.speaker()
        if speaker is not None and text:
            speaker.say(text, interrupt=interrupt)

    def number(self, number: str) -> str:
        """A ticket number as it is said aloud in the current language."""
        return spoken_number(number, self.app.lang)

    def prompt(self) -> str:
        """What the current screen says of itself: what it is, what it offers, how to answer."""
        app = self.app
        # Keys of an on-screen keyboard (``quiet``) are not offers worth reading out.
        offers = [b.spoken_label() for b in self.app.buttons_on_screen()
                  if b.action not in NAV_ACTIONS and not getattr(b, "quiet", False)]
        parts = [app.sm.current_screen.spoken_intro()]
        if offers:
            parts.append(app.tr("voice.offers", items="、".join(offers)))
        parts.append(self.text("voice.howto"))
        return "".join(p for p in parts if p)

    def speak_screen(self, interrupt: bool = True) -> None:
        """Say the current screen's prompt (after the preface, if one is waiting)."""
        preface, self.preface = self.preface, ""
        self.speak(preface + self.prompt(), interrupt=interrupt)

    def command(self, name: str) -> None:
        """Commands that work everywhere: back, home, help, repeat."""
        if name in ("back", "home"):
            self.app.act(name)
        elif name == "help":
            self.speak(self.text("voice.help"))
        elif name == "repeat":
            self.speak_screen()

    # --- speech in -------------------------------------------------------------------

    def offers(self) -> "ScreenOffers":
        """What the screen shown now offers to voice."""
        from kiosk.voice import IntentName, ScreenOffers  # deferred: the matcher's tables load on first use

        app = self.app
        buttons = self.app.buttons_on_screen()
        services = tuple(b.action.split(":", 1)[1] for b in buttons if b.action.startswith("service:"))
        intents = {IntentName.BACK, IntentName.HOME, IntentName.HELP, IntentName.REPEAT}
        actions = {b.action for b in buttons}
        if services:
            intents.add(IntentName.SERVICE)
        if "take" in actions:
            intents.add(IntentName.TAKE_TICKET)
        if "elder" in actions:
            intents.add(IntentName.ELDER_MODE)
        if "materials" in actions:
            intents.add(IntentName.MATERIALS)
        if "finish" in actions:
            intents.add(IntentName.FINISH)
        if "appt:open" in actions:
            intents.add(IntentName.APPOINTMENT)
        if self._primary() is not None:
            intents |= {IntentName.YES, IntentName.NO}
        return ScreenOffers(name=app.sm.current, intents=tuple(sorted(intents)), services=services)

    def grammar(self) -> list[str] | None:
        """The phrases the recogniser listens for here: the matcher's, and every label.
        A screen's ``voice_grammar()`` adds its own words (digits on a keypad), or
        returns None for free text (dictation)."""
        from kiosk.voice import default_matcher  # deferred: the matcher's tables load on first use

        extra = getattr(self.app.sm.current_screen, "voice_grammar", None)
        words = extra() if extra is not None else []
        if words is None:
            return None  # free mode: the recogniser writes down whatever is said
        labels = [b.spoken_label().split("，")[0] for b in self.app.buttons_on_screen()]
        return sorted(set(default_matcher().grammar(self.offers())) | {x for x in labels if x} | set(words))

    def _primary(self) -> str | None:
        # "Yes" on a question: the question's own answer; else the screen's main step.
        if self.app.overlay is not None and self.app.overlay.parent is not None:
            return "still_here"
        return getattr(self.app.sm.current_screen, "primary_action", None)

    def action_for(self, text: str) -> str | None:
        """The action that saying ``text`` does on the screen shown now, or None."""
        said = _normalise(text)
        if not said:
            return None
        buttons = self.app.buttons_on_screen()
        actions = {b.action for b in buttons}
        for button in buttons:  # a button's whole label, said as it is written
            if _normalise(button.spoken_label()) == said or _normalise(button.spoken_label().split("，")[0]) == said:
                return button.action
        from kiosk.voice import IntentName, default_matcher  # deferred: the matcher's tables load on first use

        intent = default_matcher().match(text, self.offers())
        action: str | None = None
        if intent.intent is IntentName.SERVICE and intent.service:
            action = f"service:{intent.service}"
            if action not in actions:
                action = f"goto:{intent.service}"  # named from another screen: go there
        elif intent.intent is IntentName.CALL_LAWYER:
            # A live call to the duty lawyer where the home screen offers one (screens/video_call).
            action = "call:open" if "call:open" in actions else ("service:video" if "service:video" in actions else "goto:video")
        elif intent.intent is IntentName.APPOINTMENT:
            action = "appt:open"  # the home screen's 预约办事 tile ("我想预约")
        elif intent.intent is IntentName.YES:
            action = self._primary()
        elif intent.intent is IntentName.NO:
            action = "back"
        elif intent.intent.value in _GLOBAL:
            action = _GLOBAL[intent.intent.value]
        if action is not None and (action in actions or action.startswith("goto:") or action in ("help", "repeat", "back", "home")):
            return action
        for button in buttons:  # a button named inside a longer sentence
            name = _normalise(button.spoken_label().split("，")[0])
            if name and name in said:
                return button.action
        return None

    def sync(self) -> None:
        """Listen in voice mode (with the grammar of the screen shown now); stop otherwise."""
        voice = self.app.terminal.voice_input
        if voice is None:
            return
        if self.app.voice:
            if not self._listening:
                post = self.app.bridge.post
                voice.listen(lambda text: post(SpeechHeard(text)), lambda text: post(SpeechPartial(text)), self.grammar())
                self._listening = True
            else:
                voice.set_grammar(self.grammar())
        elif self._listening:
            voice.stop()
            self._listening = False

    def warm_up(self) -> None:
        """Load the matcher's pinyin tables on a worker, not at the first word heard."""
        def load() -> None:
            from kiosk.voice import default_matcher  # deferred: loaded on this worker, not before the first frame

            default_matcher()

        threading.Thread(target=load, name="voice-warm-up", daemon=True).start()

    def partial(self, text: str) -> None:
        """Words heard so far: shown while the person speaks."""
        self.heard_text = text
        self.app.show_heard(text)

    def heard(self, text: str) -> None:
        """Recognised speech (on the UI thread): do what it asks, or say it was not understood."""
        self.heard_text = text
        self.app.show_heard(text)
        take = getattr(self.app.sm.current_screen, "take_speech", None)
        if take is not None and take(text):
            log.info("voice: taken by the screen")  # digits or dictation: never the words
            return
        action = self.action_for(text)
        log.info("voice: %s", action or "not understood")  # the action, never the words
        if action is None:
            self.speak(self.app.tr("voice.not_understood"))
            return
        self.app.act(action)
