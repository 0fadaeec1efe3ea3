"""The intent matcher: by sound, with fillers, on screens; its grammar; its data file."""

from __future__ import annotations

import pytest

from kiosk.catalog import load_catalog
from kiosk.errors import CatalogError
from kiosk.voice import IntentMatcher, IntentName, ScreenOffers, grammar_for
from kiosk.voice.vocabulary import load_vocabulary, parse_vocabulary


@pytest.fixture(scope="module")
def matcher() -> IntentMatcher:
    return IntentMatcher(load_catalog())


@pytest.mark.parametrize(
    "text, screen, intent, service",
    [
        ("我想问问离婚的事", "home", "service", "consultation"),  # the example
        ("发律原助", "home", "service", "legal_aid"),  # homophones
        ("嗯，那个，我想问一下仲裁。", "home", "service", "arbitration"),  # fillers, punctuation
        ("视频咨询", "home", "service", "video"),  # not the 咨询 inside it
        ("ＱＵ号", "service", "none", None),  # full-width latin is normalised, and means nothing
        ("取号", "service", "take_ticket", None),
        ("不要取号", "service", "no", None),  # negated: not a ticket
        ("是", "idle", "yes", None),
        ("我是来咨询的", "idle", "service", "consultation"),  # 是 inside a sentence is no "yes"
        ("第二个", "home", "service", "legal_aid"),  # by position on the screen
        ("长被版", "home", "elder_mode", None),
        ("", "home", "none", None),
    ],
)
def test_examples(matcher: IntentMatcher, text: str, screen: str, intent: str, service: str | None) -> None:
    got = matcher.match(text, screen=screen)
    assert (got.intent.value, got.service) == (intent, service)
    assert 0 <= got.confidence <= 1


def test_position_follows_what_the_screen_lists(matcher: IntentMatcher) -> None:
    offers = ScreenOffers("home", (IntentName.SERVICE,), ("mediation", "notary"))
    assert matcher.match("第二个", screen=offers).service == "notary"
    assert matcher.match("第三个", screen=offers).intent is IntentName.NONE  # only two listed
    assert matcher.match("第二个", screen="idle").intent is not IntentName.SERVICE


def test_intents_a_screen_does_not_offer_are_less_sure(matcher: IntentMatcher) -> None:
    on_service = matcher.match("取号", screen="service")
    on_home = matcher.match("取号", screen="home")
    assert on_home.intent is IntentName.TAKE_TICKET and on_home.confidence < on_service.confidence


def test_global_commands_work_everywhere(matcher: IntentMatcher) -> None:
    for screen in load_vocabulary().screen_names():
        for text, intent in (("返回", "back"), ("首页", "home"), ("帮助", "help"), ("再说一遍", "repeat"), ("长辈版", "elder_mode")):
            got = matcher.match(text, screen=screen)
            assert got.intent.value == intent and got.confidence >= 0.85, (screen, text, got)


def test_unknown_screen(matcher: IntentMatcher) -> None:
    with pytest.raises(ValueError, match="unknown screen"):
        matcher.match("返回", screen="nowhere")


def test_a_site_without_a_service(matcher: IntentMatcher) -> None:
    catalog = load_catalog()
    smaller = catalog.model_copy(update={"services": tuple(s for s in catalog.services if s.code != "forensic")})
    m = IntentMatcher(smaller)
    assert m.match("司法鉴定").service != "forensic"


def test_grammar_for_a_screen(matcher: IntentMatcher) -> None:
    home = matcher.grammar("home")
    assert {"法律援助", "人民调解", "返回", "帮助", "第二个", "二"} <= set(home)
    assert "嗯" in home  # fillers are heard as fillers
    service = grammar_for("service")
    assert "取号" in service and "法律援助" not in service
    assert matcher.grammar(ScreenOffers("x", free_text=True)) == []
    assert home == sorted(set(home))


def test_matching_is_fast_enough(matcher: IntentMatcher) -> None:
    import time

    matcher.match("预热")
    t0 = time.perf_counter()
    for _ in range(20):
        matcher.match("嗯那个我想问一下我家的宅基地被邻居占了怎么办", screen="home")
    assert (time.perf_counter() - t0) / 20 < 0.2  # ~5 ms here; the budget is 300 ms


GOOD = """
version = 1
min_confidence = 0.6
[[intents]]
name = "back"
phrases = ["返回"]
[[services]]
code = "consultation"
phrases = ["咨询"]
[screens]
global = ["back"]
[screens.offers]
home = ["service"]
"""


def test_vocabulary_file_is_validated() -> None:
    assert parse_vocabulary(GOOD).intents[0].name is IntentName.BACK
    for broken, words in (
        (GOOD.replace('name = "back"', 'name = "bakc"'), "intents.0.name"),
        (GOOD.replace('phrases = ["返回"]', "phrases = []"), "intents.0.phrases"),
        (GOOD.replace('home = ["service"]', 'home = ["servise"]'), "screens.offers.home"),
        (GOOD.replace("version = 1", "version = 1\nextra = 2"), "extra"),
        (GOOD.replace('name = "back"', 'name = "service"'), "services go under"),
        ("version = ", "not valid TOML"),
    ):
        with pytest.raises(CatalogError, match=words.replace(".", r"\.")):
            parse_vocabulary(broken)


def test_shipped_vocabulary_names_catalogue_services() -> None:
    codes = set(load_catalog().codes())
    assert {s.code for s in load_vocabulary().services} <= codes
