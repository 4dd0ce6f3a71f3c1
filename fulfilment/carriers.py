"""The carriers whose tracking pages we can link to, and how a carrier name is normalised."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Carrier:
    name: str
    tracking_url: str  # "{}" is replaced by the URL-quoted tracking number


CARRIERS: dict[str, Carrier] = {
    "ups": Carrier("UPS", "https://www.ups.com/track?tracknum={}"),
    "usps": Carrier("USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={}"),
    "fedex": Carrier("FedEx", "https://www.fedex.com/fedextrack/?trknbr={}"),
    "dhl": Carrier("DHL", "https://www.dhl.com/global-en/home/tracking.html?tracking-id={}"),
}


def _key(name: str) -> str:
    return "".join(character for character in name.lower() if character.isalnum())


def known_carrier(name: str) -> Carrier | None:
    """The table's carrier for a name as people type it ("Fedex", "fed ex", "UPS")."""
    return CARRIERS.get(_key(name))


def carrier_name(name: str) -> str:
    """The carrier's own spelling when we know it, else the name as given."""
    carrier = known_carrier(name)
    return carrier.name if carrier else name.strip()


def tracking_url_for(carrier: str, tracking_number: str) -> str:
    """The carrier's tracking page for this number, or "" for a carrier not in the table."""
    known = known_carrier(carrier)
    if known is None or not tracking_number.strip():
        return ""
    return known.tracking_url.format(quote(tracking_number.strip(), safe=""))
