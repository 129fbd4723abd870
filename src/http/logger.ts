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
 * stdout written asynchronously: a quiet server's lines appear at once, and under load the lines
 * that queue while a write is in flight go out together.
 *
 * When whatever reads stdout has gone (EPIPE), the lines are lost either way, and sonic-boom's
 * flushSync would retry them forever: a stopped server would never exit. So a failed stdout is
 * never flushed again.
 */
export function bufferedStdout(): BufferedStdout {
  const stream = pino.destination({ dest: 1, sync: false });
  let failed = false;
  let closed = false;
  // Also keeps a write error that pino does not handle itself (it handles EPIPE) from crashing the process.
  stream.on('error', () => {
    failed = true;
  });
  return {
    stream,
    close: () =>
      new Promise<void>((resolve) => {
        if (failed || closed) return resolve();
        closed = true;
        // A write in flight when close() is called may still fail: that ends the wait too.
        stream.once('close', resolve);
        stream.once('error', () => resolve());
        stream.end();
      }),
    flushSync: () => {
      if (failed || closed) return;
      try {
        stream.flushSync();
      } catch {
        // Not open yet: there is nothing to write.
      }
    },
  };
}
