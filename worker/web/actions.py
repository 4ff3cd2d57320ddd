"""What an auditor does from the alert page: acknowledge, silence, give a verdict.

Each action is a form POST guarded by auth.action (login, role, CSRF token),
writes through the same functions as the CLI (alerts/manage.py,
alerts/verdicts.py), and leaves a row in the audit log in the same
transaction-ordered way: the change first, then who did it, from where and
why. A refused form (no comment, an end in the past) shows the alert page
again with the reason, status 400, and nothing stored."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from contextlib import closing
from datetime import datetime, timezone

from alerts import manage, verdicts
from worker.web import audit_log, auth, queries
from worker.web.pages import alert_view, silence_choices
from worker.web.site import Site
from worker.web.users import User

MAX_COMMENT = 2000


def comment_of(form: dict) -> str:
    return str(form.get("comment", "")).strip()[:MAX_COMMENT]


def until_problem(site: Site, until: str) -> str | None:
    """Why an end date/time for a silence is refused (in the page's language), or None if it is fine."""
    from worker.bounds import iso_utc

    try:
        manage.parse_until(until)
    except manage.SilenceError:
        try:
            end = iso_utc(until)
        except ValueError:
            return site.L("silence.until_bad", until=until)
        now = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        return site.L("silence.until_past", until=until, end=end, now=now)
    return None


def routes(site: Site) -> list[Route]:
    def alert_or_404(alert_id: int) -> dict:
        with closing(site.connect()) as conn:
            a = queries.alert(conn, alert_id)
        if a is None:
            raise HTTPException(404)
        return a

    def refuse(request: Request, alert_id: int, which: str, form: dict, message: str) -> Response:
        return alert_view(site, request, alert_id, status_code=400, error=message, error_form=which, form=form)

    def silence(request: Request, form: dict, user: User) -> Response:
        alert_id = request.path_params["alert_id"]
        choices = silence_choices(alert_or_404(alert_id))
        matcher, comment = str(form.get("matcher", "")), comment_of(form)
        until = str(form.get("until", "")).strip()[:64] or None
        if matcher not in choices:
            return refuse(request, alert_id, "silence", form, site.L("silence.choose"))
        if not comment:
            return refuse(request, alert_id, "silence", form, site.L("action.need_comment"))
        if until is not None and (problem := until_problem(site, until)):
            return refuse(request, alert_id, "silence", form, problem)
        with site.write() as store:
            try:
                sid = manage.add_silence(store, matcher, choices[matcher], until, user.name, comment)
            except manage.SilenceError as e:     # a kind or rule no longer known, a report deleted since
                return refuse(request, alert_id, "silence", form, site.L("silence.refused", reason=str(e)))
            end = store.conn.execute("SELECT until FROM silences WHERE id = ?", (sid,)).fetchone()[0]
            with store.tx() as c:
                audit_log.record(c, user.name, user.role, "silence", f"alert:{alert_id}",
                                 f"silence #{sid} {matcher}={choices[matcher]} until {end or '-'}: {comment}",
                                 auth.address(request))
        return RedirectResponse(f"/alerts/{alert_id}", status_code=303)

    def verdict(request: Request, form: dict, user: User) -> Response:
        alert_id = request.path_params["alert_id"]
        alert_or_404(alert_id)
        chosen, comment = str(form.get("verdict", "")), comment_of(form)
        if chosen not in verdicts.VERDICTS:
            return refuse(request, alert_id, "verdict", form, site.L("verdict.choose"))
        if not comment:
            return refuse(request, alert_id, "verdict", form, site.L("action.need_comment"))
        with site.write() as store:
            try:
                cancelled = verdicts.add(store, alert_id, chosen, user.name, comment)
            except LookupError:
                raise HTTPException(404) from None
            with store.tx() as c:
                audit_log.record(c, user.name, user.role, "verdict", f"alert:{alert_id}",
                                 f"{chosen}: {comment}" + (f" ({cancelled} pending notices cancelled)"
                                                           if cancelled else ""), auth.address(request))
        return RedirectResponse(f"/alerts/{alert_id}", status_code=303)

    def ack(request: Request, form: dict, user: User) -> Response:
        alert_id = request.path_params["alert_id"]
        comment = comment_of(form)
        with site.write() as store:
            try:
                manage.ack(store, alert_id, user.name, comment)
            except LookupError:
                raise HTTPException(404) from None
            with store.tx() as c:
                audit_log.record(c, user.name, user.role, "ack", f"alert:{alert_id}", comment, auth.address(request))
        return RedirectResponse(f"/alerts/{alert_id}", status_code=303)

    return [Route("/alerts/{alert_id:int}/ack", auth.action(site, ack), methods=["POST"], name="ack"),
            Route("/alerts/{alert_id:int}/silence", auth.action(site, silence), methods=["POST"], name="silence"),
            Route("/alerts/{alert_id:int}/verdict", auth.action(site, verdict), methods=["POST"], name="verdict")]
