/**
 * The peers of bench/activity.ts: our app's signed-in home page as plain React ("bare": the same
 * elements, classes and stylesheet, src/styles.css, with no session or any other code of ours),
 * as plain elements or (`?page=router`) nested in react-router routes as our app's are, and the
 * routed page with react-idle-timer, default options, pinging the server on activity
 * (`&peer=idle-timer`), which is what a user would build instead of this app. Built by
 * activity.ts with Vite in production mode.
 *
 * The same page, so that the same input reaches the same elements: each pointer position lands
 * on the element it lands on in our app, inside React's root (React handles every mouse and
 * pointer event there; over an empty part of a short page it sees none), and the keys go to the
 * focused heading, as in our app after its navigation. bench/activity.ts prints both pages'
 * element counts, so a page that drifts from the app shows.
 */
import { type ReactNode, StrictMode, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, Link, NavLink, Outlet, RouterProvider } from 'react-router';
import { useIdleTimer } from 'react-idle-timer';
import '../../src/styles.css';

const username = 'bench-activity-00000-0';

/** The page's parts, so the routed page can place them where our app's routes do. */
function SkipLink() {
  return (
    <a className="skip-link" href="#main">
      Skip to content
    </a>
  );
}

function Header({ brand, links }: { brand: ReactNode; links: ReactNode }) {
  return (
    <header className="app-header">
      {brand}
      <nav aria-label="Main">{links}</nav>
      <div className="who">
        <button type="button" className="help-button" aria-expanded="false" aria-controls="help">
          Help
        </button>
        <section id="help" className="help-panel" aria-labelledby="help-title" hidden>
          <div className="help-panel-bar">
            <h2 id="help-title" tabIndex={-1}>
              Help
            </h2>
            <button type="button" className="button secondary small">
              Close help
            </button>
          </div>
        </section>
        <span className="who-name">
          Signed in as <strong>{username}</strong>
        </span>
        <button type="button" className="button secondary small">
          Sign out
        </button>
        <dialog
          role="alertdialog"
          aria-modal="true"
          aria-labelledby="draft-title"
          aria-describedby="draft-text"
          className="alert-dialog"
        >
          <h2 id="draft-title">Keep your unsaved note?</h2>
          <p id="draft-text">
            You have a note you have not saved. Keep it as a draft for next time (for 24 hours, for you only), or
            discard it.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button primary">
              Keep draft and sign out
            </button>
            <button type="button" className="button secondary">
              Discard draft and sign out
            </button>
            <button type="button" className="button secondary">
              Cancel
            </button>
          </div>
        </dialog>
      </div>
    </header>
  );
}

const plainBrand = (
  <a className="brand" href="/">
    Idle Session
  </a>
);
const plainLinks = (
  <>
    <a data-label="Home" aria-current="page" className="active" href="/">
      Home
    </a>
    <a data-label="Notes" className="" href="/notes">
      Notes
    </a>
    <a data-label="Account" className="" href="/account">
      Account
    </a>
  </>
);

function Home() {
  // Our app moves focus to the page's heading after a navigation (the sign-in is one).
  useEffect(() => document.querySelector('h1')?.focus(), []);
  return (
    <>
      <h1 tabIndex={-1}>Hello World!</h1>
      <p className="lead">
        You are signed in as <strong>{username}</strong>.
      </p>
      <section className="card" aria-labelledby="try-it">
        <h2 id="try-it">Try it</h2>
        <p>
          Stop using this page and a warning will count down before you are signed out. Move the mouse or type and you
          stay signed in, in every tab of this app.
        </p>
        <p>
          Write something in <a href="/notes">Notes</a>: typing counts as activity, and what you have not saved yet is
          kept, also if you are signed out for inactivity.
        </p>
      </section>
    </>
  );
}

function WarningDialog() {
  return (
    <dialog
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="warning-title"
      aria-describedby="warning-text"
      className="alert-dialog"
    >
      <h2 id="warning-title">Your session is about to expire</h2>
      <p id="warning-text">
        You have been inactive for a while. For your security, you will be signed out after 1 minute of inactivity.
        Notes you have not saved are kept for 24 hours: sign in again to continue.
      </p>
      <p className="countdown" aria-hidden="true">
        <span className="countdown-label">Time left</span>
        <span className="countdown-value">0:00</span>
      </p>
      <div className="countdown-bar" aria-hidden="true">
        <div className="countdown-bar-fill" style={{ transform: 'scaleX(0)' }} />
      </div>
      <p className="visually-hidden" aria-live="polite" aria-atomic="true" />
      <div className="dialog-actions">
        <button type="button" className="button primary">
          Stay signed in
        </button>
        <button type="button" className="button secondary">
          Sign out
        </button>
      </div>
    </dialog>
  );
}

/** The page as plain React: no router, nothing of ours. */
function Content() {
  return (
    <>
      <SkipLink />
      <Header brand={plainBrand} links={plainLinks} />
      <div className="session-notices" role="status" />
      <main id="main" className="page">
        <Home />
      </main>
      <WarningDialog />
    </>
  );
}

/**
 * The same page in react-router, nested as our app's routes are (router.tsx: a root layout, the
 * signed-in layout, the home route as its index), with the app's Link and NavLinks: React walks
 * the fiber path of every event it dispatches, and the router's ~20 components lie on it in our
 * app as in any routed app. With `idleTimer`, react-idle-timer + ping in the signed-in layout.
 */
function routedPage(idleTimer: boolean) {
  const links = (
    <>
      <NavLink to="/" end data-label="Home">
        Home
      </NavLink>
      <NavLink to="/notes" data-label="Notes">
        Notes
      </NavLink>
      <NavLink to="/account" data-label="Account">
        Account
      </NavLink>
    </>
  );
  function SignedInLayout() {
    return (
      <>
        {idleTimer && <IdleTimerPing />}
        <Header
          brand={
            <Link to="/" className="brand">
              Idle Session
            </Link>
          }
          links={links}
        />
        <div className="session-notices" role="status" />
        <main id="main" className="page">
          <Outlet />
        </main>
        <WarningDialog />
      </>
    );
  }
  const router = createBrowserRouter([
    {
      element: (
        <>
          <SkipLink />
          <Outlet />
        </>
      ),
      children: [{ element: <SignedInLayout />, children: [{ index: true, element: <Home /> }] }],
    },
  ]);
  return <RouterProvider router={router} />;
}

/** react-idle-timer with its defaults (20 min timeout, 200 ms events throttle), a ping per onAction. */
function IdleTimerPing() {
  useIdleTimer({ onAction: () => void fetch('/ping', { method: 'POST', keepalive: true }) });
  return null;
}

// `?page=router`: the routed page; `&peer=idle-timer` adds react-idle-timer to it.
const query = new URLSearchParams(location.search);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {query.get('page') === 'router' ? routedPage(query.get('peer') === 'idle-timer') : <Content />}
  </StrictMode>,
);
