"""What changed between two versions of a value map: one line per changed field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from impactkit.sroi._model import ValueMap


class MapChange(BaseModel):
    """One difference between two value maps.

    ``path`` locates the field like the map's own errors do (``outcomes[Into work].proxy.value``,
    with outcomes, stakeholders and inputs named rather than numbered, so that reordering them
    is not a change); ``kind`` is ``added``, ``removed`` or ``changed``.
    """

    path: str
    kind: str
    before: Any = None
    after: Any = None


def _plain(value_map: ValueMap | Mapping[str, Any]) -> dict[str, Any]:
    model = value_map if isinstance(value_map, ValueMap) else ValueMap.model_validate(value_map)
    return model.model_dump(mode="json")


def _keyed(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for index, item in enumerate(items):
        name = str(item.get(key) or f"#{index + 1}")
        while name in out:  # two items with one name stay apart
            name += "′"
        out[name] = item
    return out


def _walk(before: Any, after: Any, path: str, out: list[MapChange]) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            where = f"{path}.{key}" if path else key
            if key not in after:
                out.append(MapChange(path=where, kind="removed", before=before[key]))
            elif key not in before:
                out.append(MapChange(path=where, kind="added", after=after[key]))
            else:
                _walk(before[key], after[key], where, out)
        return
    if before != after:
        out.append(MapChange(path=path, kind="changed", before=before, after=after))


def diff_value_maps(
    before: ValueMap | Mapping[str, Any], after: ValueMap | Mapping[str, Any]
) -> list[MapChange]:
    """Every field that differs between two maps, stakeholders, inputs and outcomes matched by name.

    Example:
        >>> base = {"stakeholders": [{"name": "Youth"}],
        ...         "inputs": [{"description": "Grant", "amount": 20000}],
        ...         "outcomes": [{"name": "Into work", "stakeholder": "Youth",
        ...                       "quantity": 50, "proxy": 1000}]}
        >>> changed = {**base, "outcomes": [{**base["outcomes"][0], "proxy": 1200}]}
        >>> [(c.path, c.before, c.after) for c in diff_value_maps(base, changed)]
        [('outcomes[Into work].proxy.value', 1000.0, 1200.0)]
    """
    old, new = _plain(before), _plain(after)
    changes: list[MapChange] = []
    for collection, key in (("stakeholders", "name"), ("inputs", "description"), ("outcomes", "name")):
        first = _keyed(old.pop(collection), key)
        second = _keyed(new.pop(collection), key)
        for name in [*first, *(n for n in second if n not in first)]:
            where = f"{collection}[{name}]"
            if name not in second:
                changes.append(MapChange(path=where, kind="removed", before=first[name]))
            elif name not in first:
                changes.append(MapChange(path=where, kind="added", after=second[name]))
            else:
                _walk(first[name], second[name], where, changes)
    settings: list[MapChange] = []
    _walk(old, new, "", settings)
    return settings + changes
