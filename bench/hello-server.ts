// The baseline every figure is compared with: Express 5 + helmet answering "hello", one process.
import express from 'express';
import helmet from 'helmet';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.use(helmet());
app.get('/', (_req, res) => {
  res.json({ hello: 'world' });
});
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`PORT ${typeof address === 'object' && address ? address.port : 0}\n`);
});
