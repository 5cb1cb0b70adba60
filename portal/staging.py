"""Preview, then confirm: an import's file is staged when its preview is shown and taken back
when the official confirms it. Only the official who uploaded it may take it, for the purpose
it was staged for, within STAGED_UPLOAD_MAX_AGE; `purge_expired` (Celery beat) deletes the rest."""

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from .models import StagedUpload


def max_age() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "STAGED_UPLOAD_MAX_AGE", 3600))


def stage(
    *, owner: Any, purpose: str, params: dict[str, Any] | None = None, content: bytes | None = None, name: str = ""
) -> StagedUpload:
    staged = StagedUpload(
        token=secrets.token_urlsafe(32), purpose=purpose, owner=owner, original_name=name[:255], params=params or {}
    )
    if content is not None:
        staged.file.save(staged.token, ContentFile(content), save=False)
    staged.save()
    return staged


def take(*, owner: Any, purpose: str, token: str) -> StagedUpload | None:
    """The owner's staged upload for this purpose, or None when there is none or it expired."""
    staged = StagedUpload.objects.filter(token=token or "-", purpose=purpose, owner_id=owner.pk).first()
    if staged is None:
        return None
    if staged.created_at < timezone.now() - max_age():
        discard(staged)
        return None
    return staged


def claim(*, owner: Any, purpose: str, token: str) -> dict[str, Any] | None:
    """What the preview staged (its params), taken once: the staged upload is discarded, so a
    second confirmation finds nothing. None when there is none or it expired."""
    staged = take(owner=owner, purpose=purpose, token=token)
    if staged is None:
        return None
    params: dict[str, Any] = staged.params
    discard(staged)
    return params


def read(staged: StagedUpload) -> bytes:
    with staged.file.open("rb") as handle:
        content: bytes = handle.read()
    return content


def discard(staged: StagedUpload) -> None:
    """Deletes the row, and its file once the deletion is committed."""
    path, storage = staged.file.name, staged.file.storage
    staged.delete()
    if path:
        transaction.on_commit(lambda: storage.delete(path))


def purge_expired() -> int:
    """Every staged upload older than the maximum age, deleted; returns how many."""
    expired = list(StagedUpload.objects.filter(created_at__lt=timezone.now() - max_age()))
    for staged in expired:
        discard(staged)
    return len(expired)
