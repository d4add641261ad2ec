"""``tamdesk tokens``: API tokens from the command line — ``create`` (for a service account, say),
``list`` and ``revoke``. The server's operator runs it; no password is needed."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tamdesk.core import tokens
from tamdesk.core.exceptions import DomainError
from tamdesk.core.models import ApiToken

BY = "the tamdesk command"


class Command(BaseCommand):
    help = "API tokens: create one for a user (a service account), list them, revoke one."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser(
            "create",
            help="Create a token for a user and print it (shown only once).",
            description="Create an API token for an active user, e.g. the service account of "
            "an integration, and print the key: it cannot be shown again.",
        )
        create.add_argument("username", help="The user the token acts as.")
        create.add_argument("--name", default="", help="What the token is for.")
        create.add_argument(
            "--days",
            type=int,
            default=None,
            help="How long it is valid (default TAMDESK_API_TOKEN_DAYS, at most "
            "TAMDESK_API_TOKEN_MAX_DAYS).",
        )
        listing = actions.add_parser("list", help="List the tokens that have not expired.")
        listing.add_argument("--user", default=None, help="Only this user's tokens.")
        revoke = actions.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("id", type=int)

    def handle(self, *args, action: str, **options) -> None:
        getattr(self, action)(**options)

    def create(self, *, username: str, name: str, days: int | None, **_options) -> None:
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        try:
            token, key = tokens.create_token(user, name=name, days=days, by=BY)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Token #{token.pk} for {username}, valid until "
            f"{token.expires_at:%Y-%m-%d %H:%M %Z}. It is not shown again:"
        )
        self.stdout.write(key)

    def list(self, *, user: str | None, **_options) -> None:
        rows = tokens.active_tokens_of_everyone().select_related("user")
        if user:
            rows = rows.filter(user__username=user)
        for token in rows:
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.pk}\t{token.user.username}\t{token.prefix}…\t{token.name or '-'}\t"
                f"expires {token.expires_at:%Y-%m-%d %H:%M %Z}\tlast used {used}"
            )

    def revoke(self, *, id: int, **_options) -> None:
        token = ApiToken.objects.filter(pk=id).first()
        if token is None:
            raise CommandError(f"no token #{id}")
        tokens.revoke_token(token, by=BY)
        self.stdout.write(f"Token #{id} revoked.")
