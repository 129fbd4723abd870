import { loadConfig } from '../../src/config.js';
import { nextAttemptAt } from '../../src/events/events.js';

/** Webhook retries (issue 14): soon at first (1 s, 5 s, 30 s), then doubling to an hour, for 24 hours at least. */

const SECOND = 1000;
const HOUR = 3600 * SECOND;

test('the defaults: 1 s, 5 s, 30 s, then 1, 2, 4 … minutes up to an hour, given up after 24 hours', () => {
  const { webhooks } = loadConfig({});
  expect(webhooks).toEqual({
    allowPrivateTargets: false,
    timeoutMs: 10_000,
    retrySchedule: [1000, 5000, 30_000],
    maxDelayMs: HOUR,
    giveUpAfterMs: 24 * HOUR,
  });
  const policy = {
    schedule: webhooks.retrySchedule,
    maxDelayMs: webhooks.maxDelayMs,
    giveUpAfterMs: webhooks.giveUpAfterMs,
  };
  const start = new Date('2026-01-01T00:00:00Z');
  let now = start;
  const delays: number[] = [];
  for (let attempt = 1; ; attempt++) {
    const next = nextAttemptAt(policy, start, attempt, now);
    if (!next) break;
    delays.push(next.getTime() - now.getTime());
    now = next;
  }
  expect(delays.slice(0, 9)).toEqual([1, 5, 30, 60, 120, 240, 480, 960, 1920].map((s) => s * SECOND));
  expect(delays.slice(12).every((d) => d === HOUR)).toBe(true);
  // The last failed attempt came 24 hours or more after the event: retried for at least that long.
  expect(now.getTime() - start.getTime()).toBeGreaterThanOrEqual(24 * HOUR);
  expect(now.getTime() - start.getTime()).toBeLessThan(25 * HOUR);
  // Three tries within the first minute.
  expect(delays[0]! + delays[1]! + delays[2]!).toBeLessThan(60 * SECOND);
});

test('WEBHOOK_RETRY_SCHEDULE takes units; bad values stop the start with a message naming the variable', () => {
  expect(loadConfig({ WEBHOOK_RETRY_SCHEDULE: '250ms, 2s,1m,1h,50' }).webhooks.retrySchedule).toEqual([
    250,
    2000,
    60_000,
    HOUR,
    50,
  ]);
  expect(() => loadConfig({ WEBHOOK_RETRY_SCHEDULE: '1s,soon' })).toThrow(
    /WEBHOOK_RETRY_SCHEDULE: must be a comma list/,
  );
  expect(() => loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_TARGETS/);
  expect(() => loadConfig({ WEBHOOK_TIMEOUT_MS: '10' })).toThrow(/WEBHOOK_TIMEOUT_MS/);
  expect(loadConfig({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' }).webhooks.allowPrivateTargets).toBe(true);
});
