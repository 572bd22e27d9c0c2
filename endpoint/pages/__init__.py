"""The view models of the documentation and exploration pages, one module per page or group of
pages (``terms.py`` holds the links and the readers they share)."""
