// The same tiny route twice, with and without keyscope's authentication middleware (cached key), so
// the difference is what authentication costs a request.
import express from 'express';
import helmet from 'helmet';
import { createKeyscope } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDb } from '../src/db/open-db.js';
import { authenticate } from '../src/http/authenticate.js';
import { errorHandler } from '../src/http/error-handler.js';
import { createLogger } from '../src/http/logger.js';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const logger = createLogger('silent');
const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
const keyscope = await createKeyscope({ db, config, logger });

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(helmet());
app.get('/ping', (_req, res) => {
  res.json({ ok: true });
});
// The same shape as /ping-auth with a middleware that does nothing: what a route layer itself costs.
app.get(
  '/ping-layer',
  (_req, _res, next) => next(),
  (_req, res) => {
    res.json({ ok: true });
  },
);
app.get('/ping-auth', authenticate(keyscope.authenticator), (_req, res) => {
  res.json({ ok: true });
});
app.use(errorHandler(logger, 'problem'));
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
});
