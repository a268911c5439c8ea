/**
 * Session holds across tabs (decision 024): which holds this tab has, and which other tabs have
 * announced. Knows nothing of heartbeats or deadlines. A tab announces its holds over the tab
 * channel and renews the announcement every `renewMs`; another tab forgets an announcement
 * `ttlMs` after it last heard it, so the hold of a tab that closed or crashed ends with it.
 */

/** What a tab says of its holds: `reason` null when it has none (left, or all released). */
export interface HoldAnnouncement {
  type: 'hold';
  tabId: string;
  reason: string | null;
}

export interface SessionHoldsOptions {
  tabId: string;
  broadcast(message: HoldAnnouncement): void;
  /** What holds the session (this tab's or another's reason, or none) changed. */
  onChange(): void;
  now(): number;
  /** How often a tab with holds renews its announcement, in ms. Default 2000. */
  renewMs?: number;
  /** How long an announcement counts without renewal, in ms. Default 3 x `renewMs`. */
  ttlMs?: number;
}

export function createSessionHolds(options: SessionHoldsOptions) {
  const renewMs = options.renewMs ?? 2_000;
  const ttlMs = options.ttlMs ?? 3 * renewMs;
  /** This tab's holds, in the order they began; the same reason may be held twice. */
  const local: { reason: string }[] = [];
  /** Other tabs' announcements: their reason and when they stop counting. */
  const remote = new Map<string, { reason: string; expiresAt: number }>();
  /** The server refused this tab's hold (MAX_HOLD): it is not announced until `renew()` is called. */
  let refused = false;
  let renewTimer: ReturnType<typeof setInterval> | undefined;
  let expiryTimer: ReturnType<typeof setTimeout> | undefined;
  let wasHeld: string | null = null;

  const ownReason = () => (local.length > 0 && !refused ? local[0].reason : null);

  function announce() {
    options.broadcast({ type: 'hold', tabId: options.tabId, reason: ownReason() });
  }

  function dropExpired() {
    const at = options.now();
    for (const [tabId, entry] of remote) if (entry.expiresAt <= at) remote.delete(tabId);
    clearTimeout(expiryTimer);
    expiryTimer = undefined;
    if (remote.size === 0) return;
    const next = Math.min(...[...remote.values()].map((entry) => entry.expiresAt));
    expiryTimer = setTimeout(changed, Math.max(0, next - at));
  }

  /** Re-reads the holds; tells the monitor when "held" flipped. */
  function changed() {
    dropExpired();
    const held = reason();
    if (held === wasHeld) return;
    wasHeld = held;
    options.onChange();
  }

  function isHeld() {
    return ownReason() !== null || remote.size > 0;
  }

  function reason(): string | null {
    return ownReason() ?? remote.values().next().value?.reason ?? null;
  }

  function syncRenewal() {
    const announcing = ownReason() !== null;
    if (announcing && renewTimer === undefined) renewTimer = setInterval(announce, renewMs);
    if (!announcing && renewTimer !== undefined) {
      clearInterval(renewTimer);
      renewTimer = undefined;
    }
  }

  return {
    /** Begins a hold in this tab; returns its release (safe to call twice). */
    acquire(reason: string): () => void {
      const entry = { reason };
      local.push(entry);
      refused = false;
      announce();
      syncRenewal();
      changed();
      return () => {
        const index = local.indexOf(entry);
        if (index < 0) return;
        local.splice(index, 1);
        announce();
        syncRenewal();
        changed();
      };
    },
    /** Any hold on, in any tab (this tab's only if the server has not refused it). */
    isHeld: () => {
      dropExpired();
      return isHeld();
    },
    /** What holds the session in any tab (this tab's first), or null. */
    reason: () => {
      dropExpired();
      return reason();
    },
    /** This tab's hold reason for its hold heartbeats: the oldest, or null. */
    ownReason,
    /** True while this tab has holds it cannot announce because the server refused them. */
    hasLocalHolds: () => local.length > 0,
    /** The server refused this tab's hold (past MAX_HOLD): the others stop counting it too. */
    refuse() {
      if (refused) return;
      refused = true;
      announce();
      syncRenewal();
      changed();
    },
    /** New input in this tab: a refused hold counts again (the user is here). */
    renew() {
      if (!refused) return;
      refused = false;
      announce();
      syncRenewal();
      changed();
    },
    receive(message: HoldAnnouncement) {
      if (message.tabId === options.tabId) return;
      if (message.reason === null) remote.delete(message.tabId);
      else remote.set(message.tabId, { reason: message.reason, expiresAt: options.now() + ttlMs });
      changed();
    },
    /** The tab is going away (pagehide): the others forget its holds now; the next renewal says them again. */
    announceGone() {
      if (ownReason() !== null) options.broadcast({ type: 'hold', tabId: options.tabId, reason: null });
    },
    /** Stops every timer and tells the others this tab holds nothing. */
    stop() {
      if (ownReason() !== null) options.broadcast({ type: 'hold', tabId: options.tabId, reason: null });
      clearInterval(renewTimer);
      renewTimer = undefined;
      clearTimeout(expiryTimer);
      expiryTimer = undefined;
      remote.clear();
      wasHeld = null;
    },
    /** Starts again after `stop`, announcing the holds this tab still has. */
    start() {
      if (ownReason() !== null) announce();
      syncRenewal();
      wasHeld = reason();
    },
  };
}

export type SessionHolds = ReturnType<typeof createSessionHolds>;
