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
 * stdout written asynchronously, the lines of one turn of the event loop in one write: under load
 * that is one write for many requests instead of one per line (about 3 µs a request), and a quiet
 * server's line still goes out at once.
 *
 * When whatever reads stdout has gone (EPIPE), the lines are lost either way, and sonic-boom's
 * flushSync would retry them forever: a stopped server would never exit. So a failed stdout is
 * never flushed again.
 */
export function bufferedStdout(): BufferedStdout {
  const boom = pino.destination({ dest: 1, sync: false });
  let failed = false;
  let closed = false;
  let lines: string[] = [];
  // Also keeps a write error that pino does not handle itself (it handles EPIPE) from crashing the process.
  boom.on('error', () => {
    failed = true;
  });
  const writeOut = () => {
    if (lines.length === 0) return;
    const batch = lines.join('');
    lines = [];
    // After close(), as pino's own destination would: nothing more is written.
    if (!failed && !closed) boom.write(batch);
  };
  const stream: DestinationStream = {
    write(line: string) {
      if (lines.length === 0) setImmediate(writeOut);
      lines.push(line);
    },
  };
  return {
    stream,
    close: () =>
      new Promise<void>((resolve) => {
        if (failed || closed) return resolve();
        writeOut();
        closed = true;
        // A write in flight when close() is called may still fail: that ends the wait too.
        boom.once('close', resolve);
        boom.once('error', () => resolve());
        boom.end();
      }),
    flushSync: () => {
      if (failed || closed) return;
      try {
        writeOut();
        boom.flushSync();
      } catch {
        // Not open yet: there is nothing to write.
      }
    },
  };
}
