"""The Gateway's lifecycle calls: profiles, brand delete/OTP, campaign update/delete/import,
the account's numbers, and raw reads for the headless verbs. Mixed into Gateway."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from plivo_client.account_requests import (
    CampaignImport,
    CampaignUpdate,
    ProfileRequest,
    ProfileUpdate,
)
from plivo_client.types import GatewayError, Submitted
from plivo_client.types import refuse_invalid as _check

if TYPE_CHECKING:
    import plivo

    from plivo_client.sdk import SdkCalls
    from receiver.domain.models import RequestRecord

_PROFILE_FIELDS = {"profile_uuid": "profile_uuid", "profile_alias": "profile_alias"}
_CAMPAIGN_FIELDS = {"campaign_id": "campaign_id", "campaign_alias": "campaign_alias"}
ACCOUNT_NUMBER_FILTERS = (
    "type", "number_startswith", "alias", "services", "tendlc_registration_status",
    "tendlc_campaign_id",
)  # fmt: skip


class LifecycleCalls:
    """Needs the Gateway's `_client`, `_calls`, `_submit`, `_accepted` and `_check`."""

    _client: plivo.RestClient
    _calls: SdkCalls
    _submit: Callable[..., tuple[dict[str, Any], RequestRecord]]
    _accepted: Callable[[RequestRecord, str], Submitted]

    # ---- raw reads: the API's own objects, for printing ---------------------------------

    def read_profiles(self) -> list[dict[str, Any]]:
        return self._calls.paged(
            "list profiles", self._client.profile.list, "profiles", "profile_uuid"
        )

    def read_profile(self, profile_uuid: str) -> dict[str, Any]:
        what = f"get profile {profile_uuid}"
        data = self._calls.read(what, self._client.profile.get, profile_uuid)
        return self._calls.part(what, data, "profile")

    def read_brands(self) -> list[dict[str, Any]]:
        return self._calls.paged("list brands", self._client.brand.list, "brands", "brand_id")

    def read_brand(self, brand_id: str) -> dict[str, Any]:
        what = f"get brand {brand_id}"
        data = self._calls.read(what, self._client.brand.get, brand_id)
        return self._calls.part(what, data, "brand")

    def read_campaigns(self, brand_id: str | None = None) -> list[dict[str, Any]]:
        def fetch(limit: int, offset: int) -> Any:
            return self._client.campaign.list(brand_id=brand_id, limit=limit, offset=offset)

        return self._calls.paged("list campaigns", fetch, "campaigns", "campaign_id")

    def read_campaign(self, campaign_id: str) -> dict[str, Any]:
        what = f"get campaign {campaign_id}"
        data = self._calls.read(what, self._client.campaign.get, campaign_id)
        return self._calls.part(what, data, "campaign")

    def read_campaign_numbers(self, campaign_id: str) -> list[dict[str, Any]]:
        def fetch(limit: int, offset: int) -> Any:
            return self._client.campaign.get_numbers(campaign_id, limit=limit, offset=offset)

        what = f"list numbers of campaign {campaign_id}"
        return self._calls.paged(what, fetch, "phone_numbers", "number")

    def account_numbers(self, **filters: str) -> list[dict[str, Any]]:
        """The account's rented numbers (Plivo's Number API), each with tendlc_campaign_id and
        tendlc_registration_status."""
        wanted = {k: v for k, v in filters.items() if k in ACCOUNT_NUMBER_FILTERS and v}

        def fetch(limit: int, offset: int) -> Any:
            return self._client.request(
                "GET", ("Number",), {**wanted, "limit": limit, "offset": offset}
            )

        rows = self._calls.paged("list the account's numbers", fetch, "objects", "number")
        return [{k: v for k, v in row.items() if not k.startswith("_")} for row in rows]

    # ---- profiles (journaled; no callbacks) ---------------------------------------------

    def create_profile(self, req: ProfileRequest) -> Submitted:
        what = "create profile"
        _check(what, req.validate())
        data, record = self._submit(
            what, "profile.create", self._client.profile.create, req.params(), _PROFILE_FIELDS,
            with_callback=False,
        )  # fmt: skip
        uuid = str(data.get("profile_uuid") or "")
        alias = req.params()["profile_alias"]
        message = f"profile {uuid} ({alias}) created" if uuid else f"profile {alias} created"
        return self._accepted(record, message)

    def update_profile(self, req: ProfileUpdate) -> Submitted:
        what = f"update profile {req.profile_uuid}"
        _check(what, req.validate())

        def call(profile_uuid: str, **params: Any) -> Any:
            return self._client.profile.update(profile_uuid, params)

        params = {"profile_uuid": req.profile_uuid.strip(), **req.params()}
        _, record = self._submit(
            what, "profile.update", call, params, _PROFILE_FIELDS, with_callback=False
        )
        return self._accepted(record, f"profile {params['profile_uuid']} updated")

    def delete_profile(self, profile_uuid: str) -> Submitted:
        what = f"delete profile {profile_uuid}"
        _check(what, {} if profile_uuid.strip() else {"profile_uuid": "required"})
        params = {"profile_uuid": profile_uuid.strip()}
        _, record = self._submit(
            what, "profile.delete", self._client.profile.delete, params, _PROFILE_FIELDS,
            with_callback=False,
        )  # fmt: skip
        return self._accepted(record, f"profile {params['profile_uuid']} deleted")

    # ---- brands -------------------------------------------------------------------------

    def brand_otp(self, brand_id: str) -> Submitted:
        """Re-send a STARTER brand's OTP (plivo-python has no method: the SDK's own request)."""
        what = f"send the OTP of brand {brand_id}"
        _check(what, {} if brand_id.strip() else {"brand_id": "required"})
        bid = brand_id.strip()

        def call(brand_id: str) -> Any:
            return self._client.request("POST", ("10dlc", "Brand", brand_id, "OTP"), {})

        data, record = self._submit(
            what, "brand.otp", call, {"brand_id": bid}, {}, brand_id=bid, with_callback=False
        )
        told = str(data.get("message") or "").strip()
        return self._accepted(record, f"brand {bid}: {told or 'OTP sent'}")

    # ---- campaigns ----------------------------------------------------------------------

    def update_campaign(self, req: CampaignUpdate) -> Submitted:
        """Resubmit a FAILED campaign with changed fields (a new registration cycle)."""
        what = f"update campaign {req.campaign_id}"
        _check(what, req.validate())
        cid = req.campaign_id.strip()
        _, record = self._submit(
            what, "campaign.update", self._client.campaign.update,
            {"campaign_id": cid, **req.params()}, _CAMPAIGN_FIELDS,
            campaign_id=cid, with_callback=False,
        )  # fmt: skip
        return self._accepted(record, f"campaign {cid} resubmitted")

    def delete_campaign(self, campaign_id: str) -> Submitted:
        """Deactivate a campaign (irreversible; its numbers are released)."""
        what = f"delete campaign {campaign_id}"
        _check(what, {} if campaign_id.strip() else {"campaign_id": "required"})
        cid = campaign_id.strip()
        _, record = self._submit(
            what, "campaign.delete", self._client.campaign.delete, {"campaign_id": cid},
            _CAMPAIGN_FIELDS, campaign_id=cid, with_callback=False,
        )  # fmt: skip
        return self._accepted(record, f"campaign {cid} deactivated")

    def import_campaign(self, req: CampaignImport) -> Submitted:
        what = f"import campaign {req.campaign_id}"
        _check(what, req.validate())
        params = req.params()
        data, record = self._submit(
            what, "campaign.import", self._client.campaign.import_campaign, params,
            _CAMPAIGN_FIELDS, campaign_id=params["campaign_id"],
        )  # fmt: skip
        cid = str(data.get("campaign_id") or params["campaign_id"])
        return self._accepted(
            replace(record, campaign_id=cid),
            f"campaign {cid} ({params['campaign_alias']}) import submitted",
        )


__all__ = ["ACCOUNT_NUMBER_FILTERS", "GatewayError", "LifecycleCalls"]
