"""The one way money is written for people: `60,000.50` — two decimals, a comma between
thousands, a leading minus for negative amounts, no currency (pages put the code next to it).

Templates use the `money` filter (`{% load money %}`), Python messages `format_money`, so a
list, an invoice, an order page and a flash message show the same amount the same way. Files
for machines (CSV, XLSX, the API) keep plain numbers.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def format_money(value: Decimal | int | float | str | None) -> str:
    """`Decimal("60000.5")` → `"60,000.50"`; None or an empty string → `""`."""
    if value is None or value == "":
        return ""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not amount.is_finite():
        return str(value)
    amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    if amount == 0:
        amount = abs(amount)  # never "-0.00"
    return f"{amount:,.2f}"
