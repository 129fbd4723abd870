import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The real `keyscope` binary (dist/cli/keyscope.js, built by `npm test`'s pretest) against a listening server. */
export const BIN = path.resolve('dist/cli/keyscope.js');
export const run = promisify(execFile);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A keyscope listening on a free port for the file's tests, and `keyscope(args, key, stdin)` running
 * the CLI against it (with the bootstrap admin key unless told otherwise).
 */
export interface CliHarness {
  app: TestApp;
  url: string;
  keyscope(args: string[], key?: string, stdin?: string): Promise<CliResult>;
}

export function cliAgainstRealServer(): CliHarness {
  const harness: CliHarness = {
    app: undefined as unknown as TestApp,
    url: '',
    async keyscope(args: string[], key = harness.app.adminToken, stdin = ''): Promise<CliResult> {
      const running = run(process.execPath, [BIN, ...args], {
        env: { ...process.env, KEYSCOPE_URL: harness.url, KEYSCOPE_API_KEY: key, NODE_OPTIONS: '' },
      });
      running.child.stdin?.end(stdin);
      try {
        const { stdout, stderr } = await running;
        return { code: 0, stdout, stderr };
      } catch (error) {
        const e = error as CliResult;
        return { code: e.code, stdout: e.stdout, stderr: e.stderr };
      }
    },
  };
  let server: Server;
  beforeAll(async () => {
    harness.app = await startTestApp();
    server = harness.app.keyscope.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    harness.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await harness.app.close();
  });
  return harness;
}
