"""/api/v1/credit-list/: administrators read, add and end entries; everybody else is refused."""

import pytest

from accounts.models import OfficialRole
from audit.models import AuditEvent
from credit.models import CreditListEntry
from tests.factories import CreditListEntryFactory, EnterpriseUserFactory, make_uscc

pytestmark = pytest.mark.django_db

URL = "/api/v1/credit-list/"
CODE = make_uscc(710001)


def body(**extra: object) -> dict[str, object]:
    return {
        "uscc": CODE,
        "name": "深圳市甲有限公司",
        "list_name": "严重失信主体名单",
        "listed_on": "2025-03-01",
        **extra,
    }


@pytest.mark.parametrize(
    "role", [None, "enterprise", OfficialRole.HANDLER, OfficialRole.APPROVER, OfficialRole.FINANCE]
)
def test_only_administrators_may_use_it(role, make_official, api_client) -> None:
    entry = CreditListEntryFactory()
    if role is None:
        client, expected = api_client(None), 401
    else:
        client, expected = api_client(EnterpriseUserFactory() if role == "enterprise" else make_official(role)), 403
    assert client.get(URL).status_code == expected
    assert client.post(URL, body(), format="json").status_code == expected
    assert client.get(f"{URL}{entry.pk}/").status_code == expected
    response = client.delete(f"{URL}{entry.pk}/", {"reason": "x"}, format="json")
    assert response.status_code == expected and response.json()["code"] in ("not_authenticated", "permission_denied")
    entry.refresh_from_db()
    assert entry.ended_on is None and CreditListEntry.objects.count() == 1


def test_add_read_search_and_end(administrator, api_client) -> None:
    client = api_client(administrator)
    created = client.post(URL, body(until="2028-02-29"), format="json")
    assert created.status_code == 201, created.json()
    entry = created.json()
    assert entry["uscc"] == CODE and entry["active"] is True and entry["until"] == "2028-02-29"
    assert entry["source"] == "manual" and entry["added_by"] == str(administrator)
    CreditListEntryFactory(name="广州市乙有限公司")
    assert client.get(URL).json()["count"] == 2
    assert [e["uscc"] for e in client.get(URL, {"q": CODE}).json()["results"]] == [CODE]
    assert client.get(URL, {"q": "广州"}).json()["count"] == 1
    assert client.get(URL, {"state": "sometimes"}).status_code == 400
    assert client.get(f"{URL}{entry['id']}/").json()["name"] == "深圳市甲有限公司"

    no_reason = client.delete(f"{URL}{entry['id']}/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    ended = client.delete(f"{URL}{entry['id']}/", {"reason": "信用修复"}, format="json")
    assert ended.status_code == 200
    assert ended.json()["active"] is False and ended.json()["end_reason"] == "信用修复"
    assert client.get(URL, {"state": "active"}).json()["count"] == 1
    twice = client.delete(f"{URL}{entry['id']}/", {"reason": "again"}, format="json")
    assert twice.status_code == 409 and twice.json()["code"] == "not_allowed"
    actions = list(AuditEvent.objects.filter(object_id=str(entry["id"])).values_list("action", flat=True))
    assert actions == ["credit_entry.add", "credit_entry.end"]
    assert client.get(f"{URL}999999/").status_code == 404


def test_invalid_entries_answer_400_by_field(administrator, api_client) -> None:
    client = api_client(administrator)
    bad_code = client.post(URL, body(uscc=CODE[:-1] + "0"), format="json")
    assert bad_code.status_code == 400 and "check character" in bad_code.json()["errors"]["uscc"][0]
    inverted = client.post(URL, body(until="2024-01-01"), format="json")
    assert inverted.status_code == 400 and "until" in inverted.json()["errors"]
    assert client.post(URL, body(listed_on="01/03/2025"), format="json").status_code == 400
    assert client.post(URL, body(), format="json").status_code == 201
    twice = client.post(URL, body(), format="json")
    assert twice.status_code == 400 and "already on this list" in twice.json()["errors"]["uscc"][0]
    assert CreditListEntry.objects.count() == 1


def test_the_schema_documents_the_credit_list_and_the_commitment(api_client) -> None:
    schema = api_client(None).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/credit-list/"])
    assert {"get", "delete"} <= set(paths["/api/v1/credit-list/{id}/"])
    submit = paths["/api/v1/applications/{reference}/submit/"]["post"]
    assert "409" in submit["responses"] and "credit_listed" in submit["description"]
    request = schema["components"]["schemas"]["SubmitRequest"]
    assert "credit_commitment" in request["properties"]
    assert "errors.credit_commitment" in request["properties"]["credit_commitment"]["description"]
