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

/**
 * stdout written asynchronously: a quiet server's lines appear at once, and under load the lines
 * that queue while a write is in flight go out together. Flush it before the process exits.
 */
export function bufferedStdout() {
  return pino.destination({ dest: 1, sync: false });
}
