"""Text normalization: one canonical form for every report, with a map back.

Portals publish the same language in many spellings: traditional characters,
full-width digits and punctuation, non-breaking spaces, and mirror-site
artefacts such as 預(yù)算 where a pinyin reading was pasted after a character.
Parsers see one form: simplified characters, ASCII digits and punctuation.

Every normalized character keeps the offset of the character it came from, so
a quote found in the normalized text can be cut from the original text too.
"""
from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# Full-width ASCII variants map one to one onto ASCII; the ideographic space
# and other exotic spaces become a plain space. Length is preserved.
_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update({
    0x3000: 0x20, 0x00A0: 0x20, 0x2002: 0x20, 0x2003: 0x20, 0x2009: 0x20,
    0x202F: 0x20, 0x2007: 0x20,
    0xFE6A: ord("%"),   # small percent sign
    0xFE63: ord("-"), 0x2212: ord("-"),   # small hyphen, minus sign
    0x2236: ord(":"),   # ratio sign used as a colon
    0xFE30: ord(":"),
    0x2024: ord("."),   # one dot leader used as a decimal point
})
# 。、《》“” are kept: they carry meaning for the parsers.
_WIDTH_TABLE = str.maketrans({chr(k): chr(v) for k, v in _WIDTH.items()})

_TONE = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# 預(yù)算: a CJK character followed by a parenthesised pinyin syllable with a
# tone mark. Requiring a tone mark keeps "(API)" or "(PDF)" intact.
_PINYIN = re.compile(
    r"(?<=[\u4e00-\u9fff])[(（]\s*[a-z" + _TONE + r"]*[" + _TONE + r"][a-z" + _TONE + r"]*"
    r"(?:\s+[a-z" + _TONE + r"]+)*\s*[)）]"
)
# Zero-width characters and soft hyphens: deleted.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


@lru_cache(maxsize=1)
def _converter():
    import opencc  # the official binding; its dictionaries ship in the wheel

    return opencc.OpenCC("t2s.json")


@lru_cache(maxsize=1)
def _traditional_re() -> re.Pattern:
    """Characters that t2s changes: found once by converting the CJK block."""
    conv = _converter()
    block = "".join(chr(c) for c in range(0x4E00, 0xA000))
    out = conv.convert(block)
    if len(out) != len(block):
        chars = [ch for ch in block if conv.convert(ch) != ch]
    else:
        chars = [a for a, b in zip(block, out) if a != b]
    chars += [ch for ch in "羣衆裏姊纔祕" if ch not in chars]
    return re.compile("[" + "".join(re.escape(c) for c in chars) + "]")


def to_simplified(text: str) -> str:
    """Traditional to simplified, preserving length (falls back per character)."""
    if not text or not _traditional_re().search(text):
        return text       # already simplified: skip the conversion
    conv = _converter()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # Rare phrase conversions change length; redo line by line, and where a
    # line still changes length, character by character.
    lines = text.split("\n")
    fixed = []
    for line in lines:
        c = conv.convert(line)
        if len(c) != len(line):
            c = "".join(
                (x if len(x := conv.convert(ch)) == 1 else ch) for ch in line
            )
        fixed.append(c)
    return "\n".join(fixed)


@dataclass
class Normalized:
    """Normalized text with a map from its offsets to the original's."""

    text: str
    original: str
    # Sorted normalized offsets at which characters were deleted, and the
    # cumulative count of deleted characters up to each of them.
    _cuts: array
    _shift: array

    def to_original(self, pos: int) -> int:
        if not self._cuts:
            return pos
        i = bisect_right(self._cuts, pos)
        return pos + (self._shift[i - 1] if i else 0)

    def to_normalized(self, pos: int) -> int:
        """The normalized offset of an original offset (inside a deletion: its start)."""
        if not self._cuts:
            return pos
        removed = 0
        for i, cut in enumerate(self._cuts):
            before = self._shift[i - 1] if i else 0
            length = self._shift[i] - before
            orig_start = cut + before
            if orig_start >= pos:
                break
            removed += min(length, pos - orig_start)
        return pos - removed

    def original_span(self, start: int, end: int) -> str:
        return self.original[self.to_original(start): self.to_original(end)]

    @property
    def changed(self) -> bool:
        return self.text != self.original


def normalize(original: str) -> Normalized:
    """Return the canonical form of a report's text.

    Deletions (pinyin artefacts, invisible characters) are the only changes of
    length; everything else maps one character to one character.
    """
    text = original.replace("\r\n", "\n").replace("\r", "\n")
    # CRLF folding shifts offsets; keep the folded text as "original" so that
    # offsets stay exact (a quote's text is unchanged by it).
    original_folded = text
    cuts = array("l")
    shift = array("l")
    pieces: list[str] = []
    last = 0
    removed = 0
    for m in _scan_deletions(text):
        pieces.append(text[last:m[0]])
        removed += m[1] - m[0]
        norm_pos = m[0] - (removed - (m[1] - m[0]))
        cuts.append(norm_pos)
        shift.append(removed)
        last = m[1]
    if cuts:
        pieces.append(text[last:])
        text = "".join(pieces)
    text = text.translate(_WIDTH_TABLE)
    text = to_simplified(text)
    return Normalized(text=text, original=original_folded, _cuts=cuts, _shift=shift)


def _scan_deletions(text: str) -> list[tuple[int, int]]:
    spans = [(m.start(), m.end()) for m in _PINYIN.finditer(text)]
    spans += [(m.start(), m.end()) for m in _INVISIBLE.finditer(text)]
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def compact(text: str) -> str:
    """Drop all white space: for comparing names broken across lines."""
    return re.sub(r"\s+", "", text)
