"""Demo accounts for `make run`: created once, printed every time.

Later issues add applicants, officials and finance officers here, so one command shows every
login a visitor can try. The passwords are public: the command refuses to run in production.
"""

from dataclasses import asdict, dataclass

from django.db import transaction

from .models import User


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    display_name: str
    department: str | None = None
    enterprise: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v is not None and k != "display_name"}


DEMO_ACCOUNTS = [
    DemoAccount("admin", "demo-Admin-2026", "administrator", "平台管理员"),
]


@transaction.atomic
def ensure_demo_accounts() -> list[DemoAccount]:
    """Creates the demo accounts that are missing; resets nothing an earlier run created."""
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={"display_name": account.display_name},
        )
        if created:
            user.set_password(account.password)
            if account.role == "administrator":
                user.is_staff = user.is_superuser = True
            user.save()
    return DEMO_ACCOUNTS
