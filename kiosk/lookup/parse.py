"""Reading one official text in the shipped Markdown shape (content/laws/PROVENANCE.md):
``TITLE(YYYY-MM-DD).md``, a ``# title``, the history, ``<!-- INFO END -->``, headings and
one paragraph per article starting ``第X条``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kiosk.lookup.numerals import cn_to_int, int_to_cn

INFO_END = "<!-- INFO END -->"
_NUM = "零〇一二三四五六七八九十百千两"
ARTICLE_RE = re.compile(rf"^第([{_NUM}0-9]+)条(?:之([{_NUM}]+))?(?:\s+|$)")
_FILE_DATE = re.compile(r"^(?P<title>.+?)\((?P<date>\d{4}-\d{2}-\d{2})\)$")
_CN_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")

# The level of a text by the shelf it sits on: the order a person should read them in
# (the Constitution and laws bind more than regulations, interpretations and rules).
LEVELS: dict[str, int] = {
    "宪法": 0,
    "宪法相关法": 1,
    "民法典": 1,
    "民法商法": 1,
    "行政法": 1,
    "经济法": 1,
    "社会法": 1,
    "刑法": 1,
    "诉讼与非诉讼程序法": 1,
    "行政法规": 2,
    "司法解释": 3,
    "部门规章": 4,
    "其他": 5,
}
CIVIL_CODE = "民法典"
LEVEL_NAMES = {0: "宪法", 1: "法律", 2: "行政法规", 3: "司法解释", 4: "部门规章", 5: "其他"}


@dataclass
class Article:
    """One article: its number (47), sub-number (第十七条之一 → 1), label and text."""

    number: int
    sub: int
    label: str
    chapter: str
    text: str


@dataclass
class LawText:
    """One version of one text, with its articles."""

    short_title: str
    title: str
    shelf: str
    level: int
    version_date: date | None
    history: list[str]
    source: str
    articles: list[Article] = field(default_factory=list)


def article_label(number: int, sub: int = 0) -> str:
    """``第四十七条`` / ``第十七条之一``."""
    return f"第{int_to_cn(number)}条" + (f"之{int_to_cn(sub)}" if sub else "")


def parse_text(path: Path, root: Path) -> LawText:
    """Parse one Markdown file under ``root`` (the shelf is its first directory)."""
    rel = path.relative_to(root)
    shelf = rel.parts[0] if len(rel.parts) > 1 else "其他"
    m = _FILE_DATE.match(path.stem)
    short = m.group("title") if m else path.stem
    lines = path.read_text(encoding="utf-8").splitlines()
    title = short
    history: list[str] = []
    body_start = 0
    for i, line in enumerate(lines):
        if line.startswith("# ") and title == short:
            title = line[2:].strip()
        elif line.strip() == INFO_END:
            body_start = i + 1
            break
        elif line.strip():
            history.append(line.strip())
    version: date | None = date.fromisoformat(m.group("date")) if m else None
    if version is None:
        # Undated file names: the latest date in the history is the version's date.
        # Dates of entry into force (施行) are not versions.
        dated = " ".join(h for h in history if "施行" not in h)
        found = [date(int(y), int(mo), int(d)) for y, mo, d in _CN_DATE.findall(dated) if 1 <= int(mo) <= 12]
        version = max(found) if found else None
    part = ""
    if shelf == CIVIL_CODE:
        # The Civil Code is shipped as one file per part (编) but is one law, cited as
        # 《民法典》第一千零八十四条: the parts share its title, the part goes in the chapter.
        part, short = short, CIVIL_CODE
    text = LawText(short, title, shelf, LEVELS.get(shelf, 5), version, history, str(rel))
    chapter = part
    current: Article | None = None
    preamble: list[str] = []
    for line in lines[body_start:]:
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            heading = s.lstrip("#").strip()
            chapter = f"{part} {heading}".strip() if part and heading != part else heading
            continue
        am = ARTICLE_RE.match(s)
        if am:
            try:
                number = cn_to_int(am.group(1))
                sub = cn_to_int(am.group(2)) if am.group(2) else 0
            except ValueError:
                pass  # not a numeral after all: an ordinary line of the article before
            else:
                current = Article(number, sub, article_label(number, sub), chapter, s)
                text.articles.append(current)
                continue
        if current is not None:
            current.text += "\n" + s
        else:
            preamble.append(s)
    if not text.articles and preamble:
        # Replies (批复) and decisions without articles: the whole body is one entry.
        text.articles.append(Article(0, 0, "全文", "", "\n".join(preamble)))
    return text
