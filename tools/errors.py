"""The errors tools raise for problems a user can fix. The CLI prints their message and exits non-zero."""

from __future__ import annotations


class ToolInputError(ValueError):
    """Bad input to a tool (empty, malformed, too large, unknown id); the message says what to do."""


class UnknownPathwayError(ToolInputError, LookupError):
    """A pathway id that the knowledge base does not hold."""


class OnlineServiceError(RuntimeError):
    """A web service (Reactome, WikiPathways) failed after retries, or answered something unreadable."""
