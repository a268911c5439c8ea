import { ipv6Groups } from '../session/throttle';

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
  return clientViewOf(
    (name) => request.headers.get(name) ?? undefined,
    () => request.url,
    socketAddress,
    trustProxy,
  );
}

/**
 * `viewOfClient` over any request's headers (`header` answers as `Headers.get` does, duplicates
 * joined with ", "), with the URL asked for only when it is needed (the Node server's heartbeat,
 * http/node-heartbeat.ts, has no Request object).
 */
export function clientViewOf(
  header: (name: string) => string | undefined,
  url: () => string,
  socketAddress: string,
  trustProxy: boolean,
): ClientView {
  // The last entry is the one our proxy added; earlier ones are whatever the client sent.
  const forwarded = (name: string) => (trustProxy ? header(name)?.split(',').at(-1)?.trim() || undefined : undefined);
  const forwardedFor = forwarded('X-Forwarded-For');
  return {
    // Unparsable is the proxy's own address: never a fresh client with a budget of its own.
    address: (forwardedFor !== undefined ? forwardedAddress(forwardedFor) : undefined) ?? socketAddress,
    // Parsing the URL only when there is no Host header (HTTP/1.0): it is the costly part.
    host: forwarded('X-Forwarded-Host') ?? header('Host') ?? new URL(url()).host,
    secure: (forwarded('X-Forwarded-Proto') ?? schemeOf(url())) === 'https',
  };
}

const schemeOf = (url: string) => url.slice(0, url.indexOf(':'));

const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIpv4 = (text: string) =>
  ipv4
    .exec(text)
    ?.slice(1)
    .every((octet) => Number(octet) <= 255) ?? false;

/**
 * The address in one `X-Forwarded-For` entry, strictly: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`,
 * `[2001:db8::1]` or `[2001:db8::1]:443`, without brackets or port (proxies write all of these,
 * and each form of one address must be one client); undefined for anything else.
 */
export function forwardedAddress(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(entry);
  if (bracketed) return ipv6Groups(bracketed[1]) ? bracketed[1] : undefined;
  const withPort = /^([\d.]+):\d{1,5}$/.exec(entry);
  if (withPort) return isIpv4(withPort[1]) ? withPort[1] : undefined;
  if (isIpv4(entry)) return entry;
  return entry.includes(':') && ipv6Groups(entry) ? entry : undefined;
}
