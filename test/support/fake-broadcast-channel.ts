/**
 * BroadcastChannel for jsdom, where there is none. Delivery is a macrotask (`setTimeout(0)`),
 * as in browsers, so Vitest's fake timers control when other "tabs" hear a message.
 * Two app instances in one test talk through it like two tabs of one browser.
 */
export class FakeBroadcastChannel extends EventTarget {
  private static readonly open = new Set<FakeBroadcastChannel>();
  onmessage: ((event: MessageEvent) => void) | null = null;
  onmessageerror: ((event: MessageEvent) => void) | null = null;
  private closed = false;

  constructor(readonly name: string) {
    super();
    FakeBroadcastChannel.open.add(this);
  }

  postMessage(data: unknown): void {
    if (this.closed) throw new DOMException('BroadcastChannel is closed.', 'InvalidStateError');
    const copy = structuredClone(data);
    for (const channel of FakeBroadcastChannel.open) {
      if (channel === this || channel.name !== this.name) continue;
      setTimeout(() => channel.deliver(copy), 0);
    }
  }

  private deliver(data: unknown) {
    if (this.closed) return;
    const event = new MessageEvent('message', { data });
    this.onmessage?.(event);
    this.dispatchEvent(event);
  }

  close(): void {
    this.closed = true;
    FakeBroadcastChannel.open.delete(this);
  }

  /** Closes every channel (between tests). */
  static reset(): void {
    for (const channel of FakeBroadcastChannel.open) channel.close();
  }
}
