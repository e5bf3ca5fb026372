"""The sandbox's REST handlers: every route of plivo-10dlc.md §6, shaped like Plivo's answers."""

from __future__ import annotations

from collections import Counter
from typing import Any

from aiohttp import web

from sandbox.api import profile_rules, rules
from sandbox.api.numbers import NumberApi
from sandbox.api.wire import Body, limit_offset, page, query_text
from sandbox.carriers import mno_metadata
from sandbox.scheduler import Scheduler
from sandbox.seed import STARTER_USECASE, USECASE_CATALOG
from sandbox.world import BRAND_COMPANY_FIELDS, Brand, Campaign, LinkedNumber, Profile, World

PREFIX = "/v1/Account/{auth_id}/"
NUMBER_POOL_LIMIT = 49


class Api:
    """Handlers bound to one world and its scheduler."""

    def __init__(self, world: World, scheduler: Scheduler) -> None:
        self.world = world
        self.scheduler = scheduler

    def routes(self) -> list[web.RouteDef]:
        table = [
            ("POST", "Profile", self.create_profile),
            ("GET", "Profile", self.list_profiles),
            ("GET", "Profile/{profile_uuid}", self.get_profile),
            ("POST", "Profile/{profile_uuid}", self.update_profile),
            ("DELETE", "Profile/{profile_uuid}", self.delete_profile),
            ("POST", "10dlc/Brand", self.create_brand),
            ("GET", "10dlc/Brand", self.list_brands),
            ("GET", "10dlc/Brand/{brand_id}", self.get_brand),
            ("DELETE", "10dlc/Brand/{brand_id}", self.delete_brand),
            ("GET", "10dlc/Brand/{brand_id}/usecases", self.brand_usecases),
            ("POST", "10dlc/Brand/{brand_id}/OTP", self.brand_otp),
            ("POST", "10dlc/Campaign/Import", self.import_campaign),
            ("POST", "10dlc/Campaign", self.create_campaign),
            ("GET", "10dlc/Campaign", self.list_campaigns),
            ("GET", "10dlc/Campaign/{campaign_id}", self.get_campaign),
            ("POST", "10dlc/Campaign/{campaign_id}", self.update_campaign),
            ("DELETE", "10dlc/Campaign/{campaign_id}", self.delete_campaign),
            ("POST", "10dlc/Campaign/{campaign_id}/Number", self.link_numbers),
            ("GET", "10dlc/Campaign/{campaign_id}/Number", self.list_numbers),
            ("GET", "10dlc/Campaign/{campaign_id}/Number/{number}", self.get_number),
            ("DELETE", "10dlc/Campaign/{campaign_id}/Number/{number}", self.unlink_number),
            *NumberApi(self.world).table(),
        ]
        out = []
        for method, path, handler in table:
            for variant in (PREFIX + path, PREFIX + path + "/"):
                out.append(web.route(method, variant, handler))
        return out

    def _answer(self, data: dict[str, Any], status: int = 200) -> web.Response:
        return web.json_response({"api_id": self.world.mint.api_id(), **data}, status=status)

    # --- lookups --------------------------------------------------------------------------

    def _profile(self, request: web.Request) -> Profile:
        return rules.find(self.world.profiles, request.match_info["profile_uuid"], "Profile")

    def _brand(self, request: web.Request) -> Brand:
        return rules.find(self.world.brands, request.match_info["brand_id"], "Brand")

    def _campaign(self, request: web.Request) -> Campaign:
        return rules.find(self.world.campaigns, request.match_info["campaign_id"], "Campaign")

    def _list(self, request: web.Request, name: str, items: list[Any]) -> web.Response:
        limit, offset = limit_offset(request)
        rows, meta = page(request, items, limit, offset)
        return self._answer({"meta": meta, name: [r.to_json() for r in rows]})

    # --- profiles ---------------------------------------------------------------------------

    async def create_profile(self, request: web.Request) -> web.Response:
        text, address, contact = profile_rules.profile_create(await Body.read(request))
        uuid = self.world.mint.uuid()
        self.world.profiles[uuid] = Profile(
            profile_uuid=uuid,
            profile_type="SECONDARY",
            created_at=self.world.clock(),
            text=text,
            address=address,
            authorized_contact=contact,
            primary_profile=self.world.primary.profile_uuid,
        )
        return self._answer({"message": "Profile created successfully.", "profile_uuid": uuid})

    async def list_profiles(self, request: web.Request) -> web.Response:
        items = list(self.world.profiles.values())
        if entity := query_text(request, "entity_type"):
            items = [p for p in items if p.text.get("entity_type") == entity]
        if kind := query_text(request, "type").upper():
            items = [p for p in items if p.profile_type == kind]
        if vertical := query_text(request, "vertical"):
            items = [p for p in items if p.text.get("vertical") == vertical]
        return self._list(request, "profiles", items)

    async def get_profile(self, request: web.Request) -> web.Response:
        return self._answer({"profile": self._profile(request).to_json()})

    async def update_profile(self, request: web.Request) -> web.Response:
        profile = self._profile(request)
        profile_rules.profile_update(profile, await Body.read(request))
        return self._answer({"profile": profile.to_json()})

    async def delete_profile(self, request: web.Request) -> web.Response:
        profile = self._profile(request)
        profile_rules.profile_delete(self.world, profile)
        del self.world.profiles[profile.profile_uuid]
        return self._answer({"message": "Profile deleted successfully."})

    # --- brands -----------------------------------------------------------------------------

    async def create_brand(self, request: web.Request) -> web.Response:
        body = await Body.read(request)
        req = rules.brand_create(self.world, body)
        cb = rules.callback(body)
        company = req.profile.to_json()
        brand = Brand(
            brand_id=self.world.mint.brand_id(),
            brand_alias=req.alias,
            brand_type=req.brand_type,
            profile_uuid=req.profile.profile_uuid,
            created_at=self.world.clock(),
            company={k: company[k] for k in BRAND_COMPANY_FIELDS if k in company},
            secondary_vetting=req.secondary_vetting,
            business_contact_email=body.text("business_contact_email"),
            url=cb.url,
            method=cb.method,
            mobile_phone=req.mobile_phone,
        )
        self.world.brands[brand.brand_id] = brand
        self.scheduler.brand_submitted(brand)
        return self._answer(
            {
                "brand_id": brand.brand_id,
                "message": "Request to create brand was received and is being processed.",
            }
        )

    async def list_brands(self, request: web.Request) -> web.Response:
        items = list(self.world.brands.values())
        if kind := query_text(request, "type").upper():
            items = [b for b in items if b.brand_type == kind]
        # the SDK sends `status`, the docs name it `registration_status`: accept both
        if status := (
            query_text(request, "registration_status") or query_text(request, "status")
        ).upper():
            items = [b for b in items if b.registration_status == status]
        return self._list(request, "brands", items)

    async def get_brand(self, request: web.Request) -> web.Response:
        return self._answer({"brand": self._brand(request).to_json()})

    async def delete_brand(self, request: web.Request) -> web.Response:
        brand = self._brand(request)
        rules.brand_delete(self.world, brand)
        del self.world.brands[brand.brand_id]
        return self._answer({"brand_id": brand.brand_id, "message": "Brand Deactivated"})

    async def brand_usecases(self, request: web.Request) -> web.Response:
        brand = self._brand(request)
        if brand.brand_type == "STARTER":
            cases = [{"name": STARTER_USECASE[0], "code": "STARTER", "details": STARTER_USECASE[1]}]
        else:
            cases = [{"name": n, "code": c, "details": d} for c, (n, d) in USECASE_CATALOG.items()]
        return self._answer({"brand_id": brand.brand_id, "use_cases": cases})

    async def brand_otp(self, request: web.Request) -> web.Response:
        """Re-send a STARTER brand's OTP. The sandbox needs no YES: STARTER brands settle on
        their own (Plivo has paused STARTER registrations, so the real flow cannot be seen)."""
        brand = self._brand(request)
        return self._answer({"brand_id": brand.brand_id, "message": rules.brand_otp(brand)})

    # --- campaigns --------------------------------------------------------------------------

    async def create_campaign(self, request: web.Request) -> web.Response:
        fields = rules.campaign_create(self.world, await Body.read(request))
        campaign = Campaign(
            campaign_id=self.world.mint.campaign_id(),
            created_at=self.world.clock(),
            mno_metadata=mno_metadata(self.world.brands.get(fields["brand_id"])),
            **fields,
        )
        self.world.campaigns[campaign.campaign_id] = campaign
        self.scheduler.campaign_submitted(campaign)
        return self._answer(
            {
                "campaign_id": campaign.campaign_id,
                "message": "Request to create campaign was received and is being processed.",
            }
        )

    async def import_campaign(self, request: web.Request) -> web.Response:
        body = await Body.read(request)
        campaign_id, alias = rules.campaign_import(self.world, body)
        cb = rules.callback(body)
        self.world.mint.reserve(campaign_id)
        campaign = Campaign(
            campaign_id=campaign_id,
            brand_id="",
            created_at=self.world.clock(),
            campaign_alias=alias,
            campaign_source="shared",
            url=cb.url,
            method=cb.method,
            mno_metadata=mno_metadata(None),
        )
        self.world.campaigns[campaign_id] = campaign
        self.scheduler.campaign_submitted(campaign)
        return self._answer(
            {
                "campaign_id": campaign_id,
                "message": "Request to import campaign was received and is being processed.",
            }
        )

    async def list_campaigns(self, request: web.Request) -> web.Response:
        items = list(self.world.campaigns.values())
        if brand_id := query_text(request, "brand_id"):
            items = [c for c in items if c.brand_id == brand_id]
        if status := query_text(request, "registration_status").upper():
            items = [c for c in items if c.registration_status == status]
        if usecase := query_text(request, "usecase").upper():
            items = [c for c in items if c.usecase == usecase]
        if source := query_text(request, "campaign_source").lower():
            items = [c for c in items if c.campaign_source == source]
        return self._list(request, "campaigns", items)

    async def get_campaign(self, request: web.Request) -> web.Response:
        return self._answer({"campaign": self._campaign(request).to_json()})

    async def update_campaign(self, request: web.Request) -> web.Response:
        campaign = self._campaign(request)
        changes = rules.campaign_update(campaign, await Body.read(request))
        campaign.campaign_alias = changes.pop("campaign_alias", campaign.campaign_alias)
        campaign.reseller_id = changes.pop("reseller_id", campaign.reseller_id)
        campaign.text.update(changes)
        # Plivo answers with the campaign as it stood when the update arrived (the recorded
        # update response keeps FAILED); the resubmission to the carriers starts right after,
        # so the next read shows PROCESSING and a `created` callback follows.
        answer = self._answer({"campaign": campaign.to_json()})
        self.scheduler.campaign_submitted(campaign)
        return answer

    async def delete_campaign(self, request: web.Request) -> web.Response:
        campaign = self._campaign(request)
        rules.campaign_delete(self.world, campaign)
        campaign.registration_status = "EXPIRED"
        campaign.cycle += 1
        for entry in self.world.numbers_of(campaign.campaign_id):
            del self.world.numbers[entry.number]
        return self._answer(
            {"campaign_id": campaign.campaign_id, "message": "Campaign Deactivated"}
        )

    # --- numbers ----------------------------------------------------------------------------

    async def link_numbers(self, request: web.Request) -> web.Response:
        campaign = self._campaign(request)
        body = await Body.read(request)
        numbers = rules.link(self.world, campaign, body)
        cb = rules.callback(body)
        for number in numbers:
            previous = self.world.numbers.get(number)
            entry = LinkedNumber(
                number, campaign.campaign_id, cycle=previous.cycle if previous else 0
            )
            self.world.numbers[number] = entry
            self.scheduler.number_linked(entry, cb.url, cb.method)
        message = (
            f"Request to link {', '.join(numbers)} to campaign {campaign.campaign_id} "
            "was received and is being processed"
        )
        return self._answer({"message": message})

    def _numbers_answer(self, campaign: Campaign, entries: list[LinkedNumber]) -> web.Response:
        summary = Counter(n.status for n in self.world.numbers_of(campaign.campaign_id))
        return self._answer(
            {
                "campaign_alias": campaign.campaign_alias,
                "campaign_id": campaign.campaign_id,
                "phone_numbers": [n.to_json() for n in entries],
                "phone_numbers_summary": dict(summary),
                "number_pool_limit": NUMBER_POOL_LIMIT,
                "usecase": campaign.usecase,
            }
        )

    async def list_numbers(self, request: web.Request) -> web.Response:
        campaign = self._campaign(request)
        limit, offset = limit_offset(request)
        entries = self.world.numbers_of(campaign.campaign_id)[offset : offset + limit]
        return self._numbers_answer(campaign, entries)

    async def get_number(self, request: web.Request) -> web.Response:
        campaign = self._campaign(request)
        entry = rules.linked_number(self.world, campaign, request.match_info["number"])
        return self._numbers_answer(campaign, [entry])

    async def unlink_number(self, request: web.Request) -> web.Response:
        campaign = self._campaign(request)
        entry = rules.linked_number(self.world, campaign, request.match_info["number"])
        rules.unlink(entry)
        cb = rules.callback(await Body.read(request))
        self.scheduler.number_unlinking(entry, cb.url, cb.method)
        message = (
            f"Request to unlink {entry.number} from campaign {campaign.campaign_id} "
            "was received and is being processed"
        )
        return self._answer({"message": message}, status=202)
