import { act, fireEvent, screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { server } from '../../../mocks/node';
import { renderApp, settle, signInThroughApi, until } from '../../../test/support/app-harness';

async function loaded(app: ReturnType<typeof renderApp>) {
  await until(() => screen.queryAllByRole('heading', { level: 1 }).length > 0, 'the page to load');
  return app;
}

async function submit(username: string, password: string) {
  await until(() => screen.queryByRole('button', { name: 'Sign in' }) !== null, 'the form to be ready');
  fireEvent.change(screen.getByLabelText('Username'), { target: { value: username } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: password } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  await settle();
}

describe('start-up', () => {
  it('sends a visitor to /login with the page to come back to', async () => {
    const app = await loaded(renderApp('/account'));
    expect(app.path()).toBe('/login?next=%2Faccount');
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeInTheDocument();
  });

  it('shows a signed-in user their page without showing the login page first', async () => {
    await signInThroughApi('alice');
    const seen: string[] = [];
    const app = renderApp('/');
    const observer = new MutationObserver(() => {
      const heading = document.querySelector('h1')?.textContent;
      if (heading) seen.push(heading);
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    await loaded(app);
    await until(() => screen.queryByRole('heading', { name: 'Hello World!' }) !== null, 'Hello World!');
    observer.disconnect();
    expect(seen).not.toContain('Sign in');
    expect(screen.getByText('alice', { selector: '.lead strong' })).toBeInTheDocument();
  });

  it('asks the server once whether someone is signed in', async () => {
    let checks = 0;
    server.events.on('request:start', ({ request }) => {
      if (request.method === 'GET' && new URL(request.url).pathname === '/api/session') checks++;
    });
    await signInThroughApi();
    await loaded(renderApp('/'));
    await until(() => screen.queryByRole('heading', { name: 'Hello World!' }) !== null, 'Hello World!');
    expect(checks).toBe(1);
  });

  it('asks for the policy once, though the page and the timeout dialog both need it', async () => {
    let asks = 0;
    const count = ({ request }: { request: Request }) => {
      if (new URL(request.url).pathname === '/api/session/policy') asks++;
    };
    server.events.on('request:start', count);
    await signInThroughApi();
    await loaded(renderApp('/'));
    await until(() => screen.queryByRole('heading', { name: 'Hello World!' }) !== null, 'Hello World!');
    await settle();
    server.events.removeListener('request:start', count);
    expect(asks).toBe(1);
  });
});

describe('signing in', () => {
  it('lands on the page the user came for', async () => {
    const app = await loaded(renderApp('/account'));
    await submit('test', 'test_secret');
    await until(() => app.path() === '/account', 'the account page');
    expect(screen.getByRole('heading', { level: 1, name: 'Your account' })).toBeInTheDocument();
  });

  it.each(['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)'])(
    'ignores next=%s and lands on home',
    async (next) => {
      const app = await loaded(renderApp(`/login?next=${encodeURIComponent(next)}`));
      await submit('test', 'test_secret');
      await until(() => app.path() === '/', 'home');
      await until(() => screen.queryByRole('heading', { name: 'Hello World!' }) !== null, 'Hello World!');
    },
  );

  it('says Login failed and why for a wrong password, and marks the field', async () => {
    const app = await loaded(renderApp('/login'));
    await submit('test', 'wrong');
    await until(() => screen.queryByRole('alert') !== null, 'the error');
    expect(screen.getByRole('alert')).toHaveTextContent('Login failed');
    expect(screen.getByRole('alert')).toHaveTextContent('The username or password is wrong.');
    expect(screen.getByLabelText('Password')).toHaveAttribute('aria-invalid', 'true');
    expect(app.path()).toBe('/login');
  });

  it('explains a field the server refused', async () => {
    await loaded(renderApp('/login'));
    await submit('a'.repeat(65), 'x');
    await until(() => screen.queryByRole('alert') !== null, 'the error');
    expect(screen.getByLabelText('Username')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Username')).toHaveAccessibleDescription(/at most 64 characters/);
  });

  it('refuses a username by the server rule before sending it (shared/credentials.ts)', async () => {
    await loaded(renderApp('/login'));
    let sent = false;
    server.use(
      http.post('*/api/session', () => {
        sent = true;
        return HttpResponse.error();
      }),
    );
    await submit(' alice', ' alice_secret');
    await until(() => screen.queryByRole('alert') !== null, 'the error');
    expect(screen.getByLabelText('Username')).toHaveAccessibleDescription(/must not start or end with a space/);
    expect(sent).toBe(false);
  });

  it('refuses a blank-looking username (U+3164 HANGUL FILLER) before sending it, as the server would', async () => {
    await loaded(renderApp('/login'));
    let sent = false;
    server.use(
      http.post('*/api/session', () => {
        sent = true;
        return HttpResponse.error();
      }),
    );
    await submit('\u3164', '\u3164_secret');
    await until(() => screen.queryByRole('alert') !== null, 'the error');
    expect(screen.getByLabelText('Username')).toHaveAccessibleDescription(/invisible or blank-looking/);
    expect(sent).toBe(false);
  });

  it('counts down to the next attempt after too many failures', async () => {
    await loaded(renderApp('/login'));
    for (let i = 0; i < 5; i++) await submit('test', 'wrong');
    await submit('test', 'test_secret');
    await until(() => /Try again in \d:\d\d/.test(screen.queryByRole('alert')?.textContent ?? ''), 'the countdown');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeDisabled();
    // Screen readers get the wait once, in words; the ticking m:ss is aria-hidden.
    const spoken = screen.getByRole('alert').querySelector('.visually-hidden');
    expect(spoken).toHaveTextContent(/^Try again in \d+ (minutes?|seconds?)/);
  });

  it('says when the server cannot be reached', async () => {
    await loaded(renderApp('/login'));
    server.use(http.post('*/api/session', () => HttpResponse.error()));
    await submit('test', 'test_secret');
    await until(() => screen.queryByRole('alert') !== null, 'the error');
    expect(screen.getByRole('alert')).toHaveTextContent('The server cannot be reached');
  });

  it('says when the server is unavailable (503 store_unavailable), not that something went wrong', async () => {
    await loaded(renderApp('/login'));
    server.use(
      http.post('*/api/session', () =>
        HttpResponse.json(
          { error: 'store_unavailable', message: 'The store is down.', retryAfterSeconds: 2 },
          { status: 503, headers: { 'Retry-After': '2' } },
        ),
      ),
    );
    await submit('test', 'test_secret');
    await until(() => screen.queryByRole('alert') !== null, 'the error');
    expect(screen.getByRole('alert')).toHaveTextContent('The server is unavailable right now');
  });

  it('disables Sign in while submitting', async () => {
    await loaded(renderApp('/login'));
    let release: () => void = () => {};
    server.use(
      http.post(
        '*/api/session',
        () => new Promise<Response>((resolve) => (release = () => resolve(HttpResponse.json({}, { status: 401 })))),
      ),
    );
    fireEvent.change(screen.getByLabelText('Username'), { target: { value: 'test' } });
    fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'test_secret' } });
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await until(() => screen.queryByRole('button', { name: 'Signing in…' }) !== null, 'the busy button');
    expect(screen.getByRole('button', { name: 'Signing in…' })).toBeDisabled();
    act(() => release());
    await settle();
  });

  it('tells people how long inactivity may last before they sign in', async () => {
    await loaded(renderApp('/login'));
    await until(() => screen.queryByText(/signed out after 1 minute of inactivity/) !== null, 'the policy');
  });
});

describe('signing in in another tab', () => {
  it('takes a tab waiting on the login page to where it was headed', async () => {
    const a = await loaded(renderApp('/login'));
    const b = renderApp('/login?reason=idle&next=%2Faccount');
    await until(() => screen.queryAllByRole('heading', { level: 1 }).length === 2, 'both tabs');
    const form = within(a.container);
    fireEvent.change(form.getByLabelText('Username'), { target: { value: 'test' } });
    fireEvent.change(form.getByLabelText('Password'), { target: { value: 'test_secret' } });
    fireEvent.click(form.getByRole('button', { name: 'Sign in' }));
    await until(() => a.path() === '/' && b.path() === '/account', 'both tabs signed in');
    await until(
      () => within(b.container).queryByRole('heading', { name: 'Your account' }) !== null,
      'the account page',
    );
  });

  it('shows the new user in a signed-in tab when another tab signs in as someone else', async () => {
    const b = await loaded(renderApp('/login')); // a tab left on the login page
    await signInThroughApi('alice'); // meanwhile alice signs in (no broadcast: as from another window long ago)
    const a = renderApp('/account');
    await until(
      () => within(a.container).queryByRole('heading', { name: 'Your account' }) !== null,
      'the account page',
    );
    const form = within(b.container);
    fireEvent.change(form.getByLabelText('Username'), { target: { value: 'bob' } });
    fireEvent.change(form.getByLabelText('Password'), { target: { value: 'bob_secret' } });
    fireEvent.click(form.getByRole('button', { name: 'Sign in' }));
    await until(() => within(a.container).queryByText('bob', { selector: 'header strong' }) !== null, 'bob in tab A');
    expect(within(a.container).queryByText('alice', { selector: 'header strong' })).not.toBeInTheDocument();
    expect(a.path()).toBe('/account');
  });
});

describe('sign-out reasons on the login page', () => {
  it.each([
    ['idle', 'You were signed out after 1 minute of inactivity.'],
    ['expired', 'Your session has ended.'],
    ['signed-out', 'You have signed out.'],
    ['other-tab', 'You signed out in another tab or window.'],
    ['absolute', 'Your session reached its time limit and has ended.'],
  ])('reason=%s says so', async (reason, message) => {
    await loaded(renderApp(`/login?reason=${reason}&next=%2Faccount`));
    await until(() => screen.queryByRole('status')?.textContent?.includes(message) ?? false, message);
  });

  it('ignores an unknown reason', async () => {
    await loaded(renderApp('/login?reason=<script>'));
    expect(screen.getByRole('status')).toBeEmptyDOMElement();
  });
});

describe('signing out', () => {
  it('deletes the server session and clears what the tab kept', async () => {
    await signInThroughApi();
    const app = await loaded(renderApp('/account'));
    sessionStorage.setItem('draft', 'something of the user');
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await until(() => app.path().startsWith('/login'), 'the login page');
    expect(app.path()).toBe('/login?reason=signed-out&next=%2Faccount');
    expect(sessionStorage.length).toBe(0);
    await until(async () => (await fetch('/api/session')).status === 401, 'the server to end the session');
  });

  it('leaves no protected page to go Back to', async () => {
    await signInThroughApi();
    const app = await loaded(renderApp('/'));
    await until(() => screen.queryByRole('heading', { name: 'Hello World!' }) !== null, 'Hello World!');
    fireEvent.click(screen.getByRole('link', { name: 'Account' }));
    await until(() => app.path() === '/account', 'the account page');
    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    await until(() => app.path().startsWith('/login'), 'the login page');
    await act(() => app.router.navigate(-1));
    await settle();
    await until(() => app.path().startsWith('/login'), 'the login page again');
    expect(screen.queryByRole('heading', { name: 'Hello World!' })).not.toBeInTheDocument();
  });

  it('shows a not-found page for unknown paths', async () => {
    await loaded(renderApp('/nowhere'));
    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
  });
});
