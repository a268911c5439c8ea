import { describe, expect, it, vi } from 'vitest';
import { signInThroughApi, until } from '../../test/support/app-harness';
import { createAppInstance } from './create-app';

describe('createAppInstance', () => {
  it('stops moving its router on sign-outs once disposed', async () => {
    await signInThroughApi('alice');
    const live = createAppInstance({ initialEntries: ['/account'] });
    const disposed = createAppInstance({ initialEntries: ['/account'] });
    await Promise.all([live.auth.ready, disposed.auth.ready]);
    await until(() => disposed.auth.getState().status === 'signed-in', 'the session to load');
    const liveNavigate = vi.spyOn(live.router, 'navigate');
    const disposedNavigate = vi.spyOn(disposed.router, 'navigate');

    disposed.dispose();
    disposed.auth.signOut('signed-out', { fromOtherTab: true });
    live.auth.signOut('signed-out', { fromOtherTab: true });

    // The live instance shows the same sign-out does move a router that is still hooked up.
    expect(liveNavigate).toHaveBeenCalledWith('/login?reason=signed-out&next=%2Faccount', { replace: true });
    expect(disposedNavigate).not.toHaveBeenCalled();
    live.dispose();
  });
});
