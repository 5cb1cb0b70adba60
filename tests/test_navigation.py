"""Each role's main navigation leads to its own work, and to nothing it may not use."""

from collections.abc import Callable

import pytest
from django.http import HttpRequest
from django.test import Client

from accounts.models import OfficialRole, User
from tests.factories import PASSWORD, EnterpriseUserFactory

pytestmark = pytest.mark.django_db


def nav(client: Client) -> str:
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    return html[html.index('class="main-nav"') : html.index("</nav>")]


def test_the_public_sees_the_catalog_and_announcements(client: Client) -> None:
    links = nav(client)
    assert "/announcements/" in links and "Sign in" in links
    assert "/review/" not in links and "/finance/" not in links


def test_an_enterprise_sees_its_portal_and_matches(client: Client) -> None:
    client.login(request=HttpRequest(), username=EnterpriseUserFactory().username, password=PASSWORD)
    links = nav(client)
    assert "/me/" in links and "/me/matches/" in links
    assert "/review/" not in links and "/reports/dashboard/" not in links


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        (OfficialRole.HANDLER, ["/review/", "/reports/dashboard/"], ["/finance/", "/me/", "/credit/"]),
        (OfficialRole.APPROVER, ["/review/"], ["/finance/"]),
        (OfficialRole.FINANCE, ["/finance/", "/reports/dashboard/"], ["/review/"]),
        (OfficialRole.ADMINISTRATOR, ["/finance/", "/proactive/lists/", "/credit/"], ["/review/"]),
    ],
)
def test_officials_see_their_work(
    client: Client, make_official: Callable[..., User], role: str, present: list[str], absent: list[str]
) -> None:
    assert client.login(request=HttpRequest(), username=make_official(role, "amr").username, password=PASSWORD)
    links = nav(client)
    for url in present:
        assert f'href="{url}"' in links, url
    for url in absent:
        assert f'href="{url}"' not in links, url
