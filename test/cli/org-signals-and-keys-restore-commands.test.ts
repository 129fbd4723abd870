import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createKey, oktaUser, scimClient } from '../support/test-app.js';
import { startTestIdp, type TestIdp } from '../support/signals.js';
import { cliAgainstRealServer } from './cli-harness.js';

/** `keyscope org signals get|set` and `keyscope keys restore`, run as the real CLI against a real server. */
const cli = cliAgainstRealServer();
const { keyscope } = cli;
let idp: TestIdp;

beforeAll(async () => {
  idp = await startTestIdp('https://cli.idp.test');
});
afterAll(() => idp.close());

describe('keyscope org signals', () => {
  it('sets the settings from a JSON file (or standard input) and shows them', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'keyscope-signals-')), 'signals.json');
    writeFileSync(file, JSON.stringify({ transmitters: [{ issuer: idp.issuer, jwksUri: idp.jwksUri }] }));
    const set = await keyscope(['org', 'signals', 'set', '--file', file]);
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/^KIND\s+ISSUER\s+KEYS\s+ON SIGNAL/);
    expect(set.stdout).toMatch(
      /shared signals\s+https:\/\/cli\.idp\.test\s+http:\/\/127\.0\.0\.1:\d+\/keys\s+suspend_keys/,
    );
    const body = JSON.stringify({ universalLogout: { issuer: idp.issuer, jwks: { keys: [idp.publicJwk] } } });
    expect((await keyscope(['org', 'signals', 'set', '--file', '-'], undefined, body)).code).toBe(0);
    const got = JSON.parse((await keyscope(['org', 'signals', 'get', '--json'])).stdout);
    expect(got).toMatchObject({ transmitters: [], universalLogout: { issuer: idp.issuer }, onSignal: 'suspend_keys' });
    const bad = await keyscope(['org', 'signals', 'set', '--file', '-'], undefined, '{"onSignal":"explode"}');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('onSignal');
  });
});

describe('keyscope keys restore', () => {
  it('answers a key (its status unchanged when no signal suspended it) and restores a user’s keys', async () => {
    const scim = await scimClient(cli.app);
    const userId = (await scim.post('/Users', oktaUser('cli-restore@example.com'))).body.id as string;
    const key = await createKey(cli.app, { name: 'cli restore', kind: 'personal', ownerUserId: userId });
    const one = await keyscope(['keys', 'restore', key.id, '--json']);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ id: key.id, status: 'active' });
    const all = await keyscope(['keys', 'restore', '--owner', userId, '--json']);
    expect(JSON.parse(all.stdout)).toEqual({ restored: [] });
    expect((await keyscope(['keys', 'restore'])).code).toBe(2);
  });
});
