#!/bin/sh
# Chromium at a lower CPU priority (low-priority.sh), with every process it starts: the browser of
# the end-to-end tests that prove nothing about real time (the 'calm' project of
# playwright.config.ts, decision 030). Playwright starts it as the leader of a session of its own.
exec "$(dirname "$0")/low-priority.sh" "${CHROMIUM_PATH:-/usr/bin/chromium}" "$@"
