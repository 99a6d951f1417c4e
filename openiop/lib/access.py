"""The shape every access gate answers in (STYLE.md §2): the row and what the user may do.

A gate (an app's `access.py`) raises Http404 when the user has no relationship to the row and
PermissionDenied when they may read it but asked to change it; otherwise it returns
`Granted(row, access)`, which unpacks as `row, access = ...`.
"""

import enum
from typing import Generic, NamedTuple, TypeVar

T = TypeVar("T")


class Access(enum.IntEnum):
    NONE = 0
    READ = 1
    WRITE = 2


class Granted(NamedTuple, Generic[T]):
    row: T
    access: Access

    @property
    def can_write(self) -> bool:
        return self.access >= Access.WRITE
