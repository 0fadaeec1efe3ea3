"""Search of the law library: plain questions, short queries, pinyin, references, ranking."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

from kiosk.lookup.library import Library, LibraryError
from kiosk.lookup.numerals import cn_to_int, int_to_cn


@pytest.mark.parametrize(
    ("cn", "n"),
    [("一", 1), ("十", 10), ("十五", 15), ("二十", 20), ("四十七", 47), ("一百", 100), ("一百零五", 105),
     ("一百一十", 110), ("一千零八十四", 1084), ("一千二百六十", 1260), ("二千", 2000)],
)
def test_chinese_numerals_both_ways(cn: str, n: int) -> None:
    assert cn_to_int(cn) == n
    assert int_to_cn(n) == cn


def test_every_number_round_trips() -> None:
    for n in range(1, 3000):
        assert cn_to_int(int_to_cn(n)) == n


def test_plain_question_about_unpaid_wages_finds_wage_articles_first(library: Library) -> None:
    hits = library.search("老板不给工资怎么办", limit=5)
    cited = [h.citation for h in hits]
    assert {"《劳动法》第五十条", "《劳动合同法》第三十条"} <= set(cited), cited
    assert all(h.short_title in {"劳动法", "劳动合同法", "劳动争议调解仲裁法"} for h in hits[:3]), cited


def test_two_characters_and_one_character_find_articles(library: Library) -> None:
    wages = library.search("工资", limit=10)
    assert len(wages) == 10 and all("工资" in h.body or "工资" in h.short_title for h in wages)
    money = library.search("钱", limit=5)
    assert money and all("钱" in h.body for h in money)


@pytest.mark.parametrize("query", ["laodong hetong", "laodonghetong", "ldht", "LaoDong HeTong"])
def test_pinyin_finds_labour_contracts(library: Library, query: str) -> None:
    assert library.pinyin_to_hanzi(query) == "劳动合同"
    hits = library.search(query, limit=5)
    assert hits and all("劳动合同" in h.body for h in hits)


def test_pinyin_that_fits_nothing_finds_nothing(library: Library) -> None:
    assert library.search("blorf", limit=5) == []


@pytest.mark.parametrize("query", ["劳动合同法 47", "劳动合同法第四十七条", "《中华人民共和国劳动合同法》第47条", "劳动合同法四十七"])
def test_reference_goes_straight_to_the_article(library: Library, query: str) -> None:
    first = library.search(query, limit=3)[0]
    assert first.citation == "《劳动合同法》第四十七条"
    assert "每满一年支付一个月工资" in first.body


def test_article_by_title_and_number(library: Library) -> None:
    a = library.article("劳动争议调解仲裁法", "第二十七条")
    assert "劳动争议申请仲裁的时效期间为一年" in a.body
    assert library.article("刑法", "十七", 1).label == "第十七条之一"
    civil = library.article("民法典", 1084)
    assert civil.citation == "《民法典》第一千零八十四条" and civil.chapter.startswith("婚姻家庭编")
    with pytest.raises(LibraryError):
        library.article("劳动合同法", 999)
    with pytest.raises(LibraryError):
        library.article("没有这部法", 1)


def test_version_in_force_comes_before_superseded(library: Library) -> None:
    hits = library.search("人身损害赔偿 残疾赔偿金 城镇居民人均可支配收入", limit=20)
    dates = [h.version_date for h in hits if "人身损害赔偿案件" in h.short_title]
    assert dates and dates[0] == "2022-04-24", dates
    current = [i for i, h in enumerate(hits) if "人身损害赔偿案件" in h.short_title and h.current]
    old = [i for i, h in enumerate(hits) if "人身损害赔偿案件" in h.short_title and not h.current]
    assert current and (not old or min(current) < min(old))


def test_laws_before_judicial_interpretations_before_rules(library: Library) -> None:
    hits = library.search("劳动争议 仲裁", limit=10)
    levels = [h.level for h in hits]
    assert levels[0] == 1, [h.citation for h in hits]


def test_superseded_versions_are_marked(library: Library) -> None:
    text = library.find_text("妇女权益保障法")
    assert text is not None and text.current and text.version_date == "2022-10-30"


def test_a_damaged_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "library.sqlite3"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(LibraryError, match="not a law library"):
        Library(bad)
    with pytest.raises(LibraryError, match="no law library"):
        Library(tmp_path / "missing.sqlite3")


def test_one_library_shared_by_threads(library: Library) -> None:
    expected = [h.citation for h in library.search("工资", limit=5)]
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: [h.citation for h in library.search("工资", limit=5)], range(40)))
    assert all(r == expected for r in results)


@pytest.mark.parametrize("typed, meant", [("qianxin", "欠薪"), ("qian xin", "欠薪"), ("gongzi", "工资"), ("lihun", "离婚")])
def test_pinyin_means_the_word_people_say_not_a_rare_reading(library: Library, typed: str, meant: str) -> None:
    # 前款 read with 款's rare reading xīn must not stand for "qianxin".
    assert library.pinyin_to_hanzi(typed) == meant
    assert library.pinyin_candidates(typed)[0] == meant
    assert "前款" not in library.pinyin_candidates("qianxin")
