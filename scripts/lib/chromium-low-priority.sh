#!/bin/sh
# Chromium at a lower CPU priority (nice 10), with every process it starts: the browser of the
# end-to-end tests that prove nothing about real time (the 'calm' project of playwright.config.ts,
# decision 030). They run beside the timing tests and take only the CPU those leave idle.
exec nice -n 10 "${CHROMIUM_PATH:-/usr/bin/chromium}" "$@"
