import { fragmentOf, issueToken, parseToken, tokenDigest } from '../../src/principals/token.js';

describe('token format ksk_<keyId>_<secret><checksum> (DESIGN §4)', () => {
  it('issues tokens that parse back to their key id and secret', () => {
    const issued = issueToken();
    expect(issued.token).toMatch(/^ksk_[0-9A-Za-z]{16}_[0-9A-Za-z]{30}$/);
    expect(parseToken(issued.token)).toEqual({ keyId: issued.keyId, secret: issued.secret });
  });

  it('carries at least 128 random bits in the secret', () => {
    const { secret } = issueToken();
    expect(secret.length * Math.log2(62)).toBeGreaterThanOrEqual(128);
  });

  it('never issues the same secret twice in many draws', () => {
    const seen = new Set(Array.from({ length: 2000 }, () => issueToken().secret));
    expect(seen.size).toBe(2000);
  });

  it('refuses a token with any single character changed (checksum)', () => {
    const { token } = issueToken();
    const alphabet = 'abcXYZ019';
    for (let i = 4; i < token.length; i++) {
      if (token[i] === '_') continue;
      const replacement = alphabet.split('').find((c) => c !== token[i])!;
      const typo = token.slice(0, i) + replacement + token.slice(i + 1);
      expect(parseToken(typo)).toBeUndefined();
    }
  });

  it.each([
    '',
    'ksk_',
    'ksk__',
    'Bearer ksk_x',
    'ksk_abc_short',
    'ksk_a-b_cdefghijklmnopqrstuvwxyz123456',
    `ksk_${'a'.repeat(65)}_${'b'.repeat(30)}`,
  ])('refuses malformed input %j', (junk) => {
    expect(parseToken(junk)).toBeUndefined();
  });

  it('shows a fragment that names the key but holds no secret', () => {
    const issued = issueToken();
    const fragment = fragmentOf(issued.token, issued.keyId);
    expect(fragment).toBe(`ksk_${issued.keyId}…${issued.token.slice(-4)}`);
    expect(fragment).not.toContain(issued.secret.slice(0, 8));
  });

  it('digests tokens for the cache without keeping them', () => {
    const { token } = issueToken();
    expect(tokenDigest(token)).not.toContain(token.slice(4, 20));
    expect(tokenDigest(token)).toBe(tokenDigest(token));
  });
});
