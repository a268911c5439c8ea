import { Profiler } from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { beforeEach, expect, it } from 'vitest';
import { server } from '../../mocks/node';
import { advance, signInThroughApi, until, useFakeClock } from '../../test/support/app-harness';
import { App } from './app';
import { createAppInstance } from './create-app';

// The mock runs the real server with its defaults: 60 s idle, 30 s warning, heartbeat every 10 s.

beforeEach(() => useFakeClock());

it('commits nothing while a signed-in user works, heartbeat answers included', async () => {
  await signInThroughApi();
  const instance = createAppInstance({ initialEntries: ['/'] });
  let commits = 0;
  render(
    <Profiler id="app" onRender={() => commits++}>
      <App auth={instance.auth} router={instance.router} />
    </Profiler>,
  );
  await until(() => screen.queryAllByRole('heading', { level: 1 }).length > 0, 'the home page');
  await advance(2_000); // leader election, and the load's own renders
  let heartbeats = 0;
  const count = ({ request }: { request: Request }) => {
    if (request.url.endsWith('/api/session/heartbeat')) heartbeats++;
  };
  server.events.on('request:start', count);
  commits = 0;
  for (let elapsed = 0; elapsed < 45_000; elapsed += 200) {
    fireEvent.pointerMove(document, { clientX: elapsed % 100, clientY: 10 });
    await advance(200, 200);
  }
  server.events.removeListener('request:start', count);
  expect(heartbeats).toBeGreaterThanOrEqual(3);
  expect(commits).toBe(0);
});
