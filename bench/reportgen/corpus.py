"""Planning a corpus (departments, years, formats), building, injecting,
rendering and labelling each report; deterministic for a seed."""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from .build import build_accounts, make_profile
from .document import Report, build_document
from .inject import inject
from .model import Accounts, Profile

EXT = {"pdf": "pdf", "xlsx": "xlsx", "html": "html"}


@dataclass
class Spec:
    index: int
    file: str
    fmt: str
    profile: Profile
    first_year: int            # first year of the department's series (prior figures chain from it)
    year: int


def plan(pdf: int, xlsx: int, html: int, seed: int) -> list[Spec]:
    rng = random.Random(f"plan:{seed}")
    fmts = ["pdf"] * pdf + ["xlsx"] * xlsx + ["html"] * html
    rng.shuffle(fmts)
    pairs: list[tuple[Profile, int, int]] = []
    used: set = set()
    while len(pairs) < len(fmts):
        prof = make_profile(rng, used)
        k = rng.choice([1, 1, 2, 3])
        start = rng.randint(2019, 2025 - k + 1)
        pairs += [(prof, start, y) for y in range(start, start + k)]
    return [Spec(i, f"r{i + 1:04d}.{EXT[f]}", f, *pairs[i]) for i, f in enumerate(fmts)]


def accounts_for(profile: Profile, first_year: int, year: int) -> Accounts:
    prev = None
    for y in range(first_year, year + 1):
        prev = build_accounts(profile, y, prev)
    return prev


def build_report(seed: int = 1, index: int = 0, fmt: str = "pdf", clean_rate: float = 0.3,
                 spec: Spec | None = None, errors: bool = True) -> Report:
    """One report (model, document and labels), not rendered."""
    if spec is None:
        prof = make_profile(random.Random(f"profile:{seed}:{index}"))
        year = random.Random(f"year:{seed}:{index}").randint(2019, 2025)
        spec = Spec(index, f"r{index + 1:04d}.{EXT[fmt]}", fmt, prof, year, year)
    acc = accounts_for(spec.profile, spec.first_year, spec.year)
    rng = random.Random(f"report:{seed}:{spec.index}")
    rep = build_document(acc, spec.fmt, rng, spec.file)
    if errors:
        inject(rep, rng, clean_rate)
    return rep


def report_model(seed: int = 1, index: int = 0) -> Accounts:
    """The accounts model of one report, without document or rendering."""
    return build_report(seed, index, errors=False).acc


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)


def resolve_pages(path: str, labels: list, pages: dict) -> None:
    """Page of each label: where its anchor was drawn, moved to the page whose
    text holds the label's snippet when that is a following page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    cache: dict = {}

    def text(p: int) -> str:
        if p not in cache:
            if 1 <= p <= len(pdf):
                page = pdf[p - 1]
                tp = page.get_textpage()
                cache[p] = _norm(tp.get_text_range())
                tp.close()
                page.close()
            else:
                cache[p] = ""
        return cache[p]

    try:
        for lab in labels:
            kind, key = lab["_anchor"]
            p = pages.get(key)
            if p is None:
                continue
            snippets = [_norm(t) for t in lab.get("text", []) if t]
            for q in (p, p + 1, p + 2):
                if any(s and s in text(q) for s in snippets):
                    p = q
                    break
            lab["page"] = p
    finally:
        pdf.close()


def render(rep: Report, out_dir: Path) -> dict:
    path = out_dir / rep.file
    tracked = {lab["_anchor"][1] for lab in rep.labels if lab["_anchor"][0] == "cell"}
    if rep.fmt == "pdf":
        from .render_pdf import render_pdf
        pages = render_pdf(rep, str(path), tracked)
        resolve_pages(str(path), rep.labels, pages)
    elif rep.fmt == "xlsx":
        from .render_xlsx import render_xlsx
        render_xlsx(rep, str(path))
    else:
        from .render_html import render_html
        render_html(rep, str(path))
    errors = [{k: v for k, v in lab.items() if not k.startswith("_")} for lab in rep.labels]
    return {"file": rep.file, "format": rep.fmt, "year": rep.year, "issuer": rep.issuer, "clean": not errors,
            "variant": rep.variant, "errors": errors}


def _one(args) -> dict:
    seed, spec, out_dir, clean_rate = args
    rep = build_report(seed, spec=spec, clean_rate=clean_rate)
    return render(rep, Path(out_dir))


def generate(out_dir, pdf: int = 200, xlsx: int = 50, html: int = 50, seed: int = 1, jobs: int = 1,
             clean_rate: float = 0.3) -> list[dict]:
    """Write the reports and OUT_DIR/labels.jsonl; returns the label lines."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    specs = plan(pdf, xlsx, html, seed)
    work = [(seed, s, str(out), clean_rate) for s in specs]
    if jobs > 1 and len(work) > 1:
        from multiprocessing import get_context
        with get_context("spawn").Pool(jobs) as pool:
            lines = pool.map(_one, work, chunksize=1)
    else:
        lines = [_one(w) for w in work]
    with open(out / "labels.jsonl", "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return lines
