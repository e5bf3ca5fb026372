"""A script's request shows up live in a running console (the verb records through the
console's inbox, the console's receiver takes the sandbox's callbacks)."""

from __future__ import annotations

import asyncio

from click.testing import CliRunner

from receiver.domain.models import ResourceType
from tendlc.main import main
from tui.widgets.resource_table import ResourceTable


async def test_a_scripts_brand_appears_and_settles_in_the_console(stack, started, wait_for):
    box = stack.sandbox
    stack.receiver.inbox_info = lambda: {
        "sandbox": {"api_url": box.base_url, "auth_id": box.auth_id, "auth_token": box.auth_token}
    }
    env = {"PLIVO_AUTH_ID": "", "PLIVO_AUTH_TOKEN": "", "TENDLC_DB": str(stack.path)}
    async with stack.app.run_test(size=(120, 36)) as pilot:
        await started(pilot)
        profiles = await asyncio.to_thread(
            CliRunner().invoke, main, ["profile", "list", "--json"], env=env
        )
        assert profiles.exit_code == 0, profiles.output
        uuid = next(
            line.split('"')[3] for line in profiles.stdout.splitlines() if '"profile_uuid"' in line
        )
        result = await asyncio.to_thread(
            CliRunner().invoke,
            main,
            ["brand", "create", "--profile-uuid", uuid, "--brand-alias", "from-a-script"],
            env=env,
        )
        assert result.exit_code == 0, result.output
        brand_id = result.stdout.split()[1]
        table = stack.app.screen.query_one("#brand-table", ResourceTable)
        await wait_for(pilot, lambda: brand_id in table.rows, "the script's brand in the table")
        await wait_for(
            pilot,
            lambda: table.get_cell(brand_id, "badge").plain.strip() == "registered",
            "the callbacks to register it",
        )
        resource = stack.store.registry.get(ResourceType.BRAND, brand_id)
        assert resource.name == "from-a-script"
        # the script's request is in its timeline (callbacks may have beaten its record)
        assert "request" in [t.cause.value for t in resource.timeline]
