"""Keep jurisdiction grants in step whenever a user's binding or roles change.

Both doors (the services and the Django admin) save the user and its groups, so the
grants follow without either having to remember to call the sync.
"""

from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from .models import User


@receiver(post_save, sender=User)
def user_saved(sender, instance: User, raw: bool = False, **kwargs) -> None:
    if not raw:
        from .services import sync_jurisdiction

        sync_jurisdiction(instance)


@receiver(m2m_changed, sender=User.groups.through)
def user_groups_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and not reverse and isinstance(instance, User):
        from .services import sync_jurisdiction

        sync_jurisdiction(instance)
