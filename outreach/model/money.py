"""Amounts of money in their own currency: never added across currencies, never converted."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from outreach.model.text import shown

# ISO 4217's active codes, with the precious metals and testing codes left out.
CODES = frozenset(
    """AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD
    BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK
    JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA
    MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
    PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN
    SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST
    XAF XCD XOF XPF YER ZAR ZMW ZWL""".split()  # noqa: SIM905 - a list of 160 quoted codes would fill three screens
)

DOLLARS = frozenset(
    """USD AUD CAD NZD HKD SGD TWD BBD BMD BND BSD BZD FJD GYD JMD KYD LRD NAD SBD SRD TTD XCD
    MXN ARS CLP COP CUP DOP UYU""".split()  # noqa: SIM905 - as CODES
)
"""Dollars and pesos, written with a bare `$`: which one it means is input.currency's to say."""

SYMBOLS = {
    "US$": "USD", "U$S": "USD", "A$": "AUD", "AU$": "AUD", "C$": "CAD", "CA$": "CAD",
    "NZ$": "NZD", "HK$": "HKD", "S$": "SGD", "SG$": "SGD", "R$": "BRL", "MX$": "MXN",
    "NT$": "TWD", "€": "EUR", "£": "GBP", "¥": "JPY", "JP¥": "JPY", "CN¥": "CNY", "RMB": "CNY",
    "元": "CNY", "円": "JPY", "₹": "INR", "Rs": "INR", "₩": "KRW", "₽": "RUB", "₺": "TRY",
    "₪": "ILS", "₱": "PHP", "฿": "THB", "₫": "VND", "₦": "NGN", "₴": "UAH", "zł": "PLN",
    "Kč": "CZK", "Ft": "HUF", "Fr": "CHF", "SFr": "CHF", "lei": "RON",
}  # fmt: skip
"""Symbols and abbreviations as CRMs and people type them, matched without regard to case;
`kr` (Swedish, Norwegian, Danish or Icelandic) is not among them: it needs its code."""
_BY_FOLDED = {symbol.casefold(): code for symbol, code in SYMBOLS.items()}


def currency_of(unit: str, default: str) -> str:
    """The ISO code a unit typed beside an amount means: `EUR`, `€`, `A$`; `$` and no unit
    mean `default` (input.currency), `$` only when that is a dollar. ValueError otherwise."""
    if not unit:
        return default
    if unit == "$":
        return default if default in DOLLARS else "USD"
    if unit.upper() in CODES:
        return unit.upper()
    if code := _BY_FOLDED.get(unit.casefold()):
        return code
    hint = " (write the ISO code: SEK, NOK, DKK or ISK)" if unit.casefold() == "kr" else ""
    raise ValueError(f"unknown currency {shown(unit)!r}{hint}")


def amount_text(amount: Decimal) -> str:
    """`48,000` or `1,234.50`: thousands separated, cents only when there are some; the same
    on every machine, whatever its locale."""
    if amount == amount.to_integral_value():
        return f"{amount:,.0f}"
    return f"{amount:,.2f}"


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str
    """An ISO 4217 code: `USD`, `EUR`, `JPY`."""

    def __str__(self) -> str:
        """`USD 48,000`: unambiguous, and read back as the same value."""
        return f"{self.currency} {amount_text(self.amount)}"


def totals(values: Iterable[Money]) -> tuple[Money, ...]:
    """The sum of each currency's values, by currency code: never one sum across currencies."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for value in values:
        sums[value.currency] += value.amount
    return tuple(Money(sums[code], code) for code in sorted(sums))
