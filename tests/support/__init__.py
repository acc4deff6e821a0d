"""Helpers shared by test suites: a local HTTP server for feeds and pages (:mod:`.feedserver`)."""

from tests.support.feedserver import (
    FeedServer,
    LocalResolver,
    RecordedRequest,
    Route,
    auto_etag,
    closed_port_url,
    local_session,
)

__all__ = ["FeedServer", "LocalResolver", "RecordedRequest", "Route", "auto_etag", "closed_port_url", "local_session"]
