import { fireEvent, screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { advance, renderApp, settle, signInThroughApi, until, useFakeClock } from '../../../test/support/app-harness';

// Mock server defaults: 60 s idle, 30 s warning. The mock runs the real createApp.
async function openNotes() {
  await signInThroughApi();
  renderApp('/notes');
  await until(() => screen.queryByRole('heading', { name: 'Notes', level: 1 }) !== null, 'the Notes page');
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
    await settle();
    expect(await serverDraft()).toMatchObject({ text: 'typed at the last moment' });
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
  });

  it('signs out at once, asking nothing, without an unsaved note', async () => {
    await openNotes();
    fireEvent.click(within(screen.getByRole('banner')).getByRole('button', { name: 'Sign out' }));
    await until(() => screen.queryByRole('heading', { name: 'Sign in' }) !== null, 'the login page');
    expect(screen.queryByRole('alertdialog', { name: 'Keep your unsaved note?' })).toBeNull();
  });
});

async function findQuestion(): Promise<HTMLElement> {
  await until(
    () => screen.queryByRole('alertdialog', { name: 'Keep your unsaved note?' }) !== null,
    'the sign-out question',
  );
  return screen.getByRole('alertdialog', { name: 'Keep your unsaved note?' });
}
