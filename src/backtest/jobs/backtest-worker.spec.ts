import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { encodeCandles } from '../../candles/candle-codec';
import { writeCandleFile } from '../../candles/candle-file';
import { DEFAULT_AUTO_BOT_CONFIG } from '../../config/defaults';
import { parseBacktestResult } from '../result/backtest-result';
import { schemaViolations, type Schema } from '../../../test/support/schema-check';
import type { BacktestSpec } from './backtest-job.types';
import { runSpec } from './backtest-worker';

const H = 3_600_000;
const TF = 6 * H;
const T0 = Date.UTC(2026, 0, 1);

/**
 * 15 falling closes (100 … 86: RSI 0, a LONG signal at the 15th close), a candle that stops the LONG out (low 70,
 * stop 10 % below 86), then a quiet one: the cooldown scenario of backtest-engine.spec.ts, through the job worker
 * (candle file → replay → stored result), so the stored result carries the lock (docs/backtest-report.md).
 */
function candleFile(): Buffer {
  const bars: Array<[number, number, number, number]> = [];
  for (let k = 0; k < 15; k++) bars.push([101 - k, 101.2 - k, 99.8 - k, 100 - k]);
  bars.push([86, 86.5, 70, 72], [72, 72.1, 71, 71.5]);
  const col = (i: number) => Float64Array.from(bars.map((b) => b[i]));
  return encodeCandles({ symbol: 'AAAUSDT', timeframe: '6h', coveredFrom: T0, coveredTo: T0 + bars.length * TF }, [
    {
      length: bars.length,
      time: Float64Array.from(bars.map((_, k) => T0 + k * TF)),
      open: col(0),
      high: col(1),
      low: col(2),
      close: col(3),
      volume: new Float64Array(bars.length).fill(1000),
    },
  ]);
}

describe('backtest job worker (runSpec)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bots-backtest-worker-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stores the account-protection locks the replay set in the result', async () => {
    const candleRoot = path.join(dir, 'candles');
    await writeCandleFile(path.join(candleRoot, '6h', 'AAAUSDT.bin'), candleFile());
    const config = {
      ...DEFAULT_AUTO_BOT_CONFIG,
      enable_maturity_check: false,
      rsi_time_filter_enabled: false,
      exit_scam_enabled: false,
      loss_reentry_protection: false,
      break_even_protection: false,
      trailing_stop_distance: 0,
      default_position_mode: 'usdt' as const,
      default_position_size: 100,
      leverage: 1,
      max_loss_percent: 10,
      take_profit_percent: 20,
      max_concurrent: 5,
      exit_cooldown_enabled: true,
      exit_cooldown_minutes: 24 * 60,
    };
    const resultFile = path.join(dir, 'job.result.json');
    const spec: BacktestSpec = {
      id: 'job-locks',
      candleRoot,
      timeframe: '6h',
      loadFromMs: T0,
      fromMs: T0,
      toMs: T0 + 17 * TF,
      entries: [
        {
          symbol: 'AAAUSDT',
          rules: { tickSize: 0.01, qtyStep: 0.001, minOrderQty: 0.001, minNotional: 5, maxLeverage: 50 },
        },
      ],
      config,
      startingBalance: 1000,
      feeRate: 0,
      spreadTicks: 1,
      detail: false,
      parameters: {
        from_ms: T0,
        to_ms: T0 + 17 * TF,
        symbols: ['AAAUSDT'],
        timeframe: '6h',
        detail: null,
        starting_balance: 1000,
        settings_overrides: {},
        seed: null,
      },
      generatedAtMs: T0 + 17 * TF,
      resultFile,
    };
    const done = await runSpec(spec, null, () => undefined);
    expect(done.type).toBe('done');
    const stored = parseBacktestResult(readFileSync(resultFile, 'utf8'));
    // Stopped at 92 h (inside the 90–96 h candle), seen at that candle's close; the lock ends 24 h after the stop.
    expect(stored.trades.map((t) => [t.symbol, t.close_time_ms])).toEqual([['AAAUSDT', T0 + 92 * H]]);
    expect(stored.protection_locks).toEqual([
      {
        id: `cooldown-AAAUSDT-${T0 + 96 * H}-1`,
        rule: 'cooldown',
        symbol: 'AAAUSDT',
        scope: 'coin',
        reason: 'cooldown: AAAUSDT closed a position 240 min ago (cooldown 1440 min)',
        locked_at_ms: T0 + 96 * H,
        until_ms: T0 + 116 * H,
      },
    ]);
    // Without the cooldown the coin re-enters at the next close: the lock is what kept it out.
    expect(stored.open_positions).toHaveLength(0);
    // GET /api/bots/backtest/{id} answers the stored result: it matches the documented BacktestResultDto.
    const openapi = JSON.parse(readFileSync(path.resolve(__dirname, '../../../openapi.json'), 'utf8')) as {
      components: { schemas: Record<string, Schema> };
    };
    const schemas = openapi.components.schemas;
    expect(schemaViolations(schemas, schemas.BacktestResultDto, stored)).toEqual([]);
  });
});
