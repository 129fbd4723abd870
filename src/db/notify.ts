import type { Queryable } from './db.js';

// PostgreSQL refuses NOTIFY payloads of 8000 bytes or more.
const MAX_PAYLOAD_BYTES = 7000;

/** Sends NOTIFY inside the caller's transaction: listeners see it only if, and when, it commits. */
export async function notify(q: Queryable, channel: string, payloads: string[]): Promise<void> {
  for (const payload of payloads) await q.query('SELECT pg_notify($1, $2)', [channel, payload]);
}

/** Splits a list into JSON payloads that each fit in one NOTIFY. */
export function chunkPayloads(items: string[], wrap: (chunk: string[]) => string): string[] {
  const out: string[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const item of items) {
    if (chunk.length && size + item.length + 4 > MAX_PAYLOAD_BYTES - 100) {
      out.push(wrap(chunk));
      chunk = [];
      size = 0;
    }
    chunk.push(item);
    size += item.length + 4;
  }
  if (chunk.length) out.push(wrap(chunk));
  return out;
}
