"""The rule of a reviewer's decision, one place for both doors: what each decision must say.

DOMAIN.md: approve moves the case on; a return lists what is missing and says why; a
reject says why. The web form (forms/decisions.py) shows these errors beside its
fields; the service applies the same rule to whatever the API sent.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.errors import InvalidInput
from common.validators import validate_plain_text

from .models import Decision

COMMENT_MAX_LENGTH = 1000
MISSING_ITEMS_MAX = 30
MISSING_ITEM_MAX_LENGTH = 200


def decision_rule_errors(decision: str | None, comment: str, missing_items: list[str]) -> dict[str, list[str]]:
    """A return and a reject need a reason; a return needs the list of what is missing."""
    errors: dict[str, list[str]] = {}
    if decision in (Decision.RETURN, Decision.REJECT) and not comment:
        errors["comment"] = [_("退回补正须说明理由。") if decision == Decision.RETURN else _("不予通过须说明理由。")]
    if decision == Decision.RETURN and not missing_items:
        errors["missing_items"] = [_("退回补正须列出需补正的材料。")]
    return errors


def clean_decision(*, decision: object, comment: object, missing_items: object) -> tuple[str, list[str]]:
    """The decision's comment and missing items, checked; InvalidInput names each field at fault."""
    errors: dict[str, list[str]] = {}
    if decision not in Decision.values:
        errors["decision"] = [_("应为 approve、return 或 reject。")]
    text = (comment or "").strip() if isinstance(comment, str | None) else None
    listed = missing_items if isinstance(missing_items, list | tuple) else [] if missing_items is None else None
    items = [item.strip() for item in listed if isinstance(item, str)] if listed is not None else []
    if text is None or len(text) > COMMENT_MAX_LENGTH:
        errors["comment"] = [_("说明应为不超过%(n)d字的文字。") % {"n": COMMENT_MAX_LENGTH}]
    if listed is None or len(items) != len(listed) or len(items) > MISSING_ITEMS_MAX:
        errors["missing_items"] = [_("需补正的材料应为文字列表，最多%(n)d项。") % {"n": MISSING_ITEMS_MAX}]
    elif any(len(item) > MISSING_ITEM_MAX_LENGTH for item in items):
        errors["missing_items"] = [_("需补正的材料每项不超过%(n)d字。") % {"n": MISSING_ITEM_MAX_LENGTH}]
    for field, texts in (("comment", [text or ""]), ("missing_items", items)):
        try:
            for each in texts:
                validate_plain_text(each)
        except ValidationError as error:
            errors.setdefault(field, error.messages)
    if errors or text is None or not isinstance(decision, str):
        raise InvalidInput(fields=errors)
    items = [item for item in items if item]
    errors = decision_rule_errors(decision, text, items)
    if errors:
        raise InvalidInput(fields=errors)
    return text, items if decision == Decision.RETURN else []
