"""Access control beside the flow: accounts and sign-in (auth), sign-in sessions that survive a reload (sessions),
the client's address behind a trusted proxy (client), the prefecture scope every query obeys (scope) and the
tamper-evident audit log (audit). Imports config, db and text only, so every layer above may ask who is acting
and what they may see."""
