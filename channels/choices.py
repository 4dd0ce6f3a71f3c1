from __future__ import annotations

from django.db import models


class StockPolicy(models.TextChoices):
    """What order placement does when a line asks for more than is available."""

    REFUSE = "refuse", "Refuse the order"
    BACKORDER = "backorder", "Allow backorders"


class StockAdjustmentKind(models.TextChoices):
    """How staff changed a product's stock on hand (StockAdjustment.kind)."""

    PRODUCT_PAGE = "product_page", "Product page"
    CSV_IMPORT = "csv_import", "Stock CSV import"
