"""The invoice as a PDF, drawn with ReportLab from an InvoiceDocument (orders/invoice.py).

Why ReportLab: it installs from PyPI alone (wheels for every platform, no system library such
as Cairo or Pango that HTML-to-PDF tools need), its table layout wraps long titles and
addresses, and it ships the Bitstream Vera TrueType fonts, embedded here so Latin-1 names and
typographic punctuation (curly quotes, dashes, €) print as typed. Vera has no glyphs for most
of Latin Extended or other scripts; such characters print blank rather than failing.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

from core.money import format_money

from .invoice import InvoiceDocument, Party

FONT = "InvoiceSans"
FONT_BOLD = "InvoiceSans-Bold"
_FONT_DIR = Path(reportlab.__file__).parent / "fonts"


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONT_DIR / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONT_DIR / "VeraBd.ttf")))


BODY = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=colors.grey)
HEADING = ParagraphStyle("heading", parent=BODY, fontName=FONT_BOLD, fontSize=10, leading=13)
TITLE = ParagraphStyle("title", parent=BODY, fontName=FONT_BOLD, fontSize=18, leading=22)
NUMBER = ParagraphStyle("number", parent=BODY, alignment=TA_RIGHT)
NUMBER_BOLD = ParagraphStyle("number-bold", parent=NUMBER, fontName=FONT_BOLD)

GRID = [
    ("FONTNAME", (0, 0), (-1, -1), FONT),
    ("FONTSIZE", (0, 0), (-1, -1), 9),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
    ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.lightgrey),
    ("TOPPADDING", (0, 0), (-1, -1), 3),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
]


def _text(value: object, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(str(value)), style)


def _money(amount: Decimal) -> str:
    return format_money(amount)


def _party(heading: str, party: Party) -> list:
    flowables = [_text(heading, SMALL), _text(party.name, HEADING)]
    flowables += [_text(line) for line in party.lines]
    if party.tax_id:
        flowables.append(_text(f"Tax ID: {party.tax_id}"))
    return flowables


def invoice_pdf(document: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes (A4, fonts embedded)."""
    _register_fonts()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=document.title,
        author=document.supplier.name,
        subject=f"Order {document.order_number}",
    )
    width = pdf.width
    story: list = []

    facts = [
        ("Invoice number", document.invoice_number or "assigned when the order is placed"),
        ("Order", document.order_number or "—"),
        ("Your reference", document.reference_number),
        ("Invoice date", document.issued_on.isoformat()),
        ("Terms", document.payment_terms),
    ]
    if document.due_date:
        facts.append(("Due date", document.due_date.isoformat()))
    facts.append(("Payment status", document.payment_status))
    header = Table(
        [
            [
                [_text(document.title, TITLE), Spacer(1, 4), *_party("From", document.supplier)],
                Table(
                    [[_text(label, SMALL), _text(value, NUMBER)] for label, value in facts],
                    colWidths=[30 * mm, 52 * mm],
                    style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
                ),
            ]
        ],
        colWidths=[width - 84 * mm, 84 * mm],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)],
    )
    story += [header, Spacer(1, 8 * mm)]
    story.append(
        Table(
            [[_party("Bill to", document.bill_to), _party("Ship to", document.ship_to)]],
            colWidths=[width / 2, width / 2],
            style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), 0)],
        )
    )
    story.append(Spacer(1, 8 * mm))

    currency = document.currency
    items = [
        [
            _text("SKU", HEADING),
            _text("Product", HEADING),
            _text("Quantity", NUMBER_BOLD),
            _text(f"Unit price ({currency})", NUMBER_BOLD),
            _text(f"Line total ({currency})", NUMBER_BOLD),
        ]
    ]
    items += [
        [
            _text(item.sku),
            _text(item.title),
            _text(f"{item.quantity:,}", NUMBER),
            _text(_money(item.unit_price), NUMBER),
            _text(_money(item.line_total), NUMBER),
        ]
        for item in document.items
    ]
    story.append(
        Table(
            items,
            colWidths=[30 * mm, width - 120 * mm, 22 * mm, 34 * mm, 34 * mm],
            style=GRID,
            repeatRows=1,
        )
    )

    if document.charges:
        story.append(Spacer(1, 6 * mm))
        charges = [
            [
                _text("Charge or credit", HEADING),
                _text("Type", HEADING),
                _text(f"Amount ({currency})", NUMBER_BOLD),
            ]
        ]
        charges += [
            [_text(charge.label), _text(charge.kind), _text(_money(charge.amount), NUMBER)]
            for charge in document.charges
        ]
        story.append(
            Table(charges, colWidths=[width - 80 * mm, 46 * mm, 34 * mm], style=GRID, repeatRows=1)
        )

    story.append(Spacer(1, 6 * mm))
    totals = [
        [_text(row.label, NUMBER), _text(_money(row.amount), NUMBER)]
        for row in document.totals[:-1]
    ]
    totals.append(
        [
            _text("Total", NUMBER_BOLD),
            _text(f"{_money(document.total)} {currency}", NUMBER_BOLD),
        ]
    )
    story.append(
        Table(
            totals,
            colWidths=[width - 44 * mm, 44 * mm],
            style=[("LINEABOVE", (0, -1), (-1, -1), 0.8, colors.black)],
        )
    )
    if document.tax_exemption:
        story += [Spacer(1, 4 * mm), _text(f"No tax charged: {document.tax_exemption}")]
    pdf.build(story)
    return buffer.getvalue()
