import { forbidden, invalid, notFound } from '../errors/domain-error.js';

/** The errors of webhooks (issue 14, DESIGN §11). */
export const eventErrors = {
  needsAdmin: () =>
    forbidden('Webhooks need org:admin: they send what happens to every key, person and group of the organization'),
  notFound: (id: string) => notFound(`No webhook ${id} in this organization`),
  deliveryNotFound: (id: string) => notFound(`No delivery ${id} for this webhook`),
  unknownEvents: (names: string[], known: readonly string[]) =>
    invalid(
      `Unknown event${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')}; the events are ${known.join(', ')}`,
      'invalidValue',
      [{ field: 'events', message: `Unknown: ${names.join(', ')}` }],
    ),
  badTarget: (url: string, reason: string) =>
    invalid(`The webhook URL ${url} ${reason}`, 'invalidValue', [{ field: 'url', message: reason }]),
};
