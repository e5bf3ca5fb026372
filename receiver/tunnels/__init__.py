"""Tunnels that give the local receiver a public URL.

`base` (the status model and the Tunnel interface), one module per provider (`cloudflared`,
`ngrok`), and `factory` (`make_tunnel` for `--tunnel KIND`). Providers import `base` only.

May import: receiver.tunnels.base, the standard library (and the optional `ngrok` package).
"""
