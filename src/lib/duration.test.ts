import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDurationWords } from './duration';

describe('formatCountdown', () => {
  it.each([
    [30_000, '0:30'],
    [29_001, '0:30'],
    [29_000, '0:29'],
    [90_000, '1:30'],
    [600, '0:01'],
    [0, '0:00'],
    [-5, '0:00'],
  ])('%i ms reads %s', (ms, text) => expect(formatCountdown(ms)).toBe(text));
});

describe('formatDurationWords', () => {
  it.each([
    [60_000, '1 minute'],
    [30_000, '30 seconds'],
    [1_000, '1 second'],
    [90_000, '1 minute 30 seconds'],
    [8 * 3_600_000, '8 hours'],
    [15 * 60_000, '15 minutes'],
    [0, '0 seconds'],
  ])('%i ms reads %s', (ms, text) => expect(formatDurationWords(ms)).toBe(text));
});
