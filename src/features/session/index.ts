export { AccountPage } from './account-page';
export { SessionNotices } from './session-notices';
export { SessionProvider, useSessionHold, useSessionSnapshot } from './session-provider';
export { TimeoutDialog } from './timeout-dialog';
export type { SessionSnapshot } from './session-monitor';
export type { TimingSample } from './session-state';
export { HelpPanel } from './help-panel';
