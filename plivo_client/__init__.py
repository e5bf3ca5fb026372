"""The Plivo client: every 10DLC call tendlc makes, through the official `plivo` SDK.

`gateway` (the one door to Plivo, journaling each request), `types` (what it hands back),
`sdk` (running SDK calls: status capture, errors, pagination), `validation` (what the forms
submit, with Plivo's documented checks), `preflight` (checks before a submission),
`reconcile` (reading state back into the store), `compliance` (the campaign check), `fees`
(published fees and throughput).

May import: receiver (domain, store, config), sandbox.transport (to route the SDK to the
sandbox), plivo, requests. Never textual, tui or tendlc.
"""
