"""A minimal PDF writer for tests: pages of Chinese text in a standard CID
font (STSong-Light, UniGB-UCS2-H), so PDF readers can extract the text."""
from __future__ import annotations


def _obj(n: int, body: bytes) -> bytes:
    return f"{n} 0 obj\n".encode() + body + b"\nendobj\n"


def make_pdf(pages: list[list[str]], text_layer: bool = True) -> bytes:
    """Each page is a list of lines. With text_layer=False the page only draws
    a rectangle: what a scan without OCR looks like to a text extractor."""
    objs: list[bytes] = []
    n_pages = len(pages)
    # 1 catalog, 2 pages, 3 font, 4 descendant font, 5 descriptor, then page/content pairs
    kids = " ".join(f"{6 + 2 * i} 0 R" for i in range(n_pages))
    objs.append(_obj(1, b"<< /Type /Catalog /Pages 2 0 R >>"))
    objs.append(_obj(2, f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode()))
    objs.append(_obj(3, b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
                        b"/DescendantFonts [4 0 R] >>"))
    objs.append(_obj(4, b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
                        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> "
                        b"/FontDescriptor 5 0 R /DW 1000 >>"))
    objs.append(_obj(5, b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [0 -200 1000 900] "
                        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"))
    for i, lines in enumerate(pages):
        if text_layer:
            ops = [b"BT /F1 10 Tf 12 TL 40 800 Td"]
            for line in lines:
                hexs = line.encode("utf-16-be").hex().upper().encode()
                ops.append(b"<" + hexs + b"> Tj T*")
            ops.append(b"ET")
        else:
            ops = [b"0.5 g 40 400 500 300 re f"]
        content = b"\n".join(ops)
        page = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                f"/Contents {7 + 2 * i} 0 R >>").encode()
        objs.append(_obj(6 + 2 * i, page))
        objs.append(_obj(7 + 2 * i, f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"))
    return assemble(objs)


def assemble(objs: list[bytes]) -> bytes:
    """A PDF file of numbered objects (object 1 the catalog), with its xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for o in objs:
        offsets.append(len(out))
        out += o
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
