import type { DraftRequest } from '../../../shared/contract';

/**
 * The record that text a user typed never reached the server (decision 023): one entry per page
 * that lost or still holds such text, in a cookie with no text in it, so that the next restore
 * for that user, in any tab, says what is missing instead of claiming all of it.
 *
 * An entry belongs to the page that wrote it (a random id per page load) while that page may
 * still deliver the text: its own successful save deletes it, and only it. Text the page can
 * never deliver (another user signed in on it, or the server refused it) leaves its entry behind
 * under an id no page has: a loss. A page that closed offline leaves its own the same way. A loss
 * is deleted when the user has seen it: a page whose restore showed it is edited, saved or
 * discarded (`acknowledge`), or a restore shows exactly the text a closing page sent after it
 * (its proof). One page's save never deletes another page's loss.
 *
 * A cookie, not Web Storage: a sign-out's `Clear-Site-Data: "storage"` (decision 004) must not
 * erase the one record that says text was lost. The server never reads it.
 */
const cookieName = 'idle-session-undelivered';
/** How long a loss is said: a day, each entry by its own time (the cookie lives as long). */
const maxAgeMs = 24 * 60 * 60_000;
/** Entries one user may have before the oldest losses merge into one (the cookie stays small). */
const maxEntriesPerUser = 8;
/**
 * A browser drops a cookie over 4,096 bytes without a word, and with it every entry. Past this,
 * the oldest entries of other users give way first (a shared computer's long-gone users), then
 * this user's losses merge into one.
 */
const maxCookieChars = 3_500;
/** The key of an entry the version before this one wrote (one marker per user). */
const legacyKey = 'legacy';

interface Entry {
  username: string;
  /** The page that may still deliver the text; for a loss, an id no page has. */
  key: string;
  /** Since when (ms) the server may lack text of this entry. */
  since: number;
  /** A 32-bit hash of the text on its way when the page went (keepalive): a restore of exactly it proves it arrived. */
  then?: number;
}

/** What a restore says is missing: since when, and which entries it showed (to acknowledge them). */
export interface LostText {
  since: number;
  keys: string[];
}

const randomKey = () => Math.random().toString(36).slice(2, 12);

/** One stored entry: [username, key, since, then?], or the earlier [username, { since }] as a loss. */
function entryOf(item: unknown): Entry | undefined {
  if (!Array.isArray(item) || typeof item[0] !== 'string') return undefined;
  const [username, second, third, fourth] = item as [string, unknown, unknown, unknown];
  if (typeof second === 'string' && typeof third === 'number')
    return { username, key: second, since: third, then: typeof fourth === 'number' ? fourth : undefined };
  const since = (second as { since?: unknown } | null)?.since;
  return typeof since === 'number' ? { username, key: legacyKey, since } : undefined;
}

function read(): Entry[] {
  try {
    const raw = document.cookie
      .split('; ')
      .find((pair) => pair.startsWith(`${cookieName}=`))
      ?.slice(cookieName.length + 1);
    const parsed: unknown = JSON.parse(raw ? decodeURIComponent(raw) : '[]');
    if (!Array.isArray(parsed)) return [];
    const dayAgo = Date.now() - maxAgeMs;
    return parsed.map(entryOf).filter((entry): entry is Entry => entry !== undefined && entry.since > dayAgo);
  } catch {
    return [];
  }
}

const encode = (entries: Entry[]) =>
  encodeURIComponent(
    JSON.stringify(
      entries.map((e) => (e.then === undefined ? [e.username, e.key, e.since] : [e.username, e.key, e.since, e.then])),
    ),
  );

/** Writes the record; `username`'s entries (the ones just changed) are the last to give way to the size limit. */
function write(entries: Entry[], username: string) {
  let kept = entries;
  while (encode(kept).length > maxCookieChars && kept.length > 1) {
    const others = kept.filter((e) => e.username !== username);
    if (others.length > 0) {
      const oldest = others.reduce((a, b) => (b.since < a.since ? b : a));
      kept = kept.filter((e) => e !== oldest);
      continue;
    }
    // Only this user's: all but the newest merge into one loss, said from the oldest time.
    const newest = kept.reduce((a, b) => (b.since > a.since ? b : a));
    const rest = kept.filter((e) => e !== newest);
    const merged = [{ username, key: randomKey(), since: Math.min(...rest.map((e) => e.since)) }, newest];
    // Still too long: one loss from the oldest time, which errs toward "lost" (it also stands for
    // the newest page's text, which that page's save then cannot clear).
    kept = encode(merged).length <= maxCookieChars || rest.length > 1 ? merged : [merged[0]];
  }
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  const maxAge = kept.length === 0 ? 0 : maxAgeMs / 1000;
  document.cookie = `${cookieName}=${encode(kept)}; Path=/; Max-Age=${maxAge}; SameSite=Strict${secure}`;
}

/** FNV-1a over the draft's fields: enough to recognise one text again, nothing to read it from. */
function textHash({ noteId, title, text }: DraftRequest): number {
  let hash = 0x811c9dc5;
  for (const char of `${noteId ?? ''}\u0000${title}\u0000${text}`) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Over the cap, a user's losses merge into one, from the oldest: still said, just as one. */
function capped(entries: Entry[], username: string, ownKey: string): Entry[] {
  const losses = entries.filter((e) => e.username === username && e.key !== ownKey);
  if (losses.length < maxEntriesPerUser) return entries;
  const merged: Entry = { username, key: randomKey(), since: Math.min(...losses.map((e) => e.since)) };
  return [...entries.filter((e) => !losses.includes(e)), merged];
}

/** The record as one page sees it: `pageKey` names this page's own entries. */
export function createLostTextRecord(pageKey = randomKey()) {
  const own = (e: Entry, username: string) => e.username === username && e.key === pageKey;

  return {
    /**
     * This page has text of `username`'s the server may never get (kept until it does). Any proof
     * it carried is dropped, except that of `stillOnItsWay` when it is exactly that text's: held
     * text whose delivery failed is still the newest this page knows, and still on its way.
     */
    markUndelivered(username: string, stillOnItsWay?: DraftRequest) {
      const entries = read();
      const entry = entries.find((e) => own(e, username));
      const kept = stillOnItsWay !== undefined && entry?.then === textHash(stillOnItsWay);
      const next: Entry = {
        username,
        key: pageKey,
        since: entry?.since ?? Date.now(),
        then: kept ? entry.then : undefined,
      };
      write(
        [
          ...capped(
            entries.filter((e) => !own(e, username)),
            username,
            pageKey,
          ),
          next,
        ],
        username,
      );
    },

    /**
     * `draft` is this page's newest text and is on its way (a page going away with keepalive, or
     * text held for delivery): a restore showing exactly it, in any tab, proves it arrived.
     */
    markSupersededBy(username: string, draft: DraftRequest) {
      const entries = read();
      const entry = entries.find((e) => own(e, username));
      if (!entry) return;
      entry.then = textHash(draft);
      write(entries, username);
    },

    /** The server has everything `username` typed in this page. Other pages' entries stay. */
    markDelivered(username: string) {
      const entries = read();
      const rest = entries.filter((e) => !own(e, username));
      if (rest.length !== entries.length) write(rest, username);
    },

    /** This page will never deliver `username`'s text: its entry stays, as a loss. */
    abandon(username: string) {
      const entries = read();
      const entry = entries.find((e) => own(e, username));
      if (!entry) return;
      entry.key = randomKey();
      entry.then = undefined;
      write(entries, username);
    },

    /**
     * What a restore of `restored` for `username` must say is missing, from other pages' entries
     * (this page's own text is not lost: it holds it). An entry whose proof is exactly `restored`
     * is deleted: that text arrived.
     */
    lost(username: string, restored: DraftRequest | null): LostText | undefined {
      const entries = read();
      const hash = restored ? textHash(restored) : undefined;
      const arrived = (e: Entry) => e.username === username && e.then !== undefined && e.then === hash;
      const rest = entries.filter((e) => !arrived(e));
      if (rest.length !== entries.length) write(rest, username);
      const shown = rest.filter((e) => e.username === username && e.key !== pageKey);
      if (shown.length === 0) return undefined;
      return { since: Math.min(...shown.map((e) => e.since)), keys: shown.map((e) => e.key) };
    },

    /** The user has seen what `lost` returned for a restore and gone on: those entries go. */
    acknowledge(username: string, keys: readonly string[]) {
      const entries = read();
      const rest = entries.filter((e) => e.username !== username || !keys.includes(e.key));
      if (rest.length !== entries.length) write(rest, username);
    },
  };
}

export type LostTextRecord = ReturnType<typeof createLostTextRecord>;

/** This page's view of the record. */
export const lostText = createLostTextRecord();
