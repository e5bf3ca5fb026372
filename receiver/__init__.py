"""The receiver: everything that works without a screen and without Plivo's API.

`server` (the aiohttp callback server on 127.0.0.1: size limit, parse, verify, journal, ack),
`parse` (bodies and query strings into classified events), `signature` (V2, Ma-V2 and V3),
`refused` (what was turned away, kept bounded), `safetext` (network text made encodable),
`config` (settings shared with the command line), `resend` (re-sending a stored callback),
`forward` (accepted callbacks re-sent to your handler), `api` (the store over HTTP for
`--serve-api`), `inbox` (headless verbs recording through the writer), `connguard` (the
connection cap and per-request read deadline, and the bounded body read), `binding`
(loopback or not, bind errors in words, a pre-bound socket), `opening` (the store opened on
a thread, so the port binds first). Subpackages: `domain` (the model and status rules),
`store` (journal, registry snapshot, files) and `tunnels` (public URLs).

May import: its own subpackages, the standard library, aiohttp, yarl, tinydb, platformdirs.
Never tui, tendlc, sandbox, plivo_client or textual (`lint-imports`, pyproject.toml).
"""
