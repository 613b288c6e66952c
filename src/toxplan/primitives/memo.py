"""A computed attribute kept after its first read, without ``functools.cached_property``'s lock.

On Python 3.11 ``cached_property`` takes a lock on every first read, which the safety check
(a dozen derived facts per check, thousands of checks per second) pays for nothing: a check
context belongs to one thread. This descriptor stores the value in the instance's ``__dict__``
on first read; later reads never reach it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class cached(Generic[T]):
    def __init__(self, compute: Callable[[Any], T]) -> None:
        self.compute = compute
        self.name = compute.__name__
        self.__doc__ = compute.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | cached[T]:
        if instance is None:
            return self
        value = self.compute(instance)
        instance.__dict__[self.name] = value
        return value
