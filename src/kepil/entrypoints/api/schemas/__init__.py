"""API schemas: what crosses the HTTP edge, validated on the way in and documented in OpenAPI."""
