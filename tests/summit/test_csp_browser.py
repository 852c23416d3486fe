"""The main pages in headless Chromium, as each kind of user: the Content-Security-Policy
(summit/infrastructure/middleware.py) is never violated, the console shows no error, and nothing the
page loads (scripts, styles, images, the favicon, data it fetches) fails.
"""

import pytest
from django.urls import reverse

from summit.roles import GUEST
from tests.conftest import logged_in_context
from tests.world import _user, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every violation the page reports, from the first script on.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile}:${event.lineNumber}) ${event.sample}`
  );
});
"""

PAGES = {
    "anonymous": [
        lambda w: reverse("home"),
        lambda w: reverse("agenda:agenda"),
        lambda w: reverse("agenda:forums"),
        lambda w: reverse("agenda:forum", args=[w.forum.slug]),
        lambda w: reverse("agenda:session", args=[w.session.uid]),
        lambda w: reverse("agenda:speakers"),
        lambda w: reverse("agenda:speaker", args=[w.speaker.slug]),
        lambda w: reverse("account_signup"),
        lambda w: reverse("account_login"),
        lambda w: reverse("account_reset_password"),
    ],
    "newcomer": [  # signed in, not registered yet
        lambda w: reverse("registration:register"),
    ],
    "guest": [
        lambda w: reverse("home"),
        lambda w: reverse("registration:mine"),
        lambda w: reverse("registration:choices"),
        lambda w: reverse("registration:cancel"),
        lambda w: reverse("registration:delete-account"),
        lambda w: reverse("account_email"),
        lambda w: reverse("account_change_password"),
    ],
    "door": [
        lambda w: reverse("checkin:door") + "?checkpoint=" + w.checkpoint.slug,
        lambda w: reverse("badges:print-jobs") + "?q=Aurelia",
    ],
    "organiser": [
        lambda w: reverse("organiser-dashboard"),
        lambda w: reverse("summit-settings"),
        lambda w: reverse("agenda:organiser-overview"),
        lambda w: reverse("agenda:organiser-forums"),
        lambda w: reverse("agenda:organiser-forum-edit", args=[w.forum.pk]),
        lambda w: reverse("agenda:organiser-sessions"),
        lambda w: reverse("agenda:organiser-session-edit", args=[w.session.pk]),
        lambda w: reverse("agenda:organiser-rooms"),
        lambda w: reverse("agenda:organiser-speakers"),
        lambda w: reverse("registration:organiser-guests"),
        lambda w: reverse("registration:organiser-guest", args=[w.guest.pk]),
        lambda w: reverse("registration:organiser-guest-edit", args=[w.guest.pk]),
        lambda w: reverse("registration:organiser-guests-import"),
        lambda w: reverse("registration:organiser-invitations"),
        lambda w: reverse("badges:print-jobs"),
        lambda w: reverse("checkin:checkin-setup"),
        lambda w: reverse("checkin:attendance"),
        lambda w: reverse("checkin:door") + "?checkpoint=" + w.checkpoint.slug,
    ],
}


def _context(browser, live_server, user):
    context = logged_in_context(browser, live_server, user, viewport={"width": 1280, "height": 900})
    context.add_init_script(LISTEN)
    return context


@pytest.mark.parametrize("role", list(PAGES))
def test_pages_break_no_policy_and_log_no_error(browser, live_server, roles, media_root, role):
    world = build_world()
    users = dict(world.users, newcomer=_user("newcomer", GUEST))
    context = _context(browser, live_server, users[role])
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda message: message.type == "error" and problems.append(f"console: {message.text}"),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and problems.append(f"{response.status} for {response.url}")
        ),
    )
    try:
        for address in PAGES[role]:
            path = address(world)
            response = page.goto(live_server.url + path)
            page.wait_for_load_state("networkidle")
            assert response.status == 200, f"{path} as {role}: {response.status}"
            assert response.headers.get("content-security-policy"), path
            violations = page.evaluate("window.__violations")
            problems += [f"{path}: {violation}" for violation in violations]
            # Chromium asks for the page's icon after the page itself.
            icon = page.evaluate(
                "document.querySelector('link[rel~=icon]')?.href"
                " || new URL('/favicon.ico', location.href).href"
            )
            icon_response = page.request.get(icon)
            if icon_response.status != 200:
                problems.append(f"{path}: the icon {icon} is {icon_response.status}")
            assert not problems, f"as {role}:\n" + "\n".join(problems)
    finally:
        context.close()
