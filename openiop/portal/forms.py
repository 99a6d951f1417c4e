from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from openiop.accounts.models import validate_timezone

# The zones most participants live in, named as people say them; anyone elsewhere types theirs.
COMMON_ZONES = [
    ("America/New_York", _("Eastern time (New York)")),
    ("America/Chicago", _("Central time (Chicago)")),
    ("America/Denver", _("Mountain time (Denver)")),
    ("America/Phoenix", _("Arizona (no daylight saving)")),
    ("America/Los_Angeles", _("Pacific time (Los Angeles)")),
    ("America/Anchorage", _("Alaska time")),
    ("Pacific/Honolulu", _("Hawaii time")),
    ("America/Puerto_Rico", _("Atlantic time (Puerto Rico)")),
]
OTHER = "other"


class TimezoneForm(forms.Form):
    zone = forms.ChoiceField(label=_("Your time zone"))
    other = forms.CharField(
        label=_("Another time zone"),
        required=False,
        max_length=64,
        help_text=_("Only if yours is not in the list, for example Europe/Madrid."),
    )

    def __init__(self, *args, current: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str | Promise]] = list(COMMON_ZONES)
        if current not in dict(choices):
            choices.insert(0, (current, current))
        choices.append((OTHER, _("Somewhere else (type it below)")))
        zone = self.fields["zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = choices
        self.initial.setdefault("zone", current)

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("zone") == OTHER:
            typed = cleaned.get("other", "").strip()
            try:
                validate_timezone(typed)
            except ValidationError:
                self.add_error(
                    "other", _("Type a time zone from the list, for example America/New_York.")
                )
            else:
                cleaned["zone"] = typed
        return cleaned
