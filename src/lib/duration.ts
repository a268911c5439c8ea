/** `m:ss` for a countdown: 29_400 ms -> `0:30` (rounded up, so 0:00 only shows at the end). */
export function formatCountdown(ms: number): string {
  const totalSeconds = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(totalSeconds / 60);
  return `${minutes}:${String(totalSeconds % 60).padStart(2, '0')}`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}

/** Words for a screen reader or a sentence: 90_000 -> `1 minute 30 seconds`. Rounds up to a second. */
export function formatDurationWords(ms: number): string {
  const totalSeconds = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = [
    hours > 0 ? plural(hours, 'hour') : '',
    minutes > 0 ? plural(minutes, 'minute') : '',
    seconds > 0 || totalSeconds === 0 ? plural(seconds, 'second') : '',
  ];
  return parts.filter(Boolean).join(' ');
}

/**
 * A clock time for a notice, in the user's locale: `17:42` (or `17:42:05` with seconds), with
 * the date in front when it is not today.
 */
export function formatClockTime(epochMs: number, { seconds = false } = {}): string {
  const date = new Date(epochMs);
  const time = date.toLocaleTimeString(undefined, {
    hour: 'numeric',
    minute: '2-digit',
    ...(seconds ? { second: '2-digit' } : {}),
  });
  if (date.toDateString() === new Date().toDateString()) return time;
  return `${date.toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' })}, ${time}`;
}

const relativeUnits: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
];

/** How long ago, in words: 125_000 -> `2 minutes ago`; under a minute, `just now`. */
export function formatTimeAgo(ms: number): string {
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of relativeUnits) {
    if (ms >= size) return format.format(-Math.floor(ms / size), unit);
  }
  return 'just now';
}

/** A date and time for a list, in the user's locale: `5 Jan 2026, 09:00`. */
export function formatDateTime(epochMs: number): string {
  return new Date(epochMs).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
