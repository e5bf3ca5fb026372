"""The sandbox's example campaign (f2 in the campaign form)."""

from __future__ import annotations

EXAMPLE_TEXT: dict[str, str] = {
    "alias": "demo-otp",
    "description": "One-time passcodes for customers signing in to the Acme customer portal.",
    "sample1": "Acme: your sign-in code is 123456. It expires in 10 minutes. Reply STOP to opt out.",
    "sample2": "Acme: use 654321 to confirm your new device. Reply HELP for help, STOP to opt out.",
    "message_flow": "Customers opt in on the Acme sign-up page by ticking an SMS consent box.",
    "help_message": "Acme support: reply STOP to opt out. Msg and data rates may apply.",
    "optout_message": "Acme: you are unsubscribed and will get no more messages.",
    "optin_message": (
        "Acme: you will get sign-in codes when you log in, about 4 msgs per month. "
        "Msg and data rates may apply. Reply HELP for help, STOP to opt out."
    ),
    "optin_keywords": "START,YES",
    "optout_keywords": "STOP,QUIT",
    "help_keywords": "HELP,INFO",
}
"""Sandbox only (f2): a campaign that passes every documented rule and the campaign check."""
EXAMPLE_VERTICAL, EXAMPLE_USECASE = "TECHNOLOGY", "2FA"


def example_text(brand_name: str = "") -> dict[str, str]:
    """The example, naming the chosen brand where it says "Acme" (so it passes the check's
    brand-name rules too)."""
    name = brand_name.strip()
    if not name:
        return dict(EXAMPLE_TEXT)
    return {k: v.replace("Acme", name) if k != "alias" else v for k, v in EXAMPLE_TEXT.items()}
