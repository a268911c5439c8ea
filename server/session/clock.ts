/** Where the session rules read the time: `Date.now` in production, a test clock in tests and the mock. */
export interface Clock {
  /** Milliseconds since the epoch, like `Date.now()`. */
  now(): number;
}
