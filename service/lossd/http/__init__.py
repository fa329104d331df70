"""The HTTP layer: body reading, wire schemas, routes and problem responses. No torch here."""
