"""Domain vocabularies shared by the store, the API and the core: legal forms, zones, roles, tax codes."""

from __future__ import annotations

import re
from enum import StrEnum


class LegalForm(StrEnum):
    """Italian third-sector legal forms (DESIGN.md §5), plus ``other``."""

    social_cooperative_a = "social_cooperative_a"
    social_cooperative_b = "social_cooperative_b"
    aps = "aps"
    odv = "odv"
    social_enterprise = "social_enterprise"
    benefit_company = "benefit_company"
    foundation = "foundation"
    association = "association"
    siavs = "siavs"
    other_ets = "other_ets"
    other = "other"


class TerritoryType(StrEnum):
    urban = "urban"
    rural = "rural"
    mountain = "mountain"


class SizeClass(StrEnum):
    """By people who work in the organisation (staff and regular volunteers)."""

    micro = "micro"  # up to 9
    small = "small"  # 10–49
    medium = "medium"  # 50–249
    large = "large"  # 250 and more


class MemberRole(StrEnum):
    owner = "owner"
    editor = "editor"
    viewer = "viewer"


class FunderKind(StrEnum):
    foundation = "foundation"
    bank = "bank"
    public_body = "public_body"
    outcome_fund = "outcome_fund"
    other = "other"


HOMOGENEOUS_ZONES: tuple[str, ...] = (
    "Torino",
    "AMT Ovest",
    "AMT Sud",
    "AMT Nord",
    "Pinerolese",
    "Valli Susa e Sangone",
    "Ciriacese - Valli di Lanzo",
    "Canavese Occidentale",
    "Eporediese",
    "Chivassese",
    "Chierese - Carmagnolese",
)
"""The 11 homogeneous zones (zone omogenee) of the Metropolitan City of Turin."""

_ODD_VALUES = {
    **dict(zip("0123456789", (1, 0, 5, 7, 9, 13, 15, 17, 19, 21), strict=True)),
    **dict(
        zip(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            (
                1,
                0,
                5,
                7,
                9,
                13,
                15,
                17,
                19,
                21,
                2,
                4,
                18,
                20,
                11,
                3,
                6,
                8,
                12,
                14,
                16,
                10,
                22,
                25,
                24,
                23,
            ),
            strict=True,
        )
    ),
}
_PERSON_CODE = re.compile(
    r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-EHLMPR-T][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$"
)


def tax_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid Italian tax code (codice fiscale), or None when it is.

    Organisations have an 11-digit numeric code whose last digit is a Luhn-style check
    digit; people have a 16-character alphanumeric code with a check letter.

    >>> tax_code_problem("97000010013") is None
    True
    >>> tax_code_problem("97000010018")
    'check digit is 8, expected 3'
    """
    value = code.strip().upper()
    if value.isdigit():
        if len(value) != 11:
            return f"a numeric tax code has 11 digits, got {len(value)}"
        total = 0
        for index, char in enumerate(value[:10]):
            digit = int(char)
            if index % 2 == 1:
                digit *= 2
                if digit > 9:
                    digit -= 9
            total += digit
        expected = (10 - total % 10) % 10
        if int(value[10]) != expected:
            return f"check digit is {value[10]}, expected {expected}"
        return None
    if len(value) != 16:
        return "expected 11 digits (organisation) or 16 letters and digits (person)"
    if not _PERSON_CODE.match(value):
        return "a 16-character tax code has the form AAAAAA00A00A000A"
    total = 0
    for index, char in enumerate(value[:15]):
        if index % 2 == 0:
            total += _ODD_VALUES[char]
        else:
            total += int(char) if char.isdigit() else ord(char) - ord("A")
    expected_letter = chr(ord("A") + total % 26)
    if value[15] != expected_letter:
        return f"check letter is {value[15]}, expected {expected_letter}"
    return None
