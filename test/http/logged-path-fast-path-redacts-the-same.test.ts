import fc from 'fast-check';
import { pathForLog } from '../../src/http/request-context.js';

/** The rule, segment by segment, as DESIGN §9 states it: a segment that may be a token is never logged. */
function reference(path: string, authorization: string | undefined): string {
  return path
    .split('/')
    .map((segment) => {
      let value = segment;
      try {
        value = decodeURIComponent(segment);
      } catch {
        // logged as sent
      }
      const mayBeToken =
        /ksk_/i.test(value) ||
        /eyJ[\w-]*\.[\w-]+\./.test(value) ||
        (value.length >= 32 && (authorization ?? '').includes(value));
      return mayBeToken ? '[redacted]' : segment;
    })
    .join('/');
}

const token = `ksk_${'A1b2C3d4'.repeat(5)}`;
const jws = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
const pieces = fc.oneof(
  fc.constantFrom(
    'api',
    'v1',
    'keys',
    'authorize',
    'Users',
    '%20',
    '%',
    'KSK_',
    'eyJ',
    '.',
    token,
    jws,
    'x'.repeat(40),
  ),
  fc.string({ maxLength: 40 }).filter((s) => !s.includes('/')),
);
const paths = fc.array(
  fc.array(pieces, { maxLength: 3 }).map((parts) => parts.join('')),
  { maxLength: 6 },
);

describe('the request log path', () => {
  it('redacts exactly what the segment-by-segment rule redacts, fast path or not', () => {
    fc.assert(
      fc.property(
        paths,
        fc.constantFrom(undefined, `Bearer ${token}`, `Bearer ${'x'.repeat(40)}`),
        (segments, auth) => {
          const path = `/${segments.join('/')}`;
          expect(pathForLog(path, auth)).toBe(reference(path, auth));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('leaves a plain path as it is and redacts a key pasted into one', () => {
    expect(pathForLog('/api/v1/authorize', `Bearer ${token}`)).toBe('/api/v1/authorize');
    expect(pathForLog(`/api/v1/keys/${token}`, undefined)).toBe('/api/v1/keys/[redacted]');
    expect(pathForLog('/api/v1/keys/KsK_short', undefined)).toBe('/api/v1/keys/[redacted]');
  });
});
