from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.services import assign_changed
from core.validators import clean_country_code
from tests.factories import ProductFactory


@pytest.mark.parametrize(
    ("value", "cleaned"), [(" us ", "US"), ("De", "DE"), ("", ""), (None, ""), ("  ", "")]
)
def test_a_country_code_is_trimmed_and_capitalised(value, cleaned):
    assert clean_country_code(value) == cleaned


@pytest.mark.parametrize("value", ["USA", "U", "U1", "1 2"])
def test_anything_but_two_letters_is_refused(value):
    with pytest.raises(ValidationError, match="two-letter country code"):
        clean_country_code(value)


@pytest.mark.django_db
def test_assign_changed_sets_and_names_only_the_fields_that_differ():
    product = ProductFactory(title="Mug", stock=5)

    changed = assign_changed(
        product,
        {"title": "Mug", "stock": 7, "sku": "IGNORED", "description": "Blue"},
        ("title", "stock", "description"),
    )

    assert changed == ["stock", "description"]
    assert (product.title, product.stock, product.description) == ("Mug", 7, "Blue")
    assert product.sku != "IGNORED"  # not among the fields asked for
