"""The remote store: an httpx client of the project's own HTTP API (``billing-desktop serve``).
It satisfies the same gateway (``store.ports.Store``: read / write a use case) as the local
SQL store, through ``api``'s operations and codec; the offline replica and outbox build on it."""
