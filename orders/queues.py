"""The back-office work queues: what needs someone's attention, each a count that links to the
list filtered to exactly those rows.

Data, not code: a queue is one `Queue(...)` line naming the list page, its filter parameters
and the same condition as a Q object for counting. A queue whose status or field does not
exist in this installation (payments and invoicing add `failed` and due dates) is left out
until it does, so adding one is a line here and nothing else. All order queues are counted in
one aggregate query, the reseller queue in another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Model, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from resellers.choices import ResellerStatus
from resellers.models import Reseller

from .choices import OrderStatus, PaymentStatus
from .export import has_field
from .models import Order


def _always() -> bool:
    return True


def _has_value(choices: Any, value: str) -> Callable[[], bool]:
    return lambda: value in choices.values


@dataclass(frozen=True)
class Queue:
    label: str
    model: type[Model]
    list_url: str  # URL name of the filtered list
    params: dict[str, str]  # that list's filter parameters
    condition: Callable[[], Q]  # the same rows, for counting (a callable: "today" moves)
    available: Callable[[], bool] = field(default=_always)

    @property
    def url(self) -> str:
        return f"{reverse(self.list_url)}?{urlencode(self.params)}"


def _payment(status: str) -> Callable[[], Q]:
    return lambda: Q(payment_status=status)


QUEUES: tuple[Queue, ...] = (
    Queue(
        "Resellers pending approval",
        Reseller,
        "backoffice:reseller_list",
        {"status": ResellerStatus.PENDING},
        lambda: Q(status=ResellerStatus.PENDING),
    ),
    Queue(
        "Orders awaiting capture",
        Order,
        "backoffice:order_list",
        {"payment_status": PaymentStatus.AWAITING_CAPTURE},
        _payment(PaymentStatus.AWAITING_CAPTURE),
    ),
    Queue(
        "Awaiting reseller authorization",
        Order,
        "backoffice:order_list",
        {"payment_status": PaymentStatus.AWAITING_AUTHORIZATION},
        _payment(PaymentStatus.AWAITING_AUTHORIZATION),
    ),
    Queue(
        "Payments failed",
        Order,
        "backoffice:order_list",
        {"payment_status": "failed"},
        _payment("failed"),
        available=_has_value(PaymentStatus, "failed"),
    ),
    Queue(
        "Orders to ship",
        Order,
        "backoffice:order_list",
        {"status": OrderStatus.OPEN},
        lambda: Q(status=OrderStatus.OPEN),
    ),
    Queue(
        "Invoices overdue",
        Order,
        "backoffice:order_list",
        {"overdue": "yes"},
        lambda: overdue_condition(),
        available=lambda: has_field(Order, "due_date"),
    ),
)

# Payment statuses after which an invoice is no longer owed.
SETTLED_PAYMENT_STATUSES = frozenset(
    {PaymentStatus.CAPTURED, PaymentStatus.VOIDED, "refunded", "partially_refunded", "paid"}
)


def overdue_condition() -> Q:
    """Net-terms invoices past their due date and not paid (needs Order.due_date)."""
    return Q(due_date__lt=timezone.localdate()) & ~Q(payment_status__in=SETTLED_PAYMENT_STATUSES)


@dataclass(frozen=True)
class QueueCount:
    label: str
    url: str
    count: int


def queue_counts() -> list[QueueCount]:
    """Every available queue with its count: one aggregate query per model."""
    queues = [queue for queue in QUEUES if queue.available()]
    counts: dict[str, int] = {}
    for model in {queue.model for queue in queues}:
        mine = {f"q{i}": q for i, q in enumerate(queues) if q.model is model}
        counts.update(
            model.objects.aggregate(
                **{key: Count("pk", filter=queue.condition()) for key, queue in mine.items()}
            )
        )
    return [
        QueueCount(queue.label, queue.url, counts[f"q{i}"])
        for i, queue in enumerate(queues)
        if f"q{i}" in counts
    ]
