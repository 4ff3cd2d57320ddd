"""Bytes to text: UTF-8, GBK/GB18030 and Big5 pages, told apart reliably.

Order of evidence: a byte-order mark, the charset the server or the page
declares, strict UTF-8, then the candidate Chinese encodings scored by how
much ordinary Chinese they produce (charset-normalizer settles the rest).
"""
from __future__ import annotations

import re

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
            "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "utf8": "utf-8", "unicode": "utf-8"}
# Characters frequent in any Chinese report, simplified and traditional.
_COMMON = set("的年元一是在和了有为人中国部门预算决算支出收入财政项目万元度计划实际完成情况資預決萬為與於")


class DecodeError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _norm(enc: str | None) -> str | None:
    if not enc:
        return None
    e = enc.strip().lower()
    return _ALIASES.get(e, e)


def _score(text: str) -> float:
    if not text:
        return 0.0
    sample = text[:20000]
    common = sum(1 for ch in sample if ch in _COMMON)
    bad = sample.count("\ufffd") + sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t")
    return (common - 5 * bad) / max(1, len(sample))


_CONTROLS = bytes(range(9)) + bytes(range(14, 32))     # control bytes other than \t \n \v \f \r


def looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROLS))
    return controls > len(head) * 0.05


def decode(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    """Return (text, encoding, warnings) or raise DecodeError."""
    warnings: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig", warnings
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16", warnings
        except UnicodeDecodeError:
            raise DecodeError("声明为 UTF-16 的文件无法解码") from None
    if looks_binary(data):
        raise DecodeError("不是文本文件:内容含二进制数据(NUL 或控制字节),无法作为网页或文本读取")
    candidates: list[str] = []
    for enc in (_norm(declared), _norm(_meta_charset(data))):
        if enc and enc not in candidates:
            candidates.append(enc)
    # Strict UTF-8 first: it almost never decodes other encodings by accident.
    try:
        text = data.decode("utf-8")
        if not candidates or candidates[0] in ("utf-8", "utf-8-sig") or _score(text) > 0:
            return text, "utf-8", warnings
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3 and e.reason.startswith("unexpected end"):
            text = data[:e.start].decode("utf-8", errors="strict")
            warnings.append("文件末尾有不完整的 UTF-8 字符:文件可能被截断")
            return text, "utf-8", warnings
    scored: list[tuple[float, str, str]] = []
    for enc in candidates + ["gb18030", "big5hkscs"]:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        bonus = 0.02 if enc in candidates else 0.0
        scored.append((_score(text) + bonus, enc, text))
    if scored:
        scored.sort(key=lambda x: x[0], reverse=True)
        best = scored[0]
        if best[0] > 0.01:
            return best[2], best[1], warnings
    try:
        from charset_normalizer import from_bytes

        match = from_bytes(data).best()
    except MemoryError:
        raise
    except Exception:  # pragma: no cover - the library is robust; be more so
        match = None
    if match is not None:
        text = str(match)
        if _score(text) > 0.0:
            return text, _norm(match.encoding) or match.encoding, warnings
    for enc in ("gb18030", "big5hkscs", "utf-8"):
        text = data.decode(enc, errors="replace")
        if text.count("\ufffd") < max(3, len(text) // 200) and _score(text) > 0:
            warnings.append(f"部分字节无法按 {enc} 解码,已替换")
            return text, enc, warnings
    raise DecodeError("无法识别文字编码(试过 UTF-8、GB18030、Big5):文件可能损坏或不是中文文本")


def _meta_charset(data: bytes) -> str | None:
    m = _META.search(data[:4096])
    return m.group(1).decode("ascii", "ignore") if m else None
