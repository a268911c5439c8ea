import { describe, expect, it } from 'vitest';
import { httpOrigin, listeningOrigins } from './origin';

describe('httpOrigin', () => {
  it('writes an IPv4 address or a name as it is, and an IPv6 address in brackets', () => {
    expect(httpOrigin('127.0.0.1', 3000)).toBe('http://127.0.0.1:3000');
    expect(httpOrigin('localhost', 80)).toBe('http://localhost:80');
    expect(httpOrigin('::1', 9464)).toBe('http://[::1]:9464');
    expect(new URL(httpOrigin('fe80::1', 1)).hostname).toBe('[fe80::1]');
  });
});

describe('listeningOrigins', () => {
  it('is the loopback origins for a wildcard address', () => {
    for (const host of ['0.0.0.0', '::', '']) {
      expect(listeningOrigins(host, 3000)).toEqual(['http://127.0.0.1:3000', 'http://localhost:3000']);
    }
  });

  it('adds a specific address, IPv6 in brackets, once', () => {
    expect(listeningOrigins('::1', 3000)).toEqual([
      'http://127.0.0.1:3000',
      'http://localhost:3000',
      'http://[::1]:3000',
    ]);
    expect(listeningOrigins('127.0.0.1', 3000)).toEqual(['http://127.0.0.1:3000', 'http://localhost:3000']);
    expect(listeningOrigins('192.168.1.5', 8080)).toContain('http://192.168.1.5:8080');
  });
});
