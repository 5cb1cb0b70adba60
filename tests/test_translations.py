"""Chinese is the portal's language: the zh_Hans catalogue has a translation for every message
it holds (none empty, none fuzzy)."""

import re
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?((?:msgstr(?:\[\d\])? (?:".*"\n?)+)+)', re.M)


def _text(quoted: str) -> str:
    return "".join(re.findall(r'"(.*)"', quoted))


def test_every_message_has_a_chinese_translation() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = [(block, ENTRY.search(block + "\n")) for block in text.split("\n\n")]
    messages = [(block, m) for block, m in entries if m and _text(m.group(1))]
    assert len(messages) > 500
    untranslated = [_text(m.group(1)) for _b, m in messages if not _text(m.group(2))]
    fuzzy = [_text(m.group(1)) for block, m in messages if "#, fuzzy" in block]
    assert untranslated == [] and fuzzy == []
