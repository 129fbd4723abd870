// The baseline every figure is compared with: Express 5 + helmet + express.json(), one process,
// answering the hot path's requests (same paths, same bodies) with a constant.
import express from 'express';
import helmet from 'helmet';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(helmet());
app.use(express.json());
app.get('/', (_req, res) => {
  res.json({ hello: 'world' });
});
app.post('/api/v1/authorize', (_req, res) => {
  res.json({ allowed: true });
});
app.get('/api/v1/me', (_req, res) => {
  res.json({ hello: 'world' });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
});
