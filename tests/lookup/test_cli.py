"""``kiosk law`` and ``kiosk calc`` run as a technician runs them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.support import PYTHON, kiosk_env


def kiosk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "kiosk.cli", *args], env=kiosk_env(data_dir), capture_output=True, text=True, timeout=120)


def test_search_json_and_limit(tmp_path: Path, library_path: Path) -> None:
    proc = kiosk(tmp_path, "law", "--library", str(library_path), "search", "老板不给工资怎么办", "--json", "--limit", "3")
    assert proc.returncode == 0, proc.stderr
    hits = json.loads(proc.stdout)
    assert len(hits) == 3 and hits[0]["short_title"] in {"劳动法", "劳动合同法"}
    assert {"citation", "body", "version_date", "current"} <= set(hits[0])


def test_library_found_through_the_configuration(tmp_path: Path, library_path: Path) -> None:
    (tmp_path / "kiosk.toml").write_text(f'[lookup]\nlibrary = "{library_path}"\n', encoding="utf-8")
    proc = kiosk(tmp_path, "law", "article", "劳动合同法", "47")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("《劳动合同法》第四十七条") and "现行有效" in proc.stdout
    info = json.loads(kiosk(tmp_path, "law", "info", "--json").stdout)
    assert info["texts"] == 1511 and len(info["source_sha256"]) == 64


def test_article_in_chinese_numerals_and_json(tmp_path: Path, library_path: Path) -> None:
    proc = kiosk(tmp_path, "law", "--library", str(library_path), "article", "劳动争议调解仲裁法", "第二十七条", "--json")
    assert json.loads(proc.stdout)["body"].startswith("第二十七条 劳动争议申请仲裁的时效期间为一年")


def test_errors_are_one_clear_line(tmp_path: Path, library_path: Path) -> None:
    missing = kiosk(tmp_path, "law", "search", "工资")  # no library in this data dir
    assert missing.returncode == 1 and "no law library" in missing.stderr and "Traceback" not in missing.stderr
    no_article = kiosk(tmp_path, "law", "--library", str(library_path), "article", "劳动合同法", "999")
    assert no_article.returncode == 1 and "has no article 999" in no_article.stderr and "Traceback" not in no_article.stderr
    bad_number = kiosk(tmp_path, "law", "--library", str(library_path), "article", "劳动合同法", "x7")
    assert bad_number.returncode == 1 and "not an article number" in bad_number.stderr
    nothing = kiosk(tmp_path, "law", "--library", str(library_path), "search", "blorf")
    assert nothing.returncode == 1 and "没有找到" in nothing.stdout


def test_calc_text_and_json(tmp_path: Path) -> None:
    text = kiosk(tmp_path, "calc", "severance", "--monthly-wage", "30000", "--years", "15", "--local-average", "8000")
    assert text.returncode == 0, text.stderr
    assert "计算结果：288,000.00 元" in text.stdout and "《劳动合同法》第四十七条" in text.stdout
    fee = json.loads(kiosk(tmp_path, "calc", "court-fee", "--amount", "1000000", "--json").stdout)
    assert fee["amount"] == "13800.00" and fee["basis"][0]["citation"] == "《诉讼费用交纳办法》第十三条"
    wages = json.loads(kiosk(tmp_path, "calc", "unpaid-wages", "--amount", "12000", "--json").stdout)
    assert (wages["amount"], wages["amount_max"]) == ("18000.00", "24000.00")
    injury = json.loads(kiosk(tmp_path, "calc", "injury-lump-sum", "--grade", "7", "--monthly-wage", "5000", "--json").stdout)
    assert injury["amount"] == "65000.00"
    traffic = json.loads(kiosk(tmp_path, "calc", "traffic-injury", "--age", "65", "--grade", "9", "--income", "44990", "--costs", "20000", "--liability", "70", "--json").stdout)
    assert traffic["amount"] == "108479.00"


def test_calc_bad_input_no_traceback(tmp_path: Path) -> None:
    for args in (["severance", "--monthly-wage", "abc", "--years", "1"], ["traffic-injury", "--age", "30"], ["injury-lump-sum", "--grade", "12", "--monthly-wage", "1"]):
        proc = kiosk(tmp_path, "calc", *args)
        assert proc.returncode == 1 and proc.stderr.startswith("kiosk: ") and "Traceback" not in proc.stderr, proc.stderr
    usage = kiosk(tmp_path, "calc", "severance", "--years", "1")
    assert usage.returncode == 2 and "--monthly-wage" in usage.stderr


def test_topics_and_guides_commands(tmp_path: Path, library_path: Path) -> None:
    topics = kiosk(tmp_path, "law", "topics", "--json")
    assert {"劳动工资", "法律援助"} <= {t["name"] for t in json.loads(topics.stdout)}
    one = json.loads(kiosk(tmp_path, "law", "--library", str(library_path), "topics", "借贷", "--json").stdout)
    assert one["articles"][0]["citation"].startswith("《民法典》")
    guide = kiosk(tmp_path, "law", "guide", "unpaid-wages")
    assert guide.returncode == 0 and "劳动争议申请仲裁" not in guide.stderr and "时间限制：" in guide.stdout
    listing = kiosk(tmp_path, "law", "guide")
    assert len(listing.stdout.splitlines()) >= 20
    unknown = kiosk(tmp_path, "law", "guide", "xyz")
    assert unknown.returncode == 1 and "no guide 'xyz'" in unknown.stderr and "Traceback" not in unknown.stderr


def test_install_checks_the_package_and_keeps_the_old_one_on_failure(tmp_path: Path, library_path: Path) -> None:
    data = tmp_path / "data"
    ok = kiosk(data, "law", "install", str(library_path))
    assert ok.returncode == 0, ok.stderr
    installed = data / "lookup" / "library.sqlite3"
    assert installed.is_file() and (data / "lookup" / "library.manifest.json").is_file()
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    refused = kiosk(data, "law", "install", str(bad))
    assert refused.returncode == 1 and "not a law library" in refused.stderr
    # The library that worked is still there and still answers.
    assert kiosk(data, "law", "article", "劳动合同法", "47").returncode == 0


def test_doctor_reports_the_library(tmp_path: Path, library_path: Path) -> None:
    absent = kiosk(tmp_path, "doctor", "--simulate", "--json")
    rows = json.loads(absent.stdout)
    row = {r["check"]: r for r in rows}["law library"]
    # Look-up missing is a warning: everything else on the terminal still works (no
    # speech model is installed here, the one failure doctor may report).
    assert row["status"] == "warn" and "no law library" in row["detail"]
    assert [r["check"] for r in rows if r["status"] == "FAIL"] in ([], ["speech model"])
    (tmp_path / "kiosk.toml").write_text(f'[lookup]\nlibrary = "{library_path}"\n', encoding="utf-8")
    present = kiosk(tmp_path, "doctor", "--simulate", "--json")
    assert {r["check"]: r for r in json.loads(present.stdout)}["law library"]["status"] == "ok"
