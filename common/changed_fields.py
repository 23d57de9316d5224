"""Saving only the columns that changed, for the rows the decision's hot path writes.

viewflow saves a task whole at every transition (``task.save()``): an UPDATE of all
twenty columns, JSON included, for a change of owner or status. A model with this mixin
remembers the values it was loaded with — Django's documented ``from_db`` hook
("Customizing model loading") — and a plain ``save()`` of a loaded row writes only the
columns whose value differs, or nothing when none does. A new row, or a save that names
its ``update_fields``, behaves as Django's own — except that the UPDATE itself, for
plain values, is written directly (common/row_statements.py) rather than built
through a QuerySet, which cost more than the statement's round trip.
"""

import copy
from collections.abc import Collection
from typing import Any, Self

from .held_writes import hold_update
from .row_statements import UpdatesByKey


def _snapshot(value: Any) -> Any:
    return copy.deepcopy(value) if isinstance(value, dict | list) else value


class SavesChangedFields(UpdatesByKey):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if (
            not self._state.adding
            and getattr(self, "_loaded_values", None) is not None
            and not args
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            changed = self.changed_fields()
            if not changed:
                return
            if hold_update(self, changed):  # written with the action's last statement (held_writes.py)
                self._remember_loaded_values()
                return
            kwargs["update_fields"] = changed
        super().save(*args, **kwargs)
        self._remember_loaded_values()

    @classmethod
    def from_db(cls, db: str | None, field_names: Collection[str], values: Collection[Any], **kwargs: Any) -> Self:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._remember_loaded_values()
        return instance

    def _remember_loaded_values(self) -> None:
        loaded = self.__dict__
        # JSON values are copied, as viewflow and the services change task.data in place;
        # other values (a flow node, a date) are replaced, never changed in place.
        self._loaded_values = {
            field.attname: _snapshot(loaded[field.attname])
            for field in self._meta.concrete_fields
            if field.attname in loaded
        }

    def changed_fields(self) -> list[str]:
        """The names of the loaded columns whose value is no longer the one read."""
        loaded = getattr(self, "_loaded_values", None) or {}
        return [
            field.name
            for field in self._meta.concrete_fields
            if field.attname in loaded and getattr(self, field.attname) != loaded[field.attname]
        ]
