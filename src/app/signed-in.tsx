/**
 * Everything only a signed-in user sees: the header, the session (react-idle-timer, the monitor,
 * the warning dialog, the notices) and the pages. The router loads this module with route `lazy`
 * (router.tsx), so the sign-in page does not download it; the navigation into a signed-in page
 * waits for it, and the page renders complete on its first render.
 */
import { Link, NavLink, Outlet } from 'react-router';
import { useAuth, useAuthStore, usePolicy } from '../features/auth';
import { HomePage } from '../features/hello';
import { NotesPage, SignOutButton, useUndeliveredDraft } from '../features/notes';
import { AccountPage, HelpPanel, SessionNotices, SessionProvider, TimeoutDialog } from '../features/session';
import { formatDurationWords } from '../lib/duration';
import { paths } from '../lib/paths';

export { homeLoader } from '../features/hello';
export { notesLoader } from '../features/notes';

/** Signed-in pages: header, session notices, the idle warning. Its loader (requireUser) guards it. */
export function SignedInLayout() {
  const auth = useAuthStore();
  const state = useAuth();
  const policy = usePolicy();
  const undelivered = useUndeliveredDraft() !== undefined;
  if (state.status !== 'signed-in') return null;
  const signOut = () => auth.signOut('signed-out');
  return (
    // Keyed by session: when another tab signs in again (as anyone), this tab starts over with
    // that session, and what the old one's monitor still says (a late 401) is about the old one.
    <SessionProvider key={state.sessionId} auth={auth} initial={state.sample} sessionId={state.sessionId}>
      <header className="app-header">
        <Link to={paths.home} className="brand">
          Idle Session
        </Link>
        <nav aria-label="Main">
          <NavLink to={paths.home} end data-label="Home">
            Home
          </NavLink>
          <NavLink to={paths.notes} data-label="Notes">
            Notes
          </NavLink>
          <NavLink to={paths.account} data-label="Account">
            Account
          </NavLink>
        </nav>
        <div className="who">
          <HelpPanel />
          <span className="who-name">
            Signed in as <strong>{state.user.username}</strong>
          </span>
          <SignOutButton
            onSignOut={signOut}
            retentionText={formatDurationWords(policy?.draftRetentionMs ?? 24 * 60 * 60_000)}
          />
        </div>
      </header>
      <SessionNotices />
      <main id="main" className="page">
        <Outlet />
      </main>
      <TimeoutDialog onSignOut={signOut} draftBehind={undelivered} />
    </SessionProvider>
  );
}

function Username({ render }: { render: (username: string) => React.ReactNode }) {
  const state = useAuth();
  return state.status === 'signed-in' ? render(state.user.username) : null;
}

export function HomeRoute() {
  return <Username render={(username) => <HomePage username={username} />} />;
}

export function NotesRoute() {
  return <NotesPage />;
}

export function AccountRoute() {
  return <Username render={(username) => <AccountPage username={username} />} />;
}
