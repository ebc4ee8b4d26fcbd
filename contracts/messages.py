"""Messages are data: the engine and the loader say what they mean as a key and its values;
the command line, the exports and the pages put it into the user's language (etl.messages,
texts in etl/texts/<language>/*.toml)."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Message:
    """A message key (`engine.gate_withheld`) and the values its texts fill in."""

    key: str
    values: Mapping[str, "Value"] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted((k, str(v)) for k, v in self.values.items()))))


Value = str | int | Decimal | Fraction | date | Message | None
"""What a message may carry: text, whole numbers, exact numbers, dates, and another message
(a word or a reason said in the same language: a state, a refusal inside a run's)."""


def message(key: str, **values: Value) -> Message:
    """`message("engine.sanction", amount=Decimal("150"))`."""
    return Message(key, values)
