/** Server configuration from the environment ([docs/design.md#configuration](../../docs/design.md#configuration)): parsed once, bad values named. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../server/config';
import { ConfigError, parseDuration } from '../../server/config-values';
import { defaultSessionConfig } from '../../server/session/policy';

/** The ConfigError that parseConfig(env) throws. */
function configErrorFor(env: Record<string, string>): ConfigError {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['8h', 28_800_000],
    ['250ms', 250],
    ['60000', 60_000],
    [' 30s ', 30_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['soon', '-5s', '1.5m', '', '0', '0s', '5 s', '5S', '5d', 's', '1e3', '0x10', '99999999999h'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeUndefined();
    },
  );
});

describe('parseConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const { config, warnings } = parseConfig({});

    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      session: defaultSessionConfig,
      store: 'sqlite',
      databasePath: './data/sessions.db',
      redisUrl: undefined,
      redisCluster: false,
      staticDir: './dist',
      trustProxy: false,
      publicOrigins: undefined,
      frameOrigins: [],
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      maxConnections: 1_000,
      maxConnectionsPerClient: 50,
      operations: { metricsPort: undefined, metricsHost: '127.0.0.1', shutdownDrainMs: 0 },
    });
    expect(defaultSessionConfig).toMatchObject({
      idleTimeoutMs: 60_000,
      warningMs: 30_000,
      absoluteTimeoutMs: 8 * 3_600_000,
      maxSessionsPerUser: 50,
      draftRetentionMs: 24 * 3_600_000,
      maxConsecutiveFailures: 100,
      lockoutMs: 3_600_000,
      reauthWindowMs: 600_000,
    });
    expect(warnings).toEqual([]);
  });

  it('reads the timing variables as durations', () => {
    const { config } = parseConfig({ IDLE_TIMEOUT: '15m', IDLE_WARNING: '2m', ABSOLUTE_TIMEOUT: '4h' });

    expect(config.session).toMatchObject({ idleTimeoutMs: 900_000, warningMs: 120_000, absoluteTimeoutMs: 14_400_000 });
  });

  it('treats an empty variable as unset', () => {
    expect(parseConfig({ IDLE_TIMEOUT: '', SESSION_STORE: '', PORT: '' }).config).toMatchObject({
      port: 3000,
      store: 'sqlite',
      session: { idleTimeoutMs: 60_000 },
    });
  });

  it('serves no SPA when STATIC_DIR is set but empty', () => {
    expect(parseConfig({ STATIC_DIR: '' }).config.staticDir).toBeUndefined();
  });

  it.each([
    ['IDLE_TIMEOUT', { IDLE_TIMEOUT: 'soon' }],
    ['IDLE_WARNING', { IDLE_WARNING: '-5s' }],
    ['ABSOLUTE_TIMEOUT', { ABSOLUTE_TIMEOUT: '1.5h' }],
    ['DRAFT_RETENTION', { DRAFT_RETENTION: '1 day' }],
  ])('names %s when it is not a duration', (variable, env) => {
    const error = configErrorFor(env);

    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(Object.values(env)[0]);
  });

  it('names IDLE_WARNING when it is not shorter than IDLE_TIMEOUT', () => {
    expect(configErrorFor({ IDLE_TIMEOUT: '60s', IDLE_WARNING: '60s' }).variable).toBe('IDLE_WARNING');
    expect(configErrorFor({ IDLE_TIMEOUT: '60s', IDLE_WARNING: '2m' }).variable).toBe('IDLE_WARNING');
  });

  it('names ABSOLUTE_TIMEOUT when it is shorter than IDLE_TIMEOUT', () => {
    expect(configErrorFor({ IDLE_TIMEOUT: '2h', ABSOLUTE_TIMEOUT: '1h' }).variable).toBe('ABSOLUTE_TIMEOUT');
  });

  it('names SESSION_STORE for an unknown store', () => {
    const error = configErrorFor({ SESSION_STORE: 'mongo' });

    expect(error.variable).toBe('SESSION_STORE');
    expect(error.message).toMatch(/SESSION_STORE.*mongo/);
  });

  it('names REDIS_URL when SESSION_STORE=redis has none', () => {
    expect(configErrorFor({ SESSION_STORE: 'redis' }).variable).toBe('REDIS_URL');
  });

  it('accepts SESSION_STORE=redis with a REDIS_URL', () => {
    expect(parseConfig({ SESSION_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:6379' }).config).toMatchObject({
      store: 'redis',
      redisUrl: 'redis://127.0.0.1:6379',
      redisCluster: false,
    });
  });

  it('REDIS_CLUSTER=true makes REDIS_URL a seed node of a cluster', () => {
    const env = { SESSION_STORE: 'redis', REDIS_URL: 'redis://127.0.0.1:7000', REDIS_CLUSTER: 'true' };
    expect(parseConfig(env).config).toMatchObject({ redisCluster: true });
    expect(configErrorFor({ ...env, REDIS_CLUSTER: 'yes please' }).variable).toBe('REDIS_CLUSTER');
  });

  it.each(['http', '-1', '65536', '3000.5'])('names PORT for %j', (port) => {
    expect(configErrorFor({ PORT: port }).variable).toBe('PORT');
  });

  it.each([
    ['true', 'always'],
    ['1', 'always'],
    ['false', 'never'],
    ['auto', 'auto'],
  ] as const)('reads COOKIE_SECURE=%s as %s', (value, mode) => {
    expect(parseConfig({ COOKIE_SECURE: value }).config.session.cookieSecure).toBe(mode);
  });

  it('names COOKIE_SECURE for a value that is not a boolean', () => {
    expect(configErrorFor({ COOKIE_SECURE: 'maybe' }).variable).toBe('COOKIE_SECURE');
  });

  it('reads MAX_SESSIONS_PER_USER as a whole number of at least 1', () => {
    expect(parseConfig({ MAX_SESSIONS_PER_USER: '3' }).config.session.maxSessionsPerUser).toBe(3);
    for (const bad of ['0', '-1', '2.5', 'many', '1e3']) {
      expect(configErrorFor({ MAX_SESSIONS_PER_USER: bad }).variable).toBe('MAX_SESSIONS_PER_USER');
    }
  });

  it('reads the username lock: LOGIN_LOCK_FAILURES as a count, LOGIN_LOCK_DURATION as a duration', () => {
    expect(parseConfig({ LOGIN_LOCK_FAILURES: '20', LOGIN_LOCK_DURATION: '15m' }).config.session).toMatchObject({
      maxConsecutiveFailures: 20,
      lockoutMs: 900_000,
    });
  });

  it('reads FRAME_ORIGINS as origins, none by default', () => {
    expect(parseConfig({}).config.frameOrigins).toEqual([]);
    expect(
      parseConfig({ FRAME_ORIGINS: 'https://Reports.example.com, http://127.0.0.1:8080' }).config.frameOrigins,
    ).toEqual(['https://reports.example.com', 'http://127.0.0.1:8080']);
  });

  it('reads MAX_HOLD as a duration, 4 hours by default', () => {
    expect(defaultSessionConfig.maxHoldMs).toBe(4 * 3_600_000);
    expect(parseConfig({ MAX_HOLD: '30m' }).config.session.maxHoldMs).toBe(1_800_000);
  });

  it('reads REAUTH_WINDOW as a duration', () => {
    expect(parseConfig({ REAUTH_WINDOW: '5m' }).config.session.reauthWindowMs).toBe(300_000);
  });

  it.each([
    ['LOGIN_LOCK_FAILURES', { LOGIN_LOCK_FAILURES: '0' }],
    ['LOGIN_LOCK_FAILURES', { LOGIN_LOCK_FAILURES: 'many' }],
    ['LOGIN_LOCK_FAILURES', { LOGIN_LOCK_FAILURES: '2.5' }],
    ['LOGIN_LOCK_FAILURES', { LOGIN_LOCK_FAILURES: '9999999' }],
    ['LOGIN_LOCK_DURATION', { LOGIN_LOCK_DURATION: 'an hour' }],
    ['LOGIN_LOCK_DURATION', { LOGIN_LOCK_DURATION: '0' }],
    ['REAUTH_WINDOW', { REAUTH_WINDOW: '-10m' }],
    ['REAUTH_WINDOW', { REAUTH_WINDOW: '10 minutes' }],
    ['MAX_HOLD', { MAX_HOLD: '0' }],
    ['FRAME_ORIGINS', { FRAME_ORIGINS: 'reports.example.com' }],
    ['FRAME_ORIGINS', { FRAME_ORIGINS: 'https://reports.example.com/path' }],
    ['MAX_HOLD', { MAX_HOLD: 'forever' }],
  ])('names %s for a bad value (%j)', (variable, env) => {
    expect(configErrorFor(env).variable).toBe(variable);
  });

  it('names TRUST_PROXY for a value that is not a boolean', () => {
    expect(configErrorFor({ TRUST_PROXY: 'sometimes' }).variable).toBe('TRUST_PROXY');
  });

  it('reads PUBLIC_ORIGIN as one or more origins, in their serialised form', () => {
    expect(parseConfig({ PUBLIC_ORIGIN: 'https://App.Example.com' }).config.publicOrigins).toEqual([
      'https://app.example.com',
    ]);
    expect(
      parseConfig({ PUBLIC_ORIGIN: 'https://app.example.com:443/, http://127.0.0.1:8080' }).config.publicOrigins,
    ).toEqual(['https://app.example.com', 'http://127.0.0.1:8080']);
  });

  it.each([
    'app.example.com',
    'ftp://app.example.com',
    'https://app.example.com/app',
    'https://app.example.com?x=1',
    'https://user:pw@app.example.com',
    'https://app.example.com,',
    'null',
  ])('names PUBLIC_ORIGIN for %j', (value) => {
    const error = configErrorFor({ PUBLIC_ORIGIN: value });
    expect(error.variable).toBe('PUBLIC_ORIGIN');
    expect(error.message).toMatch(/origin|URL/);
  });

  it('reads the slow-client limits', () => {
    expect(
      parseConfig({
        HEADERS_TIMEOUT: '5s',
        REQUEST_TIMEOUT: '1m',
        MAX_CONNECTIONS: '20',
        MAX_CONNECTIONS_PER_CLIENT: '4',
      }).config,
    ).toMatchObject({
      headersTimeoutMs: 5_000,
      requestTimeoutMs: 60_000,
      maxConnections: 20,
      maxConnectionsPerClient: 4,
    });
  });

  it.each([
    ['HEADERS_TIMEOUT', { HEADERS_TIMEOUT: 'soon' }],
    ['REQUEST_TIMEOUT', { REQUEST_TIMEOUT: '0' }],
    ['HEADERS_TIMEOUT', { HEADERS_TIMEOUT: '20s', REQUEST_TIMEOUT: '15s' }],
    ['MAX_CONNECTIONS', { MAX_CONNECTIONS: '0' }],
    ['MAX_CONNECTIONS', { MAX_CONNECTIONS: 'many' }],
    ['MAX_CONNECTIONS', { MAX_CONNECTIONS: '1.5' }],
    ['MAX_CONNECTIONS_PER_CLIENT', { MAX_CONNECTIONS_PER_CLIENT: '0' }],
    ['MAX_CONNECTIONS_PER_CLIENT', { MAX_CONNECTIONS_PER_CLIENT: 'fifty' }],
  ])('names %s for a bad slow-client limit (%j)', (variable, env) => {
    expect(configErrorFor(env).variable).toBe(variable);
  });

  it('warns (but starts) when the warning is under the 20 s WCAG asks for', () => {
    const { config, warnings } = parseConfig({ IDLE_TIMEOUT: '30s', IDLE_WARNING: '10s' });

    expect(config.session.warningMs).toBe(10_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/IDLE_WARNING/);
    expect(warnings[0]).toMatch(/20 s|WCAG/);
  });

  it('does not warn at exactly 20 s', () => {
    expect(parseConfig({ IDLE_WARNING: '20s' }).warnings).toEqual([]);
  });

  it('reads DRAFT_RETENTION as a duration; 20 hours or more without a warning, less with one', () => {
    expect(parseConfig({ DRAFT_RETENTION: '48h' }).config.session.draftRetentionMs).toBe(48 * 3_600_000);
    expect(parseConfig({ DRAFT_RETENTION: '20h' }).warnings).toEqual([]);
    const { config, warnings } = parseConfig({ DRAFT_RETENTION: '19h' });
    expect(config.session.draftRetentionMs).toBe(19 * 3_600_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/DRAFT_RETENTION.*WCAG 2\.2\.6/);
  });

  it('reads the operator settings: metrics off unless METRICS_PORT is set, on loopback by default, never on PORT', () => {
    expect(
      parseConfig({ METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0', SHUTDOWN_DRAIN: '5s' }).config.operations,
    ).toEqual({
      metricsPort: 9464,
      metricsHost: '0.0.0.0',
      shutdownDrainMs: 5_000,
    });
    expect(parseConfig({ METRICS_PORT: '0', SHUTDOWN_DRAIN: '0' }).config.operations).toMatchObject({
      metricsPort: 0,
      shutdownDrainMs: 0,
    });
    for (const bad of ['x', '-1', '65536', '9464.5', ' 9464'])
      expect(() => parseConfig({ METRICS_PORT: bad })).toThrow(/^METRICS_PORT: .* is not a port number/);
    expect(() => parseConfig({ METRICS_PORT: '3000' })).toThrow(/^METRICS_PORT: must not be PORT/);
    expect(() => parseConfig({ PORT: '8080', METRICS_PORT: '8080' })).toThrow(/^METRICS_PORT: must not be PORT/);
    expect(() => parseConfig({ SHUTDOWN_DRAIN: 'soon' })).toThrow(/^SHUTDOWN_DRAIN: /);
  });
});
