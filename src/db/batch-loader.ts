/**
 * Gathers the point reads that arrive in the same turn of the event loop and runs them as one query
 * (DataLoader's idea). Under load this turns fifty round trips to PostgreSQL into one; with a single
 * request in flight the batch holds just that request, so nothing waits longer than one tick.
 */
export class BatchLoader<K, V> {
  private pending = new Map<string, Pending<K, V>>();

  /**
   * @param load runs one batch: the keys (distinct) and the scope they share (e.g. organization),
   *             answering a value per key (undefined when there is none).
   */
  constructor(
    private readonly load: (scope: string, keys: K[]) => Promise<Map<K, V>>,
    private readonly maxBatch = 200,
  ) {}

  get(scope: string, key: K): Promise<V | undefined> {
    let batch = this.pending.get(scope);
    if (!batch || batch.waiters.size >= this.maxBatch) {
      batch = { waiters: new Map() };
      this.pending.set(scope, batch);
      const current = batch;
      setImmediate(() => this.run(scope, current));
    }
    const existing = batch.waiters.get(key);
    if (existing) return new Promise((resolve, reject) => existing.push({ resolve, reject }));
    return new Promise((resolve, reject) => batch.waiters.set(key, [{ resolve, reject }]));
  }

  private async run(scope: string, batch: Pending<K, V>): Promise<void> {
    if (this.pending.get(scope) === batch) this.pending.delete(scope);
    try {
      const values = await this.load(scope, [...batch.waiters.keys()]);
      for (const [key, waiters] of batch.waiters) for (const w of waiters) w.resolve(values.get(key));
    } catch (error) {
      for (const waiters of batch.waiters.values()) for (const w of waiters) w.reject(error);
    }
  }
}

interface Pending<K, V> {
  waiters: Map<K, { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[]>;
}
