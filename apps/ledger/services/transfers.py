"""Wallet transfers between users (tips; gifts are a named move).

Everything a transfer must know before it moves money (the recipient exists and is active, no
block either way, both wallets) is read in one query before any lock: the posting is then one
more statement, so a transfer costs two round trips.
"""

from django.db import connection

from apps.accounts.models import Block, User
from apps.core.errors import Conflict, NotFound
from apps.ledger.models import Account, AccountKind, OwnerType, Transaction, TransactionKind
from apps.ledger.services.accounts import user_wallets
from apps.ledger.services.posting import check_amount, transaction_post

# Raw SQL: it runs on every transfer, and compiling three ORM queries cost more than the posting.
# Table and column names come from the models, so a rename there reaches this query.
_PARTIES_SQL = (
    "SELECT u.{username}, EXISTS (SELECT 1 FROM {block} b WHERE "
    "(b.{blocker} = %s AND b.{blocked} = u.{pk}) OR (b.{blocker} = u.{pk} AND b.{blocked} = %s)), "
    "s.id, s.shards, r.id, r.shards FROM {user} u "
    "LEFT JOIN ledger_account s ON s.owner_type = %s AND s.owner_id = %s AND s.kind = %s "
    "LEFT JOIN ledger_account r ON r.owner_type = %s AND r.owner_id = u.{pk} AND r.kind = %s "
    "WHERE u.{pk} = %s AND u.{active}"
).format(
    username=User._meta.get_field("username").column,
    block=Block._meta.db_table,
    blocker=Block._meta.get_field("blocker").column,
    blocked=Block._meta.get_field("blocked").column,
    pk=User._meta.pk.column,
    user=User._meta.db_table,
    active=User._meta.get_field("is_active").column,
)


def _parties(sender_id: int, recipient_id: int) -> tuple[str, Account, Account]:
    """The recipient's username and both wallets, or the refusal (404, 409 if blocked)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _PARTIES_SQL,
            [
                sender_id,
                sender_id,
                OwnerType.USER,
                sender_id,
                AccountKind.WALLET,
                OwnerType.USER,
                AccountKind.WALLET,
                recipient_id,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        raise NotFound("User not found.", code="user.not_found")
    username, blocked, source_id, source_shards, destination_id, destination_shards = row
    if blocked:
        raise Conflict("You cannot send money to this user.", code="transfer.blocked")
    if source_id is None or destination_id is None:  # a first transfer: wallets created
        wallets = user_wallets(sender_id, recipient_id)
        return username, wallets[sender_id], wallets[recipient_id]
    # Only the id and shard count matter to the posting: no full rows are loaded.
    return (
        username,
        Account(id=source_id, shards=source_shards),
        Account(id=destination_id, shards=destination_shards),
    )


def wallet_transfer(*, sender: User, recipient_id: int, amount: int) -> Transaction:
    """Move money from the sender's wallet to another active user's (no block either way).

    The checks and the wallet lookup are one query run before the posting, so none of them
    lengthens the time the wallets' row locks are held.
    """
    if recipient_id == sender.pk:
        raise Conflict("You cannot send money to yourself.", code="transfer.self")
    check_amount(amount)
    username, source, destination = _parties(sender.pk, recipient_id)
    return transaction_post(
        kind=TransactionKind.TRANSFER,
        legs=[(source, -amount), (destination, amount)],
        description=f"Transfer from @{sender.username} to @{username}",
    )
