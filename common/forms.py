"""The base of every form of the product: Chinese punctuation after labels, required fields marked."""

from typing import Any

from django import forms


class ChineseForm(forms.Form):
    """A form whose labels end in the full-width colon and whose required labels carry class="required".

    Django's label suffix is an ASCII ":" (its zh-hans catalogue leaves it untranslated),
    which looks wrong after Chinese text; the CSS puts a red * after a required label.
    """

    required_css_class = "required"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)
