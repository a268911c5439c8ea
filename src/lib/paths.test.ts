import { describe, expect, it } from 'vitest';
import { safeNext } from './paths';

describe('safeNext', () => {
  it.each([
    ['/account', '/account'],
    ['/account?tab=1#top', '/account?tab=1#top'],
    ['/', '/'],
  ])('keeps the same-origin path %s', (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });

  it.each([
    null,
    '',
    '//evil.example',
    '//evil.example/account',
    '/\\evil.example',
    '/\\/evil.example',
    'https://evil.example',
    'http:evil.example',
    'javascript:alert(1)',
    'account',
    '/\tevil',
    '/login',
    '/..//evil.example',
    '/.//evil.example',
    '/%2e%2e//evil.example',
    '/login/..//evil.example',
    '/a/../..//evil.example',
    '/login?next=/account',
  ])('sends %j home', (next) => {
    expect(safeNext(next)).toBe('/');
  });
});
