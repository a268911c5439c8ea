import { afterEach, describe, expect, it, vi } from 'vitest';
import { watchFrameActivity } from './frame-activity';

let stop: (() => void) | undefined;
afterEach(() => {
  stop?.();
  document.body.replaceChildren();
});

function watch(allowedOrigins: string[] = []) {
  const onActivity = vi.fn();
  stop = watchFrameActivity(document, {
    events: ['mousemove', 'keydown'],
    onActivity,
    allowedOrigins: () => allowedOrigins,
  });
  return onActivity;
}

describe('activity in frames', () => {
  it('counts input in a same-origin frame, also one added later and after it loads again', async () => {
    const onActivity = watch();
    const frame = document.createElement('iframe');
    document.body.append(frame);
    await vi.waitFor(() => expect(frame.contentDocument).not.toBeNull());
    frame.dispatchEvent(new Event('load'));

    frame.contentDocument!.dispatchEvent(new Event('mousemove'));
    frame.contentDocument!.dispatchEvent(new KeyboardEvent('keydown'));
    expect(onActivity).toHaveBeenCalledTimes(2);
  });

  it('counts a postMessage report only from an allow-listed origin, and only the right message', () => {
    const onActivity = watch(['https://reports.example.com']);
    const post = (origin: string, data: unknown) => window.dispatchEvent(new MessageEvent('message', { origin, data }));

    post('https://reports.example.com', { type: 'idle-session:activity' });
    post('https://evil.example.com', { type: 'idle-session:activity' });
    post('https://reports.example.com', { type: 'something-else' });
    post('https://reports.example.com', null);
    expect(onActivity).toHaveBeenCalledTimes(1);
  });

  it('stops listening when stopped', () => {
    const onActivity = watch(['https://reports.example.com']);
    stop!();
    window.dispatchEvent(
      new MessageEvent('message', { origin: 'https://reports.example.com', data: { type: 'idle-session:activity' } }),
    );
    expect(onActivity).not.toHaveBeenCalled();
  });
});
