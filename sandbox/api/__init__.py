"""The sandbox's REST API, shaped like Plivo's: `routes` (every 10DLC route), `numbers` (the
account's Number API), `rules` and `profile_rules` (the documented checks, as 400/404 errors),
`wire` (errors, Basic auth, body and query reading, list envelopes).

May import: sandbox (world, scheduler, outcomes, seed, ids, inventory), receiver.domain, aiohttp.
"""
