"""Issue an API token for a person (`issue_api_token USERNAME [--days N]`), printed once.

Only a hash is kept, so the token cannot be shown again: lose it and issue another. Revoke it
with `POST /api/v1/auth/tokens/revoke/` or in the admin (Knox › Auth tokens).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oversight import tokens


class Command(BaseCommand):
    help = (
        "Issue an API token for USERNAME and print it once (only its hash is stored). It "
        "expires after API_TOKEN_DAYS days (90 unless configured) or --days."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--days", type=int, help="lifetime in days (default: API_TOKEN_DAYS)")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        user = get_user_model()._default_manager.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user '{username}'.")
        try:
            token, key = tokens.token_issue(user=user, days=options["days"])
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        expiry = token.expiry.isoformat(timespec="minutes") if token.expiry else "never"
        self.stderr.write(f"Token for {username}, expiring {expiry}. It will not be shown again:")
        self.stdout.write(key)
