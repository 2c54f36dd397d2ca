/**
 * `npm run candles` as an operator runs it (a child process with the service's env variables): on the default
 * paper exchange offline, and against the fake Bybit over ccxt's real HTTP path — incremental refill (the second
 * run asks only for the new range, counted on the fake server) and a damaged file fetched again.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { decodeCandles } from '../src/candles/candle-codec';
import { CandleStoreService } from '../src/candles/candle-store.service';
import { SystemClock } from '../src/common/clock';
import { CcxtExchange } from '../src/exchange/ccxt/ccxt-exchange';
import { ExchangeService } from '../src/exchange/exchange.service';
import { PaperExchange } from '../src/exchange/paper/paper-exchange';
import { startFakeBinance } from './fake-exchange/fake-binance';
import { FakeBybit, startFakeBybit } from './fake-exchange/fake-bybit';

const ROOT = path.resolve(__dirname, '..');
const H6 = 6 * 3600_000;
const DAY = 24 * 3600_000;
const API_KEY = 'candles-e2e-key';
const SECRET = 'candles-e2e-secret-4c1e';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/candles/candles.cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The summary line `name:   value`. */
function field(run: CliRun, name: string): string {
  const line = run.stdout.split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no "${name}:" line in:\n${run.stdout}\n${run.stderr}`);
  return line.slice(name.length + 1).trim();
}

const iso = (t: number) => new Date(t).toISOString();

describe('npm run candles', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'candles-cli-'));
  });
  afterEach(async () => {
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('fills from the default paper exchange offline and prints the progress bar and the summary', async () => {
    const run = await runCli(['--timeframe', '6h', '--since', iso(Date.now() - 30 * DAY), '--symbols', 'BTC,ETH'], {
      DATA_DIR: dataDir,
      PAPER_SYMBOLS: '20',
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\[#{30}\] 100%\s+2\/2 requests\s+2\/2 symbols/);
    expect(field(run, 'symbols')).toBe('2 (2 complete, 0 failed)');
    expect(field(run, 'requests')).toBe('2');
    const stored = Number(/^(\d+) candles/.exec(field(run, 'stored'))![1]);
    expect(stored).toBeGreaterThanOrEqual(2 * 119); // 30 days of closed 6h candles, 119 or 120 by the time of day
    expect(stored).toBeLessThanOrEqual(2 * 120);
    const btc = decodeCandles(await fs.readFile(path.join(dataDir, 'candles', '6h', 'BTC.bin')), {
      symbol: 'BTC',
      timeframe: '6h',
    });
    expect(btc.columns.length).toBe(stored / 2);
    expect(await fs.readdir(dataDir)).toEqual(['candles']); // the paper account file is never touched
  }, 120_000);

  it('refuses bad arguments with exit code 2 and the usage line', async () => {
    const run = await runCli(['--since', '2025-01-01', '--timeframe', '1w'], { DATA_DIR: dataDir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('candles: --timeframe: one of');
    expect(run.stderr).toContain('usage: npm run candles --');
  }, 60_000);

  describe('against the fake Bybit', () => {
    let backend: PaperExchange;
    let fake: FakeBybit;
    let env: Record<string, string>;
    const klines = () => fake.stats.sent('/v5/market/kline').map((r) => new URLSearchParams(r.query));

    beforeAll(async () => {
      // Real time on both sides: the CLI's clock and the fake's market agree on which candles have closed.
      backend = new PaperExchange({ clock: new SystemClock(), seed: 11, symbolCount: 12 });
      await backend.init();
      fake = await startFakeBybit({ backend, apiKey: API_KEY, secret: SECRET });
    });
    afterAll(async () => {
      await fake.close();
    });
    beforeEach(() => {
      fake.stats.reset();
      env = {
        DATA_DIR: dataDir,
        EXCHANGE: 'bybit',
        EXCHANGE_API_URL: fake.url,
        EXCHANGE_API_KEY: API_KEY,
        EXCHANGE_API_SECRET: SECRET,
      };
    });

    it('fills, then refills only the new range, then nothing; a damaged file is moved aside and fetched again', async () => {
      const markets = (await backend.listMarkets()).filter((m) => m.status === 'Trading').slice(0, 2);
      const symbols = markets.map((m) => m.symbol);
      const since = Math.floor((Date.now() - 60 * DAY) / H6) * H6;
      const until = since + 200 * H6; // about ten days before now

      const first = await runCli(
        ['--timeframe', '6h', '--since', iso(since), '--until', iso(until), '--symbols', symbols.join(',')],
        env,
      );
      expect(first.code).toBe(0);
      expect(field(first, 'requests')).toBe('2');
      expect(field(first, 'fetched')).toMatch(/^400 candles/);
      expect(klines().map((q) => [q.get('symbol'), q.get('interval'), q.get('start'), q.get('end')])).toEqual(
        markets.map((m) => [m.exchangeSymbol, '360', String(since), String(until - 1)]),
      );
      const file = (symbol: string) => path.join(dataDir, 'candles', '6h', `${symbol}.bin`);
      for (const symbol of symbols) {
        const stored = decodeCandles(await fs.readFile(file(symbol)), { symbol, timeframe: '6h' });
        const direct = await backend.fetchCandles(symbol, '6h', { since, until });
        expect(Array.from(stored.columns.time)).toEqual(direct.map((c) => c.time));
        expect(Array.from(stored.columns.close)).toEqual(direct.map((c) => c.close));
        expect(stored.coveredTo).toBe(until);
      }

      fake.stats.reset();
      const second = await runCli(['--timeframe', '6h', '--since', iso(since), '--symbols', symbols.join(',')], env);
      expect(second.code).toBe(0);
      const closedEnd = Math.floor(Date.now() / H6) * H6;
      expect(field(second, 'requests')).toBe('2'); // one page each: only [until, now)
      expect(klines().map((q) => q.get('start'))).toEqual([String(until), String(until)]);
      for (const symbol of symbols) {
        const stored = decodeCandles(await fs.readFile(file(symbol)), { symbol, timeframe: '6h' });
        expect(stored.columns.time[0]).toBe(since);
        expect(stored.columns.time[stored.columns.length - 1]).toBeGreaterThanOrEqual(closedEnd - 2 * H6);
        expect(stored.columns.length).toBe((stored.columns.time[stored.columns.length - 1] - since) / H6 + 1); // no gap
      }

      fake.stats.reset();
      const third = await runCli(
        [
          '--timeframe',
          '6h',
          '--since',
          iso(since),
          '--until',
          iso(closedEnd - 2 * H6),
          '--symbols',
          symbols.join(','),
        ],
        env,
      );
      expect(field(third, 'requests')).toBe('0');
      expect(klines()).toHaveLength(0);

      const bytes = await fs.readFile(file(symbols[0]));
      bytes[bytes.length - 7] ^= 0x20;
      await fs.writeFile(file(symbols[0]), bytes);
      fake.stats.reset();
      const fourth = await runCli(
        [
          '--timeframe',
          '6h',
          '--since',
          iso(since),
          '--until',
          iso(closedEnd - 2 * H6),
          '--symbols',
          symbols.join(','),
        ],
        env,
      );
      expect(fourth.code).toBe(0);
      expect(fourth.stdout).toMatch(/damaged: .*\.bin\.corrupt-.* \(moved aside, fetched again\)/);
      expect(fourth.stderr).toContain('payload CRC mismatch');
      expect(klines().map((q) => [q.get('symbol'), q.get('start')])).toEqual([
        [markets[0].exchangeSymbol, String(since)],
      ]);
      const refetched = decodeCandles(await fs.readFile(file(symbols[0])), { symbol: symbols[0], timeframe: '6h' });
      const direct = await backend.fetchCandles(symbols[0], '6h', { since, until: closedEnd - 2 * H6 });
      expect(Array.from(refetched.columns.close)).toEqual(direct.map((c) => c.close));
      expect((await fs.readdir(path.dirname(file(symbols[0])))).filter((n) => n.includes('.corrupt-'))).toHaveLength(1);
    }, 180_000);
  });

  it('CandleStoreService pages Binance history in windows of 1000 (startTime/endTime), equal to the exchange', async () => {
    const clock = new SystemClock();
    const backend = new PaperExchange({ clock, seed: 5, symbolCount: 8 });
    await backend.init();
    const fake = await startFakeBinance({ backend, apiKey: API_KEY, secret: SECRET });
    const adapter = new CcxtExchange({ exchangeId: 'binance', apiKey: API_KEY, secret: SECRET, apiUrl: fake.url });
    const exchange = new ExchangeService({ name: 'binance' } as never, clock, null as never, null as never, adapter);
    try {
      await exchange.onModuleInit();
      expect(exchange.isReady).toBe(true);
      const store = new CandleStoreService(exchange, clock, { dataDir } as never);
      const end = Math.floor(Date.now() / H6) * H6 - 10 * H6;
      const since = end - 1500 * H6;
      fake.stats.reset();
      const summary = await store.ensure(['BTC'], '6h', since, end);
      expect(summary).toMatchObject({ failed: [], requests: 2, candlesFetched: 1500 });
      const windows = fake.stats.sent('/fapi/v1/klines').map((r) => new URLSearchParams(r.query));
      expect(windows.map((q) => [q.get('startTime'), q.get('endTime')])).toEqual([
        [String(since), String(since + 1000 * H6 - 1)],
        [String(since + 1000 * H6), String(end - 1)],
      ]);
      const stored = await store.load('BTC', '6h', since, end);
      const direct = [
        ...(await backend.fetchCandles('BTC', '6h', { since, until: since + 1000 * H6 })),
        ...(await backend.fetchCandles('BTC', '6h', { since: since + 1000 * H6, until: end })),
      ];
      expect(Array.from(stored.time)).toEqual(direct.map((c) => c.time));
      expect(Array.from(stored.close)).toEqual(direct.map((c) => c.close));
      expect(Array.from(stored.volume)).toEqual(direct.map((c) => c.volume));
    } finally {
      await exchange.onApplicationShutdown();
      await fake.close();
    }
  }, 60_000);
});
