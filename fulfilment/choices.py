from __future__ import annotations

from django.db import models


class OrderEmailKind(models.TextChoices):
    RECEIVED = "received", "Order received"
    AUTHORIZATION_NEEDED = "authorization_needed", "Payment needs your authorization"
    SHIPPED = "shipped", "Shipped"
    CANCELED = "canceled", "Canceled"
