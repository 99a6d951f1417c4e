"""A program's feedback configuration, with OpenIOP's defaults when it has none."""

from openiop.feedback.models import DEFAULT_INSTRUMENT, FeedbackSetting
from openiop.feedback.rules import Rule


def setting_for(program_id: int) -> FeedbackSetting:
    """The program's saved setting, or an unsaved one holding the defaults."""
    found = FeedbackSetting.objects.filter(program_id=program_id).first()
    return found or FeedbackSetting(program_id=program_id, instrument_key=DEFAULT_INSTRUMENT)


def rule_of(setting: FeedbackSetting) -> Rule:
    return Rule(
        score_id=setting.score_id,
        low_item_at_or_below=setting.low_item_at_or_below,
        overall_item=setting.overall_item,
        low_overall_at_or_below=setting.low_overall_at_or_below,
        low_total_below=setting.low_total_below,
        falling_points=setting.falling_points,
    )
