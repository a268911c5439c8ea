/**
 * The origins the app is served at (PUBLIC_ORIGIN; by default the ones the server listens on),
 * for two checks in security.ts: a state-changing request must come from one of them (scheme,
 * host and port), and any API request must be addressed to one of their hosts. Pure and
 * portable: the MSW mock (in a browser) passes the page's origin.
 */
export interface PublicOrigins {
  /** Serialised origins, as a browser sends them in `Origin`: `https://app.example.com`. */
  origins: ReadonlySet<string>;
  /** Lower-case `Host` values that reach this app: `app.example.com`, `app.example.com:443`. */
  hosts: ReadonlySet<string>;
}

const defaultPorts: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** Why `text` is not an origin (http or https, a host, an optional port, nothing else), or undefined. */
export function originProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `"${text}" is not a URL`;
  }
  if (!(url.protocol in defaultPorts)) return `"${text}" is not an http:// or https:// origin`;
  if (url.username || url.password || url.search || url.hash || url.pathname !== '/') {
    return `"${text}" must be an origin only (scheme://host[:port]), with no path, query or credentials`;
  }
  return undefined;
}

/** The checks' view of `list`; every entry must pass `originProblem` (config.ts makes sure). */
export function publicOrigins(list: readonly string[]): PublicOrigins {
  const origins = new Set<string>();
  const hosts = new Set<string>();
  for (const entry of list) {
    const url = new URL(entry);
    origins.add(url.origin);
    hosts.add(url.host);
    // A client may spell the default port out: `Host: app.example.com:443`.
    if (!url.port) hosts.add(`${url.hostname}:${defaultPorts[url.protocol]}`);
  }
  return { origins, hosts };
}

/** `http://<host>:<port>`, an IPv6 address in brackets (`http://[::1]:3000`), as a URL spells it. */
export function httpOrigin(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The default PUBLIC_ORIGIN: what a browser on this machine uses to reach a server listening on
 * `host`:`port` (`http://127.0.0.1:PORT` and `http://localhost:PORT`, and the listening address
 * itself when it is a specific one). Behind a proxy or on another name, set PUBLIC_ORIGIN.
 */
export function listeningOrigins(host: string, port: number): string[] {
  const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  if (!wildcard) {
    const own = httpOrigin(host, port);
    if (!originProblem(own) && !origins.includes(new URL(own).origin)) origins.push(new URL(own).origin);
  }
  return origins;
}

/** True when a browser's `Origin` header names one of the public origins. */
export function isPublicOrigin(origin: string, allowed: PublicOrigins): boolean {
  // A browser sends the serialised origin already; "null" and anything odd simply do not match.
  return allowed.origins.has(origin.toLowerCase());
}

/** True when a `Host` (or trusted `X-Forwarded-Host`) names one of the public origins' hosts. */
export function isPublicHost(host: string, allowed: PublicOrigins): boolean {
  return allowed.hosts.has(host.toLowerCase());
}
