"""Applications fixtures: private media in a temporary directory, English messages, applicants
and an official (the signed-in page_client and api_client are tests/conftest.py's)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from accounts.models import User
from tests.factories import EnterpriseUserFactory, IndividualUserFactory


@pytest.fixture(autouse=True)
def _media_and_language(settings: object, tmp_path: Path) -> Iterator[None]:
    """Uploads go to a temporary directory; messages are asserted in English (clients send
    `Accept-Language: en`; the zh_Hans catalog is translated separately)."""
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    with translation.override("en"):
        yield


@pytest.fixture
def enterprise_user(db: None) -> User:
    return EnterpriseUserFactory()


@pytest.fixture
def other_enterprise_user(db: None) -> User:
    return EnterpriseUserFactory()


@pytest.fixture
def individual_user(db: None) -> User:
    return IndividualUserFactory()


@pytest.fixture
def official(db: None) -> User:
    """A signed-in user without an applicant (officials' own pages come with the review issue)."""
    return User.objects.create_user(username="handler1", password="correct-Horse-battery-9", is_staff=False)
