import { DecisionCache, MAX_DECISION_TTL_MS } from '../../src/client/index.js';

/** keyscopeAuth's decision cache on its own, with a clock the test moves. */
function cacheWith(ttlMs: number, maxEntries = 100) {
  const clock = { now: 1_000_000 };
  const cache = new DecisionCache({ ttlMs, maxEntries, now: () => clock.now });
  let asked = 0;
  const ask = (allowed = true) => {
    asked++;
    return Promise.resolve(allowed ? { allowed: true as const } : { allowed: false as const, reason: 'no' });
  };
  return { cache, clock, ask, asked: () => asked };
}

describe('DecisionCache', () => {
  it('never keeps a decision longer than 1 second, whatever it is asked', () => {
    expect(MAX_DECISION_TTL_MS).toBe(1000);
    expect(new DecisionCache({ ttlMs: 60_000, maxEntries: 1 }).ttlMs).toBe(1000);
    expect(new DecisionCache({ ttlMs: 250, maxEntries: 1 }).ttlMs).toBe(250);
    expect(() => new DecisionCache({ ttlMs: -1, maxEntries: 1 })).toThrow(TypeError);
    expect(() => new DecisionCache({ ttlMs: Number.NaN, maxEntries: 1 })).toThrow(TypeError);
    expect(() => new DecisionCache({ ttlMs: 100, maxEntries: 0 })).toThrow(TypeError);
  });

  it('counts a decision’s age from when keyscope was asked, not from when it answered', async () => {
    const clock = { now: 0 };
    const cache = new DecisionCache({ ttlMs: 1000, maxEntries: 10, now: () => clock.now });
    // keyscope takes 900 ms to answer: the decision may be reused for the 100 ms left, no more.
    await cache.decide('t', 'p:r', undefined, async () => {
      clock.now += 900;
      return { allowed: true };
    });
    clock.now = 999;
    expect((await cache.decide('t', 'p:r', undefined, async () => ({ allowed: false }))).cached).toBe(true);
    clock.now = 1000;
    expect(await cache.decide('t', 'p:r', undefined, async () => ({ allowed: false }))).toEqual({
      decision: { allowed: false },
      cached: false,
    });
  });

  it('keeps denials too, per token, permission and resource', async () => {
    const { cache, ask, asked } = cacheWith(1000);
    await cache.decide('t1', 'p:r', undefined, () => ask(false));
    expect((await cache.decide('t1', 'p:r', undefined, () => ask())).decision).toEqual({
      allowed: false,
      reason: 'no',
    });
    await cache.decide('t2', 'p:r', undefined, () => ask());
    await cache.decide('t1', 'p:w', undefined, () => ask());
    await cache.decide('t1', 'p:r', 'alpha', () => ask());
    await cache.decide('t1', 'p:r', 'beta', () => ask());
    expect(asked()).toBe(5);
    expect(cache.size).toBe(5);
  });

  it('never keeps an error', async () => {
    const { cache, ask, asked } = cacheWith(1000);
    await expect(cache.decide('t', 'p:r', undefined, () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(cache.size).toBe(0);
    await cache.decide('t', 'p:r', undefined, () => ask());
    expect(asked()).toBe(1);
  });

  it('holds at most maxEntries, dropping the least recently used', async () => {
    const { cache, ask } = cacheWith(1000, 3);
    for (const t of ['a', 'b', 'c']) await cache.decide(t, 'p:r', undefined, () => ask());
    await cache.decide('a', 'p:r', undefined, () => ask()); // a is now the most recent
    await cache.decide('d', 'p:r', undefined, () => ask());
    expect(cache.size).toBe(3);
    const keys = cache.keys();
    expect(keys).toContain(cache.keyOf('a', 'p:r', undefined));
    expect(keys).not.toContain(cache.keyOf('b', 'p:r', undefined));
    for (let i = 0; i < 1000; i++) await cache.decide(`t${i}`, 'p:r', undefined, () => ask());
    expect(cache.size).toBe(3);
  });

  it('with ttlMs 0 asks every time and keeps nothing', async () => {
    const { cache, ask, asked } = cacheWith(0);
    await cache.decide('t', 'p:r', undefined, () => ask());
    await cache.decide('t', 'p:r', undefined, () => ask());
    expect(asked()).toBe(2);
    expect(cache.size).toBe(0);
  });

  it('shares a request on its way only while it is younger than the TTL', async () => {
    const clock = { now: 0 };
    const cache = new DecisionCache({ ttlMs: 1000, maxEntries: 10, now: () => clock.now });
    let release: (v: { allowed: true }) => void = () => {};
    let asked = 0;
    const slow = () => {
      asked++;
      return new Promise<{ allowed: true }>((resolve) => {
        release = resolve;
      });
    };
    const first = cache.decide('t', 'p:r', undefined, slow);
    clock.now = 500;
    const joined = cache.decide('t', 'p:r', undefined, slow);
    expect(asked).toBe(1);
    clock.now = 1500; // the request on its way is now older than the TTL: ask again
    const fresh = cache.decide('t', 'p:r', undefined, async () => {
      asked++;
      return { allowed: true };
    });
    release({ allowed: true });
    expect((await first).cached).toBe(false);
    expect((await joined).cached).toBe(true);
    expect((await fresh).cached).toBe(false);
    expect(asked).toBe(2);
  });

  it('keys by an HMAC of the token that differs from one cache (process) to another', () => {
    const a = new DecisionCache({ ttlMs: 1000, maxEntries: 1 });
    const b = new DecisionCache({ ttlMs: 1000, maxEntries: 1 });
    const token = 'ksk_abc_secretsecretsecretsecret';
    expect(a.keyOf(token, 'p:r', 'x')).toBe(a.keyOf(token, 'p:r', 'x'));
    expect(a.keyOf(token, 'p:r', 'x')).not.toBe(b.keyOf(token, 'p:r', 'x'));
    expect(a.keyOf(token, 'p:r', 'x')).not.toContain('secret');
    expect(a.keyOf(token, 'p:r', undefined)).not.toBe(a.keyOf(token, 'p:r', ''));
  });
});
