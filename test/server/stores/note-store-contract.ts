import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Draft, Note } from '../../../shared/contract';
import type { Store } from '../../../server/stores/store';
import { t0, type StoreFactory } from './store-contract';

let counter = 0;
/** A note as the app makes it: a 32-hex id, revision 1. */
export function newNote(updatedAt = t0, title = 'Title'): Note {
  counter++;
  return { id: counter.toString(16).padStart(32, '0'), title, text: `Text ${counter}`, revision: 1, updatedAt };
}

const draft = (text: string, updatedAt = t0): Draft => ({
  noteId: null,
  baseRevision: null,
  title: 'D',
  text,
  updatedAt,
});
const day = 24 * 60 * 60_000;

/**
 * What every store's notes part (server/stores/note-store.ts) must do. Run beside the session
 * contract: `describeNoteStoreContract('sqlite', factory)`.
 */
export function describeNoteStoreContract(name: string, factory: StoreFactory, { skip = false } = {}) {
  describe.skipIf(skip)(`NoteStore contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await factory();
    });
    afterEach(async () => {
      await store.close();
    });

    it('lists a user’s notes newest first, and only theirs', async () => {
      const older = newNote(t0);
      const newer = newNote(t0 + 1_000);
      await store.insertNote('ann', older, 200);
      await store.insertNote('ann', newer, 200);
      await store.insertNote('bob', newNote(t0 + 2_000), 200);
      const summary = ({ text: _text, ...rest }: Note) => rest;
      expect(await store.listNotes('ann')).toEqual([summary(newer), summary(older)]);
      expect(await store.listNotes('nobody')).toEqual([]);
    });

    it('keeps usernames and text exactly, including unicode, separators and "__proto__"', async () => {
      const note = { ...newNote(), title: 'Zoë ✓ "quoted"', text: 'line 1\nline 2\u00a0😀 \\ {}' };
      for (const username of ['Zoë:user name', '__proto__']) {
        await store.insertNote(username, note, 200);
        expect(await store.getNote(username, note.id)).toEqual(note);
      }
      expect(await store.getNote('Zoë', note.id)).toBeUndefined();
    });

    it('refuses a note past the limit, writing nothing', async () => {
      expect(await store.insertNote('ann', newNote(), 2)).toBe(true);
      expect(await store.insertNote('ann', newNote(), 2)).toBe(true);
      const third = newNote();
      expect(await store.insertNote('ann', third, 2)).toBe(false);
      expect(await store.getNote('ann', third.id)).toBeUndefined();
      expect(await store.insertNote('bob', newNote(), 2)).toBe(true);
    });

    it('inserts many notes at once, or none when they would pass the limit', async () => {
      await store.insertNote('ann', newNote(), 4);
      const batch = [newNote(), newNote(), newNote()];
      expect(await store.insertNotes('ann', batch, 4)).toBe(true);
      for (const note of batch) expect(await store.getNote('ann', note.id)).toEqual(note);
      const tooMany = [newNote(), newNote()];
      expect(await store.insertNotes('bob', tooMany, 1)).toBe(false);
      expect(await store.insertNotes('ann', [newNote()], 4)).toBe(false);
      expect(await store.listNotes('ann')).toHaveLength(4);
      expect(await store.listNotes('bob')).toHaveLength(0);
    });

    it('never lets two inserts at once pass the limit', async () => {
      const results = await Promise.all(Array.from({ length: 5 }, () => store.insertNote('ann', newNote(), 3)));
      expect(results.filter(Boolean)).toHaveLength(3);
      expect(await store.listNotes('ann')).toHaveLength(3);
    });

    it('updates only from the stored revision: an older base is a conflict with the current note', async () => {
      const note = newNote();
      await store.insertNote('ann', note, 200);
      const change = { title: 'New', text: 'new text', updatedAt: t0 + 5_000 };
      const updated = await store.updateNote('ann', note.id, 1, change);
      expect(updated).toEqual({ status: 'updated', note: { ...note, ...change, revision: 2 } });
      const stale = await store.updateNote('ann', note.id, 1, { ...change, text: 'other tab' });
      expect(stale).toEqual({ status: 'conflict', current: { ...note, ...change, revision: 2 } });
      expect((await store.getNote('ann', note.id))?.text).toBe('new text');
    });

    it('lets exactly one of two saves from the same revision win', async () => {
      const note = newNote();
      await store.insertNote('ann', note, 200);
      const results = await Promise.all(
        ['a', 'b'].map((text) => store.updateNote('ann', note.id, 1, { title: 't', text, updatedAt: t0 + 1 })),
      );
      expect(results.map((result) => result.status).sort()).toEqual(['conflict', 'updated']);
    });

    it('cannot update or delete another user’s note, nor a missing one', async () => {
      const note = newNote();
      await store.insertNote('ann', note, 200);
      const change = { title: 'x', text: 'x', updatedAt: t0 };
      expect(await store.updateNote('bob', note.id, 1, change)).toEqual({ status: 'missing' });
      expect(await store.deleteNote('bob', note.id)).toBe(false);
      expect(await store.getNote('ann', note.id)).toEqual(note);
      expect(await store.deleteNote('ann', note.id)).toBe(true);
      expect(await store.deleteNote('ann', note.id)).toBe(false);
      expect(await store.updateNote('ann', note.id, 1, change)).toEqual({ status: 'missing' });
    });

    it('keeps one draft per user until it expires, replaced by the next save', async () => {
      await store.putDraft('ann', draft('first'), t0 + day);
      await store.putDraft('ann', draft('second', t0 + 1_000), t0 + 1_000 + day);
      expect(await store.getDraft('ann', t0 + day)).toEqual(draft('second', t0 + 1_000));
      expect(await store.getDraft('bob', t0)).toBeUndefined();
      expect(await store.getDraft('ann', t0 + 1_000 + day)).toBeUndefined();
    });

    it('deletes a draft, only the owner’s', async () => {
      await store.putDraft('ann', draft('mine'), t0 + day);
      await store.deleteDraft('bob');
      expect(await store.getDraft('ann', t0)).toEqual(draft('mine'));
      await store.deleteDraft('ann');
      expect(await store.getDraft('ann', t0)).toBeUndefined();
    });

    it('deletes a draft only if it is the save named (compare-and-delete), and says when a newer one stayed', async () => {
      await store.putDraft('ann', draft('tab 1'), t0 + day);
      await store.putDraft('ann', draft('tab 2', t0 + 5), t0 + 5 + day);
      expect(await store.deleteDraft('ann', t0)).toBe(false);
      expect(await store.getDraft('ann', t0)).toEqual(draft('tab 2', t0 + 5));
      expect(await store.deleteDraft('ann', t0 + 5)).toBe(true);
      expect(await store.getDraft('ann', t0)).toBeUndefined();
      expect(await store.deleteDraft('ann', t0 + 5)).toBe(true);
      // Gone from the expiry bookkeeping too: nothing left to purge.
      expect(await store.purgeDrafts(t0 + 10 * day)).toBe(0);
      await store.putDraft('__proto__', draft('odd name'), t0 + day);
      expect(await store.deleteDraft('__proto__', t0 + 1)).toBe(false);
      expect(await store.deleteDraft('__proto__', t0)).toBe(true);
      expect(await store.getDraft('__proto__', t0)).toBeUndefined();
    });

    it('purges drafts whose time has passed, and counts them', async () => {
      await store.putDraft('old', draft('old'), t0 + day);
      await store.putDraft('new', draft('new', t0 + 60_000), t0 + 60_000 + day);
      expect(await store.purgeDrafts(t0 + day)).toBe(1);
      expect(await store.getDraft('new', t0 + day)).toEqual(draft('new', t0 + 60_000));
      expect(await store.purgeDrafts(t0 + day)).toBe(0);
    });

    it('leaves the sessions alone: notes and drafts never touch a session record', async () => {
      const record = {
        idHash: 'hash-notes',
        username: 'ann',
        createdAt: t0,
        lastActivityAt: t0,
        publicId: 'public-notes',
        browser: 'Chrome on Linux',
      };
      await store.create(record, t0 + 60_000);
      await store.insertNote('ann', newNote(t0 + 30_000), 200);
      await store.putDraft('ann', draft('x', t0 + 30_000), t0 + 30_000 + day);
      expect(await store.get('hash-notes')).toEqual(record);
    });
  });
}
