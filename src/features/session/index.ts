export { AccountPage } from './account-page';
export { SessionNotices } from './session-notices';
export { SessionProvider, useSessionSnapshot } from './session-provider';
export { TimeoutDialog } from './timeout-dialog';
