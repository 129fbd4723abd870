import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/http/logger.js';
import { runServer } from '../../src/server.js';
import { tempDataDir } from '../support/server-process.js';

async function startupMessage(env: Record<string, string>): Promise<string> {
  const data = tempDataDir();
  let logs = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  try {
    const config = loadConfig({
      DATA_DIR: data.dir,
      PORT: '0',
      BCRYPT_COST: '4',
      BOOTSTRAP_ADMIN_KEY: 'test-admin-key-0123456789-abcdefghijklmnop',
      ...env,
    });
    const running = await runServer(config, createLogger('info', sink), { prepareDatabase: true });
    const port = (running.server.address() as { port: number }).port;
    await running.shutdown('test');
    const line = logs.split('\n').find((l) => l.includes('keyscope listening'));
    return (JSON.parse(line!) as { msg: string }).msg.replace(String(port), 'PORT');
  } finally {
    data.remove();
  }
}

/** With HOST unset the server binds every interface: the startup line must not say localhost. */
describe('the startup log line', () => {
  it('says all interfaces when HOST is unset, and the address when it is set', async () => {
    expect(await startupMessage({})).toBe('keyscope listening on all interfaces, port PORT');
    expect(await startupMessage({ HOST: '127.0.0.1' })).toBe('keyscope listening on http://127.0.0.1:PORT');
  }, 60_000);

  it('names PUBLIC_URL when it is set', async () => {
    expect(await startupMessage({ HOST: '127.0.0.1', PUBLIC_URL: 'https://keyscope.example.com/' })).toBe(
      'keyscope listening on http://127.0.0.1:PORT, reached at https://keyscope.example.com',
    );
  }, 60_000);
});
