"""Settings for `make bench`'s HTTP benchmark only: production settings plus a floor view.

The floor view (networking/bench_urls.py) is the cheapest page a signed-in
user can get through the same middleware: 50 rows read with `values()`. Every
page is reported as a ratio to it, so the figures say what each page adds on
top of Django, the session and the database round trip on this machine.
"""

from networking.settings import *  # noqa: F403

ROOT_URLCONF = "networking.bench_urls"
