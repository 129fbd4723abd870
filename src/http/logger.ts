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
      redact: {
        paths: ['token', '*.token', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'secret', '*.secret'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
