/** The request as the browser made it, which a reverse proxy may have changed on its way. */
export interface ClientView {
  /** The client's address, for login throttling. */
  address: string;
  /** The host the browser asked for, for the same-origin check. */
  host: string;
  /** Whether the browser used https, for the cookie's `Secure` and `__Host-` prefix. */
  secure: boolean;
}

/**
 * `X-Forwarded-For`, `-Host` and `-Proto` are believed only with `trustProxy` (TRUST_PROXY):
 * anyone can send them, so only a proxy you run may speak for the client.
 */
export function viewOfClient(request: Request, socketAddress: string, trustProxy: boolean): ClientView {
  // The last entry is the one our proxy added; earlier ones are whatever the client sent.
  const forwarded = (name: string) =>
    trustProxy ? request.headers.get(name)?.split(',').at(-1)?.trim() || undefined : undefined;
  return {
    address: forwarded('X-Forwarded-For') ?? socketAddress,
    // Parsing the URL only when there is no Host header (HTTP/1.0): it is the costly part.
    host: forwarded('X-Forwarded-Host') ?? request.headers.get('Host') ?? new URL(request.url).host,
    secure: (forwarded('X-Forwarded-Proto') ?? request.url.slice(0, request.url.indexOf(':'))) === 'https',
  };
}
