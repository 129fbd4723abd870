import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * Request logs never include headers or bodies, so tokens cannot reach them; the redaction
 * list is a second line of defence for objects someone logs by mistake.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      // Exact paths only: wildcard paths make every log call three times slower.
      redact: {
        paths: ['token', 'authorization', 'secret', 'headers.authorization', 'req.headers.authorization', 'err.token'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export interface BufferedStdout {
  stream: DestinationStream;
  /** Writes out what is buffered and stops; at once if stdout has failed. Call before process.exit. */
  close(): Promise<void>;
  /** The last resort in an 'exit' handler, for exits that did not close(): skipped once stdout has failed. */
  flushSync(): void;
}

/**
 * stdout written asynchronously and in batches of about 4 KB (under load one write per twenty lines
 * or so, not one per line: about 3 µs per request), and at least every 200 ms, so a quiet server's
 * lines still appear at once to a person watching.
 *
 * When whatever reads stdout has gone (EPIPE), the lines are lost either way, and sonic-boom's
 * flushSync would retry them forever: a stopped server would never exit. So a failed stdout is
 * never flushed again.
 */
export function bufferedStdout(flushEveryMs = 200): BufferedStdout {
  const boom = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  let failed = false;
  let closed = false;
  let unflushed = false;
  // Also keeps a write error that pino does not handle itself (it handles EPIPE) from crashing the process.
  boom.on('error', () => {
    failed = true;
  });
  const stream: DestinationStream = {
    write(line: string) {
      unflushed = true;
      return boom.write(line);
    },
  };
  const timer = setInterval(() => {
    if (!unflushed || failed || closed) return;
    unflushed = false;
    boom.flush();
  }, flushEveryMs);
  timer.unref();
  return {
    stream,
    close: () =>
      new Promise<void>((resolve) => {
        if (failed || closed) return resolve();
        closed = true;
        clearInterval(timer);
        // A write in flight when close() is called may still fail: that ends the wait too.
        boom.once('close', resolve);
        boom.once('error', () => resolve());
        boom.end();
      }),
    flushSync: () => {
      if (failed || closed) return;
      try {
        boom.flushSync();
      } catch {
        // Not open yet: there is nothing to write.
      }
    },
  };
}
