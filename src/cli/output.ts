/** Prints rows as an aligned table for people, or the raw data as JSON for scripts. */
export interface Output {
  json: boolean;
  print(
    data: unknown,
    table?: () => { headers: string[]; rows: (string | number | boolean | null | undefined)[][] },
  ): void;
  line(text: string): void;
  warn(text: string): void;
}

export function output(json: boolean): Output {
  return {
    json,
    print(data, table) {
      if (json || !table) {
        process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
        return;
      }
      const { headers, rows } = table();
      process.stdout.write(
        formatTable(
          headers,
          rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c)))),
        ),
      );
    },
    line(text) {
      process.stdout.write(`${text}\n`);
    },
    warn(text) {
      process.stderr.write(`${text}\n`);
    },
  };
}

export function formatTable(headers: string[], rows: string[][]): string {
  if (!rows.length) return '(none)\n';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return `${[line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')}\n`;
}

export function shortDate(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 16).replace('T', ' ') : '-';
}
