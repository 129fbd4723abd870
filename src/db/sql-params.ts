/** Collects bind parameters while SQL text is assembled; `add` returns the placeholder. */
export class SqlParams {
  readonly values: unknown[];

  constructor(initial: unknown[] = []) {
    this.values = [...initial];
  }

  private aliases = 0;

  /** A fresh table alias for subqueries. */
  alias(prefix = 'e'): string {
    return `${prefix}${++this.aliases}`;
  }

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** A string literal for identifiers and keys that come from our own schema catalogue, never from clients. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
