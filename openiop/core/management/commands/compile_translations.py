from django.conf import settings
from django.core.management.base import BaseCommand

from openiop.lib.catalogue import compile_tree


class Command(BaseCommand):
    help = (
        "Compile the translation catalogues (locale/*/LC_MESSAGES/*.po) to .mo files, in pure "
        "Python (no GNU gettext needed). Run it after installing or updating OpenIOP."
    )

    def handle(self, *args, **options) -> None:
        compiled = [mo for root in settings.LOCALE_PATHS for mo in compile_tree(root)]
        for mo in compiled:
            self.stdout.write(f"Compiled {mo.relative_to(settings.BASE_DIR)}")
