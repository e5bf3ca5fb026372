"""The receiver's HTTP side (aiohttp): `server` (the callback path and /healthz), `connguard`
(a read deadline per request and a cap on connections), `binding` (where it may listen),
`opening` (the store opened on a thread behind a bound port), `api` (`--serve-api`: the store
over HTTP with bearer tokens), `inbox` (the writer's loopback inbox for headless verbs).

May import: receiver (config, parse, refused, signature, safetext, forward, domain, store),
aiohttp. Never tui, tendlc, sandbox or plivo_client.
"""
