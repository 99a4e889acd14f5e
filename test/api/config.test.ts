import { describe, expect, it } from 'vitest';
import { isLoopbackHost, resolveApiConfig } from '../../src/api/config.js';
import { UsageError } from '../../src/errors.js';

const TOKEN = 'tok_SECRET_abcdef123456';
const ACCOUNT = '2f1b6c1e-8d6a-4b55-9a4e-0d5c2b7f9a10';

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('resolveApiConfig', () => {
  it('uses the environment and the documented defaults when no flags are given', () => {
    const config = resolveApiConfig({}, { PLANNR_TOKEN: TOKEN, PLANNR_ACCOUNT_UUID: ACCOUNT });
    expect(config).toEqual({ baseUrl: 'https://api.plannrcrm.com', token: TOKEN, accountUuid: ACCOUNT, timeoutMs: 30_000 });
  });

  it('prefers flags over the environment', () => {
    const config = resolveApiConfig(
      { baseUrl: 'https://sandbox.example.com/', token: 'flag-token', accountUuid: 'flag-account', timeoutMs: 1234 },
      { PLANNR_BASE_URL: 'https://env.example.com', PLANNR_TOKEN: TOKEN, PLANNR_ACCOUNT_UUID: ACCOUNT },
    );
    expect(config).toEqual({ baseUrl: 'https://sandbox.example.com', token: 'flag-token', accountUuid: 'flag-account', timeoutMs: 1234 });
  });

  it('treats a blank flag or variable as absent', () => {
    const config = resolveApiConfig({ token: '  ' }, { PLANNR_TOKEN: TOKEN, PLANNR_ACCOUNT_UUID: ACCOUNT, PLANNR_BASE_URL: '' });
    expect(config.token).toBe(TOKEN);
    expect(config.baseUrl).toBe('https://api.plannrcrm.com');
  });

  it('keeps a path prefix but drops the trailing slash', () => {
    const config = resolveApiConfig({ baseUrl: 'https://proxy.example.com/plannr/' }, { PLANNR_TOKEN: TOKEN, PLANNR_ACCOUNT_UUID: ACCOUNT });
    expect(config.baseUrl).toBe('https://proxy.example.com/plannr');
  });

  it('refuses a missing token or account', () => {
    expect(usageMessage(() => resolveApiConfig({}, { PLANNR_ACCOUNT_UUID: ACCOUNT }))).toMatch(/PLANNR_TOKEN/);
    expect(usageMessage(() => resolveApiConfig({}, { PLANNR_TOKEN: TOKEN }))).toMatch(/PLANNR_ACCOUNT_UUID/);
  });

  it('refuses a URL that is not http(s) or not a URL at all', () => {
    const env = { PLANNR_TOKEN: TOKEN, PLANNR_ACCOUNT_UUID: ACCOUNT };
    expect(usageMessage(() => resolveApiConfig({ baseUrl: 'api.plannrcrm.com' }, env))).toMatch(/not a valid URL/);
    expect(usageMessage(() => resolveApiConfig({ baseUrl: 'ftp://api.plannrcrm.com' }, env))).toMatch(/https/);
    expect(usageMessage(() => resolveApiConfig({ baseUrl: 'https://user:pw@api.plannrcrm.com' }, env))).toMatch(/user name or password/);
  });

  it('refuses plain http to a non-loopback host, allows it for loopback', () => {
    const env = { PLANNR_TOKEN: TOKEN, PLANNR_ACCOUNT_UUID: ACCOUNT };
    expect(usageMessage(() => resolveApiConfig({ baseUrl: 'http://api.plannrcrm.com' }, env))).toMatch(/Refusing plain http/);
    expect(usageMessage(() => resolveApiConfig({ baseUrl: 'http://10.0.0.5:8080' }, env))).toMatch(/Refusing plain http/);
    expect(usageMessage(() => resolveApiConfig({ baseUrl: 'http://127.example.com' }, env))).toMatch(/Refusing plain http/);
    for (const baseUrl of ['http://localhost:3000', 'http://127.0.0.1:9', 'http://127.10.20.30', 'http://[::1]:4000']) {
      expect(resolveApiConfig({ baseUrl }, env).baseUrl).toBe(baseUrl);
    }
  });

  it('refuses a non-positive timeout', () => {
    const env = { PLANNR_TOKEN: TOKEN, PLANNR_ACCOUNT_UUID: ACCOUNT };
    expect(usageMessage(() => resolveApiConfig({ timeoutMs: 0 }, env))).toMatch(/timeout/);
    expect(usageMessage(() => resolveApiConfig({ timeoutMs: Number.NaN }, env))).toMatch(/timeout/);
  });

  it('never puts the token in an error message, even a malformed one', () => {
    const badToken = 'tok_SECRET with space';
    const messages = [
      usageMessage(() => resolveApiConfig({ token: badToken }, { PLANNR_ACCOUNT_UUID: ACCOUNT })),
      usageMessage(() => resolveApiConfig({ token: TOKEN }, {})),
      usageMessage(() => resolveApiConfig({ token: TOKEN, accountUuid: ACCOUNT, baseUrl: 'http://example.com' }, {})),
      usageMessage(() => resolveApiConfig({ token: TOKEN, accountUuid: 'a b' }, {})),
    ];
    for (const message of messages) {
      expect(message).not.toContain('SECRET');
    }
  });
});

describe('isLoopbackHost', () => {
  it('knows localhost, 127.0.0.0/8 and ::1 and nothing else', () => {
    expect(['localhost', 'LOCALHOST', '127.0.0.1', '127.255.255.254', '[::1]', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['128.0.0.1', '10.0.0.1', '::2', 'localhost.example.com', '0.0.0.0'].some(isLoopbackHost)).toBe(false);
  });
});
