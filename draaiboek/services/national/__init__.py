"""The national picture: stations forward their journals to a shared PostgreSQL store, which
checks every event, and one overview reads it.

Modules: ``connect`` (libpq URLs, TLS, one-line errors), ``migrations`` (schema, roles, purge),
``chain`` (an event as the bytes its hash covers), ``ingest`` (one batch into the store),
``acks`` (what a station knows was stored), ``forward`` (an incident's journal to the store),
``background`` (forwarding beside a walk), ``targets`` and ``numbers`` (what the overview
computes), ``overview`` (reading the store), ``verify`` (local journal against the store),
``page`` (the read-only web page).

psycopg, Starlette and uvicorn are the optional extra ``draaiboek[national]``: only these
modules import them, and only inside the functions that need them.
"""
