#!/usr/bin/env node
// Runs the public SCIM test plans (shared/peer-suites, never copied into this repository) against
// running keyscope servers:
//   - Okta's "SCIM 2.0 SPEC Test", current and January 2023 versions (runscope.mjs), each with its
//     initial script: every assertion must pass ("N passed, 0 failed");
//   - Microsoft's SCIMReferenceCode Postman collection (run-microsoft.sh, newman): the failed
//     assertions must be exactly MICROSOFT_EXCEPTIONS below, no more and no fewer.
//
// usage: node scripts/run-peer-suites.mjs <baseUrl> <adminKey> [<emptyBaseUrl> [<emptyAdminKey>]]
//   <baseUrl>, <adminKey>            server for the Okta suites (any state; an org:admin key)
//   <emptyBaseUrl>, <emptyAdminKey>  a freshly started server with no users and no groups, for
//                                    Microsoft's collection (it counts users). Default: <baseUrl>,
//                                    which must then be empty (Microsoft's collection runs first
//                                    and deletes what it creates). The key defaults to <adminKey>.
// The peer suites are read from $PEER_SUITES, default <repo>/../shared/peer-suites; when that
// folder does not exist the run is skipped with a notice and exit status 0.
// Exit status: 0 when every suite meets its bar, 1 otherwise, 2 for usage errors.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

/**
 * Microsoft collection assertions that keyscope fails on purpose: they test the reference
 * server's own behaviour, not RFC 7643/7644 (README, "Conformance: public test plans").
 * Each is [request name, assertion name, why]; the run must fail exactly these.
 */
const MICROSOFT_EXCEPTIONS = [
  [
    'Get ServiceProviderConfig',
    'Status code is 200',
    'requests /serviceConfiguration; RFC 7644 §4 names the endpoint /ServiceProviderConfig (404 here)',
  ],
  ['Get ServiceProviderConfig', 'Pach supported is true', 'reads patch.supported from that 404 body (TypeError)'],
  [
    'Patch user omalley new username',
    'Status code is 204',
    'RFC 7644 §3.5.2 allows 200 with the resource, which keyscope returns (204 on Prefer: return=minimal)',
  ],
  [
    'patch user omalley active with boolean',
    'Status code is 204',
    'RFC 7644 §3.5.2 allows 200 with the resource, which keyscope returns (204 on Prefer: return=minimal)',
  ],
  [
    'Group patch add member',
    'Status code is 204',
    'adds "value":"string id 1": RFC 7643 §4.2 members are complex with a resource id value; keyscope answers 400 invalidValue',
  ],
  ['Group patch add member2', 'Status code is 204', 'the same with a second request: 400 invalidValue'],
];

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PEER = process.env.PEER_SUITES || path.resolve(repo, '..', 'shared', 'peer-suites');
const OKTA_SUITES = [
  ['okta-Okta-SCIM-20-SPEC-Test.json', 'okta-Initial_Script_Spec.txt'],
  ['okta-Okta-SCIM-20-SPEC-Test-2023-01_d71e26bdab.json', 'okta-Initial_Script_Spec-2023-01_d71e26bdab.txt'],
];

const args = process.argv.slice(2);
if (args.length < 2 || args.length > 4 || args.some((a) => a === '-h' || a === '--help')) {
  console.error('usage: node scripts/run-peer-suites.mjs <baseUrl> <adminKey> [<emptyBaseUrl> [<emptyAdminKey>]]');
  process.exit(2);
}
const trim = (u) => u.replace(/\/+$/, '');
const okta = { base: trim(args[0]), adminKey: args[1] };
const microsoft = { base: trim(args[2] ?? args[0]), adminKey: args[3] ?? args[1] };

if (!existsSync(PEER)) {
  console.log(`NOTICE: the public SCIM test plans are not here (${PEER}; set PEER_SUITES to their folder).`);
  console.log('NOTICE: skipping the Okta and Microsoft suites.');
  process.exit(0);
}
for (const f of [
  'runscope.mjs',
  'run-microsoft.sh',
  'azuread-scimreferencecode-PostmanCollection.json',
  ...OKTA_SUITES.flat(),
]) {
  if (!existsSync(path.join(PEER, f))) {
    console.error(`FAIL: ${PEER} exists but has no ${f}`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------------------

async function call(base, token, method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function must(base, token, method, p, body, expected) {
  const r = await call(base, token, method, p, body);
  if (r.status !== expected)
    throw new Error(`${method} ${base}${p}: expected ${expected}, got ${r.status} ${r.text.slice(0, 300)}`);
  return r.json;
}

const created = []; // [base, adminKey, keyId]
async function scimKey(server, name) {
  const r = await must(
    server.base,
    server.adminKey,
    'POST',
    '/api/v1/keys',
    { name, scim: true, expiration: 'never' },
    201,
  );
  created.push([server.base, server.adminKey, r.key.id]);
  return r.token;
}

/** Runs a command with output passed through, and returns its exit status and output. */
function run(cmd, argv) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      out += d;
      process.stderr.write(d);
    });
    child.on('error', (e) => resolve({ status: 127, out: out + String(e) }));
    child.on('close', (status, signal) => resolve({ status: status ?? (signal ? 128 : 1), out }));
  });
}

const results = []; // [suite, ok, summary]
const runId = randomBytes(4).toString('hex');

// ---------------------------------------------------------------------------------------------
// Microsoft (first: when it shares the Okta server, that server must still be empty)

async function runMicrosoft() {
  const suite = 'Microsoft SCIMReferenceCode collection';
  console.log(`\n== ${suite} -> ${microsoft.base}`);
  const token = await scimKey(microsoft, `peer suites: Microsoft ${runId}`);
  for (const resource of ['Users', 'Groups']) {
    const list = await must(microsoft.base, token, 'GET', `/scim/v2/${resource}?startIndex=1&count=1`, undefined, 200);
    if (list.totalResults !== 0) {
      results.push([
        suite,
        false,
        `the server at ${microsoft.base} is not empty (${list.totalResults} ${resource}); Microsoft's collection counts users: pass a freshly started server as <emptyBaseUrl>`,
      ]);
      return;
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'keyscope-peer-'));
  const report = path.join(dir, 'newman.json');
  try {
    const { status } = await run('bash', [
      path.join(PEER, 'run-microsoft.sh'),
      microsoft.base,
      'scim/v2',
      token,
      '--reporters',
      'cli,json',
      '--reporter-json-export',
      report,
    ]);
    if (!existsSync(report)) {
      results.push([suite, false, `newman exited with ${status} and wrote no JSON report`]);
      return;
    }
    const { run: r } = JSON.parse(readFileSync(report, 'utf8'));
    const failures = r.failures.map((f) => ({
      request: f.source?.name ?? '(collection)',
      folder: f.parent?.name ?? '',
      assertion: f.error?.test ?? `${f.error?.name ?? 'error'}: ${f.error?.message ?? ''}`,
      message: f.error?.message ?? '',
    }));
    const expected = MICROSOFT_EXCEPTIONS.map(([request, assertion, why]) => ({ request, assertion, why }));
    const unexpected = [];
    const left = [...expected];
    for (const f of failures) {
      const i = left.findIndex((e) => e.request === f.request && e.assertion === f.assertion);
      if (i >= 0) left.splice(i, 1);
      else unexpected.push(f);
    }
    const stats = r.stats;
    const line =
      `${stats.requests.total} requests, ${stats.assertions.total} assertions, ${stats.assertions.failed} failed` +
      ` (${failures.length} failures: ${failures.length - unexpected.length} known exceptions, ${unexpected.length} new)`;
    console.log(`\n${suite}: ${line}`);
    for (const f of failures) {
      const known = !unexpected.includes(f);
      console.log(
        `  ${known ? 'known' : 'NEW  '}  ${f.folder} / ${f.request} :: ${f.assertion}${known ? '' : `  (${f.message})`}`,
      );
    }
    for (const e of left)
      console.log(
        `  NO LONGER FAILS  ${e.request} :: ${e.assertion}  (known exception: ${e.why}); update MICROSOFT_EXCEPTIONS and the README`,
      );
    const ok = unexpected.length === 0 && left.length === 0 && !r.error && stats.requests.total > 0;
    if (r.error) console.log(`  newman run error: ${JSON.stringify(r.error)}`);
    results.push([suite, ok, line + (left.length ? `; ${left.length} known exception(s) no longer fail` : '')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Okta

async function runOkta() {
  console.log(`\n== Okta SCIM 2.0 SPEC tests -> ${okta.base}`);
  const token = await scimKey(okta, `peer suites: Okta ${runId}`);
  // The current file starts with GET /Users?count=1&startIndex=1 and needs a complete user there.
  const seed = `okta-seed-${runId}@example.com`;
  await must(
    okta.base,
    token,
    'POST',
    '/scim/v2/Users',
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: seed,
      name: { givenName: 'Okta', familyName: 'Seed' },
      emails: [{ primary: true, type: 'work', value: seed }],
      active: true,
    },
    201,
  );
  for (const [file, init] of OKTA_SUITES) {
    console.log(`\n-- ${file}`);
    const { status, out } = await run(process.execPath, [
      path.join(PEER, 'runscope.mjs'),
      path.join(PEER, file),
      '--base',
      `${okta.base}/scim/v2`,
      '--auth',
      `Bearer ${token}`,
      '--init',
      path.join(PEER, init),
    ]);
    const last = out.trim().split('\n').pop() ?? '';
    const m = /^(\d+) passed, (\d+) failed$/.exec(last);
    results.push([
      `Okta ${file}`,
      status === 0 && m !== null && m[2] === '0' && Number(m[1]) > 0,
      m ? last : `runscope exited with ${status}: ${last}`,
    ]);
  }
}

// ---------------------------------------------------------------------------------------------

let crashed = false;
try {
  await runMicrosoft();
  await runOkta();
} catch (e) {
  crashed = true;
  console.error(`\nFAIL: ${e.message}`);
} finally {
  for (const [base, adminKey, id] of created) {
    const r = await call(base, adminKey, 'DELETE', `/api/v1/keys/${id}`).catch((e) => ({ status: String(e) }));
    if (r.status !== 200) console.error(`warning: could not revoke key ${id} on ${base}: ${r.status}`);
  }
}

console.log('\n== Public test plans');
for (const [suite, ok, summary] of results) console.log(`${ok ? 'PASS' : 'FAIL'}  ${suite}: ${summary}`);
const ok = !crashed && results.length === 1 + OKTA_SUITES.length && results.every(([, pass]) => pass);
console.log(ok ? 'all public test plans meet their bar' : 'FAILED: see above');
process.exit(ok ? 0 : 1);
