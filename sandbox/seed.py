"""What every sandbox account starts with: example profiles, a registered brand with an ACTIVE
campaign, and Plivo's use-case catalogue (fictional companies, realistic shapes)."""

from __future__ import annotations

from typing import Any

SEED_PROFILES: tuple[dict[str, Any], ...] = (
    {
        # the primary profile: a private company with an EIN, ready for a STANDARD brand
        "profile_alias": "harbor-dental-primary",
        "customer_type": "DIRECT",
        "entity_type": "PRIVATE",
        "company_name": "Harbor Point Dental Group LLC",
        "vertical": "HEALTHCARE",
        "ein": "841234567",
        "ein_issuing_country": "US",
        "alt_business_id_type": "NONE",
        "website": "https://www.harborpointdental.example",
        "business_contact_email": "compliance@harborpointdental.example",
        "address": {
            "street": "1420 Harbor Point Blvd, Suite 210",
            "city": "Tampa",
            "state": "FL",
            "postal_code": "33602",
            "country": "US",
        },
        "authorized_contact": {
            "first_name": "Maria",
            "last_name": "Delgado",
            "email": "maria.delgado@harborpointdental.example",
            "title": "Practice Operations Director",
            "seniority": "DIRECTOR",
            "phone": "18135550142",
        },
    },
    {
        # a secondary, publicly traded company with an EIN
        "profile_alias": "northwind-freight",
        "customer_type": "RESELLER",
        "entity_type": "PUBLIC",
        "company_name": "Northwind Freight Systems Inc.",
        "vertical": "TRANSPORTATION",
        "ein": "272345678",
        "ein_issuing_country": "US",
        "stock_symbol": "NWFS",
        "stock_exchange": "NASDAQ",
        "alt_business_id_type": "NONE",
        "website": "https://www.northwindfreight.example",
        "address": {
            "street": "800 Commerce Park Dr",
            "city": "Columbus",
            "state": "OH",
            "postal_code": "43219",
            "country": "US",
        },
        "authorized_contact": {
            "first_name": "Derek",
            "last_name": "Okafor",
            "email": "d.okafor@northwindfreight.example",
            "title": "Chief Financial Officer",
            "seniority": "CFO",
            "phone": "16145550187",
        },
    },
    {
        # a secondary sole proprietor without an EIN: STARTER brands only
        "profile_alias": "lena-bakes",
        "customer_type": "DIRECT",
        "entity_type": "INDIVIDUAL",
        "company_name": "Lena's Corner Bakery",
        "vertical": "RETAIL",
        "website": "https://lenascornerbakery.example",
        "address": {
            "street": "57 Maple Street",
            "city": "Burlington",
            "state": "VT",
            "postal_code": "05401",
            "country": "US",
        },
        "authorized_contact": {
            "first_name": "Lena",
            "last_name": "Kowalski",
            "email": "lena@lenascornerbakery.example",
            "title": "Owner",
            "seniority": "OTHER",
            "phone": "18025550119",
        },
    },
)

# What a `preregistered` account already has: a profile, its registered brand and an ACTIVE
# campaign with two of the account's numbers (sandbox.inventory.SEED_NUMBERS) linked.
SEED_BRAND_PROFILE: dict[str, Any] = {
    # the secondary profile behind SEED_BRAND. Its entity_type
    # is a TCR word, as Plivo's recorded responses show (PRIVATE_PROFIT, PUBLIC_PROFIT,
    # SOLE_PROPRIETOR beside the documented PRIVATE/PUBLIC/...), and its contact's seniority
    # is "admin", the value in every recorded response and docs example. Its uuid is fixed, so
    # the ids drawn from `--seed` for everything else stay what they were.
    "profile_uuid": "5d1e6f0a-8c3b-4e27-9a41-2f7b6c0d9e13",
    "profile_alias": "summit-ridge-hvac",
    "customer_type": "DIRECT",
    "entity_type": "PRIVATE_PROFIT",
    "company_name": "Summit Ridge Heating & Air LLC",
    "vertical": "CONSTRUCTION",
    "ein": "463456789",
    "ein_issuing_country": "US",
    "alt_business_id_type": "NONE",
    "website": "https://www.summitridgehvac.example",
    "address": {
        "street": "2250 W Evans Ave",
        "city": "Denver",
        "state": "CO",
        "postal_code": "80223",
        "country": "US",
    },
    "authorized_contact": {
        "first_name": "Priya",
        "last_name": "Raman",
        "email": "priya@summitridgehvac.example",
        "title": "Operations Manager",
        "seniority": "admin",
        "phone": "17205550163",
    },
}

SEED_BRAND: dict[str, Any] = {
    "brand_id": "BSR7H2Q",
    "brand_alias": "summit-ridge",
    "brand_type": "STANDARD",
    "secondary_vetting": False,  # unvetted STANDARD: T-Mobile tier LOW, 240 TPM
}
SEED_CAMPAIGN: dict[str, Any] = {
    "campaign_id": "CSR4K9D",
    "brand_id": "BSR7H2Q",
    "campaign_alias": "summit-ridge-service",
    "vertical": "CONSTRUCTION",
    "usecase": "CUSTOMER_CARE",
    "text": {
        "description": "Service appointment confirmations and technician updates for Summit Ridge "
        "Heating & Air customers who booked a visit.",
        "sample1": "Summit Ridge HVAC: your technician Luis arrives between 1-3pm today. "
        "Reply STOP to opt out.",
        "sample2": "Summit Ridge HVAC: reply Y to confirm your furnace tune-up on Oct 12 at 9am, "
        "HELP for help.",
        "message_flow": "Customers opt in by ticking the text-updates box when they book a "
        "service visit on summitridgehvac.example or by phone.",
        "help_message": "Summit Ridge HVAC: call 720-555-0163 for help. Msg&data rates may apply. "
        "Reply STOP to opt out.",
        "optout_message": "You are unsubscribed from Summit Ridge HVAC texts. No more messages "
        "will be sent.",
        "optout_keywords": "STOP,UNSUBSCRIBE",
        "help_keywords": "HELP,INFO",
    },
    "attributes": {
        "subscriber_optin": True,
        "subscriber_optout": True,
        "subscriber_help": True,
        "direct_lending": False,
        "embedded_link": False,
        "embedded_phone": True,
        "age_gated": False,
        "affiliate_marketing": False,
    },
    "numbers": ("17205550140", "17205550141"),
}

# GET 10dlc/Brand/{id}/usecases/: names and details as Plivo answers them (the recorded
# brand-usecases responses in plivo-python and plivo-go), in Plivo's order. Those recordings
# leave out 2FA; the docs' example lists it as "Two-Factor Authentication", whose details
# text here is ours (no recorded wording).
USECASE_CATALOG: dict[str, tuple[str, str]] = {
    "2FA": (
        "Two-Factor Authentication",
        "One-time passcodes and account verification or login codes",
    ),
    "ACCOUNT_NOTIFICATION": (
        "Account Notification",
        "Notification sent to account holders about changes in accounts",
    ),
    "CUSTOMER_CARE": (
        "Customer Care",
        "Customer care interactions by the support and other customer-facing teams",
    ),
    "DELIVERY_NOTIFICATION": (
        "Delivery Notification",
        "Updates about the delivery of products and services",
    ),
    "FRAUD_ALERT": ("Fraud Alert", "Notifications of suspicious behavior identified the business"),
    "HIGHER_EDUCATION": (
        "Higher Education",
        "Messages sent by colleges, universities, and other educational institutions",
    ),
    "LOW_VOLUME": (
        "Low Volume",
        "A combination of two to five standard usage cases - for low throughput requirements",
    ),
    "MARKETING": ("Marketing", "Communications related to time-bound events and sales"),
    "MIXED": ("Mixed", "A combination of two to five standard usage cases"),
    "POLLING_VOTING": (
        "Polling Voting",
        "Surveys, polling, and voting campaigns used for non-political purposes",
    ),
    "PUBLIC_SERVICE_ANNOUNCEMENT": (
        "Public Service Announcement",
        "Messages aimed at creating awareness about important topics",
    ),
    "SECURITY_ALERT": (
        "Security Alert",
        "Notifications that alert users about a potential breach of systems",
    ),
}
# what a STARTER brand gets instead (plivo-node's recorded brand.get_usecases mock)
STARTER_USECASE = (
    "Starter",
    "Low cost campaign type designed for individuals and small businesses",
)
