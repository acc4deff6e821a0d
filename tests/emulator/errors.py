"""Discord's REST error bodies, and the emulator's own misuse error.

Every refusal the emulator sends has Discord's shape ``{"code", "message"[, "errors"]}`` with
the real JSON error code (Discord docs, Topics > Opcodes and Status Codes > JSON Error Codes;
Reference > Error Messages for the nested ``errors`` object of 50035).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: JSON error codes used by the emulator (name → (code, Discord's message)).
UNKNOWN_CHANNEL = (10003, "Unknown Channel")
UNKNOWN_GUILD = (10004, "Unknown Guild")
UNKNOWN_MEMBER = (10007, "Unknown Member")
UNKNOWN_MESSAGE = (10008, "Unknown Message")
UNKNOWN_USER = (10013, "Unknown User")
UNKNOWN_WEBHOOK = (10015, "Unknown Webhook")
UNKNOWN_INTERACTION = (10062, "Unknown interaction")
UNKNOWN_APPLICATION_COMMAND = (10063, "Unknown application command")
MAX_WEBHOOKS = (30007, "Maximum number of webhooks reached (15)")
ALREADY_ACKNOWLEDGED = (40060, "Interaction has already been acknowledged.")
MISSING_ACCESS = (50001, "Missing Access")
CANNOT_EDIT_OTHERS = (50005, "Cannot edit a message authored by another user")
EMPTY_MESSAGE = (50006, "Cannot send an empty message")
NON_TEXT_CHANNEL = (50008, "Cannot send messages in a non-text channel")
MISSING_PERMISSIONS = (50013, "Missing Permissions")
WRONG_CHANNEL_TYPE = (50024, "Cannot execute action on this channel type")
INVALID_WEBHOOK_TOKEN = (50027, "Invalid Webhook Token")
INVALID_FORM_BODY = (50035, "Invalid Form Body")
INVALID_JSON = (50109, "The request body contains invalid JSON.")
THREAD_ALREADY_CREATED = (160004, "A thread has already been created for this message")


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem at a path inside the request body, e.g. ``("embeds", 0, "title")``."""

    path: tuple[str | int, ...]
    #: Discord's error type string, e.g. BASE_TYPE_MAX_LENGTH.
    code: str
    message: str


def nest_errors(problems: Iterable[FieldError]) -> dict[str, Any]:
    """Build Discord's nested ``errors`` object: path keys as strings, leaves under ``_errors``."""
    root: dict[str, Any] = {}
    for problem in problems:
        node = root
        for key in problem.path:
            node = node.setdefault(str(key), {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return root


class ApiError(Exception):
    """A refusal in Discord's words; the REST layer turns it into the HTTP response."""

    def __init__(self, status: int, code: int, message: str, errors: dict[str, Any] | None = None):
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    @classmethod
    def of(cls, status: int, known: tuple[int, str]) -> ApiError:
        return cls(status, known[0], known[1])

    @classmethod
    def invalid_form(cls, problems: Iterable[FieldError]) -> ApiError:
        return cls(400, INVALID_FORM_BODY[0], INVALID_FORM_BODY[1], nest_errors(problems))

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "code": self.code}
        if self.errors is not None:
            body["errors"] = self.errors
        return body


def unauthorized() -> ApiError:
    return ApiError(401, 0, "401: Unauthorized")


def not_found() -> ApiError:
    return ApiError(404, 0, "404: Not Found")


def method_not_allowed() -> ApiError:
    return ApiError(405, 0, "405: Method Not Allowed")


class EmulatorUsageError(Exception):
    """A test asked the emulator for something Discord's own client would never send.

    Example: invoking a command the bot never registered, or choosing a select-menu value the
    menu does not offer.  This is a bug in the test, not in the bot, so it is raised in the test.
    """
