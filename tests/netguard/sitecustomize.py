"""Run at the start of every Python process the tests start: the loopback-only guard."""

import loopback_guard

loopback_guard.install()
