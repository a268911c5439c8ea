import { act, fireEvent, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '../../../mocks/node';
import { advance, renderApp, settle, signInThroughApi, until, useFakeClock } from '../../../test/support/app-harness';
import { createLostTextRecord } from './lost-text';
import { unsentDraft } from './unsent-draft';

/** Since when another tab's restore says `username`'s text was lost. */
const lostSeenElsewhere = (username: string) => createLostTextRecord('another-tab').lost(username, null)?.since;

// Mock server defaults: 60 s idle, 30 s warning. The mock runs the real createApp.
let renderedApp: ReturnType<typeof renderApp> | undefined;

async function openNotes() {
  await signInThroughApi();
  renderedApp = renderApp('/notes');
  await until(() => screen.queryByRole('heading', { name: 'Notes', level: 1 }) !== null, 'the Notes page');
}

/** The public id of the browser's current session (what a draft write names). */
async function currentSessionId(): Promise<string> {
  return ((await (await fetch('/api/session')).json()) as { session: { id: string } }).session.id;
}

/** A draft save from another tab of this browser (same cookie). */
async function saveDraftElsewhere(text: string) {
  const body = { noteId: null, baseRevision: null, title: 'Elsewhere', text, sessionId: await currentSessionId() };
  const response = await fetch('/api/draft', {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

const typeText = (text: string) => fireEvent.change(screen.getByLabelText('Text'), { target: { value: text } });
const draftStatus = () =>
  screen.queryByText(/^Draft |^Unsaved changes|^Saving draft|^Your session has ended/)?.textContent;

/** Signs in through this tab's own login form. */
async function signInHere(username: string) {
  await until(() => screen.queryByRole('button', { name: 'Sign in' }) !== null, 'the sign-in form');
  fireEvent.change(screen.getByLabelText('Username'), { target: { value: username } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: `${username}_secret` } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

/**
 * Notes open, `text` typed, its save refused because the session was ended from another device,
 * then this tab signed out for it: the tab holds `text` for the same user's next sign-in.
 */
async function endedWhileTyping(text: string) {
  const app = (await openNotes(), renderedApp!);
  server.use(
    http.put('/api/draft', () =>
      HttpResponse.json(
        { error: 'session_revoked', message: 'Your session was ended from another device.' },
        { status: 401 },
      ),
    ),
  );
  typeText(text);
  await advance(1_100);
  server.resetHandlers();
  act(() => app.auth.signOut('revoked'));
  return app;
}

async function serverDraft(): Promise<{ text: string } | null> {
  const response = await fetch('/api/draft');
  return ((await response.json()) as { draft: { text: string } | null }).draft;
}

describe('the Notes page', () => {
  beforeEach(() => useFakeClock());

  it('saves the draft the moment the warning opens, before the debounce would have', async () => {
    await openNotes();
    // Typed 29.5 s after sign-in without key events (no activity): the warning opens at 30 s.
    await advance(29_500);
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'typed at the last moment' } });
    await advance(600);
    expect(screen.getByRole('alertdialog')).toBeVisible();
    await until(async () => (await serverDraft())?.text === 'typed at the last moment', 'the draft on the server');
  });

  it('shows the count before the limit and a clear message at it', async () => {
    await openNotes();
    const title = screen.getByLabelText('Title');
    fireEvent.change(title, { target: { value: 'x'.repeat(190) } });
    expect(screen.getByText('10 characters left.')).toBeVisible();
    fireEvent.change(title, { target: { value: 'x'.repeat(200) } });
    expect(screen.getByText('You have reached the limit of 200 characters.')).toBeVisible();
    expect(title).toHaveAccessibleDescription('You have reached the limit of 200 characters.');
  });

  it('saves, lists, opens and deletes a note', async () => {
    await openNotes();
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Groceries' } });
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'milk' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await until(() => screen.queryByRole('button', { name: 'Open Groceries' }) !== null, 'the saved note in the list');
    expect(await serverDraft()).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Delete Groceries' }));
    await until(() => screen.queryByText('No saved notes yet.') !== null, 'the empty list');
  });

  it.each([
    ['Keep draft and sign out', 'kept for next time'],
    ['Discard draft and sign out', null],
  ])('asks once at an explicit Sign out with an unsaved note: %s', async (choice, expected) => {
    await openNotes();
    fireEvent.change(screen.getByLabelText('Text'), { target: { value: 'kept for next time' } });
    fireEvent.click(within(screen.getByRole('banner')).getByRole('button', { name: 'Sign out' }));
    const question = await findQuestion();
    fireEvent.click(within(question).getByRole('button', { name: choice }));
    await until(() => screen.queryByRole('heading', { name: 'Sign in' }) !== null, 'the login page');
    await signInThroughApi();
    const draft = await serverDraft();
    expect(draft?.text ?? null).toBe(expected);
    // Kept or discarded on purpose, nothing was lost.
    expect(lostSeenElsewhere('test')).toBeUndefined();
  });

  it('signs out at once, asking nothing, without an unsaved note', async () => {
    await openNotes();
    fireEvent.click(within(screen.getByRole('banner')).getByRole('button', { name: 'Sign out' }));
    await until(() => screen.queryByRole('heading', { name: 'Sign in' }) !== null, 'the login page');
    expect(screen.queryByRole('alertdialog', { name: 'Keep your unsaved note?' })).toBeNull();
  });
});

/**
 * Nothing lost, for real (issue 19, decision 023): each of the ways text was lost, as the
 * sequence that lost it. Every one of these failed before the fix.
 */
describe('the Notes page keeps every keystroke, for its owner only', () => {
  beforeEach(() => useFakeClock());

  it('keeps saving after a restore (the restored draft’s updatedAt never goes back to the server)', async () => {
    await signInThroughApi();
    await saveDraftElsewhere('restored text');
    renderApp('/notes');
    await until(() => screen.queryByText(/Your unsaved note was restored/) !== null, 'the restore');
    typeText('restored text, and more');
    await advance(1_500);
    expect(draftStatus()).toBe('Draft saved on the server');
    expect(await serverDraft()).toMatchObject({ text: 'restored text, and more' });
  });

  it('saving a note in one tab leaves the newer draft another tab wrote', async () => {
    await openNotes();
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Mine' } });
    typeText('tab 1');
    await advance(1_500);
    await advance(1_000);
    await saveDraftElsewhere('tab 2, still typing');
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await until(() => screen.queryByRole('button', { name: 'Open Mine' }) !== null, 'the saved note');
    expect(await serverDraft()).toMatchObject({ text: 'tab 2, still typing' });
  });

  it('sends what was typed in the last moment when the page is hidden or closed (pagehide), not a second later', async () => {
    await openNotes();
    typeText('typed just before closing the tab');
    act(() => void window.dispatchEvent(new Event('pagehide')));
    // The clock stands still: this is not the debounce.
    await until(() => draftStatus() === 'Draft saved on the server', 'the save at pagehide');
    expect(await serverDraft()).toMatchObject({ text: 'typed just before closing the tab' });
    typeText('typed just before switching tabs');
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    await until(() => draftStatus() === 'Draft saved on the server', 'the save on hiding');
    expect(await serverDraft()).toMatchObject({ text: 'typed just before switching tabs' });
  });

  it('text this tab still holds, taken back by the editor, does not clear the record that it is not on the server', async () => {
    // Held text proves nothing reached the server: restoring it must not erase the marker, or a
    // tab closed before the editor's next save fails would restore later as if nothing was lost.
    await signInThroughApi();
    const sessionId = await currentSessionId();
    server.use(http.put('/api/draft', () => HttpResponse.error()));
    unsentDraft.signedIn({ username: 'test', sessionId });
    unsentDraft.hold('test', sessionId, { noteId: null, baseRevision: null, title: 'Held', text: 'not on the server' });
    await unsentDraft.settled();
    const since = lostSeenElsewhere('test');
    expect(since).toBeTypeOf('number');
    // Later, so a marker made again (not kept) shows by its time.
    await advance(5_000);
    renderedApp = renderApp('/notes');
    await until(() => screen.queryByRole('heading', { name: 'Notes', level: 1 }) !== null, 'the Notes page');
    expect(screen.getByLabelText('Text')).toHaveValue('not on the server');
    expect(lostSeenElsewhere('test')).toBe(since);
  });

  it('another tab’s lost text is said, survives this tab’s saves, and is said no more once the user works on a page that said it', async () => {
    await openNotes();
    // A second tab closes offline with text in it, after this page loaded.
    createLostTextRecord('closed-tab').markUndelivered('test');
    typeText('saved in this tab');
    await advance(1_100);
    await until(() => draftStatus() === 'Draft saved on the server', 'this tab’s save');
    // That save is this tab's: the other tab's text is still lost, and the next restore says so.
    const since = lostSeenElsewhere('test');
    expect(since, 'the closed tab’s loss after this tab saved').toBeTypeOf('number');
    renderedApp!.unmount();
    renderedApp = renderApp('/notes');
    await until(() => screen.queryByText(/could not be kept/) !== null, 'the restore saying text was lost');
    expect(screen.getByLabelText('Text')).toHaveValue('saved in this tab');
    // The user has seen it and goes on: it is not said again.
    typeText('saved in this tab, and more');
    expect(lostSeenElsewhere('test')).toBeUndefined();
  });

  it('a loss recorded after this page landed is not acknowledged by it, though data loaded again holds it', async () => {
    // Found in review: a delete reloaded the page's data, which then held the new loss; the page
    // showed nothing, yet typing there deleted it.
    await openNotes();
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'Old' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await until(() => screen.queryByRole('button', { name: 'Delete Old' }) !== null, 'the saved note');
    createLostTextRecord('closed-tab').markUndelivered('test');
    fireEvent.click(screen.getByRole('button', { name: 'Delete Old' }));
    await until(() => screen.queryByRole('button', { name: 'Delete Old' }) === null, 'the list loaded again');
    expect(screen.queryByText(/could not be kept/)).toBeNull();
    typeText('typed after the delete');
    expect(lostSeenElsewhere('test'), 'the loss this page never showed').toBeTypeOf('number');
  });

  it('text too long for keepalive, on a page that closes, is recorded as lost (the browser cancels its save)', async () => {
    await openNotes();
    typeText('字'.repeat(17_000));
    act(() => void window.dispatchEvent(new Event('pagehide')));
    expect(lostSeenElsewhere('test')).toBeTypeOf('number');
  });

  it('text the server refuses stays in the editor and is recorded as not on the server until a save gets through', async () => {
    await openNotes();
    server.use(
      http.put('/api/draft', () => HttpResponse.json({ error: 'bad_request', message: 'No.' }, { status: 400 }), {
        once: true,
      }),
    );
    typeText('refused once');
    await advance(1_100);
    await until(() => lostSeenElsewhere('test') !== undefined, 'the record of refused text');
    typeText('refused once, then saved');
    await advance(1_100);
    await until(() => draftStatus() === 'Draft saved on the server', 'the save');
    expect(lostSeenElsewhere('test')).toBeUndefined();
  });

  it('a page that closes while an older save is on its way sends its newest text too, and says it is lost until a restore shows it', async () => {
    // Found in review: the flush at pagehide did nothing while a save was on its way, and
    // nothing was recorded, so the restore showed the older text as whole.
    await openNotes();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    server.use(
      http.put('/api/draft', async ({ request }) => {
        sent.push(((await request.clone().json()) as { text: string }).text);
        await gate; // then on to the mock server's own handler
      }),
    );
    typeText('first words');
    await act(async () => void vi.advanceTimersByTime(1_100));
    await until(() => sent.length === 1, 'the first save on its way');
    typeText('first words, and the last sentence');
    act(() => void window.dispatchEvent(new Event('pagehide')));
    await settle();
    expect(sent).toContain('first words, and the last sentence');
    expect(lostSeenElsewhere('test'), 'said lost while its save is unanswered').toBeTypeOf('number');
    release();
    await advance(250); // waits for both saves to be answered
    // Whichever save landed last, a restore of what the server has says exactly what is true.
    const onServer = await serverDraft();
    const restore = createLostTextRecord('next-page').lost('test', {
      noteId: null,
      baseRevision: null,
      title: '',
      text: onServer!.text,
    });
    expect(restore === undefined).toBe(onServer!.text === 'first words, and the last sentence');
  });

  it('retries at once when the browser comes back online', async () => {
    await openNotes();
    server.use(http.put('/api/draft', () => HttpResponse.error(), { once: true }));
    typeText('typed offline');
    await advance(1_100);
    expect(draftStatus()).toBe('Draft not saved yet, retrying');
    act(() => void window.dispatchEvent(new Event('online')));
    await settle();
    await until(() => draftStatus() === 'Draft saved on the server', 'the save on reconnecting');
    expect(await serverDraft()).toMatchObject({ text: 'typed offline' });
  });

  it('says in the warning that text which has not reached the server is kept in this tab only, not that it is kept', async () => {
    await openNotes();
    server.use(http.put('/api/draft', () => HttpResponse.error()));
    typeText('typed with the network down');
    await advance(31_000);
    const warning = screen.getByRole('alertdialog');
    expect(within(warning).getByText(/have not reached the server yet/)).toBeVisible();
    server.resetHandlers();
    act(() => void window.dispatchEvent(new Event('online')));
    await until(
      () => within(warning).queryByText(/have not reached the server yet/) === null,
      'the note gone once saved',
    );
    expect(await serverDraft()).toMatchObject({ text: 'typed with the network down' });
  });

  it('gives text refused because the session was ended elsewhere back after the same user signs in again in this tab', async () => {
    const app = await endedWhileTyping('typed as another device ended the session');
    await until(
      () => screen.queryByText(/Text you typed in a note has not reached the server yet/) !== null,
      'the notice',
    );
    expect(screen.getByText(/It is kept in this tab only/)).toHaveTextContent('sign in again here as test');
    await signInHere('test');
    await until(() => app.path() === '/notes', 'back on Notes');
    await until(() => screen.queryByLabelText('Text') !== null, 'the editor');
    expect(screen.getByLabelText('Text')).toHaveValue('typed as another device ended the session');
    expect(await serverDraft()).toMatchObject({ text: 'typed as another device ended the session' });
  });

  it('hands that text over before the other tabs hear of the sign-in, so a tab that follows it loads the draft with the text', async () => {
    await endedWhileTyping('typed in this tab as another device ended the session');
    // The hand-over's save takes a while on the network: it is answered once released.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let handOverSent = false;
    server.use(
      http.put('/api/draft', async () => {
        handOverSent = true;
        await released;
        return undefined; // on to the mock server's own handler
      }),
    );
    // Another tab of this browser hears of the sign-in here and loads the user's draft at once, as
    // its Notes page does when it follows (the model test in test/e2e found it loading it without).
    // The hand-over is answered after that load, if the other tab heard before it was sent.
    const otherTab = new BroadcastChannel('idle-session-sign-in');
    let heard = false;
    let loadedThere: string | null | undefined;
    otherTab.addEventListener('message', () => {
      heard = true;
      void serverDraft().then((draft) => {
        loadedThere = draft?.text ?? null;
        release();
      });
    });
    try {
      await signInHere('test');
      await until(() => handOverSent, 'the hand-over to be sent');
      // Told before the hand-over was answered (the bug), the other tab hears within a moment and
      // loads first. Told after it, it hears nothing yet: this waits out its 1 s limit.
      await until(() => heard, 'the other tab to hear', 1_000).catch(() => undefined);
      if (!heard) release();
      await until(() => loadedThere !== undefined, 'the other tab to load the draft');
      expect(loadedThere).toBe('typed in this tab as another device ended the session');
    } finally {
      otherTab.close();
    }
  });

  it('drops that text, unsent, when another user signs in on this tab', async () => {
    const app = (await openNotes(), renderedApp!);
    server.use(
      http.put('/api/draft', () => HttpResponse.json({ error: 'unauthenticated', message: 'Ended.' }, { status: 401 })),
    );
    typeText('alice’s private words');
    await advance(1_100);
    server.resetHandlers();
    act(() => app.auth.signOut('expired'));
    await signInHere('bob');
    await until(() => app.path() === '/notes', 'bob on Notes');
    await until(() => screen.queryByLabelText('Text') !== null, 'the editor');
    expect(screen.getByLabelText('Text')).toHaveValue('');
    expect(await serverDraft()).toBeNull();
  });

  it('a tab signed in as one user that follows another user’s sign-in signs the first out before anything else: none of their text goes under the new cookie', async () => {
    await signInThroughApi('alice');
    const tab1 = renderApp('/notes');
    await until(() => screen.queryByLabelText('Text') !== null, 'alice’s Notes');
    const sent: string[] = [];
    server.events.on('request:start', ({ request }) => {
      if (request.method === 'PUT' && request.url.endsWith('/api/draft'))
        void request
          .clone()
          .text()
          .then((body) => sent.push(body));
    });
    typeText('alice, unsaved');
    const signedOut: string[] = [];
    tab1.auth.onSignOut(({ reason }) => signedOut.push(reason));
    // Tab 2 of the same browser: bob signs in (one cookie for the browser).
    await signInThroughApi('bob');
    new BroadcastChannel('idle-session-sign-in').postMessage({ type: 'signed-in' });
    await until(() => screen.queryByText('bob') !== null, 'tab 1 following bob');
    await advance(2_000);
    expect(signedOut).toEqual(['other-tab']);
    expect(await serverDraft()).toBeNull();
    // Whatever tab 1 sent, it named alice's session: the server took none of it for bob.
    for (const body of sent) expect(body).not.toContain('alice, unsaved');
    await until(() => screen.queryByLabelText('Text') !== null, 'bob’s Notes');
    expect(screen.getByLabelText('Text')).toHaveValue('');
  });
});

async function findQuestion(): Promise<HTMLElement> {
  await until(
    () => screen.queryByRole('alertdialog', { name: 'Keep your unsaved note?' }) !== null,
    'the sign-out question',
  );
  return screen.getByRole('alertdialog', { name: 'Keep your unsaved note?' });
}
