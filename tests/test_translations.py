"""The Simplified Chinese catalogue: complete, compiled, and what the site speaks.

The .po file is read with a small parser of its own (the project does not depend on
polib); the committed .mo is read with the standard library's gettext, which is what
Django uses at run time.
"""

import ast
import gettext
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = MESSAGES / "django.po"
MO_FILE = MESSAGES / "django.mo"

NO_CAMPAIGN_EN = "No screening campaign is open at the moment."
NO_CAMPAIGN_ZH = "目前没有正在进行的筛查活动。"

PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]|\{\w*\}")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def where(self) -> str:
        return f"django.po line {self.line}: {self.msgid!r}"


def _unquote(text: str) -> str:
    # A .po string is a C string literal; the escapes it uses read the same in Python.
    return ast.literal_eval(text)


def parse_po(path: Path) -> list[Entry]:
    """Entries in file order. Obsolete entries (`#~`) are comments here."""
    entries: list[Entry] = []
    flags: set[str] = set()
    keyword, index = "", 0

    def add(text: str) -> None:
        entry = entries[-1]
        if keyword == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + text
        else:
            setattr(entry, keyword, (getattr(entry, keyword) or "") + text)

    for line_no, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if not entries:
                raise ValueError(f"django.po line {line_no}: stray string")
            add(_unquote(line))
            continue
        word, _, rest = line.partition(" ")
        if word == "msgctxt" or (word == "msgid" and keyword != "msgctxt"):
            entries.append(Entry(line=line_no, flags=flags))
            flags = set()
        if word.startswith("msgstr["):
            keyword, index = "msgstr", int(word[len("msgstr[") : -1])
        elif word in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
            keyword, index = word, 0
        else:
            raise ValueError(f"django.po line {line_no}: cannot read {raw!r}")
        add(_unquote(rest))
    return entries


def messages() -> list[Entry]:
    return [entry for entry in parse_po(PO_FILE) if not entry.is_header]


def test_the_catalogue_has_messages() -> None:
    entries = parse_po(PO_FILE)
    assert entries[0].is_header
    assert "Language: zh_Hans" in entries[0].msgstr[0]
    assert len(entries) > 100


def test_every_message_has_a_chinese_translation() -> None:
    untranslated = [
        entry.where
        for entry in messages()
        if not entry.msgstr or any(not text.strip() for text in entry.msgstr.values())
    ]
    fuzzy = [entry.where for entry in parse_po(PO_FILE) if "fuzzy" in entry.flags]
    assert untranslated == []
    assert fuzzy == []


def test_translations_keep_every_placeholder() -> None:
    broken = []
    for entry in messages():
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        for text in entry.msgstr.values():
            if sorted(PLACEHOLDER.findall(text)) != wanted:
                broken.append(entry.where)
    assert broken == []


def test_the_compiled_catalogue_is_current() -> None:
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in messages():
        if entry.msgid_plural is None:
            got = (
                compiled.gettext(entry.msgid)
                if entry.msgctxt is None
                else compiled.pgettext(entry.msgctxt, entry.msgid)
            )
            if got != entry.msgstr[0]:
                stale.append(entry.where)
            continue
        for n, wanted in entry.msgstr.items():
            got = (
                compiled.ngettext(entry.msgid, entry.msgid_plural, n)
                if entry.msgctxt is None
                else compiled.npgettext(
                    entry.msgctxt, entry.msgid, entry.msgid_plural, n
                )
            )
            if got != wanted:
                stale.append(entry.where)
    assert stale == [], "run compilemessages and commit django.mo"

    # Nothing removed from the .po may linger in the .mo: count its strings
    # (the header is one of them).
    magic, _revision, count = struct.unpack("<3I", MO_FILE.read_bytes()[:12])
    assert magic == 0x950412DE
    assert count == len(messages()) + 1, "run compilemessages and commit django.mo"


@pytest.mark.django_db
def test_landing_page_speaks_chinese_by_default(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert NO_CAMPAIGN_ZH in page
    assert NO_CAMPAIGN_EN not in page


@pytest.mark.django_db
def test_english_is_available_through_accept_language(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert NO_CAMPAIGN_EN in page
    assert NO_CAMPAIGN_ZH not in page
