"""办事指南 → 写文书, without the screens: every document a guide names is one the
documents feature offers; the document step opens that template directly (consent, then
the form), and Back returns to the guide where the person was."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kiosk import events as ev
from kiosk.bootstrap import build_terminal
from kiosk.config import parse_config
from kiosk.documents.feature import DocAsked, DocOpened, DocState, DocumentsFeature
from kiosk.feature import State
from kiosk.identity import CardType, Gender, IdentityCard
from kiosk.lookup.feature import LawAsked, LawOpened, LookupFeature, LookupState, document_action, document_offers
from kiosk.lookup.guides import load_guides
from kiosk.ports import DeviceKind
from kiosk.states import VisitState
from kiosk.terminal import Terminal

CARD = IdentityCard(CardType.RESIDENT, "李建国", Gender.MALE, date(1991, 6, 8), "420281199106080036", "湖北省大冶市金湖街道姜桥村三组26号")


def _terminal(tmp_path: Path, library: Path) -> tuple[Terminal, LookupFeature, DocumentsFeature]:
    t = build_terminal(parse_config(f'[lookup]\nlibrary = "{library}"\n'), tmp_path / "kiosk", with_devices=False)
    lk, doc = t.flow.features.get("lookup"), t.flow.features.get("documents")
    assert isinstance(lk, LookupFeature) and isinstance(doc, DocumentsFeature)
    return t, lk, doc


def _now(flow: Any) -> State:
    """The flow's state, read afresh after each step."""
    return flow.state


def _at_the_wage_guides_next_part(t: Terminal) -> None:
    t.flow.handle(ev.Started())
    t.flow.handle(LawOpened(start="guides"))
    t.flow.handle(LawAsked("guide", "unpaid-wages"))
    t.flow.handle(LawAsked("part", "last"))
    assert _now(t.flow) is LookupState.GUIDE


def test_every_document_a_guide_names_is_offered(tmp_path: Path, library_path: Path) -> None:
    """A name that is no template would silently drop the guide's button: it fails here."""
    t, _, doc = _terminal(tmp_path, library_path)
    named = {d: g.id for g in load_guides().guides for d in g.documents}
    unresolved = {d: g for d, g in named.items() if document_action(t.flow, d) is None}
    assert unresolved == {}
    assert document_action(t.flow, "labour-arbitration-application") is None  # an unknown name resolves to nothing
    # The guides this product promises lead on to their paper.
    wanted = {"unpaid-wages": {"labour-arbitration", "complaint-wages"}, "loans": {"iou", "complaint-loan"},
              "neighbours": {"mediation"}, "divorce-children": {"complaint-divorce"}}
    for gid, docs in wanted.items():
        assert set(load_guides().get(gid).documents) == docs, gid
    offers = document_offers(t.flow, load_guides().get("unpaid-wages").documents)
    assert offers == [("劳动人事争议仲裁申请书", "doc:open:labour-arbitration"),
                      ("民事起诉状（劳动争议纠纷·追索劳动报酬）", "doc:open:complaint-wages")]
    assert doc.document_title("complaint-divorce") == "民事起诉状（离婚纠纷）"


def test_the_guides_document_opens_its_form_and_back_returns_to_the_guide(tmp_path: Path, library_path: Path) -> None:
    t, lk, doc = _terminal(tmp_path, library_path)
    _at_the_wage_guides_next_part(t)
    part = lk.part
    t.flow.handle(DocOpened("labour-arbitration"))
    assert _now(t.flow) is DocState.CONSENT and doc.template is not None and doc.template.name == "labour-arbitration"
    t.flow.handle(ev.BackPressed())
    assert _now(t.flow) is LookupState.GUIDE and lk.guide is not None and lk.guide.id == "unpaid-wages" and lk.part == part
    # Again, this time with the card: Back from the card step to the consent, then the form.
    t.flow.handle(DocOpened("labour-arbitration"))
    t.flow.handle(DocAsked("consent", "yes"))
    assert _now(t.flow) is VisitState.CARD
    t.flow.handle(ev.BackPressed())
    assert _now(t.flow) is DocState.CONSENT
    t.flow.handle(DocAsked("consent", "yes"))
    t.flow.handle(ev.CardRead(kind=DeviceKind.IDCARD, card=CARD))
    assert _now(t.flow) is DocState.FORM and doc.values["name"] == "李建国"
    t.flow.handle(DocAsked("preview"))
    t.flow.handle(ev.BackPressed())
    assert _now(t.flow) is DocState.FORM
    t.flow.handle(ev.BackPressed())
    assert _now(t.flow) is LookupState.GUIDE and lk.part == part
    # The guide's own Back still leads where it did (the list of guides).
    t.flow.handle(ev.BackPressed())
    assert _now(t.flow) is LookupState.GUIDES


def test_from_home_the_list_is_still_where_back_leads(tmp_path: Path, library_path: Path) -> None:
    """Opened from 写文书's tile, the form's Back is the list, not a guide seen earlier."""
    t, _, _ = _terminal(tmp_path, library_path)
    _at_the_wage_guides_next_part(t)
    t.flow.handle(DocOpened("mediation"))
    t.flow.handle(ev.HomePressed())
    t.flow.handle(DocOpened())
    t.flow.handle(DocAsked("template", "mediation"))
    t.flow.handle(DocAsked("consent", "no"))
    assert _now(t.flow) is DocState.FORM
    t.flow.handle(ev.BackPressed())
    assert _now(t.flow) is DocState.LIST


@pytest.mark.parametrize("name", ["no-such-document", ""])
def test_an_unknown_document_stays_on_the_guide(tmp_path: Path, library_path: Path, name: str) -> None:
    t, _, doc = _terminal(tmp_path, library_path)
    _at_the_wage_guides_next_part(t)
    t.flow.handle(DocOpened(name))
    assert _now(t.flow) is LookupState.GUIDE and doc.template is None
