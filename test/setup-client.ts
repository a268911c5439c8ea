import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, vi } from 'vitest';
import { recordConsoleErrors } from './support/console-errors';
import { FakeBroadcastChannel } from './support/fake-broadcast-channel';

// Installed before any test file imports react-idle-timer, which picks its channel at import.
Object.assign(globalThis, { BroadcastChannel: FakeBroadcastChannel });
Object.assign(window, { BroadcastChannel: FakeBroadcastChannel });

// jsdom has no <dialog> behaviour: enough of it for the warning (open state, cancel on Escape).
if (!HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open');
    this.dispatchEvent(new Event('close'));
  };
}

// Node's fetch wants absolute URLs; the app fetches `/api/...` as a browser would.
const nodeFetch = globalThis.fetch;
globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) =>
  nodeFetch(typeof input === 'string' && input.startsWith('/') ? new URL(input, window.location.origin) : input, init);

const { server, mockApi } = await import('../mocks/node');

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));

// A console.error in a component test is a failure: React warnings are bugs.
const consoleErrors = recordConsoleErrors();

afterEach(() => {
  cleanup();
  server.resetHandlers();
  mockApi.reset();
  FakeBroadcastChannel.reset();
  sessionStorage.clear();
  // Cookies the page wrote itself (the lost-text record): each test starts from a new browser.
  for (const pair of document.cookie.split('; ').filter(Boolean))
    document.cookie = `${pair.slice(0, pair.indexOf('='))}=; Path=/; Max-Age=0`;
  vi.useRealTimers();
  vi.restoreAllMocks();
  consoleErrors.check();
});

afterAll(() => server.close());
