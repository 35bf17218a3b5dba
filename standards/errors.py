"""The one error type for bad input anywhere in the toolkit.

Every message names the file, the field path and the reason in plain words, e.g.
``scenarios/x.toml: buildings[12].units must be > 0 (got -40)``. The CLI and the app print the
messages, one per line, and never a traceback.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad input: one or more one-line messages, each naming the file, the field and the reason."""

    def __init__(self, messages: str | list[str]) -> None:
        self.messages: list[str] = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))
