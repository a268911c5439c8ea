import { formatDurationWords } from '../../lib/duration';
import type { SignOutReason } from './sign-out-reason';

/** What the login page says to someone who arrives after a sign-out. */
export function signOutMessage(reason: SignOutReason, idleTimeoutMs: number | undefined): string {
  switch (reason) {
    case 'idle':
      return idleTimeoutMs
        ? `You were signed out after ${formatDurationWords(idleTimeoutMs)} of inactivity. Sign in again to continue where you were.`
        : 'You were signed out after a period of inactivity. Sign in again to continue where you were.';
    case 'expired':
      return 'Your session has ended. Sign in again to continue.';
    case 'signed-out':
      return 'You have signed out.';
    case 'other-tab':
      return 'You signed out in another tab or window.';
    case 'revoked':
      return 'Your session was ended from another device. Sign in again to continue.';
    case 'absolute':
      return 'Your session reached its time limit and has ended. Sign in again to continue.';
  }
}
