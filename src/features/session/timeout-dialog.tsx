import { useEffect, useRef, useState } from 'react';
import { AlertDialog } from '../../lib/alert-dialog';
import { formatCountdown, formatDurationWords } from '../../lib/duration';
import { announcementText, isAnnouncementStep } from './countdown-announcements';
import { usePolicy } from '../auth';
import type { SessionSnapshot } from './session-monitor';
import { useSessionMonitor, useSessionSnapshot } from './session-provider';

/** What the dialog says until the policy has arrived: the server's default DRAFT_RETENTION. */
const defaultDraftRetentionMs = 24 * 60 * 60_000;

/**
 * The idle warning: a modal alertdialog (lib/alert-dialog.tsx) with a live countdown. Stay
 * signed in (focused, also Escape) extends the session in every tab; Sign out ends it.
 */
export function TimeoutDialog({
  onSignOut,
  draftBehind = false,
}: {
  onSignOut: () => void;
  /** A note's latest text has not reached the server: the dialog must not promise it is kept. */
  draftBehind?: boolean;
}) {
  const monitor = useSessionMonitor();
  const policy = usePolicy();
  const { open, secondsLeft, warningMs, idleTimeoutMs, reconnecting } = useSessionSnapshot(dialogView);
  const stayRef = useRef<HTMLButtonElement>(null);
  const announcement = useCountdownAnnouncement(open, secondsLeft);
  useHiddenTabTitle(open, secondsLeft);

  const countdown = formatCountdown(secondsLeft * 1000);
  const fraction = Math.min(1, (secondsLeft * 1000) / warningMs);

  return (
    <AlertDialog
      open={open}
      title="Your session is about to expire"
      description={
        <>
          You have been inactive for a while. For your security, you will be signed out after{' '}
          {formatDurationWords(idleTimeoutMs)} of inactivity. Notes you have not saved are kept for{' '}
          {formatDurationWords(policy?.draftRetentionMs ?? defaultDraftRetentionMs)}: sign in again to continue.
        </>
      }
      initialFocusRef={stayRef}
      // Escape means "stay signed in", never a silent dismissal.
      onEscape={() => monitor.staySignedIn()}
    >
      <p className="countdown" aria-hidden="true">
        <span className="countdown-label">Time left</span>
        <span className="countdown-value">{countdown}</span>
      </p>
      <div className="countdown-bar" aria-hidden="true">
        <div className="countdown-bar-fill" style={{ transform: `scaleX(${fraction})` }} />
      </div>
      <p className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="countdown-announcement">
        {announcement}
      </p>
      {draftBehind && (
        <p className="dialog-note" role="status">
          Your latest changes to a note have not reached the server yet. They are kept in this tab and sent as soon as
          it can be reached: keep this tab open.
        </p>
      )}
      {reconnecting && (
        <p className="dialog-note" role="status">
          We cannot reach the server right now and keep trying.
        </p>
      )}
      <div className="dialog-actions">
        <button ref={stayRef} type="button" className="button primary" autoFocus onClick={() => monitor.staySignedIn()}>
          Stay signed in
        </button>
        <button type="button" className="button secondary" onClick={onSignOut}>
          Sign out
        </button>
      </div>
    </AlertDialog>
  );
}

/** What the dialog shows: while it is closed, nothing that a heartbeat answer moves (no countdown). */
function dialogView({ phase, secondsLeft, warningMs, idleTimeoutMs, reconnecting }: SessionSnapshot) {
  const open = phase === 'warning';
  return { open, secondsLeft: open ? secondsLeft : 0, warningMs, idleTimeoutMs, reconnecting: open && reconnecting };
}

/** Screen readers hear the countdown at steps, in words, never every second (decision 003). */
function useCountdownAnnouncement(open: boolean, secondsLeft: number): string {
  const [announcement, setAnnouncement] = useState('');
  const [announcedOpen, setAnnouncedOpen] = useState(false);
  if (open && (!announcedOpen || isAnnouncementStep(secondsLeft))) {
    const text = announcementText(secondsLeft);
    if (!announcedOpen) setAnnouncedOpen(true);
    if (text !== announcement) setAnnouncement(text);
  } else if (!open && announcedOpen) {
    setAnnouncedOpen(false);
    setAnnouncement('');
  }
  return announcement;
}

/** While the warning shows in a hidden tab, the tab's title counts down; the title comes back after. */
function useHiddenTabTitle(open: boolean, secondsLeft: number) {
  const [hidden, setHidden] = useState(() => document.visibilityState === 'hidden');
  useEffect(() => {
    const update = () => setHidden(document.visibilityState === 'hidden');
    document.addEventListener('visibilitychange', update);
    return () => document.removeEventListener('visibilitychange', update);
  }, []);
  const active = open && hidden;
  const originalRef = useRef<string | null>(null);
  useEffect(() => {
    if (!active) return;
    originalRef.current ??= document.title;
    document.title = `${formatCountdown(secondsLeft * 1000)} until sign-out – ${originalRef.current}`;
  }, [active, secondsLeft]);
  useEffect(() => {
    if (active) return;
    if (originalRef.current !== null) document.title = originalRef.current;
    originalRef.current = null;
  }, [active]);
}
