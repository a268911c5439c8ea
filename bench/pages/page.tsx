/**
 * The peers of bench/activity.ts: the same small page as plain React ("bare") and with
 * react-idle-timer, default options, pinging the server on activity ("idle-timer"), which is what
 * a user would build instead of this app. Built by activity.ts with Vite in production mode.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useIdleTimer } from 'react-idle-timer';

function Content() {
  return (
    <main>
      <h1>Hello World!</h1>
      <p>A page to move the mouse over and type into.</p>
      <label>
        Notes <textarea rows={3} />
      </label>
    </main>
  );
}

/** react-idle-timer with its defaults (20 min timeout, 200 ms events throttle), a ping per onAction. */
function WithIdleTimer() {
  useIdleTimer({ onAction: () => void fetch('/ping', { method: 'POST', keepalive: true }) });
  return <Content />;
}

const peer = new URLSearchParams(location.search).get('peer');
createRoot(document.getElementById('root')!).render(
  <StrictMode>{peer === 'idle-timer' ? <WithIdleTimer /> : <Content />}</StrictMode>,
);
