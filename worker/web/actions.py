"""What an auditor does from the alert page: acknowledge (more actions join this list).

Each action is a form POST guarded by auth.action (login, role, CSRF token),
writes through the same functions as the CLI (alerts/manage.py), and leaves a
row in the audit log in the same transaction-ordered way: the change first,
then who did it, from where and why."""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from alerts import manage
from worker.web import audit_log, auth
from worker.web.site import Site
from worker.web.users import User

MAX_COMMENT = 2000


def comment_of(form: dict) -> str:
    return str(form.get("comment", "")).strip()[:MAX_COMMENT]


def routes(site: Site) -> list[Route]:
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

    return [Route("/alerts/{alert_id:int}/ack", auth.action(site, ack), methods=["POST"], name="ack")]
