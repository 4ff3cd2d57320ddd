"""Labels as the taxonomy compares them: spaces, numbering and quotes removed."""
from __future__ import annotations

import re
from functools import lru_cache

_NUMBERING = re.compile(
    r"^(?:表\s*[一二三四五六七八九十\d]+\s*[:、.]?|附表\s*[一二三四五六七八九十\d]+\s*[:、.]?|第[一二三四五六七八九十]+部分|"
    r"[一二三四五六七八九十]{1,3}[、.]|\([一二三四五六七八九十\d]{1,3}\)|\d{1,2}[.、](?!\d)|[①-⑳⑴-⒇]|"
    r"其中[::]?|加[::]|减[::]|[::])"
)
_QUOTES = re.compile(r"[“”\"'‘’「」『』《》\s]")
_TAIL = re.compile(r"(?:\((?:类|款|项)\)|\((?:万元|元|千元|亿元)\)|[::])+$")
_WIDE = str.maketrans({"（": "(", "）": ")", "：": ":", "，": ",", "；": ";"})


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """A header or label as the taxonomy names it: no spaces, numbering, quotes."""
    t = _QUOTES.sub("", text.translate(_WIDE))
    prev = None
    while prev != t:
        prev = t
        t = _NUMBERING.sub("", t)
        t = _TAIL.sub("", t)
    return t
