"""How a moto gap patch replaces a method of moto's: once, keeping the original inside."""

from __future__ import annotations

from typing import Any, Callable


def wrap_once(cls: type, name: str, wrap: Callable[[Any], Any]) -> None:
    """Replaces ``cls.name`` by ``wrap(cls.name)`` unless already done."""
    original = getattr(cls, name)
    if not getattr(original, "_emulator_wrapped", False):
        wrapped = wrap(original)
        wrapped._emulator_wrapped = True
        setattr(cls, name, wrapped)
