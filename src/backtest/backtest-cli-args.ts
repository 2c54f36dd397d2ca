import { parseArgs } from 'node:util';
import type { BacktestRequest } from './backtest-runner.service';

export interface BacktestCliArgs {
  request: BacktestRequest;
  /** Path of a JSON file of auto-bot settings overrides. */
  configFile: string | null;
  /** Folder the result JSON and report HTML go to. */
  outDir: string | null;
}

export const BACKTEST_USAGE =
  'usage: npm run backtest -- --from 2026-01-01 --to 2026-06-01 [--symbols BTC,ETH] [--config overrides.json] [--detail 1m] [--balance 10000] [--out dir]';

/** Command-line flags → a backtest request (checked again, field by field, by BacktestRunner.prepare). */
export function parseBacktestArgs(argv: readonly string[]): BacktestCliArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      symbols: { type: 'string' },
      config: { type: 'string' },
      detail: { type: 'string' },
      balance: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.from) throw new Error('--from is required');
  if (values.detail !== undefined && values.detail !== '1m' && values.detail !== 'off') {
    throw new Error('--detail: only 1m (or off) is supported');
  }
  const balance = values.balance === undefined ? undefined : Number(values.balance);
  return {
    request: {
      from: values.from,
      to: values.to ?? new Date().toISOString().slice(0, 16),
      ...(values.symbols
        ? {
            symbols: values.symbols
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean),
          }
        : {}),
      detail: values.detail === '1m',
      ...(balance === undefined ? {} : { starting_balance: balance }),
    },
    configFile: values.config ?? null,
    outDir: values.out ?? null,
  };
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));

/** Two-column table of label → value. */
export function summaryTable(rows: ReadonlyArray<[string, string]>): string {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${pad(label, width)}  ${value}`).join('\n');
}

export function formatNumber(value: number | null, digits = 2, suffix = ''): string {
  return value === null || !Number.isFinite(value) ? '—' : `${value.toFixed(digits)}${suffix}`;
}
