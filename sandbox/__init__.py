"""The offline Plivo 10DLC simulator (see DESIGN.md "The sandbox")."""

import logging

logging.getLogger("tendlc.sandbox").addHandler(logging.NullHandler())
