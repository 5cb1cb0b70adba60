"""The catalog shows each incentive's open and next calls, with the "apply" button only for a
signed-in applicant of the incentive's type; the button starts a draft in that call. Officials
of the handling department publish calls at /calls/manage/; administrators in the Django admin."""

from collections.abc import Callable

import pytest
import time_machine
from django.urls import reverse

from accounts.models import OfficialRole, User
from applications.models import Application
from audit.models import AuditEvent
from calls.models import Call
from tests.applications.helpers import FIXED, PDF, PER_UNIT, upload
from tests.calls.conftest import at
from tests.factories import EnterpriseUserFactory, IndividualUserFactory, OfficialFactory

pytestmark = pytest.mark.django_db

NOW = "2026-03-10 10:00"


@pytest.fixture
def calls(make_call: Callable[..., Call]) -> dict[str, Call]:
    return {
        "closed": make_call(PER_UNIT, opens="2026-01-05 09:00", closes="2026-02-05 17:00", title="第一批（已截止）"),
        "open": make_call(PER_UNIT, opens="2026-03-01 09:00", closes="2026-03-31 17:00", title="第二批"),
        "next": make_call(PER_UNIT, opens="2026-06-01 09:00", closes="2026-06-30 17:00", title="第三批"),
        "later": make_call(PER_UNIT, opens="2026-09-01 09:00", closes="2026-09-30 17:00", title="第四批"),
    }


def _apply_url(call: Call) -> str:
    return f"{reverse('applications:start', args=[PER_UNIT])}?call={call.pk}"


def _measure_page(client: object) -> str:
    with time_machine.travel(at(NOW), tick=False):
        response = client.get(reverse("measures:measure", args=[15]))  # type: ignore[attr-defined]
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_measure_page_shows_the_open_and_the_next_call_with_apply_buttons(
    calls: dict[str, Call], page_client: Callable[..., object]
) -> None:
    page = _measure_page(page_client(EnterpriseUserFactory()))
    assert "Call for applications 2026" in page  # the English title
    assert f'href="{reverse("calls:detail", args=[calls["open"].pk])}"' in page
    assert f'href="{reverse("calls:detail", args=[calls["next"].pk])}"' in page
    assert f'href="{reverse("calls:detail", args=[calls["closed"].pk])}"' not in page
    assert f'href="{reverse("calls:detail", args=[calls["later"].pk])}"' not in page
    assert "2026-03-01 09:00 – 2026-03-31 17:00" in page
    assert "5,000,000.00" in page and "020-83330000" in page
    assert _apply_url(calls["open"]).replace("&", "&amp;") in page or _apply_url(calls["open"]) in page
    assert _apply_url(calls["next"]) in page


@pytest.mark.parametrize("who", ["anonymous", "official", "individual"])
def test_no_apply_button_for_others(calls: dict[str, Call], page_client: Callable[..., object], who: str) -> None:
    user = {
        "anonymous": None,
        "official": OfficialFactory(role=OfficialRole.HANDLER, department="amr"),
        "individual": IndividualUserFactory(),  # measure 15's incentive is for organisations
    }[who]
    page = _measure_page(page_client(user))
    assert f'href="{reverse("calls:detail", args=[calls["open"].pk])}"' in page
    assert "?call=" not in page


def test_the_department_page_shows_the_calls_too(calls: dict[str, Call], page_client: Callable[..., object]) -> None:
    with time_machine.travel(at(NOW), tick=False):
        page = page_client(EnterpriseUserFactory()).get(reverse("measures:department", args=["amr"]))  # type: ignore[attr-defined]
    assert _apply_url(calls["open"]) in page.content.decode()


def test_the_apply_button_starts_a_draft_in_that_call(
    calls: dict[str, Call], page_client: Callable[..., object]
) -> None:
    user: User = EnterpriseUserFactory()
    client = page_client(user)
    with time_machine.travel(at(NOW), tick=False):
        start = client.get(_apply_url(calls["next"]))  # type: ignore[attr-defined]
        posted = client.post(  # type: ignore[attr-defined]
            reverse("applications:start", args=[PER_UNIT]), {"call": calls["next"].pk, "fiscal_year": 2026}
        )
    assert start.status_code == 200
    assert "2026-06-01 09:00" in start.content.decode()
    assert f'name="call" value="{calls["next"].pk}"' in start.content.decode()
    assert posted.status_code == 302
    application = Application.objects.get(applicant=user.applicant)
    assert application.call == calls["next"]
    with time_machine.travel(at(NOW), tick=False):
        task_list = client.get(reverse("applications:detail", args=[application.pk]))  # type: ignore[attr-defined]
    assert "Open from 2026-06-01 09:00 until 2026-06-30 17:00 (Beijing time)" in task_list.content.decode()


def test_the_public_call_page(calls: dict[str, Call], page_client: Callable[..., object]) -> None:
    with time_machine.travel(at(NOW), tick=False):
        page = page_client().get(reverse("calls:detail", args=[calls["open"].pk]))  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert "Open for applications" in page.content.decode()


# ── publishing ───────────────────────────────────────────────────────────────────────────────


def _form(**fields: object) -> dict[str, object]:
    return {
        "incentives": [],
        "fiscal_year": 2026,
        "title": "2026年度国际标准资助申报通知",
        "title_en": "International standards 2026",
        "opens_at": "2026-03-01T09:00",
        "closes_at": "2026-03-31T17:00",
        "reference_from": "2025-07-01",
        "reference_to": "2026-06-30",
        "review_path": "city_first",
        "experts_per_application": 3,
        "money_available": "500万",
        "allocation": "rank",
        "contact_name": "陈科长",
        "contact_phone": "020-83330000",
        "payment_days": 30,
        **fields,
    }


def test_an_official_of_the_handling_department_publishes_a_call(page_client: Callable[..., object]) -> None:
    from measures.models import Incentive

    official = OfficialFactory(role=OfficialRole.HANDLER, department="amr")
    incentive = Incentive.objects.get(code=PER_UNIT)
    response = page_client(official).post(  # type: ignore[attr-defined]
        reverse("calls:manage_new"), {**_form(incentives=[incentive.pk]), "notice_pdf": upload("通知.pdf", PDF)}
    )
    assert response.status_code == 302
    call = Call.objects.get()
    assert list(call.incentives.all()) == [incentive]
    assert call.review_path == Call.ReviewPath.CITY_FIRST
    assert str(call.money_available) == "5000000.00"
    assert call.notice_pdf.name.endswith(".pdf")
    assert AuditEvent.objects.filter(action="call.create", object_id=str(call.pk), actor=official).exists()
    listing = page_client(official).get(reverse("calls:manage"))  # type: ignore[attr-defined]
    assert "International standards 2026" in listing.content.decode()


def test_an_official_cannot_publish_for_another_department_nor_a_non_pdf(page_client: Callable[..., object]) -> None:
    from measures.models import Incentive

    official = OfficialFactory(role=OfficialRole.HANDLER, department="miit")
    client = page_client(official)
    others = client.post(  # type: ignore[attr-defined]
        reverse("calls:manage_new"), _form(incentives=[Incentive.objects.get(code=PER_UNIT).pk])
    )
    not_pdf = client.post(  # type: ignore[attr-defined]
        reverse("calls:manage_new"),
        {**_form(incentives=[Incentive.objects.get(code=FIXED).pk]), "notice_pdf": upload("a.pdf", b"hello")},
    )
    backwards = client.post(  # type: ignore[attr-defined]
        reverse("calls:manage_new"),
        _form(incentives=[Incentive.objects.get(code=FIXED).pk], closes_at="2026-02-01T09:00"),
    )
    assert others.status_code == 400 and not_pdf.status_code == 400 and backwards.status_code == 400
    assert "The published notice must be a PDF file." in not_pdf.content.decode()
    assert "The call must close after it opens." in backwards.content.decode()
    assert not Call.objects.exists()
    assert page_client(EnterpriseUserFactory()).get(reverse("calls:manage")).status_code == 403  # type: ignore[attr-defined]


def test_administrators_publish_in_the_django_admin(page_client: Callable[..., object], call_admin: User) -> None:
    from measures.models import Incentive

    call_admin.is_staff = True
    call_admin.save()
    client = page_client(call_admin)
    assert client.get(reverse("admin:calls_call_add")).status_code == 200  # type: ignore[attr-defined]
    response = client.post(  # type: ignore[attr-defined]
        reverse("admin:calls_call_add"),
        _form(
            incentives=[Incentive.objects.get(code=FIXED).pk],
            opens_at_0="2026-03-01",
            opens_at_1="09:00",
            closes_at_0="2026-03-31",
            closes_at_1="17:00",
        ),
    )
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        pytest.fail(response.context["adminform"].form.errors.as_text())
    assert AuditEvent.objects.filter(action="call.create", actor=call_admin).exists()
