"""Search keys kept on rows (pinyin of a name, a phone's last digits) and the condition under
which the partial indexes over optional text columns serve a lookup."""
import os
import re

from peewee import SQL

# pypinyin copies its dictionaries at import, for load_phrases_dict() to change; we never
# change them, and the copy cost every worker 3 MB (pypinyin's documented switch).
os.environ.setdefault("PYPINYIN_NO_DICT_COPY", "1")
from pypinyin import lazy_pinyin  # noqa: E402


def pinyin_keys(name):
    """(full pinyin, initials) of a name, lower case, no spaces: 张三 -> ('zhangsan', 'zs')."""
    syllables = [word.lower() for chunk in lazy_pinyin(name or "")
                 for word in re.findall(r"[A-Za-z0-9]+", chunk)]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables)
    return full[:200], initials[:80]


def phone_tail(phone):
    """The last four digits of a phone number, the key of a phone-tail search."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[-4:] if len(digits) >= 4 else ""


def filled(field):
    """`field <> ''` with the empty string written into the SQL: the condition under which the
    partial index of an optional text column (models.base.filled_index) may be used. Every
    lookup on such a column states it; a search never looks for an empty value anyway."""
    return field != SQL("''")
