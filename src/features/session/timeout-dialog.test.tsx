import { act, fireEvent, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { advance, renderApp, settle, signInThroughApi, until, useFakeClock } from '../../../test/support/app-harness';

// Mock server defaults: 60 s idle, 30 s warning.
async function openWarning() {
  await signInThroughApi();
  const app = renderApp('/notes');
  await until(() => screen.queryByRole('heading', { name: 'Notes', level: 1 }) !== null, 'the Notes page');
  const notes = screen.getByLabelText('Text');
  notes.focus();
  await advance(31_000);
  return { app, notes, dialog: screen.getByRole('alertdialog') };
}

function setHidden(hidden: boolean) {
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible'),
  });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  act(() => void document.dispatchEvent(new Event('visibilitychange')));
}

describe('the timeout warning, for keyboard and screen-reader users', () => {
  beforeEach(() => useFakeClock());

  it('is a modal alertdialog named and described, with Stay signed in focused', async () => {
    const { dialog } = await openWarning();
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(dialog).toHaveAccessibleName('Your session is about to expire');
    expect(dialog).toHaveAccessibleDescription(/signed out after 1 minute of inactivity/);
    // WCAG 2.2.6: what inactivity does to unsaved work, instead of "may be lost".
    expect(dialog).toHaveAccessibleDescription(/Notes you have not saved are kept for 24 hours/);
    expect(within(dialog).getByRole('button', { name: 'Stay signed in' })).toHaveFocus();
  });

  it('keeps Tab and Shift+Tab inside, wrapping between its buttons', async () => {
    const { dialog } = await openWarning();
    const stay = within(dialog).getByRole('button', { name: 'Stay signed in' });
    const signOut = within(dialog).getByRole('button', { name: 'Sign out' });
    signOut.focus();
    fireEvent.keyDown(signOut, { key: 'Tab' });
    expect(stay).toHaveFocus();
    fireEvent.keyDown(stay, { key: 'Tab', shiftKey: true });
    expect(signOut).toHaveFocus();
  });

  it('gives focus back to where it was when it closes', async () => {
    const { dialog, notes } = await openWarning();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Stay signed in' }));
    await until(() => screen.queryByRole('alertdialog') === null, 'the warning to close');
    expect(notes).toHaveFocus();
  });

  it('speaks the countdown in words at the documented steps only', async () => {
    const { dialog } = await openWarning();
    const region = screen.getByTestId('countdown-announcement');
    expect(region).toHaveAttribute('aria-live', 'polite');
    const spoken: string[] = [region.textContent ?? ''];
    for (let i = 0; i < 28; i++) {
      await advance(1_000, 1_000);
      const text = region.textContent ?? '';
      if (text !== spoken[spoken.length - 1]) {
        spoken.push(text);
        // The words match the visible countdown at the moment they change.
        const visible = within(dialog).getByText(/^\d:\d\d$/).textContent!;
        expect(text).toContain(`${Number(visible.split(':')[1])} second`);
      }
    }
    expect(spoken).toEqual([
      'Your session will end in 30 seconds.', // on opening
      'Your session will end in 15 seconds.',
      'Your session will end in 10 seconds.',
      'Your session will end in 5 seconds.',
    ]);
  });

  it('counts down in the tab title while the tab is hidden, and puts the title back', async () => {
    document.title = 'Notes – Idle Session';
    await openWarning();
    setHidden(true);
    await settle();
    expect(document.title).toMatch(/^0:\d\d until sign-out – Notes – Idle Session$/);
    setHidden(false);
    await settle();
    expect(document.title).toBe('Notes – Idle Session');
  });
});
