/**
 * The one cursor codec: a page position as base64url JSON. Opaque to clients; whoever decodes one
 * checks its shape, since a client can send anything (RFC 9865 §2: cursors are opaque strings).
 */
export function encodeCursor(position: unknown): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** The position a cursor holds, or undefined when it is not one this codec made. */
export function decodeCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
