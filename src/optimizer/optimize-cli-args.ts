/**
 * Arguments of `npm run optimize` (docs/optimizer.md, "CLI"): parsed into the same StartOptimizationDto the API
 * takes and checked by the same class-validator rules, so the CLI and the API accept exactly the same runs.
 */
import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { StartOptimizationDto } from './dto/start-optimization.dto';
import { RUN_ID_PATTERN } from './run-store';

export type OptimizeCliArgs = { request: StartOptimizationDto; resume: string | null; threads: number | null };

export const OPTIMIZE_USAGE = [
  'usage: npm run optimize -- [--param key[=min:max]]... [--objective sharpe|sortino|calmar|net_pnl|profit_factor]',
  '         [--budget 500] [--batch 32] [--seed N] [--folds 4] [--fold-mode rolling|anchored] [--top 10]',
  '         [--min-trades 30] [--max-drawdown 50] [--min-oos-score X] [--symbol BTC] [--symbols 20] [--candles 1000]',
  '         [--coins BTC,ETH,...] [--evaluator backtest|synthetic] [--data-seed 1] [--threads N]',
  '       npm run optimize -- --resume <id>',
].join('\n');

const NUMERIC: Record<string, (dto: Record<string, unknown>, value: number) => void> = {
  budget: (d, v) => (d.budget = v),
  batch: (d, v) => (d.batch_size = v),
  seed: (d, v) => (d.seed = v),
  folds: (d, v) => (d.folds = v),
  top: (d, v) => (d.top_n = v),
  'min-trades': (d, v) => ((d.constraints as Record<string, unknown>).min_trades = v),
  'max-drawdown': (d, v) => ((d.constraints as Record<string, unknown>).max_drawdown_percent = v),
  'min-oos-score': (d, v) => (d.min_out_of_sample_score = v),
  symbols: (d, v) => ((d.data as Record<string, unknown>).symbols = v),
  candles: (d, v) => ((d.data as Record<string, unknown>).candles = v),
  'data-seed': (d, v) => ((d.data as Record<string, unknown>).seed = v),
};

function firstProblem(errors: ValidationError[], prefix = ''): string | null {
  for (const error of errors) {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    if (error.constraints) return `${field}: ${Object.values(error.constraints)[0]}`;
    const nested = firstProblem(error.children ?? [], field);
    if (nested) return nested;
  }
  return null;
}

export function parseOptimizeArgs(argv: readonly string[]): OptimizeCliArgs {
  const dto: Record<string, unknown> = { constraints: {}, data: {} };
  const space: { key: string; min?: number; max?: number }[] = [];
  let resume: string | null = null;
  let threads: number | null = null;
  for (let i = 0; i < argv.length; i++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!match) throw new Error(`unexpected argument "${argv[i]}"`);
    const [, name, inline] = match;
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (name in NUMERIC || name === 'threads') {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw new Error(`--${name}: "${value}" is not a number`);
      if (name === 'threads') {
        if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error('--threads must be an integer from 1 to 256');
        threads = n;
      } else NUMERIC[name](dto, n);
    } else if (name === 'param') {
      const [key, range] = value.split('=');
      const bounds = range?.split(':').map(Number);
      if (range !== undefined && (bounds?.length !== 2 || bounds.some((b) => !Number.isFinite(b)))) {
        throw new Error(`--param ${value}: expected key or key=min:max`);
      }
      space.push(bounds ? { key, min: bounds[0], max: bounds[1] } : { key });
    } else if (name === 'objective') dto.objective = value;
    else if (name === 'fold-mode') dto.fold_mode = value;
    else if (name === 'evaluator') dto.evaluator = value;
    else if (name === 'coins') (dto.data as Record<string, unknown>).coins = value.split(',').map((c) => c.trim());
    else if (name === 'symbol') Object.assign(dto, { scope: 'coin', symbol: value });
    else if (name === 'resume') {
      if (!RUN_ID_PATTERN.test(value)) throw new Error(`--resume: "${value}" is not a run id`);
      resume = value;
    } else throw new Error(`unknown option --${name}`);
  }
  if (space.length > 0) dto.space = space;
  const request = plainToInstance(StartOptimizationDto, dto);
  const problem = firstProblem(validateSync(request, { whitelist: true }));
  if (problem) throw new Error(problem);
  return { request, resume, threads };
}
