# SPDX-License-Identifier: MIT
"""Messages with typed quantities: calculators state *what* (a template and SI values with their
quantity kinds); the tool layer words the numbers in the caller's unit system.

A :class:`Text` is a ``str`` (its plain value is the template filled with SI values, so code
that treats it as text keeps working); :func:`render` re-words it with a formatter such as
``lambda kind, value: format_quantity(kind, value, "US")``. Plain strings pass through
unchanged.
"""

from __future__ import annotations

import string
from typing import Any, Callable

__all__ = ["Text", "render", "render_values", "prefixed", "joined"]

#: Formatter: (quantity kind, SI value, significant digits) → "<value> <unit>".
Formatter = Callable[[str, float, int], str]

#: SI base units of the kinds used in messages, for the plain (unrendered) text only.
_BASE_UNIT = {
    "temperature": "K",
    "temperature_difference": "K",
    "pressure": "Pa",
    "pressure_difference": "Pa",
    "velocity": "m/s",
    "volumetric_flow": "m³/s",
    "area": "m²",
    "htc": "W/(m²·K)",
    "heat_rate": "W",
    "fouling_resistance": "m²·K/W",
    "length": "m",
    "mass_flow": "kg/s",
}


class Text(str):
    """A message whose numbers are typed quantities.

    ``Text("TTD {ttd} is below {limit}", ttd=("temperature_difference", 0.1),
    limit=("temperature_difference", 0.278, 2))``: each quantity is (kind, SI value[, digits]),
    digits defaulting to 3 significant figures.
    """

    template: str
    quantities: dict[str, tuple]

    def __new__(cls, template: str, **quantities: tuple) -> "Text":
        plain = template.format(
            **{name: f"{q[1]:.{_digits(q)}g} {_BASE_UNIT.get(q[0], '(SI)')}" for name, q in quantities.items()}
        )
        obj = super().__new__(cls, plain)
        obj.template = template
        obj.quantities = quantities
        return obj

    def render(self, fmt: Formatter) -> str:
        """The message with each quantity worded by ``fmt``."""
        return self.template.format(**{name: fmt(q[0], q[1], _digits(q)) for name, q in self.quantities.items()})


def prefixed(prefix: str, text: str) -> str:
    """``prefix + text``, keeping ``text``'s typed quantities when it is a :class:`Text`."""
    if isinstance(text, Text):
        return Text(prefix.replace("{", "{{").replace("}", "}}") + text.template, **text.quantities)
    return prefix + text


def joined(prefix: str, texts: list, separator: str = "; ") -> str:
    """``prefix`` followed by ``texts`` joined by ``separator``, keeping their typed quantities
    (renamed per text so that names cannot clash)."""
    parts, quantities = [], {}
    for i, t in enumerate(texts):
        if isinstance(t, Text):
            parts.append(_renamed(t.template, f"q{i}_"))
            quantities.update({f"q{i}_{name}": q for name, q in t.quantities.items()})
        else:
            parts.append(_escaped(str(t)))
    return Text(_escaped(prefix) + _escaped(separator).join(parts), **quantities)


def _escaped(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _renamed(template: str, prefix: str) -> str:
    """``template`` with every replacement field renamed ``prefix + name`` (literal braces kept)."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(_escaped(literal))
        if name is not None:
            out.append(
                "{" + prefix + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            )
    return "".join(out)


def _digits(q: tuple) -> int:
    return q[2] if len(q) > 2 else 3


def render(text: Any, fmt: Formatter) -> Any:
    """``text`` worded by ``fmt`` when it is a :class:`Text`; anything else unchanged."""
    return text.render(fmt) if isinstance(text, Text) else text


def render_values(value: Any, fmt: Formatter) -> Any:
    """``value`` with every :class:`Text` inside dicts and lists rendered (lists whose first
    element is not text or a container are numeric arrays and are returned as they are).

    A container holding no :class:`Text` is returned as it is (not copied): a tool's outputs
    are mostly numbers, and this runs on every call, so numbers, plain strings and None are
    skipped without a call."""
    t = type(value)
    if t is float or t is int or t is str or t is bool or value is None:
        return value
    if isinstance(value, Text):
        return value.render(fmt)
    if isinstance(value, dict):
        changed = None
        for k, v in value.items():
            tv = type(v)
            if tv is float or tv is int or tv is str or tv is bool or v is None:
                continue
            rendered = render_values(v, fmt)
            if rendered is not v:
                if changed is None:
                    changed = dict(value)
                changed[k] = rendered
        return value if changed is None else changed
    if isinstance(value, list) and value and isinstance(value[0], (str, dict, list)):
        rendered_items = [render_values(v, fmt) for v in value]
        if all(r is v for r, v in zip(rendered_items, value, strict=True)):
            return value
        return rendered_items
    return value
