import { spawn } from 'node:child_process';
import { promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseBacktestResult } from '../src/backtest/result/backtest-result';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..');

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'src/backtest/backtest.cli.ts', ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? os.tmpdir(),
        LOG_LEVEL: 'warn',
        EXCHANGE: 'paper',
        PAPER_SYMBOLS: '20',
        ...env,
      },
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

/** The summary table's value of `label`. */
function row(run: CliRun, label: string): string {
  const line = run.stdout.split('\n').find((l) => l.startsWith(`${label} `));
  if (!line) throw new Error(`no "${label}" row in:\n${run.stdout}\n${run.stderr}`);
  return line.slice(label.length).trim();
}

const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `npm run backtest` on the paper exchange, offline (docs/backtest.md, "CLI"). */
describe('npm run backtest', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'backtest-cli-'));
  });

  it('prints the progress and a summary table and writes the result JSON and the report HTML', async () => {
    const overrides = path.join(dataDir, 'overrides.json');
    await fs.writeFile(
      overrides,
      JSON.stringify({
        rsi_long_threshold: 40,
        rsi_short_threshold: 60,
        enable_maturity_check: false,
        max_concurrent: 3,
      }),
    );
    const now = Date.now();
    const run = await runCli(
      ['--from', iso(now - 60 * DAY), '--to', iso(now - 5 * DAY), '--config', overrides, '--balance', '2500'],
      { DATA_DIR: dataDir },
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\[#{30}\] 100%\s+done/);
    const json = run.stdout.match(/^result: (.+\.json)$/m)?.[1];
    const html = run.stdout.match(/^report: (.+\.html)$/m)?.[1];
    expect(json && html).toBeTruthy();
    const result = parseBacktestResult(readFileSync(json!, 'utf8'));
    expect(result.parameters).toMatchObject({
      starting_balance: 2500,
      detail: null,
      settings_overrides: { rsi_long_threshold: 40, max_concurrent: 3 },
    });
    expect(result.parameters.symbols).toHaveLength(20);
    expect(result.trades.length).toBeGreaterThan(0);
    // The table shows the result's own figures.
    const s = result.statistics;
    expect(row(run, 'trades')).toBe(`${s.trades} (${s.wins} won, ${s.losses} lost)`);
    expect(row(run, 'net PnL')).toMatch(new RegExp(`^${s.net_pnl_usdt.toFixed(2).replace('.', '\\.')} USDT`));
    expect(row(run, 'win rate')).toBe(`${s.win_rate_pct.toFixed(1)} %`);
    expect(row(run, 'max drawdown')).toContain(`${s.max_drawdown_pct.toFixed(2)} %`);
    for (const label of ['ROI', 'profit factor', 'Sharpe']) expect(row(run, label)).not.toBe('');
    const page = readFileSync(html!, 'utf8');
    expect(page).toContain('<html');
    expect(page).toContain('Content-Security-Policy');
  });

  it('names the bad field and exits 2', async () => {
    const now = Date.now();
    const unknown = await runCli(['--from', iso(now - 30 * DAY), '--symbols', 'NOPECOIN'], { DATA_DIR: dataDir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('symbols: ');
    expect(unknown.stderr).toContain('NOPECOIN');
    const overrides = path.join(dataDir, 'bad.json');
    await fs.writeFile(overrides, JSON.stringify({ max_concurrent: -1 }));
    const bad = await runCli(['--from', iso(now - 30 * DAY), '--config', overrides], { DATA_DIR: dataDir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('overrides.max_concurrent');
    const missing = await runCli([], { DATA_DIR: dataDir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--from is required');
  });
});
