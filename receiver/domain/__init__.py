"""The domain model: brands, campaigns and numbers, their statuses, and the registry.

`models` (the values every part shares), `vocab` (Plivo's enums and documented limits),
`status` (what each callback, request and API status means for a badge), `registry` (the
current state, derived from journal entries), `declines` (rejection codes in plain words).

May import: the standard library only. Never the store, tui, sandbox or plivo_client.
"""
