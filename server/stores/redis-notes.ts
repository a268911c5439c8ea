import type { Redis } from 'ioredis';
import type { Draft, Note } from '../../shared/contract';
import type { NoteStore } from './note-store';

/**
 * The notes and drafts in the Redis store (redis.ts), under the same prefix:
 * - `idle-session:notes:<username>`: hash, field note id, value the note as JSON
 * - `idle-session:draft:<username>`: the draft and its expiresAt as JSON, with a TTL as garbage collection
 * - `idle-session:draft-expiry`: sorted set, member username, score expiresAt (for purgeDrafts)
 * As with sessions, the app's clock decides: a draft is live while its stored expiresAt is after
 * the `now` the app passes.
 */

const prefix = 'idle-session:';
const notesKey = (username: string) => `${prefix}notes:${username}`;
const draftKey = (username: string) => `${prefix}draft:${username}`;
const draftIndexKey = `${prefix}draft-expiry`;
/** Drafts live this long in Redis after their expiresAt (by the app's clock). */
const draftGcMarginMs = 60_000;

const scripts = {
  /** KEYS: notes. ARGV: id, note JSON, maxNotes. Returns 1 when saved, 0 at the limit. */
  idleSessionInsertNote: {
    numberOfKeys: 1,
    lua: `
      if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
      return 1`,
  },
  /**
   * Compare-and-set on the revision. KEYS: notes. ARGV: id, baseRevision, new note JSON.
   * Returns {'updated'}, {'missing'} or {'conflict', current JSON}.
   */
  idleSessionUpdateNote: {
    numberOfKeys: 1,
    lua: `
      local current = redis.call('HGET', KEYS[1], ARGV[1])
      if not current then return {'missing'} end
      if cjson.decode(current).revision ~= tonumber(ARGV[2]) then return {'conflict', current} end
      redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
      return {'updated'}`,
  },
  /** KEYS: draft, index. ARGV: username, entry JSON, expiresAt, ttlMs. */
  idleSessionPutDraft: {
    numberOfKeys: 2,
    lua: `
      redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[4])
      redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
      return 1`,
  },
  /**
   * KEYS: draft, index. ARGV: username, onlyIfUpdatedAt ('' for any). Returns 0 when a draft of
   * another save stays, else 1 (deleted, or there was none).
   */
  idleSessionDeleteDraft: {
    numberOfKeys: 2,
    lua: `
      local entry = redis.call('GET', KEYS[1])
      if entry and ARGV[2] ~= '' and cjson.decode(entry).draft.updatedAt ~= tonumber(ARGV[2]) then return 0 end
      redis.call('DEL', KEYS[1])
      redis.call('ZREM', KEYS[2], ARGV[1])
      return 1`,
  },
  /**
   * KEYS: draft, index. ARGV: username, now. Deletes the draft when its expiresAt has passed and
   * drops its index entry when it is gone; a draft saved again since keeps its new score.
   */
  idleSessionPurgeDraft: {
    numberOfKeys: 2,
    lua: `
      local entry = redis.call('GET', KEYS[1])
      if entry and cjson.decode(entry).expiresAt > tonumber(ARGV[2]) then return 0 end
      redis.call('ZREM', KEYS[2], ARGV[1])
      if not entry then return 0 end
      redis.call('DEL', KEYS[1])
      return 1`,
  },
} as const;

type ScriptName = keyof typeof scripts;
type RedisWithNoteScripts = Redis & Record<ScriptName, (...args: (string | number)[]) => Promise<unknown>>;

const newestFirst = (a: Note, b: Note) => b.updatedAt - a.updatedAt || (a.id < b.id ? -1 : 1);

/** The notes part over the store's connected client; defines its scripts on it. */
export function createRedisNotes(redis: Redis): NoteStore {
  for (const [name, script] of Object.entries(scripts)) redis.defineCommand(name, script);
  const client = redis as RedisWithNoteScripts;

  return {
    async listNotes(username) {
      const notes = Object.values(await client.hgetall(notesKey(username))).map((json) => JSON.parse(json) as Note);
      return notes.sort(newestFirst);
    },
    async getNote(username, id) {
      const json = await client.hget(notesKey(username), id);
      return json === null ? undefined : (JSON.parse(json) as Note);
    },
    async insertNote(username, note, maxNotes) {
      return (await client.idleSessionInsertNote(notesKey(username), note.id, JSON.stringify(note), maxNotes)) === 1;
    },
    async updateNote(username, id, baseRevision, change) {
      const note: Note = { id, ...change, revision: baseRevision + 1 };
      const [status, current] = (await client.idleSessionUpdateNote(
        notesKey(username),
        id,
        baseRevision,
        JSON.stringify(note),
      )) as [string, string?];
      if (status === 'updated') return { status, note };
      if (status === 'conflict') return { status, current: JSON.parse(current!) as Note };
      return { status: 'missing' };
    },
    async deleteNote(username, id) {
      return (await client.hdel(notesKey(username), id)) === 1;
    },
    async getDraft(username, now) {
      const json = await client.get(draftKey(username));
      const entry = json === null ? undefined : (JSON.parse(json) as { draft: Draft; expiresAt: number });
      return entry && entry.expiresAt > now ? entry.draft : undefined;
    },
    async putDraft(username, draft, expiresAt) {
      await client.idleSessionPutDraft(
        draftKey(username),
        draftIndexKey,
        username,
        JSON.stringify({ draft, expiresAt }),
        expiresAt,
        // The draft's updatedAt is the app's "now" when it is saved.
        Math.max(1, Math.ceil(expiresAt - draft.updatedAt + draftGcMarginMs)),
      );
    },
    async deleteDraft(username, onlyIfUpdatedAt) {
      const deleted = await client.idleSessionDeleteDraft(
        draftKey(username),
        draftIndexKey,
        username,
        onlyIfUpdatedAt === undefined ? '' : String(onlyIfUpdatedAt),
      );
      return deleted === 1;
    },
    async purgeDrafts(now) {
      const batch = 500;
      let purged = 0;
      for (;;) {
        const usernames = await client.zrangebyscore(draftIndexKey, '-inf', now, 'LIMIT', 0, batch);
        if (usernames.length === 0) return purged;
        const results = await Promise.all(
          usernames.map((username) => client.idleSessionPurgeDraft(draftKey(username), draftIndexKey, username, now)),
        );
        purged += results.filter((deleted) => deleted === 1).length;
        if (usernames.length < batch) return purged;
      }
    },
  };
}
