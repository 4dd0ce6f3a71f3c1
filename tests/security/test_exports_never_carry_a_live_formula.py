"""Issue 11 item 7: no exported text can become a formula cell, whatever separator the reader
picks, after invisible leading characters, or spelt with full-width signs."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.export import (
    CELL_BREAKS,
    FORMULA_TRIGGERS,
    TRIGGER_CHARACTERS,
    csv_chunks,
    neutralise,
)
from orders.models import Order
from tests.factories import OrderFactory, OrderLineFactory

PAYLOADS = [
    'x;=HYPERLINK("http://evil.example";"click");',
    'x,=HYPERLINK("http://evil.example","click"),',
    "x\t=1+1",
    "\u200b=1+1",
    "\ufeff+1+1",
    "\uff1d1+1",
    " \u00a0@SUM(1;2)",
    'a;"=1+1"',
    "line one\n=1+1",
]

# Letters, digits, every trigger, every cell break, quotes, apostrophes, whitespace and the
# invisible characters (ZWSP, ZWNJ, ZWJ, LRM, word joiner, BOM, NBSP, ideographic space).
ALPHABET = (
    "ab1 '\"().:"
    + "".join(sorted(TRIGGER_CHARACTERS))
    + "".join(sorted(CELL_BREAKS))
    + "\u200b\u200c\u200d\u200e\u2060\ufeff\u00a0\u3000\x0b\x0c"
)


def _starts_formula(cell: str) -> bool:
    """What a reader sees: leading whitespace, invisible characters and text delimiters
    dropped, compatibility forms folded (NFKC); a formula if a trigger comes first."""
    stripped = unicodedata.normalize("NFKC", cell).lstrip(
        "".join(c for c in set(cell) if c.isspace() or unicodedata.category(c) in ("Cf", "Cc"))
        + '"'
    )
    return stripped.startswith(FORMULA_TRIGGERS)


def _cells_a_reader_can_make(text: str) -> list[str]:
    cells = [text]
    for separator in CELL_BREAKS:
        cells = [piece for cell in cells for piece in cell.split(separator)]
    return [text, *cells]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=24))
def test_no_cell_a_reader_can_split_off_starts_a_formula(text):
    safe = neutralise(text)

    for cell in _cells_a_reader_can_make(safe):
        # A cell we made safe starts with the apostrophe, the spreadsheet "text" marker.
        leading = cell.lstrip(
            "".join(
                c
                for c in set(cell)
                if c not in TRIGGER_CHARACTERS
                and (c.isspace() or unicodedata.category(c) in ("Cf", "Cc") or c == '"')
            )
        )
        assert leading.startswith("'") or not _starts_formula(cell), (text, safe, cell)
    assert safe.replace("'", "") == text.replace("'", "")  # only apostrophes were added
    assert neutralise(safe) == safe


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcXYZ019 .()/", max_size=30))
def test_text_without_triggers_is_unchanged(text):
    assert neutralise(text) == text


def test_trigger_characters_are_every_character_nfkc_folds_to_a_trigger():
    computed = {
        chr(code)
        for code in range(sys.maxunicode + 1)
        if not 0xD800 <= code <= 0xDFFF
        and unicodedata.normalize("NFKC", chr(code))[:1] in FORMULA_TRIGGERS
    }
    assert computed == TRIGGER_CHARACTERS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'x;=HYPERLINK("http://evil.example";"click");',
            'x;\'=HYPERLINK("http://evil.example";"click");',
        ),
        ("\u200b=1", "'\u200b=1"),
        ("\ufeff+1", "'\ufeff+1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("Unit 3, -B", "Unit 3, '-B"),
        ("Smith-Jones; Ltd", "Smith-Jones; Ltd"),
    ],
)
def test_neutralise_examples(text, expected):
    assert neutralise(text) == expected


@pytest.fixture
def hostile_orders(db):
    orders = []
    for index, payload in enumerate(PAYLOADS):
        order = OrderFactory(
            ship_name=payload,
            ship_city=payload,
            discount_total=Decimal("-5.00"),
            total=Decimal(index),
        )
        OrderLineFactory(order=order, title=payload)
        orders.append(order)
    return orders


def test_the_csv_export_neutralises_every_payload(hostile_orders):
    text = b"".join(csv_chunks(Order.objects.all())).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == len(PAYLOADS) + 1
    for row in rows[1:]:
        for cell in row:
            if _is_number(cell):
                continue
            for piece in _cells_a_reader_can_make(cell):
                assert piece.lstrip(' "\u00a0\u200b\ufeff').startswith("'") or not _starts_formula(
                    piece
                )
        assert "-5.00" in row  # a credit is written as a plain number, not neutralised


def _is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except ArithmeticError:
        return False
    return True


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(
    SOFFICE is None,
    reason="LibreOffice Calc (soffice) is not installed; .ci/run installs libreoffice-calc-nogui",
)
@pytest.mark.parametrize(
    "infilter", ["CSV:44,34,76,1", "CSV:59,34,76,1"], ids=["comma", "semicolon"]
)
def test_libreoffice_calc_finds_no_formula_in_the_csv_export(hostile_orders, tmp_path, infilter):
    source = tmp_path / "orders.csv"
    source.write_bytes(b"".join(csv_chunks(Order.objects.all())))
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            f"--infilter={infilter}",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    converted = Path(tmp_path / "orders.xlsx")
    assert converted.exists()

    sheet = openpyxl.load_workbook(converted).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    formulas = [cell.coordinate + ": " + str(cell.value) for cell in cells if cell.data_type == "f"]
    assert formulas == []
    assert any("HYPERLINK" in str(cell.value) for cell in cells)  # the payload is there, as text
    if infilter.startswith("CSV:44"):
        credits = [cell.value for cell in cells if cell.value == -5]
        assert credits and all(isinstance(value, (int, float)) for value in credits)
