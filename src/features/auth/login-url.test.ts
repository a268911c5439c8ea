import { describe, expect, it } from 'vitest';
import { loginHref, readLoginSearch } from './login-url';

describe('loginHref', () => {
  it('carries the reason and where to return', () => {
    expect(loginHref({ reason: 'idle', next: '/account' })).toBe('/login?reason=idle&next=%2Faccount');
  });

  it('leaves out a next that is home or unsafe', () => {
    expect(loginHref({ reason: 'signed-out', next: '/' })).toBe('/login?reason=signed-out');
    expect(loginHref({ next: '//evil.example' })).toBe('/login');
  });
});

describe('readLoginSearch', () => {
  it('reads back what loginHref wrote', () => {
    const href = loginHref({ reason: 'idle', next: '/account?tab=1' });
    expect(readLoginSearch(href.slice(href.indexOf('?')))).toEqual({ reason: 'idle', next: '/account?tab=1' });
  });

  it('sends an unsafe or missing next home and drops an unknown reason', () => {
    expect(readLoginSearch('?reason=<script>&next=%2F%2Fevil.example')).toEqual({ reason: undefined, next: '/' });
    expect(readLoginSearch(new URLSearchParams())).toEqual({ reason: undefined, next: '/' });
  });
});
