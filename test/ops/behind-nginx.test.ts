import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ADMIN_KEY, freePort, startServerProcess, tempDataDir, type ServerProcess } from '../support/server-process.js';

/**
 * keyscope behind a real TLS-terminating nginx (Debian's), as docs/deployment.md sets it up:
 * TRUST_PROXY=1 and PUBLIC_URL. SCIM locations come out https, the request log names the real
 * client, HSTS is sent over https only, and an X-Forwarded-For the client forges changes neither the
 * logged address nor its failure budget. Skipped, saying so, where nginx or openssl is missing;
 * .ci/run installs nginx, so CI runs it.
 */
function find(binary: string, places: string[]): string | undefined {
  for (const place of places) if (existsSync(place)) return place;
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${binary}`])
        .toString()
        .trim() || undefined
    );
  } catch {
    return undefined;
  }
}
const nginx = find('nginx', ['/usr/sbin/nginx']);
const openssl = find('openssl', ['/usr/bin/openssl']);
const missing = [!nginx && 'nginx (apt-get install nginx)', !openssl && 'openssl'].filter(Boolean);
if (missing.length) {
  console.warn(`behind-nginx.test.ts SKIPPED: ${missing.join(' and ')} not installed; .ci/run installs them`);
}
const describeWithNginx = missing.length ? describe.skip : describe;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let dir: string;
let data: ReturnType<typeof tempDataDir>;
let keyscope: ServerProcess;
let proxy: ChildProcess;
let proxyLog = '';
let httpsPort: number;
let publicUrl: string;
let cert: Buffer;

/** A request to nginx over TLS (trusting the self-signed certificate), from a chosen local address. */
function viaNginx(
  pathname: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown; from?: string } = {},
): Promise<Answer> {
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port: httpsPort,
        path: pathname,
        method: options.method ?? 'GET',
        ca: cert,
        localAddress: options.from ?? '127.0.0.2',
        agent: false,
        headers: {
          Host: `localhost:${httpsPort}`,
          ...(body ? { 'Content-Type': 'application/json' } : {}),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const admin = { Authorization: `Bearer ${ADMIN_KEY}` };

/** The request log line keyscope wrote for a request id. */
async function logLine(reqId: string): Promise<{ client: string; path: string; status: number }> {
  for (let i = 0; i < 50; i++) {
    const line = keyscope
      .output()
      .split('\n')
      .find((l) => l.includes(`"reqId":"${reqId}"`));
    if (line) return JSON.parse(line);
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no log line for ${reqId}:\n${keyscope.output()}`);
}

beforeAll(async () => {
  if (missing.length) return;
  dir = mkdtempSync(path.join(tmpdir(), 'keyscope-nginx-'));
  // nginx's workers run as nobody when the master is root: they must be able to enter the folder.
  chmodSync(dir, 0o755);
  execFileSync(
    openssl!,
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      path.join(dir, 'key.pem'),
      '-out',
      path.join(dir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(path.join(dir, 'cert.pem'));
  httpsPort = await freePort();
  publicUrl = `https://localhost:${httpsPort}`;
  data = tempDataDir();
  keyscope = await startServerProcess({
    DATA_DIR: data.dir,
    BOOTSTRAP_ADMIN_KEY: ADMIN_KEY,
    TRUST_PROXY: '1',
    PUBLIC_URL: publicUrl,
    AUTH_FAILURE_LIMIT: '3',
    LOG_LEVEL: 'info',
  });
  writeFileSync(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream keyscope {
    server 127.0.0.1:${keyscope.port};
    keepalive 8;
  }
  server {
    listen 127.0.0.1:${httpsPort} ssl;
    server_name localhost;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    client_max_body_size 2m;
    location / {
      proxy_pass http://keyscope;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_max_temp_file_size 0;
    }
  }
}
`,
  );
  proxy = spawn(nginx!, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proxy.stdout!.on('data', (c: Buffer) => (proxyLog += c.toString()));
  proxy.stderr!.on('data', (c: Buffer) => (proxyLog += c.toString()));
  for (let i = 0; i < 100; i++) {
    if (proxy.exitCode !== null) throw new Error(`nginx exited (${proxy.exitCode}):\n${proxyLog}`);
    try {
      if ((await viaNginx('/healthz')).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nginx did not answer:\n${proxyLog}`);
}, 90_000);

afterAll(async () => {
  if (missing.length) return;
  if (proxy && proxy.exitCode === null) {
    const exited = new Promise((r) => proxy.once('exit', r));
    proxy.kill('SIGQUIT');
    await exited;
  }
  await keyscope?.stop();
  data?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describeWithNginx('keyscope behind nginx terminating TLS (TRUST_PROXY=1, PUBLIC_URL)', () => {
  it('logs PUBLIC_URL at start, with no warning about it', () => {
    expect(keyscope.output()).toContain(`reached at ${publicUrl}`);
    expect(keyscope.output()).not.toContain('PUBLIC_URL is https but TRUST_PROXY is not set');
  });

  it('SCIM locations are https at the address the client used, even if the client says http', async () => {
    const key = await viaNginx('/api/v1/keys', {
      method: 'POST',
      headers: admin,
      body: { name: 'nginx scim', scim: true, expiration: '7d' },
    });
    expect(key.status).toBe(201);
    const scim = { Authorization: `Bearer ${JSON.parse(key.body).token}` };
    const created = await viaNginx('/scim/v2/Users', {
      method: 'POST',
      headers: { ...scim, 'X-Forwarded-Proto': 'http' },
      body: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'behind.nginx@example.com' },
    });
    expect(created.status).toBe(201);
    const location = created.headers.location as string;
    expect(location).toMatch(new RegExp(`^${publicUrl}/scim/v2/Users/[0-9a-f-]{36}$`));
    expect(JSON.parse(created.body).meta.location).toBe(location);
    const config = await viaNginx('/scim/v2/ServiceProviderConfig', { headers: scim });
    expect(JSON.parse(config.body).meta.location).toBe(`${publicUrl}/scim/v2/ServiceProviderConfig`);
  });

  it('sends Strict-Transport-Security over https, and not to a plain-http request on keyscope itself', async () => {
    expect((await viaNginx('/healthz')).headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
    const direct = await fetch(`${keyscope.url}/healthz`);
    expect(direct.headers.get('strict-transport-security')).toBeNull();
  });

  it('the request log names the real client, not nginx, and not what the client forged', async () => {
    await viaNginx('/api/v1/me', { headers: { ...admin, 'X-Request-Id': 'nginx-real-client' } });
    expect(await logLine('nginx-real-client')).toMatchObject({ client: '127.0.0.2', path: '/api/v1/me', status: 200 });
    await viaNginx('/api/v1/me', {
      headers: { ...admin, 'X-Request-Id': 'nginx-forged-client', 'X-Forwarded-For': '203.0.113.7' },
    });
    expect(await logLine('nginx-forged-client')).toMatchObject({ client: '127.0.0.2', status: 200 });
    expect(keyscope.output()).not.toContain('"client":"203.0.113.7"');
  });

  it('a forged X-Forwarded-For does not escape the failure limit, which counts the real address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await viaNginx('/api/v1/me', {
        from: '127.0.0.3',
        headers: { Authorization: `Bearer junk-token-${i}`, 'X-Forwarded-For': `198.51.100.${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // Another client keeps its own budget.
    const other = await viaNginx('/api/v1/me', {
      from: '127.0.0.4',
      headers: { Authorization: 'Bearer junk-token-x' },
    });
    expect(other.status).toBe(401);
  });
});
