/** Plain-text tables and key/value blocks for people; `--json` prints the API's data unchanged. */
export const table = (headers: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
};

export const fields = (entries: readonly (readonly [string, string])[]): string => {
  const width = Math.max(...entries.map(([name]) => name.length));
  return `${entries.map(([name, value]) => `${`${name}:`.padEnd(width + 2)}${value}`).join('\n')}\n`;
};

export const orDash = (value: unknown): string =>
  value === null || value === undefined || value === '' ? '-' : String(value);

export const rateLimitText = (limit: unknown): string => {
  if (limit === null || limit === undefined) return 'route default';
  if (limit === 'unlimited') return 'UNLIMITED';
  const bucket = limit as { burst?: number; per_seconds?: number };
  return `${bucket.burst} per ${bucket.per_seconds} s`;
};
