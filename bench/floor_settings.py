"""The site's settings with bench/floor_urls.py's pages added (bench/pages.py's server only)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.floor_urls"
