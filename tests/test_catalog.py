"""The service catalogue shipped with the product, and its validation."""

from __future__ import annotations

import pytest

from kiosk.catalog import load_catalog, parse_catalog
from kiosk.errors import CatalogError

EXPECTED = {
    "consultation": "法律咨询",
    "legal_aid": "法律援助",
    "mediation": "人民调解",
    "notary": "公证",
    "forensic": "司法鉴定",
    "arbitration": "仲裁",
    "video": "远程视频咨询",
}


def test_shipped_catalogue_has_the_plan_services_with_materials() -> None:
    catalog = load_catalog()
    assert {s.code: s.name.zh_CN for s in catalog.services} == EXPECTED
    for s in catalog.services:
        assert s.materials, s.code
        assert all(m.text.zh_CN and m.text.en for m in s.materials)
    # Legal aid needs the ID card and names the hardship self-declaration.
    aid = catalog.get("legal_aid")
    assert aid.needs_id_card
    assert any("承诺" in m.text.zh_CN for m in aid.materials)


def test_unknown_service_is_a_catalog_error() -> None:
    with pytest.raises(CatalogError, match="divorce"):
        load_catalog().get("divorce")


def _service(code: str, prefix: str) -> str:
    return f"""
[[services]]
code = "{code}"
prefix = "{prefix}"
needs_id_card = false
avg_service_minutes = 10
name = {{ zh_CN = "甲", en = "A" }}
summary = {{ zh_CN = "甲", en = "A" }}
materials = [ {{ text = {{ zh_CN = "身份证", en = "ID" }} }} ]
"""


def test_duplicate_prefix_and_missing_translation_are_rejected() -> None:
    with pytest.raises(CatalogError, match="prefixes repeat"):
        parse_catalog("version = 1\n" + _service("a", "A") + _service("b", "A"))
    broken = ("version = 1\n" + _service("a", "A")).replace('name = { zh_CN = "甲", en = "A" }', 'name = { zh_CN = "甲" }')
    with pytest.raises(CatalogError, match="services.0.name.en"):
        parse_catalog(broken)
