"""The example profiles every sandbox account starts with (fictional companies, realistic shapes)."""

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

USECASE_CATALOG: dict[str, tuple[str, str]] = {
    "2FA": ("2FA", "Two-factor authentication, one-time use passwords and account verification"),
    "ACCOUNT_NOTIFICATION": (
        "Account Notification",
        "Standard notifications for account holders about their account",
    ),
    "CUSTOMER_CARE": (
        "Customer Care",
        "All customer care interaction, including account management and support",
    ),
    "DELIVERY_NOTIFICATION": (
        "Delivery Notification",
        "Notification about the status of the delivery of a product or service",
    ),
    "FRAUD_ALERT": (
        "Fraud Alert",
        "Notifications about potentially fraudulent activity on a user's account",
    ),
    "HIGHER_EDUCATION": (
        "Higher Education",
        "Messaging created on behalf of colleges, universities and school districts",
    ),
    "LOW_VOLUME": ("Low Volume Mixed", "Low throughput, any combination of standard use cases"),
    "MARKETING": ("Marketing", "Any communication with marketing and/or promotional content"),
    "MIXED": ("Mixed", "A combination of two to five standard usage cases"),
    "POLLING_VOTING": (
        "Polling Voting",
        "Requesting surveys and voting for non-political purposes",
    ),
    "PUBLIC_SERVICE_ANNOUNCEMENT": (
        "Public Service Announcement",
        "Informational messages to raise audience awareness about important issues",
    ),
    "SECURITY_ALERT": (
        "Security Alert",
        "Notifications that the security of a system has been compromised",
    ),
}
STARTER_USECASE = (
    "Starter",
    "Low cost campaign type designed for individuals and small businesses",
)
