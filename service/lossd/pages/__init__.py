"""The pages people open: the landing page, the docs explorer (Swagger UI) and ReDoc.

Templates are in templates/, lossd's own assets in static/; Swagger UI's and ReDoc's come with the
`fastapi-offline` package (pinned in pyproject.toml), so nothing is fetched from a CDN: the pages work
on a network with no way out.
"""

from .router import install

__all__ = ["install"]
