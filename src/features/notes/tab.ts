// The notes feature's tab-wide pieces, apart from index.ts so that the router chunk (which has no
// Notes page and no session monitor) can import them without the page: text a session could not
// save before it ended, kept for its own user (docs/decisions/023-drafts-bound-to-their-session.md).
export { keepUnsentDrafts, useUndeliveredDraft } from './unsent-draft';
export { UnsentDraftNotice } from './unsent-draft-notice';
