import type { Draft, Note, NoteSummary } from '../../shared/contract';
import { newestFirst, type NoteStore } from './note-store';
import {
  defineScripts,
  everyUser,
  forEachKey,
  gcMarginMs,
  throwFirstError,
  ttl,
  userPrefix,
  type RedisClient,
} from './redis-common';

/**
 * The notes and drafts in the Redis store (redis.ts), each key under the user's hash tag
 * (redis-common.ts), so every script touches one slot:
 * - `idle-session:{<username>}:notes`: hash, field note id, value the note's summary (everything
 *   but its text) as JSON: what the list shows, so listing never reads a text
 * - `idle-session:{<username>}:note-texts`: hash, field note id, value the note's text
 *   (a note written before texts were kept apart has its text in its summary JSON instead)
 * - `idle-session:{<username>}:draft`: the draft and its expiresAt as JSON, with a TTL of
 *   expiresAt + the GC margin: Redis collects it; purgeDrafts walks every primary with SCAN for
 *   the drafts that ended by the app's clock (no global index, no key every user writes)
 * As with sessions, the app's clock decides: a draft is live while its stored expiresAt is after
 * the `now` the app passes.
 */

const notesKey = (username: string) => `${userPrefix(username)}notes`;
const textsKey = (username: string) => `${userPrefix(username)}note-texts`;
const draftKey = (username: string) => `${userPrefix(username)}draft`;

const scripts = {
  /** KEYS: notes, texts. ARGV: id, summary JSON, text, maxNotes. Returns 1 when saved, 0 at the limit. */
  idleSessionInsertNote: {
    numberOfKeys: 2,
    lua: `
      if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
      return 1`,
  },
  /**
   * KEYS: notes, texts. ARGV: maxNotes, then id, summary JSON, text for each note. Returns 1 when
   * all were saved, 0 (nothing written) when they would go past maxNotes.
   */
  idleSessionInsertNotes: {
    numberOfKeys: 2,
    lua: `
      local count = (#ARGV - 1) / 3
      if redis.call('HLEN', KEYS[1]) + count > tonumber(ARGV[1]) then return 0 end
      for i = 2, #ARGV, 3 do
        redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
        redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 2])
      end
      return 1`,
  },
  /**
   * Compare-and-set on the revision. KEYS: notes, texts. ARGV: id, baseRevision, new summary
   * JSON, new text. Returns {'updated'}, {'missing'} or {'conflict', current summary JSON,
   * current text, '1' when that text was in the texts hash}.
   */
  idleSessionUpdateNote: {
    numberOfKeys: 2,
    lua: `
      local current = redis.call('HGET', KEYS[1], ARGV[1])
      if not current then return {'missing'} end
      if cjson.decode(current).revision ~= tonumber(ARGV[2]) then
        local text = redis.call('HGET', KEYS[2], ARGV[1])
        if text then return {'conflict', current, text, '1'} end
        return {'conflict', current, '', '0'}
      end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
      redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
      return {'updated'}`,
  },
  /**
   * KEYS: draft. ARGV: onlyIfUpdatedAt ('' for any). Returns 0 when a draft of another save
   * stays, else 1 (deleted, or there was none).
   */
  idleSessionDeleteDraft: {
    numberOfKeys: 1,
    lua: `
      local entry = redis.call('GET', KEYS[1])
      if entry and ARGV[1] ~= '' and cjson.decode(entry).draft.updatedAt ~= tonumber(ARGV[1]) then return 0 end
      redis.call('DEL', KEYS[1])
      return 1`,
  },
  /**
   * KEYS: draft. ARGV: now. Deletes the draft when its expiresAt has passed (a draft saved again
   * since the SCAN found it keeps its new expiry). Returns 1 when it deleted one.
   */
  idleSessionPurgeDraft: {
    numberOfKeys: 1,
    lua: `
      local entry = redis.call('GET', KEYS[1])
      if not entry or cjson.decode(entry).expiresAt > tonumber(ARGV[1]) then return 0 end
      redis.call('DEL', KEYS[1])
      return 1`,
  },
} as const;

/** A summary as stored; one written before texts were kept apart still holds its text, left out here. */
function parseSummary(json: string): NoteSummary {
  const { text: _text, ...summary } = JSON.parse(json) as NoteSummary & { text?: string };
  return summary;
}

/** The whole note from its summary and its text (or, for one stored before, the text in its summary). */
function withText(json: string, text: string | null): Note {
  const stored = JSON.parse(json) as NoteSummary & { text?: string };
  return { ...stored, text: text ?? stored.text ?? '' };
}

/** The notes part over the store's connected client; defines its scripts on it. */
export function createRedisNotes(redis: RedisClient): NoteStore {
  const client = defineScripts(redis, scripts);

  return {
    async listNotes(username) {
      const summaries = Object.values(await client.hgetall(notesKey(username))).map(parseSummary);
      return summaries.sort(newestFirst);
    },
    async getNote(username, id) {
      const [json, text] = await Promise.all([
        client.hget(notesKey(username), id),
        client.hget(textsKey(username), id),
      ]);
      return json === null ? undefined : withText(json, text);
    },
    async insertNote(username, { text, ...summary }, maxNotes) {
      const saved = await client.idleSessionInsertNote(
        notesKey(username),
        textsKey(username),
        summary.id,
        JSON.stringify(summary),
        text,
        maxNotes,
      );
      return saved === 1;
    },
    async insertNotes(username, notes, maxNotes) {
      const args = notes.flatMap(({ text, ...summary }) => [summary.id, JSON.stringify(summary), text]);
      const saved = await client.idleSessionInsertNotes(notesKey(username), textsKey(username), maxNotes, ...args);
      return saved === 1;
    },
    async updateNote(username, id, baseRevision, change) {
      const note: Note = { id, ...change, revision: baseRevision + 1 };
      const { text, ...summary } = note;
      const [status, current, currentText, textKeptApart] = (await client.idleSessionUpdateNote(
        notesKey(username),
        textsKey(username),
        id,
        baseRevision,
        JSON.stringify(summary),
        text,
      )) as [string, string?, string?, string?];
      if (status === 'updated') return { status, note };
      if (status === 'conflict') {
        return { status, current: withText(current!, textKeptApart === '1' ? currentText! : null) };
      }
      return { status: 'missing' };
    },
    async deleteNote(username, id) {
      const results = await client.multi().hdel(notesKey(username), id).hdel(textsKey(username), id).exec();
      const [deleted] = throwFirstError(results);
      return deleted === 1;
    },
    async getDraft(username, now) {
      const json = await client.get(draftKey(username));
      const entry = json === null ? undefined : (JSON.parse(json) as { draft: Draft; expiresAt: number });
      return entry && entry.expiresAt > now ? entry.draft : undefined;
    },
    async putDraft(username, draft, expiresAt) {
      // The draft's updatedAt is the app's "now" when it is saved.
      await client.set(
        draftKey(username),
        JSON.stringify({ draft, expiresAt }),
        'PX',
        ttl(expiresAt - draft.updatedAt + gcMarginMs),
      );
    },
    async deleteDraft(username, onlyIfUpdatedAt) {
      const deleted = await client.idleSessionDeleteDraft(
        draftKey(username),
        onlyIfUpdatedAt === undefined ? '' : String(onlyIfUpdatedAt),
      );
      return deleted === 1;
    },
    async purgeDrafts(now) {
      let purged = 0;
      await forEachKey(client, everyUser('draft'), async (keys) => {
        const results = await Promise.all(keys.map((key) => client.idleSessionPurgeDraft(key, now)));
        purged += results.filter((deleted) => deleted === 1).length;
      });
      return purged;
    },
  };
}
