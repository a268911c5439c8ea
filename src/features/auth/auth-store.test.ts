import { afterEach, expect, it } from 'vitest';
import { advance, until, useFakeClock } from '../../../test/support/app-harness';
import { announceWaitMs, createAuthStore } from './auth-store';

const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((close) => close()));

/** Whether the ear hears within half a second of real time (a message takes a moment to cross). */
const hearsSoon = (ear: { heard: boolean }) =>
  until(() => ear.heard, 'a message', 500).then(
    () => true,
    () => false,
  );

/** Another tab's ear on the sign-in channel: true once it heard of a sign-in. */
function otherTab() {
  const channel = new BroadcastChannel('idle-session-sign-in');
  const ear = { heard: false };
  channel.addEventListener('message', () => (ear.heard = true));
  closers.push(() => channel.close());
  return ear;
}

it('tells the other tabs of a sign-in once the work registered before it is done', async () => {
  useFakeClock();
  const auth = createAuthStore();
  closers.push(() => auth.close());
  await auth.ready;
  let finish!: () => void;
  auth.beforeSignInAnnounced(() => new Promise<void>((resolve) => (finish = resolve)));
  const ear = otherTab();
  expect((await auth.signIn({ username: 'test', password: 'test_secret' })).ok).toBe(true);
  expect(auth.getState().status).toBe('signed-in'); // this tab goes on at once
  expect(await hearsSoon(ear)).toBe(false);
  finish();
  await until(() => ear.heard, 'the other tab to hear');
});

it('tells them after announceWaitMs when that work does not end', async () => {
  useFakeClock();
  const auth = createAuthStore();
  closers.push(() => auth.close());
  await auth.ready;
  auth.beforeSignInAnnounced(() => new Promise<void>(() => {}));
  const ear = otherTab();
  await auth.signIn({ username: 'test', password: 'test_secret' });
  await advance(announceWaitMs - 250);
  expect(await hearsSoon(ear)).toBe(false);
  await advance(250);
  await until(() => ear.heard, 'the other tab to hear');
});
