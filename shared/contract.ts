/**
 * The wire contract between the SPA and the server: paths, bodies and error codes.
 *
 * The server imports the runtime values; the SPA imports this module with `import type`
 * only, so nothing from here ends up in the browser bundle.
 */

export const apiPaths = {
  session: '/api/session',
  sessions: '/api/sessions',
  oneSession: '/api/sessions/:id',
  heartbeat: '/api/session/heartbeat',
  reauth: '/api/session/reauth',
  devices: '/api/devices',
  policy: '/api/session/policy',
  hello: '/api/hello',
  health: '/api/health',
  live: '/api/health/live',
  ready: '/api/health/ready',
  notes: '/api/notes',
  notesImport: '/api/notes/import',
  note: '/api/notes/:id',
  draft: '/api/draft',
} as const;

export type ApiPath = (typeof apiPaths)[keyof typeof apiPaths];

/** Largest accepted request body on `/api/*`, in bytes. */
export const maxBodyBytes = 4 * 1024;

export { maxImportBytes, maxNoteBodyBytes, noteLimits } from './note-limits';

/** Session timing, always as durations relative to the moment the server answered. */
export interface SessionTiming {
  /** Inactivity that ends the session, in ms. */
  idleTimeoutMs: number;
  /** How long before the idle deadline the warning opens, in ms. */
  warningMs: number;
  /** Time left until the idle deadline, in ms (0 when it has passed). */
  idleExpiresInMs: number;
  /** Time left until the absolute limit, which nothing extends, in ms. */
  absoluteExpiresInMs: number;
  /** How often an active client reports activity, in ms. */
  heartbeatIntervalMs: number;
}

export interface User {
  username: string;
}

/** `POST /api/session` body. */
export interface SignInRequest {
  username: string;
  password: string;
}

/**
 * `POST /api/session/reauth` body: the password once more (recent sign-in, "sudo mode"). 204 when
 * right: for `REAUTH_WINDOW` (10 min) this session may end others and forget devices; 401
 * `invalid_credentials` when wrong, 429 `rate_limited` like a sign-in (it counts as one).
 */
export interface ReauthRequest {
  password: string;
}

/** The session of a sign-in or `GET /api/session`: its timing and its public id. */
export interface CurrentSession extends SessionTiming {
  /**
   * The session's public id (as in `GET /api/sessions`). An automatic sign-out sends it
   * (`DELETE /api/session?id=`), so it can end only the session it is about.
   */
  id: string;
}

/** `POST /api/session` (201) and `GET /api/session` (200). */
export interface SessionResponse {
  user: User;
  session: CurrentSession;
}

/** One of the signed-in user's live sessions, in `GET /api/sessions`. */
export interface SessionSummary {
  /** Public id (not the cookie, nor its hash): what `DELETE /api/sessions/:id` takes. */
  id: string;
  /** True for the session of the request's own cookie. */
  current: boolean;
  /** ISO 8601, server clock: for display only. */
  signedInAt: string;
  /** ISO 8601, server clock: the last activity the server knows of. For display only. */
  lastActiveAt: string;
  idleExpiresInMs: number;
  absoluteExpiresInMs: number;
  /** A short label such as "Chrome on Linux", from the User-Agent at sign-in. */
  browser: string;
}

/**
 * `GET /api/sessions` (200): the user's live sessions, the current one first, then the most
 * recently active. Reading it extends nothing.
 */
export interface SessionListResponse {
  sessions: SessionSummary[];
}

/** `POST /api/session/heartbeat` body. Every field is optional; an empty body is `{}`. */
export interface HeartbeatRequest {
  /** How long ago the user was last active, in ms; the server clamps it to `[0, idleTimeoutMs]`. */
  idleForMs?: number;
  /**
   * A session hold (decision 024): what keeps the user signed in without input, e.g. `"import"`
   * (1 to `maxHoldReasonLength` letters, digits, spaces, `-` or `_`; else 400). The session is
   * extended as if the user were active now, unless `idleForMs` reaches `MAX_HOLD`.
   */
  hold?: string;
}

/** The longest `hold` reason a heartbeat may carry. */
export const maxHoldReasonLength = 40;

/** `POST /api/session/heartbeat` (200). */
export interface HeartbeatResponse {
  session: SessionTiming;
  /** Only for a heartbeat with `hold`: `kept` extended the session, `refused` (past `MAX_HOLD`) got the usual idle rule. */
  hold?: 'kept' | 'refused';
}

/**
 * `GET /api/session/policy` (200, public): the limits, so a page can tell people how long
 * inactivity may last before they sign in (WCAG 2.2.6).
 */
export interface SessionPolicy {
  idleTimeoutMs: number;
  warningMs: number;
  absoluteTimeoutMs: number;
  /** How long an unsaved note (a draft) is kept after its last change (DRAFT_RETENTION), in ms. */
  draftRetentionMs: number;
  /**
   * FRAME_ORIGINS: origins whose framed pages may report activity with
   * `postMessage({ type: 'idle-session:activity' }, appOrigin)`; messages from others are ignored.
   */
  frameOrigins: string[];
}

/** What a framed page of an allow-listed origin posts to the app to report its user's activity. */
export const frameActivityMessageType = 'idle-session:activity';

/** `GET /api/hello` (200). */
export interface HelloResponse {
  message: string;
}

/** A saved note. `revision` starts at 1 and grows by one with every change. */
export interface Note {
  id: string;
  title: string;
  text: string;
  revision: number;
  /** Server clock, milliseconds since the epoch, of the last change. */
  updatedAt: number;
}

/** A note in the list: everything but its text. */
export type NoteSummary = Omit<Note, 'text'>;

/** `GET /api/notes` (200): the user's notes, newest change first. */
export interface NotesResponse {
  notes: NoteSummary[];
}

/** `POST /api/notes` body (a new note). */
export interface NewNoteRequest {
  title: string;
  text: string;
}

/** `PUT /api/notes/:id` body: the revision the edit started from; a newer stored one gives 409. */
export interface NoteUpdateRequest extends NewNoteRequest {
  baseRevision: number;
}

/** `POST /api/notes` (201), `GET` and `PUT /api/notes/:id` (200). */
export interface NoteResponse {
  note: Note;
}

/**
 * `PUT /api/draft` body: the unsaved edit of a new note (`noteId` null) or of a saved one
 * (`noteId` and the `baseRevision` the edit started from). One draft per user.
 */
export interface DraftRequest {
  noteId: string | null;
  baseRevision: number | null;
  title: string;
  text: string;
}

/**
 * `PUT /api/draft` body: the draft, and the public id of the session the editor began in. The
 * server refuses it (409 `session_mismatch`, nothing stored) unless that is the cookie's session:
 * text typed under one sign-in never lands in another (docs/decisions/023-drafts-bound-to-their-session.md).
 */
export interface DraftSaveRequest extends DraftRequest {
  sessionId: string;
}

export interface Draft extends DraftRequest {
  /** Server clock, milliseconds since the epoch, of the last draft save. */
  updatedAt: number;
}

/** `GET /api/draft` and `PUT /api/draft` (200). */
export interface DraftResponse {
  draft: Draft | null;
}

/**
 * `GET /api/health` and `/api/health/ready` (200 or 503), `/api/health/live` (200). `draining`:
 * the server got SIGTERM and is about to stop accepting (ready only).
 */
export interface HealthResponse {
  status: 'ok' | 'unavailable' | 'draining';
}

export const errorCodes = [
  'bad_request',
  'invalid_credentials',
  'unauthenticated',
  /**
   * 401: the session was ended by its user from another session (`DELETE /api/sessions…`), or by
   * an operator (`npm run sessions -- end`).
   */
  'session_revoked',
  /**
   * 401 on `DELETE /api/sessions…` and `DELETE /api/devices`: the session is live, but the
   * password was not entered in it within `REAUTH_WINDOW`; `POST /api/session/reauth`, then again.
   */
  'reauth_required',
  'cross_site_request',
  'misdirected_request',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'conflict',
  /**
   * 409: a draft write names a session that is not the cookie's (the browser signed in again,
   * perhaps as someone else, since the editor began); or a conditional discard found a newer draft.
   */
  'session_mismatch',
  'draft_changed',
  'limit_exceeded',
  /** 422 on `POST /api/notes/import`: the file has a bad line (`line`, and the message says why); nothing was stored. */
  'invalid_import',
  'internal_error',
  'store_unavailable',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** Every error response has this body. */
export interface ApiError {
  error: ErrorCode;
  /** A sentence a person can read. */
  message: string;
  /** For `bad_request`: the body field at fault, when there is one. */
  field?: string;
  /**
   * For `rate_limited`: seconds until a new attempt is accepted; for `store_unavailable` (503):
   * seconds to wait before trying again. Also in `Retry-After`.
   */
  retryAfterSeconds?: number;
  /** For `conflict` (409 on `PUT /api/notes/:id`): the note as it is stored now. */
  current?: Note;
  /**
   * The request's id, as in its `X-Request-Id` header and every log line of it: what a user
   * quotes to support. On every error the server answers.
   */
  requestId?: string;
  /** For `invalid_import` (and `limit_exceeded` on an import): the first bad line of the file, from 1. */
  line?: number;
}

/**
 * `POST /api/notes/import` (201): the body is the file itself (`text/plain` or `text/markdown`,
 * UTF-8, at most `maxImportBytes`), one note per `# heading`. All its notes are stored, or none.
 */
export interface ImportNotesResponse {
  /** The notes made, without text, in the file's order. */
  notes: NoteSummary[];
}
