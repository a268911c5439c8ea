import Bowser from 'bowser';

/** Longest label kept: a User-Agent is the client's to write, and the list shows the label. */
const maxLabelLength = 64;

/**
 * A short label for the session list, such as "Chrome on Linux", from a User-Agent header. Only
 * the label is stored, never the header itself (it is long, and a fingerprint).
 */
export function browserLabel(userAgent: string | undefined): string {
  if (!userAgent) return 'Unknown browser';
  const { browser, os } = Bowser.parse(userAgent);
  const name = browser.name || 'Unknown browser';
  const label = os.name ? `${name} on ${os.name}` : name;
  return label.slice(0, maxLabelLength);
}
