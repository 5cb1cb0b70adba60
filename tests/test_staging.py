"""Staged uploads (portal/staging.py): what an import's preview keeps for its confirmation."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts.models import OfficialRole
from portal import staging
from portal.models import StagedUpload
from portal.tasks import purge_staged_uploads
from tests.factories import OfficialFactory

pytestmark = pytest.mark.django_db


def test_only_the_owner_takes_it_back_for_the_same_purpose(django_capture_on_commit_callbacks) -> None:
    owner, other = OfficialFactory(role=OfficialRole.FINANCE), OfficialFactory(role=OfficialRole.FINANCE)
    staged = staging.stage(owner=owner, purpose="results", params={"batch": 7}, content=b"a,b\n", name="银行回单.csv")
    assert staging.take(owner=other, purpose="results", token=staged.token) is None
    assert staging.take(owner=owner, purpose="proactive-list", token=staged.token) is None
    assert staging.take(owner=owner, purpose="results", token="") is None
    taken = staging.take(owner=owner, purpose="results", token=staged.token)
    assert taken is not None and taken.params == {"batch": 7} and taken.original_name == "银行回单.csv"
    assert staging.read(taken) == b"a,b\n"
    storage, path = taken.file.storage, taken.file.name
    with django_capture_on_commit_callbacks(execute=True):
        staging.discard(taken)
    assert not StagedUpload.objects.exists() and not storage.exists(path)


def test_an_expired_preview_is_gone_and_the_beat_task_purges_the_forgotten(
    settings, django_capture_on_commit_callbacks
) -> None:
    settings.STAGED_UPLOAD_MAX_AGE = 60
    owner = OfficialFactory(role=OfficialRole.ADMINISTRATOR)
    old = staging.stage(owner=owner, purpose="proactive-list", content=b"x", name="old.xlsx")
    fresh = staging.stage(owner=owner, purpose="proactive-list", content=b"y", name="new.xlsx")
    StagedUpload.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert staging.take(owner=owner, purpose="proactive-list", token=old.token) is None
    stale = staging.stage(owner=owner, purpose="proactive-list", content=b"z", name="stale.xlsx")
    StagedUpload.objects.filter(pk=stale.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_staged_uploads.apply().get() == 1
    assert list(StagedUpload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not stale.file.storage.exists(stale.file.name)


def test_claim_gives_the_params_once(django_capture_on_commit_callbacks) -> None:
    owner = OfficialFactory(role=OfficialRole.ADMINISTRATOR)
    staged = staging.stage(owner=owner, purpose="credit-list", params={"list_name": "严重失信主体名单"})
    assert staging.claim(owner=owner, purpose="proactive-list", token=staged.token) is None
    with django_capture_on_commit_callbacks(execute=True):
        assert staging.claim(owner=owner, purpose="credit-list", token=staged.token) == {
            "list_name": "严重失信主体名单"
        }
    assert staging.claim(owner=owner, purpose="credit-list", token=staged.token) is None
    assert not StagedUpload.objects.exists()
