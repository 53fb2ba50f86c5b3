"""Doctest collection of ``matcher/``: the service needs its extra (``matcher[service]``)."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("fastapi") else ["matcher/service/*"]
