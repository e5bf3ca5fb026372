"""The headless twins of every form: `profile`, `brand`, `campaign` (+ `campaign_check`),
`number`; `common` (options, inputs, output, exit codes), `session` (a Gateway whose requests
land in the store, locally or through the writer's inbox), `waiting` (`--wait`).

May import: plivo_client, receiver, click. Never textual or tui.
"""
