import { useUndeliveredDraft } from './unsent-draft';

/**
 * On the sign-in page after a session ended with text the server does not have (decision 023):
 * where it is, how to keep it, and what would lose it. Nothing of the text itself.
 */
export function UnsentDraftNotice() {
  const username = useUndeliveredDraft();
  if (username === undefined) return null;
  return (
    <p className="notice notice-unsent" role="status">
      Text you typed in a note has not reached the server yet. It is kept in this tab only: sign in again here as{' '}
      <strong>{username}</strong> to keep it. Closing this tab loses it.
    </p>
  );
}
