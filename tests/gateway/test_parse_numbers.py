"""parse_numbers / normalise_number: what people paste into the link form."""

from __future__ import annotations

import pytest

from plivo_client.validation import is_valid_number, normalise_number, parse_numbers


@pytest.mark.parametrize(
    ("text", "valid", "invalid"),
    [
        ("14155550100", ["14155550100"], []),
        ("+14155550100", ["14155550100"], []),
        ("4155550100", ["14155550100"], []),
        ("(415) 555-0100", ["14155550100"], []),
        ("+1 (415) 555-0100", ["14155550100"], []),
        ("1-415-555-0100", ["14155550100"], []),
        ("415.555.0100", ["14155550100"], []),
        ("14155550100\n14155550101\n", ["14155550100", "14155550101"], []),
        ("14155550100,14155550101", ["14155550100", "14155550101"], []),
        ("14155550100, 14155550101; 14155550102", ["14155550100", "14155550101", "14155550102"], []),
        ("4155550100 4155550101", ["14155550100", "14155550101"], []),
        ("415 555 0100 415 555 0101", ["14155550100", "14155550101"], []),
        ("+44 20 7946 0958", ["442079460958"], []),
        ("4155550100 +44 20 7946 0958 1 212 555 0199", ["14155550100", "442079460958", "12125550199"], []),
        ("14155550100\n+1 415 555 0100\n(415) 555-0100", ["14155550100"], []),
        ("", [], []),
        (" \n , ", [], []),
        ("hello", [], ["hello"]),
        ("0155550100", [], ["0155550100"]),  # area code cannot start with 0
        ("1155550100", [], ["1155550100"]),  # …or 1
        ("10155550100", [], ["10155550100"]),
        ("1415555010", [], ["1415555010"]),  # 10 digits starting with 1: not a US number
        ("+4155550100", [], ["+4155550100"]),  # with '+' the country code must be there
        ("555-0100", [], ["555-0100"]),
        ("1234567890123456", [], ["1234567890123456"]),  # 16 digits
        ("14155550100, 555-01x0, 14155550101", ["14155550100", "14155550101"], ["555-01x0"]),
        ("4155550100 abc 123", ["14155550100"], ["abc", "123"]),
        ("+1+4155550100", [], ["+1+4155550100"]),
        ("+", [], ["+"]),
    ],
)  # fmt: skip
def test_parse_numbers(text, valid, invalid):
    assert parse_numbers(text) == (valid, invalid)


@pytest.mark.parametrize(
    ("digits", "ok"),
    [
        ("14155550100", True),
        ("12125550199", True),
        ("442079460958", True),
        ("861012345678901", True),  # 15 digits
        ("4420794609", False),  # 10 digits, not US-shaped after the gateway's normalising
        ("1415555010", False),
        ("141555501001", False),  # NANP numbers are exactly 11 digits
        ("10155550100", False),
        ("11155550100", False),
        ("1234567890123456", False),
        ("+14155550100", False),
        ("", False),
    ],
)
def test_is_valid_number(digits, ok):
    assert is_valid_number(digits) is ok


def test_normalise_number():
    assert normalise_number(" +1 (212) 555-0199 ") == "12125550199"
    assert normalise_number("2125550199") == "12125550199"
    assert normalise_number("+2125550199") is None
    assert normalise_number("call me") is None
