"""The HTTP API: routes, access control, problem+json errors, and the front that serves it."""
