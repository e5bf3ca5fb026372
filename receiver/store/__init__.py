"""The store: journal, group commit, registry snapshot, load, unverified ring, files, exports.

One writer process keeps a directory of TinyDB files (README "The store"). Stages, in the
order a callback meets them: `store` (the Store facade), `commit` (group commit, and what a
durable entry applies to the registry), `journal` (segments), `nonces` (the replay index, in
SQLite), `snapshot` (registry.json), `load` and `salvage` (opening), `reads` (queries),
`unverified` (the refused ring), `entries` (entry shapes), `atomicdb` and `files` (file
writes, lock, modes), `export` (events and timelines as files).

May import: receiver.domain, receiver.safetext, the standard library, tinydb. Never tui,
sandbox or plivo_client.
"""
