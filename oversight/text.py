"""The one rule for text people type, wherever it is written: pages, the live page's autosave,
the API, imports (DESIGN §6). Models apply it to every text field in `TrackedModel.clean_fields`,
so every service that validates a record gets it; the form and serializer fields below apply
it before a service is called.

The rule:

- **NUL characters are removed.** A NUL (U+0000) is invisible, means nothing in prose, and
  arrives only by pasting from another program. PostgreSQL cannot store it. Refusing it would
  leave a manager with an error about a character they cannot see or find, and the section
  would stop autosaving; removing it keeps every visible character they typed.
- **Unpaired surrogates are refused.** Half of an emoji or symbol (U+D800–U+DFFF on its own)
  is not a character at all and cannot be written as UTF-8; dropping it silently would change
  what someone wrote, so the save is refused with a message and the page keeps the text.
  A pair written as two halves is joined into the character it spells.
- **Long text has a limit**: `OVERSIGHT["MAX_TEXT_CHARS"]` characters (20,000 by default)
  for a record section, a case-discussion field, an informal discussion, an addendum or a
  note. The live page counts down well before it; the server refuses anything longer and
  says by how much.

SQLite would store all of this; the rule is ours, not the database's, so both behave the same.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

NUL = "\x00"
UNSTORABLE_MESSAGE = (
    "This text contains a character that cannot be stored (part of an emoji or symbol, "
    "usually from copying and pasting). Delete the last thing you pasted, or type it again, "
    "and save."
)


def max_text_chars() -> int:
    """The most characters a section, discussion field, informal discussion or note may hold."""
    return cast(int, settings.OVERSIGHT["MAX_TEXT_CHARS"])


def clean_text(value: str) -> str:
    """`value` with NUL characters removed; a `ValidationError` if it holds half of a
    character (an unpaired surrogate)."""
    value = value.replace(NUL, "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        try:
            # A pair sent as two halves ("\ud83d\ude00") is one character: join it.
            value = value.encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        except UnicodeDecodeError:
            raise ValidationError(UNSTORABLE_MESSAGE, code="unstorable") from None
    return value


def too_long_message(length: int, limit: int) -> str:
    return (
        f"This text is too long: it has {length:,} characters and can have at most "
        f"{limit:,}. Shorten it by {length - limit:,} characters, or move some of it to "
        "another section."
    )


def validate_text_length(value: Any) -> None:
    """Model-field validator: at most `MAX_TEXT_CHARS` characters. Read when it runs, so the
    setting can change without a migration."""
    limit = max_text_chars()
    if isinstance(value, str) and len(value) > limit:
        raise ValidationError(too_long_message(len(value), limit), code="max_length")


class FreeTextFormField(forms.CharField):
    """A page's free-text box: the text rule above, and the length limit unless the field sets
    a shorter `max_length` of its own."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        if self.max_length is None:
            self.validators.append(validate_text_length)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        return clean_text(text) if isinstance(text, str) else text


class FreeTextSerializerField(serializers.CharField):
    """The API's free text: the same rule and limit as the pages (DRF's own refusal of NUL is
    replaced by removing it, and its surrogate message by ours)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.validators = [
            v
            for v in self.validators
            if not isinstance(
                v, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator
            )
        ]
        if self.max_length is None:
            self.validators.append(validate_text_length)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str):
            try:
                data = clean_text(data)
            except ValidationError as error:
                raise serializers.ValidationError(error.messages) from None
        return super().run_validation(data)
