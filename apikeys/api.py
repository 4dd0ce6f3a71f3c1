"""The caller's account in the JSON API: GET /account (mounted by `api.v1`).

Authentication (`security.ApiTokenHeader` / `ApiTokenBearer`), the per-key rate limit
(`security.ApiKeyRateThrottle`) and idempotency (`services.api_idempotent`) live in this app
and are shared by every app's API.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema

from core.api import api_key, errors
from resellers.choices import ResellerStatus

router = Router(tags=["Account"])

ResellerStatusValue = Literal[tuple(ResellerStatus.values)]  # type: ignore[valid-type]


class ChannelOut(Schema):
    name: str
    slug: str
    currency: str = Field(examples=["USD"])


class ApiKeyOut(Schema):
    prefix: str = Field(examples=["rpk_AbCdEf123456"])
    name: str
    created_at: datetime
    expires_at: datetime | None = Field(
        description="Set when the key was rotated with a grace period: it stops working then."
    )


class AccountOut(Schema):
    # Read from the key's reseller; `api_key` from the key itself.

    id: int
    company_name: str
    contact_name: str
    email: str
    status: ResellerStatusValue
    may_order: bool = Field(
        description="Only approved and active accounts may place orders or read the catalog "
        "and orders through the API."
    )
    status_reason: str = Field(description="Why the account was denied or suspended, if it was.")
    channel: ChannelOut | None
    api_key: ApiKeyOut = Field(description="The key this request was authenticated with.")
    payment_method_on_file: bool = Field(
        description="Whether a card is on file to pay orders with (added in the portal under "
        "Settings → Payment methods). Always false when payment is by invoice."
    )

    @staticmethod
    def resolve_payment_method_on_file(reseller: Any) -> bool:
        # Read through the relation the payments app adds to Reseller (payments sits above
        # this app and is not imported), like the first-order activation reads `orders`.
        return reseller.payment_methods.filter(is_default=True).exists()

    @staticmethod
    def resolve_api_key(reseller: Any, context: dict[str, Any]) -> Any:
        return api_key(context["request"])


@router.get(
    "/account",
    response={200: AccountOut, **errors()},
    operation_id="getAccount",
    summary="Your account",
)
def get_account(request: HttpRequest):
    """The account the key belongs to, its status and channel. Works for every status."""
    return api_key(request).reseller
