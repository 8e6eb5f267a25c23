"""Every user-visible string is translated; the compiled catalogs match their sources."""

from __future__ import annotations

import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from ledger import i18n
from ledger.i18n import _

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "resources/translations/zh_CN/LC_MESSAGES/gongzhang.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"\{[^}]*\}|%\([a-z_]+\)[sr]|%[sr]")


def source_messages() -> set[str]:
    found = set()
    for package in ("ledger", "reports", "desktop"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords={"_": None, "N_": None, "ngettext": (1, 2)},
        ):
            found |= {message} if isinstance(message, str) else set(message)
    return {m for m in found if m}


def test_every_message_in_the_code_has_a_chinese_translation() -> None:
    catalog = read_po(PO.open("rb"))
    translated = {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
    missing = sorted(source_messages() - set(translated))
    assert missing == [], "run the catalog update in README.md and translate these"


def test_translations_keep_every_placeholder() -> None:
    for message in read_po(PO.open("rb")):
        if message.id and message.string:
            assert sorted(PLACEHOLDER.findall(message.id)) == sorted(
                PLACEHOLDER.findall(message.string)
            ), message.id


def test_the_compiled_catalog_is_up_to_date() -> None:
    source = {m.id: m.string for m in read_po(PO.open("rb")) if m.id and m.string}
    compiled = {m.id: m.string for m in read_mo(io.BytesIO(MO.read_bytes())) if m.id}
    assert compiled == source, "run: pybabel compile -d resources/translations -D gongzhang"


def test_chinese_is_the_default_and_english_is_switchable() -> None:
    assert i18n.normalize_language(None) == "zh_CN"
    assert i18n.normalize_language("fr_FR.UTF-8") == "zh_CN"
    assert i18n.normalize_language("en_US.UTF-8") == "en"
    i18n.set_language("zh")
    assert _("Total") == "合计"
    i18n.set_language("en")
    assert _("Total") == "Total"
