"""`manage.py issue_token USERNAME [--days N]`: an API key for a user, issued by the operator
(API.md). Only the key's hash is stored; the key is printed alone on the last line, once."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import tokens
from accounts.models import User


class Command(BaseCommand):
    help = "Issues an API key to a user and prints it (alone on the last line)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--days", type=int, default=None, help="how long the key lasts (API_TOKEN_DAYS if not given)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        holder = User.objects.filter(username=options["username"]).first()
        if holder is None:
            raise CommandError(f"No user {options['username']!r}.")
        # The operator at the console stands for the administrator (the audit names no user).
        operator = User(username="manage.py", is_superuser=True)
        try:
            token, key = tokens.token_issue(actor=operator, user=holder, days=options["days"])
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stderr.write(f"Key {token.token_key}… for {holder.username}, valid until {token.expiry:%Y-%m-%d}:")
        self.stdout.write(key)
