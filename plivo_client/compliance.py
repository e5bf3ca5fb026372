"""The campaign check: what TCR is likely to reject, before anything is paid for.

Pure and UI-free: `check_campaign(request)` returns findings, each with a severity, the field
it concerns, the decline code it would likely cause where one is known, why, and the fix.
Every rule names its source beside it (the facts are in ../shared/10dlc-compliance.md). The
word lists are heuristics: a finding says "likely", never "will"; only blockers stop a submit.
What the check cannot know (the live website, the EIN record) is listed in the README.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from plivo_client.validation import CampaignRequest
from receiver.wording import plural

PLIVO_CAMPAIGN_API = "Plivo API docs, register a campaign"
PLIVO_STARTER = "Plivo docs, starter registration"
PLIVO_REJECTIONS = "Plivo support, campaign rejections"
PHONESPEAK = "Phonespeak knowledge base, TCR/CSP rejection codes"
AWS_CHECKLIST = "AWS End User Messaging, registration quick-start checklist"
TELNYX = "Telnyx 10DLC campaign registration docs"


class Severity(StrEnum):
    BLOCKER = "blocker"
    LIKELY = "likely rejection"
    ADVICE = "advice"


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    field: str
    why: str
    fix: str
    source: str
    code: str | None = None

    def line(self) -> str:
        code = f" (decline {self.code})" if self.code else ""
        return f"{self.severity}{code} · {self.field}: {self.why}. Fix: {self.fix} [{self.source}]"


SAMPLES = ("sample1", "sample2", "sample3", "sample4", "sample5")
URL = re.compile(r"(?i)\b(?:https?://|www\.)\S+|\b[a-z0-9-]+\.(?:com|net|org|io|co|us|ly)\b\S*")
PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)")
SHORTENERS = ("bit.ly", "tinyurl.com", "goo.gl", "t.co", "ow.ly", "is.gd", "buff.ly", "rebrand.ly")
LENDING = re.compile(
    r"(?i)\b(loans?|lending|lender|payday|cash advance|line of credit|financing)\b"
)
AGE = re.compile(
    r"(?i)\b(alcohol|beer|wine|liquor|spirits|tobacco|cigars?|vape|vaping|e-?cig\w*)\b"
)
CANNABIS = re.compile(r"(?i)\b(cannabis|cbd|marijuana|thc|dispensary)\b")
OPT_OUT = re.compile(r"(?i)\b(stop|unsubscribe|opt[- ]?out|cancel|end|quit)\b")
CODE = re.compile(r"\b\d{4,8}\b|\{\{?\s*code\s*\}?\}|<code>|\[code\]", re.I)
MARKETING = re.compile(r"(?i)(\d+\s?% off|\bsale\b|\bdiscount\b|\bpromo\w*|\bdeal(s)?\b|\bcoupon)")
CONSENT_WHERE = re.compile(
    r"(?i)\b(website|web ?site|web form|online form|checkout|sign[- ]?up (page|form)|app|"
    r"in[- ]store|in person|paper form|keyword|text(ing)? \w+ to|https?://|www\.|checkbox|"
    r"phone call|verbal)\b"
)
CONSENT_HOW = re.compile(
    r"(?i)\b(opt[- ]?in|consent|check(s|ing)? (a |the )?box|agree|subscribe|sign(s|ing)? up|"
    r"enroll|text(s|ing)?|provide[sd]? (their|a) (mobile|phone))\b"
)
DISCLOSURES = (
    (re.compile(r"(?i)msg (&|and) data rates"), '"Msg & data rates may apply"'),
    (re.compile(r"(?i)\bstop\b"), "how to stop (STOP)"),
    (re.compile(r"(?i)\bhelp\b"), "how to get help (HELP)"),
    (re.compile(r"(?i)\b(msgs?|messages?)\b.*\b(per|/|a)\s*(day|week|month)|recurring|frequency"),
     "the message frequency"),
)  # fmt: skip


LEGAL_TAIL = re.compile(
    r"(?i)[\s,]+(llc|l\.l\.c\.|inc\.?|incorporated|corp\.?|corporation|co\.?|company|ltd\.?|"
    r"limited|llp|pllc|p\.?c\.|group|holdings)$"
)


def _brand_names(brand_name: str) -> tuple[str, ...]:
    """The brand's name as written, and without its legal tail ("Harbor Point Dental Group
    LLC" is named by "Harbor Point Dental"): a sample may use the name customers know."""
    full = brand_name.strip().lower()
    short = full
    while (cut := LEGAL_TAIL.sub("", short)) != short and cut:
        short = cut
    return (full, short) if short != full else (full,)


def _names_brand(text: str, names: tuple[str, ...]) -> bool:
    low = text.lower()
    return any(name in low for name in names)


def _samples(req: CampaignRequest) -> list[tuple[str, str]]:
    return [(name, text) for name in SAMPLES if (text := getattr(req, name).strip())]


def _all_text(req: CampaignRequest) -> str:
    parts = [req.description, *(t for _, t in _samples(req)), req.message_flow]
    return "\n".join(parts)


def check_campaign(
    req: CampaignRequest, *, brand_name: str = "", brand_type: str = ""
) -> list[Finding]:
    """Every finding for `req`, blockers first. `brand_name`/`brand_type` when known."""
    found: list[Finding] = []
    add = found.append
    samples = _samples(req)
    sample_text = "\n".join(t for _, t in samples)
    text = _all_text(req)
    uses = {req.usecase.upper(), *(u.upper() for u in req.sub_usecases)}

    # Plivo docs, starter registration: STARTER brands can only use the STARTER use case.
    if brand_type.upper() == "STARTER" and req.usecase and req.usecase.upper() != "STARTER":
        add(
            Finding(
                Severity.BLOCKER,
                "usecase",
                "a STARTER brand can only use the STARTER use case",
                "choose STARTER, or register a standard brand",
                PLIVO_STARTER,
            )
        )
    # Plivo support (1001: a prohibited category) / Phonespeak (701: cannabis / CBD): the only
    # prohibited category our sources name. Plivo, the CSP here, answers with 1001.
    if m := CANNABIS.search(text):
        where = [("description", req.description), *samples, ("message_flow", req.message_flow)]
        add(
            Finding(
                Severity.BLOCKER,
                next(name for name, value in where if CANNABIS.search(value)),
                f"mentions {m.group(0)!r}: cannabis / CBD content falls in a prohibited category "
                "(other CSPs answer 701)",
                "this content cannot be sent over 10DLC",
                f"{PLIVO_REJECTIONS}; {PHONESPEAK}",
                code="1001",
            )
        )
    # Plivo API docs: public URL shorteners are not accepted by operators.
    for name, sample in samples:
        low = sample.lower()
        if short := next((s for s in SHORTENERS if s in low), None):
            add(
                Finding(
                    Severity.LIKELY,
                    name,
                    f"uses the public URL shortener {short}",
                    "use a full link on your own domain (or a branded short domain)",
                    PLIVO_CAMPAIGN_API,
                )
            )
    # Phonespeak 601: attributes must match the samples.
    has_link = bool(URL.search(sample_text))
    if has_link and not req.embedded_link:
        add(
            Finding(
                Severity.LIKELY,
                "embedded_link",
                "the samples contain a link but embedded_link is off",
                "turn embedded_link on",
                PHONESPEAK,
                code="601",
            )
        )
    elif req.embedded_link and samples and not has_link:
        add(
            Finding(
                Severity.ADVICE,
                "embedded_link",
                "embedded_link is on but no sample shows a link",
                "add a sample with the link you will send, or turn it off",
                PHONESPEAK,
                code="601",
            )
        )
    has_phone = bool(PHONE.search(sample_text))
    if has_phone and not req.embedded_phone:
        add(
            Finding(
                Severity.LIKELY,
                "embedded_phone",
                "the samples contain a phone number but embedded_phone is off",
                "turn embedded_phone on",
                PHONESPEAK,
                code="601",
            )
        )
    elif req.embedded_phone and samples and not has_phone:
        add(
            Finding(
                Severity.ADVICE,
                "embedded_phone",
                "embedded_phone is on but no sample shows a phone number",
                "add one to a sample, or turn it off",
                PHONESPEAK,
                code="601",
            )
        )
    # Plivo support 1003: direct lending without the attribute; attributes cannot change later.
    if (m := LENDING.search(text)) and not req.direct_lending:
        add(
            Finding(
                Severity.LIKELY,
                "direct_lending",
                f"mentions {m.group(0)!r} but direct_lending is off",
                "turn direct_lending on now: attributes cannot be "
                "changed after creation (the fix for 1003 is a new campaign)",
                PLIVO_REJECTIONS,
                code="1003",
            )
        )
    # Plivo API docs: age_gated marks age-restricted content (Phonespeak 601: attributes
    # must match the content).
    if (m := AGE.search(text)) and not req.age_gated:
        add(
            Finding(
                Severity.LIKELY,
                "age_gated",
                f"mentions {m.group(0)!r} (age-restricted) but age_gated is off",
                "turn age_gated on",
                f"{PLIVO_CAMPAIGN_API}; {PHONESPEAK}",
                code="601",
            )
        )
    # Phonespeak 602: the use case (or a sub use case of MIXED / LOW_VOLUME) must match the
    # samples.
    if "2FA" in uses and samples and not any(CODE.search(t) for _, t in samples):
        primary = req.usecase.upper() == "2FA"
        add(
            Finding(
                Severity.LIKELY,
                "usecase" if primary else "sub_usecases",
                "a 2FA campaign whose samples carry no code"
                if primary
                else "2FA is a sub use case but no sample carries a code",
                'show the code in a sample ("Your code is 123456")'
                + ("" if primary else ", or drop 2FA from the sub use cases"),
                PHONESPEAK,
                code="602",
            )
        )
    if "MARKETING" not in uses and (m := MARKETING.search(sample_text)):
        add(
            Finding(
                Severity.LIKELY,
                "usecase",
                f"a sample reads as marketing ({m.group(0)!r}) "
                "but MARKETING is not among the use cases",
                "choose MARKETING (or MIXED with it), or remove the promotion",
                PHONESPEAK,
                code="602",
            )
        )
    # Phonespeak 603 / AWS checklist: the brand must be named.
    if brand_name.strip():
        names = _brand_names(brand_name)
        if samples and not any(_names_brand(t, names) for _, t in samples):
            add(
                Finding(
                    Severity.LIKELY,
                    "sample1",
                    f"no sample names the brand {brand_name.strip()!r}",
                    "start each sample with the brand name",
                    PHONESPEAK,
                    code="603",
                )
            )
        for field in ("help_message", "optout_message", "optin_message"):
            value = getattr(req, field).strip()
            if value and not _names_brand(value, names):
                add(
                    Finding(
                        Severity.ADVICE,
                        field,
                        "does not name the brand",
                        "name the brand so subscribers know who is writing",
                        AWS_CHECKLIST,
                    )
                )
    # Telnyx: every sample should carry opt-out language.
    bare = [name for name, t in samples if not OPT_OUT.search(t)]
    if samples and len(bare) == len(samples):
        add(
            Finding(
                Severity.LIKELY,
                "sample1",
                "no sample carries opt-out language",
                'end samples with "Reply STOP to opt out"',
                TELNYX,
            )
        )
    elif bare:
        for name in bare:
            add(
                Finding(
                    Severity.ADVICE,
                    name,
                    "carries no opt-out language",
                    'add "Reply STOP to opt out"',
                    TELNYX,
                )
            )
    # Plivo support 1004: the message flow must say where and how consent is given.
    flow = req.message_flow.strip()
    if flow:
        missing = [what for what, rx in (("where", CONSENT_WHERE), ("how", CONSENT_HOW))
                   if not rx.search(flow)]  # fmt: skip
        if missing:
            add(
                Finding(
                    Severity.LIKELY,
                    "message_flow",
                    f"does not say {' or '.join(missing)} consent is given",
                    "describe where (the page, form or keyword) and how "
                    "(what the user does and sees) subscribers opt in",
                    PLIVO_REJECTIONS,
                    code="1004",
                )
            )
    # AWS checklist: opt-in confirmation wording and disclosures.
    optin = req.optin_message.strip()
    if req.optin_keywords.strip() and not optin:
        add(
            Finding(
                Severity.ADVICE,
                "optin_message",
                "opt-in keywords are set but there is no confirmation message",
                "write the message sent when someone opts in",
                AWS_CHECKLIST,
            )
        )
    if optin:
        lacking = [label for rx, label in DISCLOSURES if not rx.search(optin)]
        if lacking:
            add(
                Finding(
                    Severity.ADVICE,
                    "optin_message",
                    f"does not disclose {', '.join(lacking)}",
                    "add them to the confirmation",
                    AWS_CHECKLIST,
                )
            )
    order = {Severity.BLOCKER: 0, Severity.LIKELY: 1, Severity.ADVICE: 2}
    return sorted(found, key=lambda f: order[f.severity])


def blockers(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity is Severity.BLOCKER]


def summary(findings: list[Finding]) -> str:
    """A form header's count: "2 likely rejections, 1 advice" (empty when there is nothing)."""
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    words = {Severity.BLOCKER: ("blocker", "blockers"),
             Severity.LIKELY: ("likely rejection", "likely rejections"),
             Severity.ADVICE: ("advice", "advice")}  # fmt: skip
    return ", ".join(plural(n, *words[s]) for s, n in counts.items() if n)
