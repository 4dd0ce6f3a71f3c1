"""Typed reseller status history: each row has a kind and the reason as a parameter; the
sentence shown is rendered, and the data migration maps rows written before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from resellers.choices import ResellerStatus, StatusChangeKind
from resellers.models import PortalSettings, Reseller, StatusChange
from resellers.services import (
    reseller_activate_on_first_order,
    reseller_approve,
    reseller_reinstate,
    reseller_signup,
    reseller_suspend,
)
from tests.factories import OrderFactory


@pytest.mark.django_db
def test_each_move_has_its_kind_and_the_staff_reason_is_a_parameter(channel, staff):
    PortalSettings.objects.update_or_create(pk=1, defaults={"auto_approve_resellers": False})
    user = reseller_signup(
        company_name="Acme", contact_name="Ann", email="ann@example.com", password="x" * 12
    )
    reseller = user.reseller
    reseller_approve(reseller=reseller, actor=staff, channel=channel)
    OrderFactory(reseller=reseller, channel=channel)
    assert reseller_activate_on_first_order(reseller_id=reseller.pk)
    reseller_suspend(reseller=Reseller.objects.get(pk=reseller.pk), actor=staff, reason="Late")
    reseller_reinstate(reseller=Reseller.objects.get(pk=reseller.pk), actor=staff)

    rows = [
        (change.kind, change.params, change.sentence)
        for change in StatusChange.objects.filter(reseller=reseller).order_by("id")
    ]
    assert rows == [
        (StatusChangeKind.SIGNED_UP, {}, "Signed up."),
        (StatusChangeKind.APPROVED, {}, ""),
        (StatusChangeKind.ACTIVATED, {}, "First order placed."),
        (StatusChangeKind.SUSPENDED, {"reason": "Late"}, "Late"),
        (StatusChangeKind.REINSTATED, {}, ""),
    ]


@pytest.mark.django_db
def test_the_automatic_approval_reads_as_before(channel):
    PortalSettings.objects.update_or_create(pk=1, defaults={"auto_approve_resellers": True})
    user = reseller_signup(
        company_name="Acme", contact_name="Ann", email="ann@example.com", password="x" * 12
    )

    change = StatusChange.objects.get(reseller=user.reseller, to_status=ResellerStatus.APPROVED)
    assert (change.kind, change.actor, change.sentence) == (
        StatusChangeKind.AUTO_APPROVED,
        None,
        "Approved automatically on signup.",
    )


@pytest.mark.django_db
def test_the_back_office_history_shows_the_rendered_sentences(staff_client, channel, staff):
    PortalSettings.objects.update_or_create(pk=1, defaults={"auto_approve_resellers": False})
    user = reseller_signup(
        company_name="Acme", contact_name="Ann", email="ann@example.com", password="x" * 12
    )
    reseller_approve(reseller=user.reseller, actor=staff, channel=channel)
    reseller_suspend(reseller=Reseller.objects.get(pk=user.reseller.pk), actor=staff, reason="Ow")

    page = staff_client.get(reverse("backoffice:reseller_detail", args=[user.reseller.pk]))

    text = page.content.decode()
    assert "Signed up." in text
    assert "<td>Ow</td>" in text


@pytest.mark.django_db(transaction=True)
def test_the_migration_maps_old_rows_and_reverses(channel):
    before = [("resellers", "0001_initial")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldReseller = old_apps.get_model("resellers", "Reseller")
        OldChange = old_apps.get_model("resellers", "StatusChange")
        reseller = OldReseller.objects.create(
            company_name="Old", contact_name="O", email="old@example.com", channel_id=channel.pk
        )
        for from_status, to_status, reason in [
            ("", "pending", "Signed up."),
            ("pending", "approved", "Approved automatically on signup."),
            ("approved", "active", "First order placed."),
            ("active", "suspended", "Chargebacks"),
            ("suspended", "active", ""),
        ]:
            OldChange.objects.create(
                reseller=reseller, from_status=from_status, to_status=to_status, reason=reason
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    rows = list(
        StatusChange.objects.filter(reseller_id=reseller.pk)
        .order_by("id")
        .values_list("kind", "params")
    )
    assert rows == [
        ("signed_up", {}),
        ("auto_approved", {}),
        ("activated", {}),
        ("suspended", {"reason": "Chargebacks"}),
        ("reinstated", {}),
    ]

    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reason FROM resellers_statuschange WHERE reseller_id = %s ORDER BY id",
                [reseller.pk],
            )
            assert [row[0] for row in cursor.fetchall()] == [
                "Signed up.",
                "Approved automatically on signup.",
                "First order placed.",
                "Chargebacks",
                "",
            ]
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
