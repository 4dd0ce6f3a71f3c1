from __future__ import annotations

import logging
from collections.abc import Iterable, Set
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User
from accounts.normalization import normalize_email
from channels.models import Channel
from channels.selectors import channel_for_approval, default_channel
from core.concurrency import version_check
from core.services import assign_changed
from core.tasks import enqueue_on_commit
from core.validators import SINGLE_LINE_MESSAGE, has_control_characters

from . import tasks
from .choices import (
    ALLOWED_TRANSITIONS,
    APPROVE_FROM,
    CHANNEL_CHANGE_FROM,
    REASON_REQUIRED,
    REINSTATE_FROM,
    ResellerStatus,
    StatusChangeKind,
)
from .exceptions import (
    ChannelRequired,
    ReasonRequired,
    ResellerError,
    SignupRejected,
    StaleStatus,
    TransitionNotAllowed,
)
from .models import PortalSettings, Reseller, StatusChange

logger = logging.getLogger(__name__)

# Which e-mail the reseller receives after each move, if any.
NOTICE_FOR_STATUS = {
    ResellerStatus.APPROVED: "approved",
    ResellerStatus.DENIED: "denied",
    ResellerStatus.SUSPENDED: "suspended",
}


def _change_kind(from_status: str, to_status: str) -> StatusChangeKind:
    """The kind of a status change made through reseller_transition."""
    if from_status == ResellerStatus.SUSPENDED:
        return StatusChangeKind.REINSTATED
    return {
        ResellerStatus.APPROVED: StatusChangeKind.APPROVED,
        ResellerStatus.DENIED: StatusChangeKind.DENIED,
        ResellerStatus.SUSPENDED: StatusChangeKind.SUSPENDED,
        ResellerStatus.ACTIVE: StatusChangeKind.ACTIVATED,
    }[to_status]


def _record_change(
    *,
    reseller: Reseller,
    kind: StatusChangeKind,
    from_status: str,
    to_status: str,
    actor: User | None,
    reason: str,
) -> StatusChange:
    change = StatusChange.objects.create(
        reseller=reseller,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        params={"reason": reason} if reason else {},
    )
    notice = NOTICE_FOR_STATUS.get(to_status)
    if notice:
        enqueue_on_commit(tasks.send_reseller_notice, reseller.pk, notice)
    return change


def _label(status: str) -> str:
    return ResellerStatus(status).label.lower()


# How the refusal of a stale action names the move that made the page stale.
_MOVE_VERBS = {
    StatusChangeKind.SIGNED_UP: "signed up",
    StatusChangeKind.APPROVED: "approved",
    StatusChangeKind.AUTO_APPROVED: "approved",
    StatusChangeKind.DENIED: "denied",
    StatusChangeKind.SUSPENDED: "suspended",
    StatusChangeKind.REINSTATED: "reinstated",
    StatusChangeKind.ACTIVATED: "made active",
}


def _latest_change(reseller: Reseller) -> StatusChange | None:
    return reseller.status_changes.select_related("actor").order_by("-id").first()


def _stale_status_message(reseller: Reseller, latest: StatusChange | None) -> str:
    if latest is None:
        return (
            f"This reseller is now {_label(reseller.status)}, not what your page showed; "
            "reload the page."
        )
    verb = _MOVE_VERBS.get(latest.kind, f"made {_label(latest.to_status)}")
    who = latest.actor.email if latest.actor_id else "the system"
    return f"This reseller was just {verb} by {who}; reload the page."


@transaction.atomic
def reseller_transition(
    *,
    reseller: Reseller,
    to_status: str,
    actor: User | None,
    reason: str = "",
    channel: Channel | None = None,
    from_statuses: Set[str] | None = None,
    kind: StatusChangeKind | None = None,
    expected_status: str | None = None,
    seen_change: int | None = None,
) -> Reseller:
    """Move a reseller to another status: the one place every status change goes through.

    The history row's `kind` follows from the move (approved, denied, reinstated…) unless
    the caller names it (the automatic approval at signup).

    `from_statuses` narrows where this particular action may start (approve and reinstate
    both lead to `approved`); it is checked against the locked row, like the move itself.
    `expected_status` is the status the staff member was looking at when they pressed the
    button and `seen_change` the id of the newest status change their page listed (0: none);
    either differing under the lock means someone else moved the reseller first. The change id
    is the row version: it also catches a reseller suspended, reinstated and suspended again
    while a page drawn during the first suspension still offers "Reinstate".
    """
    # Lock the row so two staff members clicking at once cannot both move it from the same
    # status (e.g. one approves while the other denies, or one reinstates while the other
    # approves a page that was loaded before the reseller was suspended).
    locked = Reseller.objects.select_for_update().get(pk=reseller.pk)
    from_status = locked.status
    # Checked under the lock, before the move itself: "deny" and "approve" pressed together on
    # a pending reseller would otherwise both succeed, since approve is allowed from denied.
    if expected_status or seen_change is not None:
        latest = _latest_change(locked)
        latest_id = latest.pk if latest else 0
        stale_status = bool(expected_status) and from_status != expected_status
        if stale_status or (seen_change is not None and seen_change != latest_id):
            raise StaleStatus(_stale_status_message(locked, latest))
    if to_status not in ALLOWED_TRANSITIONS.get(from_status, frozenset()):
        raise TransitionNotAllowed(
            f"A {_label(from_status)} reseller cannot become {_label(to_status)}."
        )
    if from_statuses is not None and from_status not in from_statuses:
        starts = " or ".join(sorted(_label(status) for status in from_statuses))
        raise TransitionNotAllowed(
            f"A {_label(from_status)} reseller cannot become {_label(to_status)} this way; "
            f"this applies only to {starts} resellers."
        )
    reason = (reason or "").strip()
    if to_status in REASON_REQUIRED and not reason:
        raise ReasonRequired("Give a reason; the reseller will see it.")

    update_fields = ["status", "status_reason", "updated_at"]
    if to_status == ResellerStatus.APPROVED and from_status != ResellerStatus.SUSPENDED:
        chosen = channel or channel_for_approval()
        if chosen is None:
            raise ChannelRequired("Choose the channel this reseller will buy from.")
        if not chosen.is_active:
            raise ChannelRequired(f"The channel “{chosen}” is inactive; choose an active one.")
        locked.channel = chosen
        update_fields.append("channel")
    locked.status = to_status
    locked.status_reason = reason if to_status in REASON_REQUIRED else ""
    locked.save(update_fields=update_fields)
    _record_change(
        reseller=locked,
        kind=kind or _change_kind(from_status, to_status),
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=reason,
    )
    return locked


def reseller_approve(
    *,
    reseller: Reseller,
    actor: User | None,
    channel: Channel | None = None,
    expected_status: str | None = None,
    seen_change: int | None = None,
) -> Reseller:
    """Approve a pending or denied reseller; a suspended one is reinstated instead."""
    return reseller_transition(
        reseller=reseller,
        to_status=ResellerStatus.APPROVED,
        actor=actor,
        channel=channel,
        from_statuses=APPROVE_FROM,
        expected_status=expected_status,
        seen_change=seen_change,
    )


def reseller_deny(
    *,
    reseller: Reseller,
    actor: User,
    reason: str,
    expected_status: str | None = None,
    seen_change: int | None = None,
) -> Reseller:
    return reseller_transition(
        reseller=reseller,
        to_status=ResellerStatus.DENIED,
        actor=actor,
        reason=reason,
        expected_status=expected_status,
        seen_change=seen_change,
    )


def reseller_suspend(
    *,
    reseller: Reseller,
    actor: User,
    reason: str,
    expected_status: str | None = None,
    seen_change: int | None = None,
) -> Reseller:
    return reseller_transition(
        reseller=reseller,
        to_status=ResellerStatus.SUSPENDED,
        actor=actor,
        reason=reason,
        expected_status=expected_status,
        seen_change=seen_change,
    )


@dataclass
class BulkOutcome:
    """What a bulk approve or deny did: the resellers moved, and those skipped with why."""

    done: list[Reseller] = field(default_factory=list)
    skipped: list[tuple[Reseller, str]] = field(default_factory=list)  # (reseller, now-status)


# Bulk actions start only from `pending`: a reseller someone else approved, denied or
# suspended since the list was loaded is skipped (and named), never moved a second time.
BULK_FROM = frozenset({ResellerStatus.PENDING})


def reseller_bulk_decide(
    *,
    reseller_ids: Iterable[int],
    approve: bool,
    actor: User,
    channel: Channel | None = None,
    reason: str = "",
) -> BulkOutcome:
    """Approve (on `channel`, or the single active one) or deny (with `reason`) each reseller.

    Each reseller goes through `reseller_transition` in its own transaction, exactly as if
    staff had pressed its own button: one status change and one e-mail (after that commit)
    each, and a reseller that cannot make the move is skipped without undoing the others.
    What would fail for every reseller (no channel to approve on, no reason to deny with) is
    refused before any is touched.
    """
    reason = (reason or "").strip()
    if approve:
        channel = channel or channel_for_approval()
        if channel is None:
            raise ChannelRequired("Choose the channel the selected resellers will buy from.")
        if not channel.is_active:
            raise ChannelRequired(f"The channel “{channel}” is inactive; choose an active one.")
    elif not reason:
        raise ReasonRequired("Give a reason for denying; each reseller will see it.")
    outcome = BulkOutcome()
    for reseller in Reseller.objects.filter(pk__in=list(reseller_ids)).order_by("company_name"):
        try:
            moved = reseller_transition(
                reseller=reseller,
                to_status=ResellerStatus.APPROVED if approve else ResellerStatus.DENIED,
                actor=actor,
                reason="" if approve else reason,
                channel=channel,
                from_statuses=BULK_FROM,
                expected_status=ResellerStatus.PENDING,
            )
        except ResellerError:
            # Named with the status it has now (it changed since the list was loaded).
            reseller.refresh_from_db(fields=["status"])
            outcome.skipped.append((reseller, reseller.get_status_display().lower()))
        else:
            outcome.done.append(moved)
    return outcome


@transaction.atomic
def reseller_change_channel(
    *, reseller: Reseller, channel: Channel, actor: User, reason: str
) -> Reseller:
    """Move an approved or active reseller to another channel: its future orders are priced
    and invoiced by the new channel's listings and rules (orders already placed keep theirs).

    Recorded in the reseller's history (kind CHANNEL_CHANGED, both channels and the reason in
    params); the status does not change and no e-mail is sent.
    """
    # Locked like a status change, so a change racing a suspension cannot act on a stale status.
    # (`of=("self",)`: the channel is joined for the history row, and PostgreSQL cannot lock
    # the nullable side of that outer join; only the reseller row needs the lock.)
    locked = (
        Reseller.objects.select_for_update(of=("self",))
        .select_related("channel")
        .get(pk=reseller.pk)
    )
    if locked.status not in CHANNEL_CHANGE_FROM:
        raise TransitionNotAllowed(
            f"Only an approved or active reseller's channel can be changed; this reseller is "
            f"{_label(locked.status)}."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Give a reason for the change; it is kept in the history.")
    if not channel.is_active:
        raise ChannelRequired(f"The channel “{channel}” is inactive; choose an active one.")
    if locked.channel_id == channel.pk:
        raise ChannelRequired(f"{locked} is already on the {channel} channel.")
    previous = locked.channel
    locked.channel = channel
    locked.save(update_fields=["channel", "updated_at"])
    StatusChange.objects.create(
        reseller=locked,
        kind=StatusChangeKind.CHANNEL_CHANGED,
        from_status=locked.status,
        to_status=locked.status,
        actor=actor,
        params={
            "reason": reason,
            "from_channel": previous.name if previous else "",
            "from_channel_id": previous.pk if previous else None,
            "to_channel": channel.name,
            "to_channel_id": channel.pk,
        },
    )
    return locked


def reseller_reinstate(
    *,
    reseller: Reseller,
    actor: User,
    reason: str = "",
    expected_status: str | None = None,
    seen_change: int | None = None,
) -> Reseller:
    """Back to `active` if the reseller has ever ordered, otherwise to `approved`."""
    to_status = ResellerStatus.ACTIVE if reseller.orders.exists() else ResellerStatus.APPROVED
    return reseller_transition(
        reseller=reseller,
        to_status=to_status,
        actor=actor,
        reason=reason,
        from_statuses=REINSTATE_FROM,
        expected_status=expected_status,
        seen_change=seen_change,
    )


def reseller_activate_on_first_order(*, reseller_id: int) -> bool:
    """Flip `approved` → `active` exactly once; returns whether this call made the change.

    Several first orders can commit at once and each enqueues this task, and the periodic
    sweep can run alongside. The conditional `UPDATE ... WHERE id = %s AND status = 'approved'
    AND EXISTS (an order)` lets exactly one of them win: PostgreSQL re-checks the WHERE clause
    on the locked row, so the losers update zero rows and write no status change. (A
    `pk IN (subquery)` form would not be re-checked that way, hence `Exists`.) A reseller that
    is pending, denied or suspended is never touched because the WHERE clause cannot match it.
    """
    # Orders sit above resellers: the order model is reached through the `orders` relation
    # it declares on Reseller, not imported.
    order_model = Reseller._meta.get_field("orders").related_model

    with transaction.atomic():
        updated = (
            Reseller.objects.filter(pk=reseller_id, status=ResellerStatus.APPROVED)
            .filter(Exists(order_model.objects.filter(reseller_id=OuterRef("pk"))))
            .update(status=ResellerStatus.ACTIVE, updated_at=timezone.now())
        )
        if not updated:
            return False
        StatusChange.objects.create(
            reseller_id=reseller_id,
            from_status=ResellerStatus.APPROVED,
            to_status=ResellerStatus.ACTIVE,
            actor=None,
            kind=StatusChangeKind.ACTIVATED,
        )
    return True


@transaction.atomic
def reseller_signup(
    *,
    company_name: str,
    contact_name: str,
    email: str,
    password: str,
    phone: str = "",
    website: str = "",
    tax_id: str = "",
    address_line1: str = "",
    address_line2: str = "",
    city: str = "",
    state: str = "",
    postal_code: str = "",
    country: str = "",
) -> User:
    """Create a reseller and its first user; auto-approve when the setting is on."""
    one_line_values = {
        "company_name": company_name,
        "contact_name": contact_name,
        "email": email,
        "phone": phone,
        "website": website,
        "tax_id": tax_id,
        "address_line1": address_line1,
        "address_line2": address_line2,
        "city": city,
        "state": state,
        "postal_code": postal_code,
        "country": country,
    }
    errors = [
        (field, SINGLE_LINE_MESSAGE)
        for field, value in one_line_values.items()
        if has_control_characters(value)
    ]
    if errors:
        raise SignupRejected(errors)
    email = normalize_email(email)
    reseller = Reseller.objects.create(
        channel=default_channel(),
        company_name=company_name.strip(),
        contact_name=contact_name.strip(),
        email=email,
        phone=phone,
        website=website,
        tax_id=tax_id,
        address_line1=address_line1,
        address_line2=address_line2,
        city=city,
        state=state,
        postal_code=postal_code,
        country=country.upper(),
    )
    user = User.objects.create_user(
        email=email, password=password, full_name=contact_name.strip(), reseller=reseller
    )
    StatusChange.objects.create(
        reseller=reseller,
        from_status="",
        to_status=ResellerStatus.PENDING,
        actor=user,
        kind=StatusChangeKind.SIGNED_UP,
    )
    enqueue_on_commit(tasks.notify_staff_of_signup, reseller.pk)
    if PortalSettings.load().auto_approve_resellers:
        # Nobody is there to choose a channel: the single active channel, else the default.
        channel = channel_for_approval() or default_channel()
        if channel is not None and channel.is_active:
            reseller = reseller_transition(
                reseller=reseller,
                to_status=ResellerStatus.APPROVED,
                actor=None,
                kind=StatusChangeKind.AUTO_APPROVED,
                channel=channel,
            )
    # One e-mail: an application approved at once gets the "approved" one (sent by the
    # transition), not also "we review every application".
    if reseller.status == ResellerStatus.PENDING:
        enqueue_on_commit(tasks.send_reseller_notice, reseller.pk, "received")
    return user


@transaction.atomic
def portal_settings_update(
    *, auto_approve_resellers: bool, actor: User, expected_version: int | None = None
) -> PortalSettings:
    """Save the site-wide switches. `expected_version` is the version the form was drawn from:
    a colleague's save since then raises StaleEdit and nothing is saved."""
    PortalSettings.load()  # the row exists from here on, so it can be locked
    settings_row = PortalSettings.objects.select_for_update().get(pk=PortalSettings.SINGLETON_PK)
    version_check(settings_row, expected_version, noun="setting")
    if settings_row.auto_approve_resellers == auto_approve_resellers:
        return settings_row
    settings_row.auto_approve_resellers = auto_approve_resellers
    settings_row.version += 1
    settings_row.save(update_fields=["auto_approve_resellers", "version", "updated_at"])
    logger.info(
        "portal settings: auto-approve resellers turned %s by %s",
        "on" if auto_approve_resellers else "off",
        actor.email,
    )
    return settings_row


PROFILE_FIELDS = (
    "company_name",
    "contact_name",
    "email",
    "phone",
    "website",
    "tax_id",
    "address_line1",
    "address_line2",
    "city",
    "state",
    "postal_code",
    "country",
    "tier",
    "tags",
    "notes",
    "payment_terms",
    "tax_exempt",
    "tax_exempt_note",
    "tax_exempt_until",
)


@transaction.atomic
def reseller_update_profile(
    *, reseller: Reseller, data: dict, expected_version: int | None = None
) -> Reseller:
    """Save the profile fields present in `data`. A form drawn before a colleague's save
    (`expected_version` behind) raises StaleEdit: its tier or tags would change what rules
    charge."""
    locked = Reseller.objects.select_for_update().get(pk=reseller.pk)
    version_check(locked, expected_version, noun="reseller")
    changed = assign_changed(locked, data, PROFILE_FIELDS)
    if changed:
        locked.version += 1
        locked.save(update_fields=[*changed, "version", "updated_at"])
    return locked
