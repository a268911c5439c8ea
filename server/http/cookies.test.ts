import { parse } from 'hono/utils/cookie';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../bench/lib/virtual-time';
import { cookieValue } from './cookies';

/** Pieces a Cookie header is made of, the awkward ones often. */
const pieces = [
  'sid',
  '__Host-sid',
  'did',
  'Sid',
  ' ',
  '\t',
  ';',
  '=',
  '"',
  '%',
  '%41',
  '%E0%A4%A',
  'a',
  'Z9_-',
  '\u00e9',
  ',',
  '\\',
];

describe('cookieValue', () => {
  it('reads what hono’s parse(header, name)[name] reads, on random headers', () => {
    const seed = Number(process.env.COOKIE_SEED) || Math.floor(Math.random() * 1_000_000);
    const random = seededRandom(seed);
    for (let i = 0; i < 20_000; i++) {
      const length = Math.floor(random() * 12);
      const header = Array.from({ length }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      for (const name of ['sid', '__Host-sid', 'did']) {
        expect(
          cookieValue(header, name),
          `seed ${seed} (COOKIE_SEED=${seed} replays): ${JSON.stringify(header)} ${name}`,
        ).toBe(parse(header, name)[name]);
      }
    }
  });

  it('reads the first valid pair of the name, trimmed, unquoted and decoded', () => {
    expect(cookieValue('sid=abc', 'sid')).toBe('abc');
    expect(cookieValue('did=x; sid = abc ; sid=later', 'sid')).toBe('abc');
    expect(cookieValue('sid=a b\u00e9; sid="q%41"', 'sid')).toBe('qA');
    expect(cookieValue('xsid=1; sidx=2', 'sid')).toBeUndefined();
    expect(cookieValue('__Host-sid=v', 'sid')).toBeUndefined();
    expect(cookieValue('sid', 'sid')).toBeUndefined();
  });
});
