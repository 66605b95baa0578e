# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Request parameters the way Grape sees them (contract §1.1).

Grape merges the query string, a form (urlencoded or multipart) and a JSON body into one hash, coerces each
declared parameter to its type and ignores the undeclared ones. Failures are collected and reported together as
one 400 `{"error": "a is invalid, b is missing"}`.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

TRUE_WORDS = frozenset({"true", "1", "t", "yes", "y", "on"})
FALSE_WORDS = frozenset({"false", "0", "f", "no", "n", "off"})
_NESTED_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")


class ParamError(Exception):
    """One or more Grape parameter failures; the message is Grape's joined text."""

    def __init__(self, messages: Iterable[str]):
        self.messages = list(messages)
        super().__init__(", ".join(self.messages))


def _insert(target: dict, key: str, value: Any) -> None:
    """Rails-style keys: `tag_list[]=a` appends to a list, `info[name]=x` fills a hash."""
    match = _NESTED_KEY.match(key)
    if not match:
        target[key] = value
        return
    name, brackets = match.group(1), re.findall(r"\[([^\[\]]*)\]", match.group(2))
    node: Any = target
    parts = [name, *brackets]
    for index, part in enumerate(parts[:-1]):
        following = parts[index + 1]
        if isinstance(node, list):
            break
        default: Any = [] if following == "" else {}
        if not isinstance(node.get(part), type(default)):
            node[part] = default
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        node.append(value)
    elif last == "":
        node.setdefault(parts[-2], []).append(value)
    else:
        node[last] = value


def parse_pairs(pairs: Iterable[tuple[str, Any]], into: dict | None = None) -> dict:
    params = into if into is not None else {}
    for key, value in pairs:
        _insert(params, key, value)
    return params


def _multipart_pairs(body: bytes, content_type: str) -> list[tuple[str, str]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    pairs = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name:
            pairs.append((name, part.get_content() if part.get_content_maintype() == "text" else part.get_payload()))
    return pairs


def merge_request_params(query: str, body: bytes, content_type: str) -> dict:
    """Everything the request carries, as one hash (the body's values win over the query's, as in Rails)."""
    params = parse_pairs(parse_qsl(query, keep_blank_values=True))
    media_type = content_type.split(";", maxsplit=1)[0].strip().lower()
    if not body:
        return params
    if media_type == "application/json" or (not media_type and body.lstrip()[:1] in (b"{", b"[")):
        try:
            document = json.loads(body)
        except ValueError as error:
            raise ParamError(["There was a problem with the JSON you submitted"]) from error
        if isinstance(document, dict):
            params.update(document)
    elif media_type == "application/x-www-form-urlencoded":
        parse_pairs(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True), params)
    elif media_type == "multipart/form-data":
        parse_pairs(_multipart_pairs(body, content_type), params)
    return params


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def to_bool(value: Any) -> bool | None:
    """Grape's Boolean coercion: None for a value it rejects."""
    text = _scalar_text(value)
    if text is None:
        return None
    lowered = text.strip().lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    return None


def to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
        return int(value)
    return None


_QUOTED_TAGS = tuple(re.compile(r"(\A|,)\s*" + quote + r"(.*?)" + quote + r"\s*(?=,\s*|\Z)") for quote in ('"', "'"))


def _parse_tags(text: str) -> list[str]:
    """The model's tag parser: quoted tags (double, then single quotes) may hold commas; the rest split on commas."""
    tags: list[str] = []

    def take(match: re.Match) -> str:
        tags.append(match.group(2))
        return ""

    for pattern in _QUOTED_TAGS:
        text = pattern.sub(take, text)
    return tags + text.split(",")


def to_tag_list(value: Any) -> list[str] | None:
    """Grape's CommaSeparatedToArray (split on commas, strip), then the model's parser on the pieces joined with
    ", " (so a quoted tag keeps its commas); blanks dropped, duplicates removed, first occurrence kept."""
    if value is None:
        return []
    pieces: list[str] = []
    for item in value if isinstance(value, list) else [value]:
        text = _scalar_text(item)
        if text is None:
            return None
        pieces += [piece.strip() for piece in text.split(",")]
    tags: list[str] = []
    for raw in _parse_tags(", ".join(pieces)):
        tag = raw.strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


class Declared:
    """The declared parameters of one endpoint, coerced; failures gathered for one 400 answer."""

    def __init__(self, params: dict):
        self.raw = params
        self.values: dict[str, Any] = {}
        self.errors: list[str] = []

    def given(self, name: str) -> bool:
        return name in self.raw

    def _take(self, name: str, required: bool) -> tuple[bool, Any]:
        if name not in self.raw:
            if required:
                self.errors.append(f"{name} is missing")
            return False, None
        return True, self.raw[name]

    def _coerce(self, name: str, required: bool, convert: Callable[[Any], Any]) -> None:
        """Keep the converted value, or record "<name> is invalid" when the converter refuses it (None)."""
        present, value = self._take(name, required)
        if not present:
            return
        coerced = convert(value)
        if coerced is None:
            self.errors.append(f"{name} is invalid")
        else:
            self.values[name] = coerced

    def boolean(self, name: str, required: bool = False) -> None:
        self._coerce(name, required, to_bool)

    def integer(self, name: str, required: bool = False, allow_null: bool = False) -> None:
        if allow_null and name in self.raw and self.raw[name] is None:
            self.values[name] = None
            return
        self._coerce(name, required, to_int)

    def string(self, name: str, required: bool = False) -> None:
        present, value = self._take(name, required)
        if not present:
            return
        text = _scalar_text(value) if value is not None else None
        if value is not None and text is None:
            self.errors.append(f"{name} is invalid")
        else:
            self.values[name] = text

    def choice(self, name: str, allowed: Iterable[str], required: bool = False) -> None:
        present, value = self._take(name, required)
        if not present:
            if required:
                self.errors.append(f"{name} does not have a valid value")
            return
        if _scalar_text(value) not in set(allowed):
            self.errors.append(f"{name} does not have a valid value")
        else:
            self.values[name] = _scalar_text(value)

    def tag_list(self, name: str) -> None:
        self._coerce(name, False, to_tag_list)

    def mutually_exclusive(self, *names: str) -> None:
        if sum(name in self.raw for name in names) > 1:
            self.errors.append(f"{', '.join(names)} are mutually exclusive")

    def at_least_one_of(self, *names: str) -> None:
        if not any(name in self.raw for name in names):
            self.errors.append(f"{', '.join(names)} are missing, at least one parameter must be provided")

    def check(self) -> dict[str, Any]:
        if self.errors:
            raise ParamError(self.errors)
        return self.values
