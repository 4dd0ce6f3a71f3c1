"""Domain hooks: the explicit list of "something happened to an order" that higher apps react to.

Lower apps never import higher ones (see README "Layout"). When a higher app (payments,
fulfilment, integrations) must react to an order event, the app that owns the change sends one
of these signals and the higher app connects a receiver in its `AppConfig.ready()`.

Rules for every signal here:
- It is sent **inside** the transaction that made the change, after the change is saved, so a
  receiver can write its own rows (a payment attempt, a webhook outbox row) atomically with it.
- A receiver never calls the network. It writes rows and schedules tasks with
  `transaction.on_commit` / `core.tasks.enqueue_on_commit`.
- Arguments are keyword-only and named below; receivers accept `**kwargs`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.dispatch import Signal

T = TypeVar("T")
_batch: ContextVar[dict[Hashable, Any] | None] = ContextVar("order_signal_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """Mark one transaction that sends many signals (a tracking import of thousands of rows).

    Inside it, receivers may remember lookups that cannot change within that transaction (a
    reseller's webhook subscriptions) with `memo`, so the sender's query count does not grow
    with its rows. Outside a batch `memo` remembers nothing.
    """
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def memo(key: Hashable, compute: Callable[[], T]) -> T:
    cache = _batch.get()
    if cache is None:
        return compute()
    if key not in cache:
        cache[key] = compute()
    return cache[key]


# Sent by orders.services.order_place. Arguments: order.
order_placed = Signal()

# Sent by orders.services.order_transition for every status change.
# Arguments: order, from_status, to_status, actor (a User or None for the system), reason.
order_status_changed = Signal()

# Sent by the fulfilment app when a shipment is recorded.
# Arguments: order (the current row, locked by the shipping transaction), shipment,
# amount (Decimal: the invoice value of the goods in this shipment),
# final (bool: nothing is left to ship), actor.
shipment_created = Signal()

# Sent by the payments app when money moves or fails to.
# Arguments: order, attempt, amount (Decimal).
payment_captured = Signal()
# Arguments: order, attempt, message (str: the gateway's message for a person).
payment_failed = Signal()
