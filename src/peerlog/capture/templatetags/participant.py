"""Template helpers of the participant pages."""

from django import template
from django.conf import settings

from peerlog.instruments import languages

register = template.Library()


@register.simple_tag
def language_choices() -> list[dict[str, str]]:
    """The interface languages, each named in itself (English, العربية, ...)."""
    native = {lang.code: lang.name for lang in languages()}
    return [{"code": code, "name": native.get(code, str(name))}
            for code, name in settings.LANGUAGES]
