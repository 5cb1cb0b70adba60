"""Accounts fixtures: private media in a temporary directory, fresh throttles, signed-in clients."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from tests.factories import EnterpriseUserFactory, IndividualUserFactory


@pytest.fixture(autouse=True)
def _media_cache_language(settings: object, tmp_path: Path) -> Iterator[None]:
    """Uploads in a temporary directory, empty throttles and sent-email claims, English messages.

    Messages are asserted in English (the zh_Hans catalog is translated separately); clients send
    `Accept-Language: en` for the same reason.
    """
    settings.MEDIA_ROOT = tmp_path / "media"  # type: ignore[attr-defined]
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def anon() -> Client:
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def enterprise_user(db: None) -> User:
    return EnterpriseUserFactory()


@pytest.fixture
def other_enterprise_user(db: None) -> User:
    return EnterpriseUserFactory()


@pytest.fixture
def individual_user(db: None) -> User:
    return IndividualUserFactory()


def signed_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def api_as(user: User) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def enterprise_client(enterprise_user: User) -> Client:
    return signed_in(enterprise_user)


@pytest.fixture
def individual_client(individual_user: User) -> Client:
    return signed_in(individual_user)
