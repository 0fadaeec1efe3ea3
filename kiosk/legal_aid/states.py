"""Legal aid's visit states (their values are its screens' names)."""

from __future__ import annotations

import enum


class LegalAidState(enum.StrEnum):
    """Where the person is in an application or a progress look-up."""

    LA_MATTER = "la_matter"  # which matter (讨薪, 工伤…)
    LA_OUTSIDE = "la_outside"  # not within legal aid: a ticket or a video call instead
    LA_GROUP = "la_group"  # groups: from the card (age), others asked
    LA_HARDSHIP = "la_hardship"  # self-declaration of financial hardship (告知承诺)
    LA_PHONE = "la_phone"  # phone number on the big keypad
    LA_STORY = "la_story"  # what happened, dictated (or skipped)
    LA_LETTER = "la_letter"  # the commitment letter, shown and read aloud
    LA_SIGN = "la_sign"  # signed with a finger
    LA_DONE = "la_done"  # submitted: number, receipt
    LA_PROGRESS = "la_progress"  # follow an application (number or ID card)
