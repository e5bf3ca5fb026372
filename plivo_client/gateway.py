"""The one door to Plivo: every 10DLC call through the official SDK, requests journaled."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import plivo
from plivo import exceptions as px

from plivo_client.lifecycle import LifecycleCalls
from plivo_client.sdk import PLIVO_URL, SdkCalls, plain
from plivo_client.types import (
    BrandInfo,
    CampaignInfo,
    GatewayError,
    NumberInfo,
    Profile,
    Submitted,
    Usecase,
)
from plivo_client.types import (
    refuse_invalid as _check,
)
from plivo_client.validation import BrandRequest, CampaignRequest, LinkRequest, normalise_number
from receiver.domain.models import Clock, IdFactory, RequestRecord, random_ids, system_clock
from receiver.wording import plural

if TYPE_CHECKING:
    from receiver.store.store import Store

__all__ = [
    "BrandInfo",
    "CampaignInfo",
    "Gateway",
    "GatewayError",
    "NumberInfo",
    "Profile",
    "Submitted",
    "Usecase",
]

_REQUEST_IDS = random_ids("rq")
_BRAND_FIELDS = {name: name for name in BrandRequest.__dataclass_fields__} | {
    "brand_alias": "alias"
}
_CAMPAIGN_FIELDS = {name: name for name in CampaignRequest.__dataclass_fields__} | {
    "campaign_alias": "alias"
}
_NUMBER_FIELDS = {"numbers": "numbers", "number": "numbers", "campaign_id": "campaign_id"}


class Gateway(LifecycleCalls):
    """Synchronous wrapper of the plivo SDK for everything tendlc submits or reads.

    Run every call in a thread worker. Submissions are journaled in the store (when given)
    through `record_request_threadsafe`, whether Plivo accepted them or not; reads are not.
    """

    def __init__(
        self,
        auth_id: str,
        auth_token: str,
        *,
        base_url: str | None = None,
        store: Store | None = None,
        callback_url: Callable[[], str] | str | None = None,
        method: str = "POST",
        clock: Clock = system_clock,
        ids: IdFactory = _REQUEST_IDS,
        timeout: float = 10.0,
    ) -> None:
        if not auth_id or not auth_token:
            raise GatewayError(
                "no Plivo credentials: set PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN, "
                "or work offline with `tendlc --sandbox`"
            )
        try:
            client = plivo.RestClient(auth_id, auth_token, timeout=timeout)
        except px.AuthenticationError:
            raise GatewayError(
                f"PLIVO_AUTH_ID {auth_id!r} is not a Plivo auth id (20 characters starting "
                "with MA or SA): check PLIVO_AUTH_ID"
            ) from None
        if base_url:
            from sandbox.transport import point_client_at

            point_client_at(client, base_url)
        self._client = client
        self._calls = SdkCalls(
            client, where=base_url or PLIVO_URL, sandbox=bool(base_url), timeout=timeout
        )
        self._store = store
        self._callback_url = callback_url
        self._method = method
        self._clock = clock
        self._ids = ids

    @property
    def where(self) -> str:
        """The API base URL this gateway talks to."""
        return self._calls.where

    @property
    def callback_url(self) -> str:
        """The callback URL filled into submissions right now ("" when there is none)."""
        return self._current_callback_url()

    @property
    def sandbox(self) -> bool:
        """True when this gateway talks to the sandbox, not to Plivo."""
        return self._calls.sandbox

    @property
    def method(self) -> str:
        """The callback method filled into submissions."""
        return self._method

    @property
    def session(self) -> Any:
        """The SDK's requests.Session (to mount a transport adapter on, as the sandbox does)."""
        return self._client.session

    def close(self) -> None:
        """Close the SDK's HTTP sessions."""
        self._client.session.close()
        self._client.multipart_session.close()

    # ---- reads (not journaled) ----------------------------------------------------------

    def list_profiles(self) -> list[Profile]:
        """Every profile on the account."""
        rows = self._calls.paged(
            "list profiles", self._client.profile.list, "profiles", "profile_uuid"
        )
        return [Profile.from_api(r) for r in rows]

    def list_brands(self) -> list[BrandInfo]:
        """Every brand on the account."""
        rows = self._calls.paged("list brands", self._client.brand.list, "brands", "brand_id")
        return [BrandInfo.from_api(r) for r in rows]

    def get_brand(self, brand_id: str) -> BrandInfo:
        what = f"get brand {brand_id}"
        data = self._calls.read(what, self._client.brand.get, brand_id)
        return BrandInfo.from_api(self._calls.part(what, data, "brand"))

    def brand_usecases(self, brand_id: str) -> list[Usecase]:
        """The use cases a campaign of this brand may choose."""
        what = f"list use cases of brand {brand_id}"
        data = self._calls.read(what, self._client.brand.get_usecases, brand_id)
        return [Usecase.from_api(u) for u in data.get("use_cases") or [] if isinstance(u, dict)]

    def list_campaigns(self, brand_id: str | None = None) -> list[CampaignInfo]:
        """Every campaign on the account, or of one brand."""

        def fetch(limit: int, offset: int) -> Any:
            return self._client.campaign.list(brand_id=brand_id, limit=limit, offset=offset)

        what = f"list campaigns of brand {brand_id}" if brand_id else "list campaigns"
        rows = self._calls.paged(what, fetch, "campaigns", "campaign_id")
        return [CampaignInfo.from_api(r) for r in rows]

    def get_campaign(self, campaign_id: str) -> CampaignInfo:
        what = f"get campaign {campaign_id}"
        data = self._calls.read(what, self._client.campaign.get, campaign_id)
        return CampaignInfo.from_api(self._calls.part(what, data, "campaign"))

    def list_numbers(self, campaign_id: str) -> list[NumberInfo]:
        """The numbers on a campaign with their link status."""

        def fetch(limit: int, offset: int) -> Any:
            return self._client.campaign.get_numbers(campaign_id, limit=limit, offset=offset)

        what = f"list numbers of campaign {campaign_id}"
        rows = self._calls.paged(what, fetch, "phone_numbers", "number")
        return [NumberInfo.from_api(r, campaign_id) for r in rows]

    def get_number(self, campaign_id: str, number: str) -> NumberInfo:
        """One number's link status; the number may be typed in any form parse_numbers reads."""
        digits = _digits(number)
        what = f"get number {digits} of campaign {campaign_id}"
        data = self._calls.read(what, self._client.campaign.get_number, campaign_id, digits)
        rows = [r for r in data.get("phone_numbers") or [] if isinstance(r, dict)]
        if not rows:
            raise GatewayError(f"{what} failed: {digits} is not linked to campaign {campaign_id}")
        return NumberInfo.from_api(rows[0], campaign_id)

    # ---- submissions (journaled) --------------------------------------------------------

    def create_brand(self, req: BrandRequest) -> Submitted:
        """Register a brand; the registry shows it `submitted` until the callbacks arrive."""
        what = "create brand"
        _check(what, req.validate())
        data, record = self._submit(
            what, "brand.create", self._client.brand.create, req.params(), _BRAND_FIELDS
        )
        brand_id = str(data.get("brand_id") or "") or None
        alias = req.alias.strip()
        message = (
            f"brand {brand_id} ({alias}) submitted"
            if brand_id
            else f"brand {alias} submitted, but no brand id came back: refresh brands"
        )
        return self._accepted(replace(record, brand_id=brand_id), message)

    def create_campaign(self, req: CampaignRequest) -> Submitted:
        """Register a campaign under a registered brand."""
        what = "create campaign"
        _check(what, req.validate())
        params = req.params()
        data, record = self._submit(
            what, "campaign.create", self._client.campaign.create, params, _CAMPAIGN_FIELDS,
            brand_id=params["brand_id"],
        )  # fmt: skip
        campaign_id = str(data.get("campaign_id") or "") or None
        message = (
            f"campaign {campaign_id} ({params['campaign_alias']}) submitted for brand "
            f"{params['brand_id']}"
            if campaign_id
            else "campaign submitted, but no campaign id came back: refresh campaigns"
        )
        return self._accepted(replace(record, campaign_id=campaign_id), message)

    def link_numbers(self, req: LinkRequest) -> Submitted:
        """Link numbers (E.164 digits) to an active campaign."""
        what = f"link numbers to campaign {req.campaign_id}"
        _check(what, req.validate())
        params = req.params()
        _, record = self._submit(
            what, "number.link", self._client.campaign.number_link, params, _NUMBER_FIELDS,
            campaign_id=params["campaign_id"], numbers=tuple(params["numbers"]),
        )  # fmt: skip
        counted = plural(len(req.numbers), "number")
        message = f"{counted} submitted for linking to campaign {params['campaign_id']}"
        return self._accepted(record, message)

    def unlink_number(self, campaign_id: str, number: str) -> Submitted:
        """Unlink one number from its campaign."""
        digits = _digits(number)
        what = f"unlink {digits} from campaign {campaign_id}"
        errors = {} if campaign_id.strip() else {"campaign_id": "required"}
        if not digits.isdigit():
            errors["number"] = "not a phone number"
        _check(what, errors)
        params = {"campaign_id": campaign_id.strip(), "number": digits}
        _, record = self._submit(
            what, "number.unlink", self._client.campaign.number_unlink, params, _NUMBER_FIELDS,
            campaign_id=params["campaign_id"], numbers=(digits,),
        )  # fmt: skip
        message = f"unlink of {digits} from campaign {params['campaign_id']} submitted"
        return self._accepted(record, message)

    def delete_brand(self, brand_id: str) -> Submitted:
        """Deactivate a brand (only allowed without active campaigns; irreversible)."""
        what = f"delete brand {brand_id}"
        _check(what, {} if brand_id.strip() else {"brand_id": "required"})
        params = {"brand_id": brand_id.strip()}
        _, record = self._submit(
            what, "brand.delete", self._client.brand.delete, params, {},
            brand_id=params["brand_id"], with_callback=False,
        )  # fmt: skip
        return self._accepted(record, f"brand {params['brand_id']} deleted")

    # ---- plumbing -----------------------------------------------------------------------

    def _current_callback_url(self) -> str:
        url = self._callback_url() if callable(self._callback_url) else self._callback_url
        return url or ""

    def _submit(
        self,
        what: str,
        action: str,
        call: Callable[..., Any],
        params: dict[str, Any],
        fields: Mapping[str, str],
        *,
        brand_id: str | None = None,
        campaign_id: str | None = None,
        numbers: tuple[str, ...] = (),
        with_callback: bool = True,
    ) -> tuple[dict[str, Any], RequestRecord]:
        """Send one request with url/method filled in; a failure is journaled, then raised."""
        if refusal := getattr(self._store, "refuses_records", None):  # e.g. a read-only attach
            raise GatewayError(refusal)
        sent = dict(params)
        if with_callback:
            sent |= {"url": self.callback_url, "method": self._method}
        record = RequestRecord(
            id=self._ids(), at=self._clock(), action=action, params=plain(sent), ok=False,
            brand_id=brand_id, campaign_id=campaign_id, numbers=numbers,
        )  # fmt: skip
        data: Any = None
        try:
            data, status = self._calls.request(what, call, fields=fields, **sent)
            answer = self._calls.checked(what, data, status, fields)
            return answer, replace(record, response=answer)
        except GatewayError as err:
            response = data if isinstance(data, dict) else None
            _, note = self._record(replace(record, error=err.message, response=response))
            if note:
                raise GatewayError(
                    f"{err.message} ({note})", status=err.status, field=err.field
                ) from err
            err.journaled = True
            raise

    def _accepted(self, record: RequestRecord, message: str) -> Submitted:
        """Journal an accepted request and say so (a store failure is a note, not an error)."""
        done, note = self._record(replace(record, ok=True))
        return Submitted(
            done,
            f"{message} ({note})" if note else message,
            brand_id=done.brand_id,
            campaign_id=done.campaign_id,
            numbers=done.numbers,
            journal_error=note,
        )

    def _record(self, record: RequestRecord) -> tuple[RequestRecord, str | None]:
        """Journal through the store -> (the record as journaled, with its seq; a note when
        the store could not keep it)."""
        if self._store is None:
            return record, None
        url = record.params.get("url") or None
        try:
            change = self._store.record_request_threadsafe(record, callback_url=url)
        except Exception as exc:  # the request already happened: report it, never hide it
            return record, f"not saved to the store: {exc}"
        journaled = getattr(change, "request", None)
        return (journaled if isinstance(journaled, RequestRecord) else record), None


def _digits(number: str) -> str:
    """A number as E.164 digits when parse_numbers would read it, else as typed without '+'."""
    return normalise_number(number) or number.strip().lstrip("+")
