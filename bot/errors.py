"""newsbot's one error tree.  Each error names what it is about (file, url, key) and chains its cause.

    NewsbotError
    ├── ConfigError      a config file that does not validate (file, line, key)
    ├── SourceError      a feed, page or file that cannot be read or parsed (source)
    │   ├── FetchError   HTTP/network failure (url, status)
    │   │   └── AddressRefusedError  the URL leads to an address the operator has not allowed
    │   └── ParseError   bytes that are not a feed / article we can read
    │       └── PageNotFeedError  a feed URL that serves an HTML page (the page is kept)
    ├── StoreError       the database refused or failed
    └── DeliveryError    Discord refused a post (status, code)
"""

from __future__ import annotations


class NewsbotError(Exception):
    """Base of every error newsbot raises on purpose."""


class ConfigError(NewsbotError):
    """The admins' config is invalid; ``problems`` lists every finding, each already readable."""

    def __init__(self, message: str, *, file: str | None = None, problems: list[str] | None = None):
        super().__init__(message)
        self.file = file
        self.problems = problems or [message]


class SourceError(NewsbotError):
    """A source (feed URL, feed file, article page or file) could not be used."""

    def __init__(self, source: str, message: str):
        super().__init__(f"{source}: {message}")
        self.source = source
        self.reason = message


class FetchError(SourceError):
    """The source could not be fetched: network error, timeout, HTTP error, too large."""

    def __init__(self, source: str, message: str, *, status: int | None = None, retry_after: float | None = None):
        super().__init__(source, message)
        self.status = status
        self.retry_after = retry_after


class AddressRefusedError(FetchError):
    """Nothing was fetched: the URL, a redirect or its host name leads to an address the bot may not
    connect to (not public, and not in ``network.allow_addresses``); the message says which and why."""


class ParseError(SourceError):
    """The bytes were fetched but are not a feed or article newsbot can read."""


class PageNotFeedError(ParseError):
    """A URL given as a feed serves an HTML page instead.

    Carries the page (``page_url`` after redirects, ``html`` decoded), so a caller that can also
    read an article page (``newsbot preview``) uses it instead of fetching it again.
    """

    def __init__(self, source: str, message: str, *, page_url: str, html: str):
        super().__init__(source, message)
        self.page_url = page_url
        self.html = html


class StoreError(NewsbotError):
    """The database failed; the driver's error is chained as ``__cause__``."""


class DeliveryError(NewsbotError):
    """Discord refused a post."""

    def __init__(self, message: str, *, status: int | None = None, code: int | None = None, retryable: bool = False):
        super().__init__(message)
        self.status = status
        self.code = code
        self.retryable = retryable
