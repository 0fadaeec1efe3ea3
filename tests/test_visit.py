"""A whole visit through the core's state machine, without Kivy."""

from __future__ import annotations

from datetime import date

from kiosk import events as ev
from kiosk.identity import CardType, Gender, IdentityCard
from kiosk.ports import DeviceKind
from kiosk.tickets import Priority
from kiosk.visit import VisitState as S


def card(born: date) -> IdentityCard:
    """A demo resident card (invented data)."""
    return IdentityCard(
        card_type=CardType.RESIDENT,
        name="张三丰",
        gender=Gender.MALE,
        birth_date=born,
        id_number="420202195601011234",
        address="湖北省黄石市下陆区团城山街道1号",
        nation="汉",
    )


def read(c: IdentityCard) -> ev.CardRead:
    return ev.CardRead(DeviceKind.IDCARD, card=c)


def test_a_villager_takes_a_consultation_ticket(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    seen: list[tuple[str, str]] = []
    flow.add_listener(lambda old, new, e: seen.append((old.value, new.value)))
    assert flow.handle(ev.Started()) is S.HOME
    assert flow.handle(ev.ServiceChosen("consultation")) is S.SERVICE
    assert flow.handle(ev.MaterialsOpened()) is S.MATERIALS
    assert flow.handle(ev.TicketRequested()) is S.TICKET
    assert flow.visit.ticket.number == "A001"
    assert flow.handle(ev.Finished()) is S.DONE
    assert flow.handle(ev.Finished()) is S.ATTRACT
    assert flow.visit.ticket is None and flow.visit.service is None
    assert seen[:4] == [("attract", "home"), ("home", "service"), ("service", "materials"), ("materials", "ticket")]


def test_legal_aid_asks_for_the_card_and_a_70_year_old_gets_priority(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    flow.handle(ev.Started())
    flow.handle(ev.ServiceChosen("legal_aid"))
    assert flow.handle(ev.TicketRequested()) is S.CARD
    assert flow.visit.ticket is None
    assert flow.handle(read(card(date(1956, 1, 1)))) is S.TICKET
    assert flow.visit.ticket.number == "B001"
    assert flow.visit.ticket.priority is Priority.ELDERLY


def test_a_younger_card_holder_gets_a_normal_ticket_and_back_leaves_card_screen(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    flow.handle(ev.Started())
    flow.handle(ev.ServiceChosen("notary"))
    flow.handle(ev.TicketRequested())
    assert flow.handle(ev.BackPressed()) is S.SERVICE
    flow.handle(ev.TicketRequested())
    flow.handle(read(card(date(1990, 6, 1))))
    assert flow.visit.ticket.priority is Priority.NORMAL


def test_card_on_attract_starts_the_visit_and_declared_priority_counts(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    assert flow.handle(read(card(date(1990, 6, 1)))) is S.HOME
    assert flow.visit.has_card
    flow.handle(ev.ServiceChosen("mediation"))
    flow.handle(ev.PriorityDeclared(Priority.DISABLED))
    flow.handle(ev.TicketRequested())
    assert flow.visit.ticket.priority is Priority.DISABLED


def test_idle_asks_first_then_ends_the_visit_and_wipes_the_card(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    flow.handle(read(card(date(1950, 1, 1))))
    flow.handle(ev.ServiceChosen("consultation"))
    assert flow.idle_timeout() == 60
    assert flow.handle(ev.IdleTimedOut()) is S.SERVICE  # asks "还在吗？" first
    assert flow.visit.idle_warning and flow.idle_timeout() == 20
    flow.handle(ev.StillHere())
    assert not flow.visit.idle_warning
    flow.handle(ev.IdleTimedOut())
    assert flow.handle(ev.IdleTimedOut()) is S.ATTRACT
    assert flow.visit.card is None and flow.idle_timeout() is None


def test_elder_mode_waits_longer_and_language_resets_after_the_visit(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    flow.handle(ev.Started())
    flow.handle(ev.ElderModeToggled(True))
    flow.handle(ev.LanguageChanged("en"))
    assert flow.idle_timeout() == 180
    assert flow.visit.language == "en"
    flow.handle(ev.Finished())
    assert flow.visit.language == "zh_CN" and not flow.visit.elder_mode


def test_events_that_do_not_apply_change_nothing(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    assert flow.handle(ev.TicketRequested()) is S.ATTRACT
    assert flow.handle(ev.IdleTimedOut()) is S.ATTRACT
    assert terminal.queue.tickets() == []


def test_rejected_card_leaves_a_notice(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    flow.handle(ev.Started())
    flow.handle(ev.ServiceChosen("legal_aid"))
    flow.handle(ev.TicketRequested())
    flow.handle(ev.CardRejected(DeviceKind.IDCARD, message_key="card.expired"))
    assert flow.state is S.CARD and flow.visit.notice_key == "card.expired"


def test_the_record_never_shows_personal_data_in_repr() -> None:
    c = card(date(1956, 1, 1))
    text = repr(c) + repr(read(c))
    assert "420202195601011234" not in text and "张三丰" not in text
    assert "4202**********1234" in text and "张**" in text


def test_a_card_that_fails_verification_is_not_used(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    flow.handle(ev.Started())
    flow.handle(ev.ServiceChosen("legal_aid"))
    flow.handle(ev.TicketRequested())
    bad = ev.CardRead(DeviceKind.IDCARD, card=card(date(1950, 1, 1)), id_number_valid=False)
    assert flow.handle(bad) is S.CARD
    assert flow.visit.card is None and flow.visit.notice_key == "card.invalid_number"
    assert terminal.queue.tickets() == []


def test_a_refused_card_is_remembered_until_a_card_is_read_and_forgotten_with_the_visit(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    # Refused at the attract screen: the reader will not read it again while it lies there,
    # so the card step later must still know why.
    flow.handle(ev.CardRejected(DeviceKind.IDCARD, message_key="card.expired"))
    flow.handle(ev.Started())
    flow.handle(ev.ServiceChosen("legal_aid"))
    assert flow.handle(ev.TicketRequested()) is S.CARD
    assert flow.visit.card_refused == "card.expired"
    assert flow.handle(read(card(date(1980, 1, 1)))) is S.TICKET
    assert flow.visit.card_refused is None
    flow.handle(ev.CardRejected(DeviceKind.IDCARD, message_key="card.unknown_type"))
    flow.handle(ev.Finished())
    flow.handle(ev.Finished())
    assert flow.state is S.ATTRACT and flow.visit.card_refused is None


def test_a_refused_card_that_left_the_reader_is_no_longer_named(terminal) -> None:  # type: ignore[no-untyped-def]
    flow = terminal.flow
    flow.handle(ev.Started())
    flow.handle(ev.ServiceChosen("legal_aid"))
    flow.handle(ev.TicketRequested())
    flow.handle(ev.CardRejected(DeviceKind.IDCARD, message_key="card.unknown_type"))
    assert flow.visit.card_refused == "card.unknown_type" and flow.visit.card_placed
    # The reader saw the field empty: the band must stop naming that card, and there is
    # no card left to remind the person of.
    assert flow.handle(ev.CardRemoved(DeviceKind.IDCARD)) is S.CARD
    assert flow.visit.card_refused is None and not flow.visit.card_placed
