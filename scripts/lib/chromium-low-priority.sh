#!/bin/sh
# Chromium at a lower CPU priority, with every process it starts: the browser of the end-to-end
# tests that prove nothing about real time (the 'calm' project of playwright.config.ts, decision
# 030). They run beside the timing tests and take only the CPU those leave idle.
#
# `nice` alone is not enough. Where the kernel groups the CPU by session (autogroup, on here:
# /proc/sys/kernel/sched_autogroup_enabled), each session shares the cores equally with every
# other, whatever its processes' nice values; Playwright starts each browser as the leader of a
# session of its own, and Chromium resets the nice of its processes. So when this process leads its
# session (as Playwright starts it), the session's group is set to nice 10 too. Only then:
# otherwise the group is its caller's, which this would slow.
session=$(cut -d ' ' -f 6 "/proc/$$/stat" 2>/dev/null)
if [ "$session" = "$$" ] && [ -w /proc/self/autogroup ]; then
  echo 10 >/proc/self/autogroup 2>/dev/null || true
fi
exec nice -n 10 "${CHROMIUM_PATH:-/usr/bin/chromium}" "$@"
