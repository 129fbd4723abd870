import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, configWarnings, loadConfig } from '../src/config.js';

describe('configuration is read once at start, and bad values stop the process with a clear message', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      dataDir: './data',
      bcryptCost: 10,
      logLevel: 'info',
      trustProxy: false,
      workers: 1,
      authFailureLimit: 10,
      databaseUrl: undefined,
      metricsPort: undefined,
      metricsHost: '127.0.0.1',
      sessionIdleTimeoutMs: 8 * 3600_000,
      sessionMaxLifetimeMs: 24 * 3600_000,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT: must be a whole number/],
    [{ PORT: '70000' }, /PORT/],
    [{ BCRYPT_COST: '3' }, /BCRYPT_COST/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL: must start with postgres/],
    [{ BOOTSTRAP_ADMIN_KEY: 'short' }, /BOOTSTRAP_ADMIN_KEY: must be at least 32 characters/],
    [{ WORKERS: '2' }, /WORKERS=2 needs DATABASE_URL/],
    [
      { KEYSCOPE_PERMISSIONS: 'projects:read,Projects:Write' },
      /KEYSCOPE_PERMISSIONS: "Projects:Write" is not of the form resource:action/,
    ],
    [{ KEYSCOPE_PERMISSIONS: '/no/such/file' }, /KEYSCOPE_PERMISSIONS: cannot read file/],
    [{ TRUST_PROXY: 'garbage' }, /TRUST_PROXY: invalid IP address: garbage/],
    [{ TRUST_PROXY: '10.0.0.0/8, 10.0.0.300' }, /TRUST_PROXY: invalid IP address: 10\.0\.0\.300/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /TRUST_PROXY: invalid range on address: 10\.0\.0\.0\/33/],
    [{ METRICS_PORT: '3000' }, /METRICS_PORT=3000 is also PORT/],
    [{ METRICS_PORT: 'x' }, /METRICS_PORT: must be a whole number/],
    [{ PUBLIC_URL: 'keyscope.example.com' }, /PUBLIC_URL: must be an absolute http:\/\/ or https:\/\/ URL/],
    [{ PUBLIC_URL: 'ftp://keyscope.example.com' }, /PUBLIC_URL/],
    [{ PUBLIC_URL: 'https://keyscope.example.com/?x=1' }, /PUBLIC_URL: .*without query or fragment/],
    [{ SESSION_IDLE_TIMEOUT_SECONDS: '30' }, /SESSION_IDLE_TIMEOUT_SECONDS/],
    [{ SESSION_IDLE_TIMEOUT_SECONDS: '8h' }, /SESSION_IDLE_TIMEOUT_SECONDS: must be a whole number/],
    [{ SESSION_MAX_LIFETIME_SECONDS: '0' }, /SESSION_MAX_LIFETIME_SECONDS/],
  ])('refuses %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  // Tokens keyscope issues start with ksk_ and are checked as such: a bootstrap value with that
  // prefix would be stored and then never accepted, locking the organization out.
  it('refuses a BOOTSTRAP_ADMIN_KEY that starts with ksk_', () => {
    expect(() => loadConfig({ BOOTSTRAP_ADMIN_KEY: 'ksk_this_is_my_admin_key_for_automation_0123' })).toThrow(
      /BOOTSTRAP_ADMIN_KEY.*ksk_/,
    );
  });

  it('reads KEYSCOPE_PERMISSIONS from a comma list or a file, and TRUST_PROXY as a hop count or addresses', () => {
    expect(loadConfig({ KEYSCOPE_PERMISSIONS: 'projects:read, projects:write' }).extraPermissions).toEqual([
      'projects:read',
      'projects:write',
    ]);
    const file = path.join(tmpdir(), `keyscope-perms-${process.pid}.txt`);
    writeFileSync(file, '# ours\nreports:read\nreports:write\n');
    expect(loadConfig({ KEYSCOPE_PERMISSIONS: file }).extraPermissions).toEqual(['reports:read', 'reports:write']);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    // Express's named subnets and IPv6 too.
    expect(loadConfig({ TRUST_PROXY: 'loopback,linklocal, uniquelocal,fd00::/8,::1' }).trustProxy).toEqual([
      'loopback',
      'linklocal',
      'uniquelocal',
      'fd00::/8',
      '::1',
    ]);
  });

  it('reads PUBLIC_URL without its trailing slash, and warns when it is https without TRUST_PROXY', () => {
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: 'https://keyscope.example.com/' }).publicUrl).toBe('https://keyscope.example.com');
    expect(loadConfig({ PUBLIC_URL: 'http://10.0.0.5:3000/keyscope' }).publicUrl).toBe('http://10.0.0.5:3000/keyscope');
    expect(configWarnings(loadConfig({ PUBLIC_URL: 'https://keyscope.example.com' }))).toEqual([
      expect.stringMatching(/^PUBLIC_URL is https but TRUST_PROXY is not set/),
    ]);
    expect(configWarnings(loadConfig({ PUBLIC_URL: 'https://keyscope.example.com', TRUST_PROXY: '1' }))).toEqual([]);
    expect(configWarnings(loadConfig({ PUBLIC_URL: 'http://localhost:3000' }))).toEqual([]);
  });

  it('reads the session settings; an idle timeout longer than the lifetime is bounded by it', () => {
    expect(loadConfig({ SESSION_IDLE_TIMEOUT_SECONDS: '900', SESSION_MAX_LIFETIME_SECONDS: '3600' })).toMatchObject({
      sessionIdleTimeoutMs: 900_000,
      sessionMaxLifetimeMs: 3_600_000,
    });
    expect(loadConfig({ SESSION_MAX_LIFETIME_SECONDS: '3600' }).sessionIdleTimeoutMs).toBe(3_600_000);
  });
});
