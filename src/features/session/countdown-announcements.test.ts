import { describe, expect, it } from 'vitest';
import { announcementText, isAnnouncementStep } from './countdown-announcements';

describe('the countdown announcement schedule', () => {
  it('speaks at 45, 30, 15, 10 and 5 seconds in a 30 s warning, never every second', () => {
    const steps = Array.from({ length: 30 }, (_, i) => 30 - i).filter(isAnnouncementStep);
    expect(steps).toEqual([30, 15, 10, 5]);
  });

  it('speaks each whole minute above a minute', () => {
    const steps = Array.from({ length: 180 }, (_, i) => 180 - i).filter(isAnnouncementStep);
    expect(steps).toEqual([180, 120, 60, 45, 30, 15, 10, 5]);
  });

  it('uses words, not m:ss', () => {
    expect(announcementText(30)).toBe('Your session will end in 30 seconds.');
    expect(announcementText(90)).toBe('Your session will end in 1 minute 30 seconds.');
  });
});
