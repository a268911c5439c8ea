#!/bin/sh
# Chromium at a lower CPU priority, with every process it starts: the browser of the end-to-end
# tests that prove nothing about real time (the 'calm' project of playwright.config.ts, decision
# 030). They run beside the timing tests and take only the CPU those leave idle.
#
# `nice` alone is not enough: Playwright starts each browser as the leader of a session of its own
# (detached), and where the kernel groups the CPU by session (autogroup, on here:
# /proc/sys/kernel/sched_autogroup_enabled), a browser's session shares the cores equally with
# every other session, whatever its processes' nice values. So the session's own group is set to
# nice 10 too, only when this process leads that session (else it would slow its caller's).
session=$(cut -d ' ' -f 6 "/proc/$$/stat" 2>/dev/null)
if [ "$session" = "$$" ] && [ -w /proc/self/autogroup ]; then
  echo 10 >/proc/self/autogroup 2>/dev/null || true
fi
exec nice -n 10 "${CHROMIUM_PATH:-/usr/bin/chromium}" "$@"
