/** What middleware puts on the request context for the routes. */
export interface AppEnv {
  Variables: {
    /** The client's address, for login throttling. */
    clientAddress: string;
  };
}
