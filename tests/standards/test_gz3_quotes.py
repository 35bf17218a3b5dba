"""GZ-3's quotes written in the characters of its copy (traditional) are found word for word in it.

The copy in shared/sources is in traditional characters with pinyin glosses after some characters
("區(qū)"); the glosses are left out of the quotes and of the text compared. Older GZ-3 rules quote the text
in simplified characters; tests/standards/test_catalog.py checks only their figures."""

import re
from pathlib import Path

import pytest

from standards.catalog import load_catalog

SOURCE = Path(__file__).resolve().parents[3] / "shared" / "sources" / \
    "guangzhou-2014-3-suifuban-affordable-housing-estate-management.txt"
SIMPLIFIED = {"GZ-3.grid_households", "GZ-3.property_zone_floor_area"}   # quoted in simplified characters
_GLOSS = re.compile(r"\([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]+\)")


def normal(text: str) -> str:
    return re.sub(r"[\s，,。；;：:、（）()“”\"…]+", "", _GLOSS.sub("", text))


def found(quote: str, source: str) -> bool:
    return all(normal(part) in normal(source) for part in quote.split("……"))


@pytest.mark.skipif(not SOURCE.is_file(), reason="shared/sources is not beside the project")
def test_traditional_quotes_are_found_word_for_word():
    source = SOURCE.read_text(encoding="utf-8")
    checked = []
    for rule in load_catalog().rules.values():
        if rule.citation.source == "GZ-3" and rule.quote and rule.id not in SIMPLIFIED:
            assert found(rule.quote, source), (rule.id, rule.quote)
            checked.append(rule.id)
    assert {"GZ-3.property_zone_rooms", "GZ-3.grid_staff", "GZ-3.service_station_staff"} <= set(checked)


@pytest.mark.skipif(not SOURCE.is_file(), reason="shared/sources is not beside the project")
def test_a_changed_word_is_not_found():
    source = SOURCE.read_text(encoding="utf-8")
    assert found("合理配置社區服務站并配備專職工作人員", source)
    assert not found("合理配置社區服務站并配備兼職工作人員", source)     # 專職 (full-time) → 兼職 (part-time)
    assert not found("合理配置社区服务站并配备专职工作人员", source)     # simplified: not the copy's words
