"""The review page: a small ASGI app a buyer reaches from the e-mailed link."""
