"""`--attach URL`: a store that lives on a `tendlc receive --serve-api` server, used from here.

`client` (the API over HTTP: reads, records, the stream's events), `store` (a local mirror
with the Store's read interface, kept live from the stream, recording on the server),
`receiver` (what the console shows in place of a local receiver).
"""
