"""The overview page: alerts and execution rates per issuer and year as charts, the models'
risk ranking, and each rule's record with the auditors' verdicts."""
from __future__ import annotations

from contextlib import closing

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from worker.web import auth, svg
from worker.web import overview_queries as oq
from worker.web.site import Site

SEVERITY_COLORS = {"high": "#c01c28", "medium": "#e66100", "low": "#2a7ab0", "info": "#888888"}   # as style.css .sev-*
YEAR_COLORS = ("#1f77b4", "#2ca02c", "#9467bd", "#17becf", "#8c564b", "#e377c2", "#bcbd22", "#7f7f7f")
MAX_BARS = 40           # categories drawn; the tables under the charts list every row


def _issuer_year(issuer: str, year, L) -> str:
    return f"{issuer or L('overview.unknown_issuer')} · {year if year is not None else '—'}"


def alerts_chart(counts: list[dict], L) -> str:
    shown = counts[:MAX_BARS]
    series = [svg.Series(L.sev(s), SEVERITY_COLORS[s], [float(r[s]) for r in shown]) for s in oq.SEVERITIES
              if any(r[s] for r in shown)]
    return svg.bars(L("overview.alerts_chart"), L("overview.alerts_desc"),
                    [_issuer_year(r["issuer"], r["year"], L) for r in shown], series, stacked=True,
                    unit=L("overview.unit_alerts"), chart_id="alerts-chart")


def rates_chart(headline: list[dict], L) -> str:
    issuers = list(dict.fromkeys(r["issuer"] or "" for r in headline))[:MAX_BARS]
    years = sorted({r["year"] for r in headline if r["issuer"] in issuers}, key=lambda y: (y is None, y))
    by = {(r["issuer"] or "", r["year"]): r["rate"] for r in headline}
    series = [svg.Series(str(y) if y is not None else "—", YEAR_COLORS[i % len(YEAR_COLORS)],
                         [by.get((issuer, y)) for issuer in issuers]) for i, y in enumerate(years)]
    return svg.bars(L("overview.rates_chart"), L("overview.rates_desc"),
                    [i or L("overview.unknown_issuer") for i in issuers], series, stacked=False, unit="%",
                    reference=100.0, reference_label=L("overview.full_budget"), chart_id="rates-chart")


def routes(site: Site) -> list[Route]:
    def overview(request: Request) -> Response:
        scope = oq.Scope.from_params(request.query_params)
        with closing(site.connect()) as conn:
            counts = oq.alert_counts(conn, scope)
            headline, rates = oq.execution_rates(conn, scope)
            ranking = oq.risk_ranking(conn, scope)
            trust = oq.rule_trust(conn)
            options = oq.choices(conn)
        L = site.L
        # The SVG is built and escaped in worker/web/svg.py: portal text in it is already text.
        return site.render(request, "overview.html", scope=scope, options=options, counts=counts,
                           severities=oq.SEVERITIES, rates=rates, headline=headline, ranking=ranking,
                           trust=trust, max_bars=MAX_BARS,
                           alerts_svg=Markup(alerts_chart(counts, L)) if counts else "",
                           rates_svg=Markup(rates_chart(headline, L)) if headline else "")

    return [Route("/overview", auth.page(site, overview), name="overview")]
