"""Which article urls are kept, and may become links: http(s) only, one piece, no tricks.

An article's url is checked once, when the article is read (`index.articles`): a url that fails is
dropped with a warning naming the file, so no later medium (the chat's links, the Markdown export,
a terminal listing) ever meets a `javascript:` link, a line break or a space that ends a link early.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

WEB_SCHEMES = ("http", "https")
_NEVER_IN_URLS = frozenset('<>"`\\')
"""Characters RFC 3986 leaves out of addresses that would end a link or an attribute early; browsers read a backslash as `/`."""


def url_problem(url: str) -> str | None:
    """Why `url` is not a plain web address (http or https, with a host; no whitespace, control or format characters,
    no < > " ` or backslash, no user:password@ before the host); None when it is one."""
    if not url.lower().startswith(("http://", "https://")):
        return "is not an http(s) address"
    if any(char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Zs") for char in url):
        return "holds whitespace or control characters"
    if any(char in _NEVER_IN_URLS for char in url):
        return 'holds a character that is never part of an address (< > " ` \\)'
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError as error:
        return f"cannot be read as an address ({error})"
    if parts.scheme.lower() not in WEB_SCHEMES or not host:
        return "has no host"
    if "@" in parts.netloc:
        return "names a user or password before the host (a way to disguise where a link goes)"
    return None


def is_web_url(url: str) -> bool:
    """Whether `url` may be shown as a link (`url_problem` finds nothing: never `javascript:` or `data:`)."""
    return bool(url) and url_problem(url) is None
