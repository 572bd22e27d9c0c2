"""Browser tests: Playwright with Debian's chromium against a real server (a package, so that its
modules do not clash by name with those of tests/http/)."""
