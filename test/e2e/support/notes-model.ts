/**
 * The draft protocol as a model-based test (docs/decisions/023-drafts-bound-to-their-session.md):
 * a seeded random sequence of what people do with Notes in one browser (type, pause, save,
 * discard, a second tab opened and closed, reload, offline and back, idle until signed out, ended
 * from another device, another user signing in on the same browser, an explicit sign-out), run
 * against the real server in Chromium and checked against a small model after every step:
 *
 * - after every page load and sign-in, the editor holds exactly the user's last text that the
 *   app was able to keep, or the page says in words that part of it could not be kept;
 * - no user ever sees another's text on any page, and the server never accepts a draft carrying
 *   one user's words under another user's session.
 *
 * The model: per user, the text the next restore must show (`expected`, null for none), whether
 * some of it is missing (`missing`: lost with a tab closed offline or dropped when another user
 * signed in, said by every restore until the user works on a page that said it), and a version per
 * draft write, so a save or discard deletes the draft only if the tab's draft is the newest (the
 * server's compare-and-delete). Each user's words carry a marker of theirs (`alpha<seed>_7`), so
 * a leak is a substring. A failure names its seed and the step list, which replays it exactly.
 */
import { expect, request as apiRequest, type BrowserContext, type Page } from '@playwright/test';
import { seededRandom } from '../../../bench/lib/virtual-time';
import { noteText, passwordFor, pathIs, signedInAs, uniqueUser, warningDialog } from './app';
import type { DraftResponse } from '../../../shared/contract';

interface Tab {
  page: Page;
  /** The `version` of the user's draft this tab last wrote or restored (-1: none it could delete). */
  known: number;
  /**
   * The user whose lost text this tab's last landing said could not be kept, while no newer loss
   * came: working on the page (typing, saving, discarding) acknowledges it, and it is not said again.
   */
  sawLoss?: UserModel;
}

interface UserModel {
  name: string;
  marker: string;
  words: number;
  /** The text the next restore must show; null: no draft. */
  expected: string | null;
  /**
   * Typed text was lost (a tab closed offline, or another user signed in on the tab that held it)
   * and the user has not worked on a page that said so since: every restore must say so. Another
   * tab's save does not change that (lost-text.ts).
   */
  missing: boolean;
  /** Draft writes so far (the server's compare-and-delete compares against the newest). */
  version: number;
  /**
   * Text a tab closed offline tried to send: Chromium sends a closing page's `keepalive` request
   * from the browser process, where the page's emulated offline no longer applies, so it may
   * still arrive. The next landing that shows it takes it as the newest draft.
   */
  late?: string;
}

export interface NotesModelOptions {
  seed: number;
  steps: number;
  url: string;
  context: BrowserContext;
  idleTimeoutMs: number;
  log?: (line: string) => void;
}

type Action =
  | 'type'
  | 'typeThenReload'
  | 'pause'
  | 'save'
  | 'discard'
  | 'openTab'
  | 'closeTab'
  | 'offlineAndBack'
  | 'offlineTypeThenClose'
  | 'idleOut'
  | 'endedElsewhere'
  | 'otherUserSignsIn'
  | 'signOut';

const weights: Record<Action, number> = {
  type: 6,
  typeThenReload: 3,
  pause: 2,
  save: 2,
  discard: 1,
  openTab: 2,
  closeTab: 2,
  offlineAndBack: 2,
  offlineTypeThenClose: 1,
  idleOut: 1,
  endedElsewhere: 2,
  otherUserSignsIn: 2,
  signOut: 2,
};

const restoredNotice = (page: Page) => page.locator('.notice-restored');
const lostNotice = (page: Page) => page.getByText(/could not be kept/);
const draftSaved = (page: Page) => page.getByText('Draft saved on the server', { exact: true });

export async function runNotesModel({ seed, steps, url, context, idleTimeoutMs, log = () => {} }: NotesModelOptions) {
  const random = seededRandom(seed);
  const chance = (p: number) => random() < p;
  const users: UserModel[] = ['alpha', 'bravo'].map((prefix) => ({
    name: uniqueUser(prefix),
    marker: `${prefix}${seed}_`,
    words: 0,
    expected: null,
    missing: false,
    version: 0,
  }));
  const byName = new Map(users.map((user) => [user.name, user]));
  const other = (user: UserModel) => users.find((candidate) => candidate !== user)!;
  const history: string[] = [];
  const record = (line: string) => {
    history.push(line);
    log(`seed ${seed} step ${history.length}: ${line}`);
  };

  // The server must never take one user's words under another user's session.
  const sessionOwner = new Map<string, string>();
  const leaks: string[] = [];
  context.on('response', async (response) => {
    const path = new URL(response.url()).pathname;
    if (path === '/api/session' && response.ok() && ['POST', 'GET'].includes(response.request().method())) {
      const body = (await response.json().catch(() => undefined)) as
        { user?: { username: string }; session?: { id?: string } } | undefined;
      if (body?.user && body.session?.id) sessionOwner.set(body.session.id, body.user.username);
    }
    if (path === '/api/draft' && response.request().method() === 'PUT' && response.status() === 200) {
      const sent = JSON.parse(response.request().postData() ?? '{}') as { sessionId?: string; text?: string };
      const owner = byName.get(sessionOwner.get(sent.sessionId ?? '') ?? '');
      const intruder = owner && users.find((user) => user !== owner && (sent.text ?? '').includes(user.marker));
      if (intruder) leaks.push(`${intruder.name}'s words saved under ${owner.name}'s session`);
    }
  });
  // Closing a tab with text the server does not have asks first ("Leave site?"): the person leaves.
  context.on('page', (page) => page.on('dialog', (dialog) => void dialog.accept()));

  let browserUser: UserModel | undefined;
  const tabs: Tab[] = [];
  const main = () => tabs[0];

  /** Closes a tab as a person does (beforeunload and pagehide run), and waits until it is gone. */
  async function closeTab(tab: Tab) {
    await Promise.all([tab.page.waitForEvent('close'), tab.page.close({ runBeforeUnload: true })]);
  }

  /**
   * A person at the computer between steps: the mouse moves (activity, so only "idle until
   * signed out" lets the session run out), and an open warning is answered with Stay signed in.
   */
  async function nudge() {
    for (const tab of tabs) {
      const stay = tab.page.getByRole('button', { name: 'Stay signed in' });
      // Stay signed in in one tab closes the warning in the others a moment later: a warning seen
      // here may be gone before the click lands, which is fine, and must not wait out the test.
      if (await stay.isVisible()) await stay.click({ timeout: 2_000 }).catch(() => undefined);
    }
    // In every tab: activity in a tab that is not (yet) the heartbeat leader can wait for an
    // election, and a reload drops what the old page had not reported.
    for (const tab of tabs) await tab.page.mouse.move(50 + Math.floor(random() * 400), 50 + Math.floor(random() * 300));
  }

  /** No one on any page sees a word of another user's; the signed-in user's page shows only theirs. */
  async function expectNoLeak(tab: Tab, viewer: UserModel | undefined) {
    const seen = await tab.page.evaluate(() => {
      const fields = [...document.querySelectorAll('input, textarea')].map(
        (field) => (field as HTMLInputElement).value,
      );
      return `${document.body.innerText}\n${fields.join('\n')}`;
    });
    for (const user of users) {
      if (user !== viewer)
        expect(seen, `${user.name}'s words on a page of ${viewer?.name ?? 'nobody'}`).not.toContain(user.marker);
    }
  }

  /** A tab just showed the Notes page for `user`: the editor holds exactly what the model says. */
  async function expectLanding(tab: Tab, user: UserModel) {
    await expect(tab.page).toHaveURL(pathIs('/notes'), { timeout: 10_000 });
    await expect(signedInAs(tab.page)).toContainText(user.name);
    if (user.late !== undefined) {
      const either = [user.expected ?? '', user.late].map((text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
      await expect(noteText(tab.page)).toHaveValue(new RegExp(`^(?:${either.join('|')})$`));
      if ((await noteText(tab.page).inputValue()) === user.late) arrivedLate(user, user.late);
      user.late = undefined;
    }
    await expect(noteText(tab.page)).toHaveValue(user.expected ?? '');
    if (user.expected === null) await expect(restoredNotice(tab.page)).toHaveCount(0);
    else await expect(restoredNotice(tab.page)).toBeVisible();
    if (user.missing) await expect(lostNotice(tab.page)).toBeVisible();
    else await expect(lostNotice(tab.page)).toHaveCount(0);
    tab.sawLoss = user.missing ? user : undefined;
    tab.known = user.version;
    await expectNoLeak(tab, user);
  }

  async function signInOn(tab: Tab, user: UserModel) {
    const { page } = tab;
    if (!new URL(page.url()).pathname.startsWith('/login')) await page.goto(`${url}/login?next=/notes`);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expectNoLeak(tab, undefined);
    await page.getByLabel('Username').fill(user.name);
    await page.getByLabel('Password').fill(passwordFor(user.name));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(signedInAs(page)).toContainText(user.name);
    browserUser = user;
    if (new URL(page.url()).pathname !== '/notes') await page.goto(`${url}/notes`);
    await expectLanding(tab, user);
  }

  /** Every open tab has followed the browser's sign-out to the login page; `tab` says why. */
  async function allSignedOut(tab: Tab, reason: string, timeout: number) {
    await expect(tab.page).toHaveURL(
      (address) => address.pathname === '/login' && address.searchParams.get('reason') === reason,
      { timeout },
    );
    for (const rest of tabs) await expect(rest.page).toHaveURL(pathIs('/login'), { timeout });
    browserUser = undefined;
  }

  /** Ends the browser's session from another device (the Account page's Sign out, elsewhere). */
  async function endFromAnotherDevice(tab: Tab, user: UserModel) {
    const sessionId = await tab.page.evaluate(async () => {
      const response = await fetch('/api/session');
      return ((await response.json()) as { session: { id: string } }).session.id;
    });
    const device = await apiRequest.newContext({ baseURL: url, extraHTTPHeaders: { Origin: url } });
    try {
      const signedIn = await device.post('/api/session', {
        data: { username: user.name, password: passwordFor(user.name) },
      });
      expect(signedIn.status()).toBe(201);
      expect((await device.delete(`/api/sessions/${sessionId}`)).status()).toBe(204);
    } finally {
      await device.dispose();
    }
  }

  /** The user worked on `tab`'s page (typed, saved, discarded): a loss it said is acknowledged. */
  function workedOn(tab: Tab, user: UserModel) {
    if (tab.sawLoss === user) user.missing = false;
  }

  /** `user`'s text was just lost: every restore says so until a page that said it is worked on. */
  function lost(user: UserModel) {
    user.missing = true;
    for (const tab of tabs) tab.sawLoss = undefined;
  }

  /** Types the user's next word at the end of the text with the keyboard (activity, as people type). */
  async function typeWord(tab: Tab, user: UserModel, { keys = true } = {}) {
    const { page } = tab;
    if (await warningDialog(page).isVisible()) await page.getByRole('button', { name: 'Stay signed in' }).click();
    const word = ` ${user.marker}${++user.words}`;
    await noteText(page).focus();
    await page.keyboard.press('End');
    if (keys) await page.keyboard.type(word);
    else await page.keyboard.insertText(word);
    workedOn(tab, user);
    return noteText(page).inputValue();
  }

  /**
   * After the session was ended elsewhere: types the user's next word without key events if the
   * tab still shows the editor (a heartbeat already on its way may have signed it out first).
   */
  async function typeIfStillShown(tab: Tab, user: UserModel): Promise<string | undefined> {
    const word = ` ${user.marker}${user.words + 1}`;
    const typed = await tab.page.evaluate((value) => {
      const area = document.querySelector<HTMLTextAreaElement>('textarea');
      if (!area) return undefined;
      // As a keyboard would, in this very task: no gap in which the page could move on.
      area.focus();
      area.setSelectionRange(area.value.length, area.value.length);
      document.execCommand('insertText', false, value);
      return area.value;
    }, word);
    if (typed !== undefined) {
      user.words++;
      workedOn(tab, user);
    }
    return typed ?? undefined;
  }

  /** The page's text reached the server: the model's newest draft for the user. */
  async function delivered(tab: Tab, user: UserModel, text: string) {
    await expect(draftSaved(tab.page)).toBeVisible({ timeout: 10_000 });
    user.version++;
    user.expected = text;
    tab.known = user.version;
  }

  /** The text of a tab closed offline reached the server after all: it is the newest draft. */
  function arrivedLate(user: UserModel, text: string) {
    log(`  (the closed tab's keepalive save arrived: the draft is its text)`);
    user.version++;
    user.expected = text;
  }

  /** Save or discard in `tab`: the server deletes the draft only if it is the one this tab knows. */
  function draftDeletedBy(tab: Tab, user: UserModel) {
    if (tab.known === user.version && user.expected !== null) {
      user.expected = null;
      user.version++;
    }
    tab.known = -1;
  }

  const actions: Record<Action, { can: () => boolean; run: () => Promise<void> }> = {
    type: {
      can: () => browserUser !== undefined,
      async run() {
        const tab = tabs[Math.floor(random() * tabs.length)];
        record(`type in tab ${tabs.indexOf(tab) + 1}`);
        await delivered(tab, browserUser!, await typeWord(tab, browserUser!));
      },
    },
    typeThenReload: {
      can: () => browserUser !== undefined,
      async run() {
        const tab = tabs[Math.floor(random() * tabs.length)];
        record(`type in tab ${tabs.indexOf(tab) + 1}, reload at once`);
        const text = await typeWord(tab, browserUser!);
        await tab.page.reload();
        await nudge();
        // The page is gone before the debounce: pagehide sent it, with keepalive.
        browserUser!.version++;
        browserUser!.expected = text;
        await expectLanding(tab, browserUser!);
        for (const rest of tabs) if (rest !== tab) rest.known = -1;
      },
    },
    pause: {
      can: () => true,
      async run() {
        const ms = 200 + Math.floor(random() * 1_200);
        record(`pause ${ms} ms`);
        await main().page.waitForTimeout(ms);
      },
    },
    save: {
      can: () => browserUser !== undefined,
      async run() {
        const tab = tabs[Math.floor(random() * tabs.length)];
        record(`save in tab ${tabs.indexOf(tab) + 1}`);
        await tab.page.getByLabel('Title', { exact: true }).fill(`Note ${browserUser!.words}`);
        workedOn(tab, browserUser!);
        await nudge();
        await tab.page.getByRole('button', { name: 'Save' }).click();
        await expect(tab.page.getByRole('status').filter({ hasText: /^Saved “/ })).toBeAttached();
        draftDeletedBy(tab, browserUser!);
      },
    },
    discard: {
      can: () => browserUser !== undefined,
      async run() {
        const tab = tabs[Math.floor(random() * tabs.length)];
        if (!(await restoredNotice(tab.page).isVisible())) return record('discard: nothing restored here, skipped');
        record(`discard in tab ${tabs.indexOf(tab) + 1}`);
        await tab.page.getByRole('button', { name: 'Discard draft' }).click();
        await expect(restoredNotice(tab.page)).toHaveCount(0);
        workedOn(tab, browserUser!);
        draftDeletedBy(tab, browserUser!);
      },
    },
    openTab: {
      can: () => browserUser !== undefined && tabs.length === 1,
      async run() {
        record('open a second tab on Notes');
        const tab: Tab = { page: await context.newPage(), known: -1 };
        tabs.push(tab);
        await tab.page.goto(`${url}/notes`);
        await expectLanding(tab, browserUser!);
      },
    },
    closeTab: {
      can: () => tabs.length === 2,
      async run() {
        record('close the second tab');
        await closeTab(tabs.pop()!);
      },
    },
    offlineAndBack: {
      can: () => browserUser !== undefined,
      async run() {
        const tab = tabs[Math.floor(random() * tabs.length)];
        record(`offline, type in tab ${tabs.indexOf(tab) + 1}, back online`);
        await context.setOffline(true);
        const text = await typeWord(tab, browserUser!);
        await expect(tab.page.getByText('Draft not saved yet, retrying', { exact: true })).toBeVisible();
        await context.setOffline(false);
        await delivered(tab, browserUser!, text);
      },
    },
    offlineTypeThenClose: {
      can: () => browserUser !== undefined && tabs.length === 2,
      async run() {
        record('offline, type in the second tab, close it, back online');
        await context.setOffline(true);
        const tab = tabs.pop()!;
        const user = browserUser!;
        await typeWord(tab, user);
        const typed = await noteText(tab.page).inputValue();
        await closeTab(tab);
        await context.setOffline(false);
        // That text did not reach the server while offline: the restore keeps the last text that
        // did, and says so (the record was written offline, so it says so even if the text arrives).
        lost(user);
        // Unless the closing page's keepalive save arrived after all (see UserModel.late).
        const onServer = await main().page.evaluate(async () => {
          const response = await fetch('/api/draft');
          return response.ok ? ((await response.json()) as DraftResponse).draft?.text : undefined;
        });
        if (onServer === typed) arrivedLate(user, typed);
        else user.late = typed;
      },
    },
    idleOut: {
      can: () => browserUser !== undefined,
      async run() {
        const next = chance(0.75) ? browserUser! : other(browserUser!);
        record(`idle until signed out, then ${next.name} signs in`);
        await allSignedOut(main(), 'idle', idleTimeoutMs + 10_000);
        await signInOn(main(), next);
        for (const tab of tabs.slice(1)) await expectLanding(tab, next);
      },
    },
    endedElsewhere: {
      can: () => browserUser !== undefined,
      async run() {
        const user = browserUser!;
        const tab = tabs[Math.floor(random() * tabs.length)];
        record(`session ended from another device while typing in tab ${tabs.indexOf(tab) + 1}`);
        await endFromAnotherDevice(tab, user);
        // Words typed after the end, before the tab knows: no key events, so the next key
        // press (activity, a heartbeat) is how the tab learns of it. A heartbeat already on its
        // way may tell it first: then nothing is typed.
        const text = await typeIfStillShown(tab, user);
        if (text !== undefined) await tab.page.keyboard.press('Shift');
        await allSignedOut(tab, 'revoked', 15_000);
        if (text !== undefined) {
          user.version++;
          user.expected = text;
        }
        for (const rest of tabs) if (rest !== tab) rest.known = -1;
        await signInOn(tab, user);
        for (const rest of tabs) if (rest !== tab) await expectLanding(rest, user);
      },
    },
    otherUserSignsIn: {
      can: () => browserUser !== undefined,
      async run() {
        const user = browserUser!;
        const next = other(user);
        record(`${user.name}'s session ended elsewhere, words typed in tab 1, then ${next.name} signs in in a new tab`);
        while (tabs.length > 1) await closeTab(tabs.pop()!);
        await endFromAnotherDevice(main(), user);
        // Typed after the end, no key events: tab 1 still shows the Notes page; its save is refused.
        const typed = await typeIfStillShown(main(), user);
        const elsewhere: Tab = { page: await context.newPage(), known: -1 };
        await signInOn(elsewhere, next);
        // Tab 1 follows: the first user is signed out of it first, their unsent words dropped (and
        // their next restore says so), and the new user's Notes load.
        if (typed !== undefined) lost(user);
        await expectLanding(main(), next);
        await elsewhere.page.close();
      },
    },
    signOut: {
      can: () => browserUser !== undefined,
      async run() {
        const tab = main();
        const user = browserUser!;
        const keep = chance(0.7);
        const next = chance(0.7) ? user : other(user);
        record(`Sign out (${keep ? 'keep' : 'discard'} the draft if asked), then ${next.name} signs in`);
        await tab.page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
        const question = tab.page.getByRole('alertdialog', { name: 'Keep your unsaved note?' });
        await expect(question.or(tab.page.getByRole('heading', { name: 'Sign in' }))).toBeVisible();
        if (await question.isVisible()) {
          await question
            .getByRole('button', { name: keep ? 'Keep draft and sign out' : 'Discard draft and sign out' })
            .click();
          if (!keep) {
            user.expected = null;
            user.version++;
          }
        }
        await allSignedOut(tab, 'signed-out', 10_000);
        for (const rest of tabs.slice(1)) rest.known = -1;
        await signInOn(tab, next);
        for (const rest of tabs.slice(1)) await expectLanding(rest, next);
      },
    },
  };

  const first = users[0];
  tabs.push({ page: await context.newPage(), known: -1 });
  record(`${first.name} signs in`);
  await signInOn(main(), first);
  const names = Object.keys(weights) as Action[];
  try {
    for (let step = 0; step < steps; step++) {
      const possible = names.filter((name) => actions[name].can());
      const total = possible.reduce((sum, name) => sum + weights[name], 0);
      let roll = random() * total;
      const action = possible.find((name) => (roll -= weights[name]) < 0) ?? possible[0];
      if (action !== 'idleOut') await nudge();
      await actions[action].run();
      expect(leaks).toEqual([]);
    }
    for (const tab of tabs) await expectNoLeak(tab, browserUser);
  } catch (error) {
    const replay = `Replay: seed ${seed}, ${steps} steps. Steps so far:\n${history.map((line, i) => `  ${i + 1}. ${line}`).join('\n')}`;
    (error as Error).message = `${(error as Error).message}\n\n${replay}`;
    throw error;
  }
  return history;
}
