"""Whether pdfium decodes a page's text as pdfminer would: its fonts, checked.

Both map glyph codes to text through the font's ToUnicode CMap when it has
one; without one they guess differently (pdfminer writes "(cid:N)" where
pdfium may look in the embedded font), and Type 3 and vertical fonts get
other boxes. A page whose fonts (its own and those of the forms it draws)
are all of the plain kinds is read with pdfium (worker/extract/pdffast.py);
any other with pdfplumber. Reads only the resource dictionaries pdfminer has
parsed anyway when it listed the pages: no content stream is interpreted.
"""
from __future__ import annotations

from typing import Any

_BASE14 = {"Courier", "Courier-Bold", "Courier-Oblique", "Courier-BoldOblique", "Helvetica", "Helvetica-Bold",
           "Helvetica-Oblique", "Helvetica-BoldOblique", "Times-Roman", "Times-Bold", "Times-Italic",
           "Times-BoldItalic"}
_ENCODINGS = {"WinAnsiEncoding", "MacRomanEncoding", "StandardEncoding"}


def _name(x: Any) -> str | None:
    from pdfminer.psparser import PSLiteral

    return x.name if isinstance(x, PSLiteral) else (x if isinstance(x, str) else None)


class FontCheck:
    """Verdicts per font and per form, cached for the document."""

    def __init__(self) -> None:
        self._seen: dict[int, bool] = {}

    def page_ok(self, resources: Any) -> bool:
        try:
            return self._resources_ok(resources, 0)
        except Exception:       # a malformed dictionary: let pdfplumber judge the page
            return False

    def _resources_ok(self, resources: Any, depth: int) -> bool:
        from pdfminer.pdftypes import PDFObjRef, PDFStream, resolve1

        res = resolve1(resources)
        if not res:
            return True
        if not isinstance(res, dict) or depth > 8:
            return False
        fonts = resolve1(res.get("Font")) or {}
        if not isinstance(fonts, dict):
            return False
        for ref in fonts.values():
            if not self._cached(ref, lambda r: self._font_ok(resolve1(r))):
                return False
        xobjs = resolve1(res.get("XObject")) or {}
        if not isinstance(xobjs, dict):
            return False
        for ref in xobjs.values():
            def form_ok(r: Any) -> bool:
                x = resolve1(r)
                if not isinstance(x, PDFStream):
                    return False
                if _name(resolve1(x.get("Subtype"))) != "Form":
                    return True
                # a form without resources uses its page's: already checked
                return self._resources_ok(x.get("Resources"), depth + 1)
            if not self._cached(ref, form_ok) if isinstance(ref, PDFObjRef) else not form_ok(ref):
                return False
        return True

    def _cached(self, ref: Any, check: Any) -> bool:
        from pdfminer.pdftypes import PDFObjRef

        if not isinstance(ref, PDFObjRef):
            return bool(check(ref))
        got = self._seen.get(ref.objid)
        if got is None:
            self._seen[ref.objid] = False       # a cycle of forms is refused
            got = self._seen[ref.objid] = bool(check(ref))
        return got

    @staticmethod
    def _font_ok(spec: Any) -> bool:
        from pdfminer.pdftypes import PDFStream, resolve1

        if not isinstance(spec, dict):
            return False
        subtype = _name(resolve1(spec.get("Subtype")))
        mapped = isinstance(resolve1(spec.get("ToUnicode")), PDFStream)
        if subtype == "Type0":
            enc = _name(resolve1(spec.get("Encoding")))
            if enc is None or not enc.endswith("-H"):
                return False            # vertical writing, or an embedded CMap
            # A predefined Unicode CMap (UniGB-UCS2-H ...) names the characters itself.
            return mapped or (enc.startswith("Uni") and ("UCS2" in enc or "UTF16" in enc))
        if subtype not in ("Type1", "MMType1", "TrueType"):
            return False                # Type 3 glyph procedures, unknown kinds
        if mapped:
            return True
        enc = resolve1(spec.get("Encoding"))
        if enc is None:
            return _name(resolve1(spec.get("BaseFont"))) in _BASE14 and subtype == "Type1"
        if _name(enc) in _ENCODINGS:
            return True
        if isinstance(enc, dict):
            base = _name(resolve1(enc.get("BaseEncoding")))
            diffs = resolve1(enc.get("Differences")) or []
            return (base is None or base in _ENCODINGS) and _names_known(diffs)
        return False


def _names_known(diffs: Any) -> bool:
    """Every glyph name of a /Differences array maps to a character for pdfminer."""
    from pdfminer.encodingdb import name2unicode
    from pdfminer.pdftypes import resolve1

    for x in resolve1(diffs) if isinstance(resolve1(diffs), list) else []:
        n = _name(resolve1(x))
        if n is None:
            continue        # a code number
        try:
            name2unicode(n)
        except Exception:
            return False
    return True
