"""What the apps bring to the ground floor, without the ground floor naming them.

An app's AppConfig may define any of these methods; `pmpp` calls each app's, in the order of
INSTALLED_APPS:
- `load_reference() -> dict[str, int]`: reference rows it created, by label (`load_reference`);
- `load_demo(*, grievances: int) -> str | None`: its demo data, and a line saying what was made;
- `home_context(request) -> dict`: what the home dashboard shows of it for this user.
"""

from collections.abc import Callable, Iterator

from django.apps import apps


def app_hooks(name: str) -> Iterator[Callable]:
    for app in apps.get_app_configs():
        hook = getattr(app, name, None)
        if callable(hook):
            yield hook
