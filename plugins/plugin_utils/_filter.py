# Copyright: (c) 2026, runnerfleet maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the collection's filters share: the checks of their inputs, and the model's errors turned into
AnsibleFilterError. Every message starts with the filter's name: `<filter>: <what> must be ...`.

- listing, mapping, string, boolean: the value when it has that type, else AnsibleFilterError naming `what`;
- refusing: a context in which the model's errors (ValueError subclasses whose messages name the value at fault)
  become AnsibleFilterError;
- model_filter: a model function as a filter, with the same arguments and its errors refused that way.

Note that this plugin util is PRIVATE to the collection. It can have breaking changes at any time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from ansible.errors import AnsibleFilterError


def listing(filter_name: str, what: str, value: object) -> Sequence:
    """value when it is a list (any sequence but a string)."""
    return _typed(filter_name, what, value, isinstance(value, Sequence) and not isinstance(value, str), "a list")


def mapping(filter_name: str, what: str, value: object) -> Mapping:
    """value when it is a mapping."""
    return _typed(filter_name, what, value, isinstance(value, Mapping), "a mapping")


def string(filter_name: str, what: str, value: object) -> str:
    """value when it is a string."""
    return _typed(filter_name, what, value, isinstance(value, str), "a string")


def boolean(filter_name: str, what: str, value: object) -> bool:
    """value when it is true or false (not a string or a number that reads like one)."""
    return _typed(filter_name, what, value, isinstance(value, bool), "true or false")


def _typed(filter_name: str, what: str, value, fits: bool, kind: str):
    if not fits:
        raise AnsibleFilterError(f"{filter_name}: {what} must be {kind}, got {type(value).__name__}")
    return value


@contextmanager
def refusing(filter_name: str, *errors: type[Exception]) -> Iterator[None]:
    """Raise the model's errors met inside as AnsibleFilterError naming the filter (without the model's traceback)."""
    try:
        yield
    except errors as error:
        raise AnsibleFilterError(f"{filter_name}: {error}") from None


def model_filter(filter_name: str, function: Callable, *errors: type[Exception]) -> Callable:
    """function as the filter filter_name: the same arguments and result, its errors refused naming the filter."""

    @functools.wraps(function)
    def wrapped(*args, **kwargs):
        with refusing(filter_name, *errors):
            return function(*args, **kwargs)

    wrapped.__name__ = wrapped.__qualname__ = filter_name
    return wrapped
