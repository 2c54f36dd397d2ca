import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, runExpectingFailure, startService } from './support/built-service';
import { tempDataDir } from './support/test-app';

/** Every JSON data file in the folder parses (temp files and quarantined copies excluded). */
function expectAllDataFilesValid(dir: string): string[] {
  const files = readdirSync(dir).filter((n) => n.endsWith('.json'));
  for (const file of files) {
    expect(() => JSON.parse(readFileSync(path.join(dir, file), 'utf8'))).not.toThrow();
  }
  expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  return files;
}

describe('the built service (node dist/main): start-up, shutdown, configuration errors', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('starts on the paper exchange with no keys, answers health, and saves state on SIGTERM (exit 0)', async () => {
    const dataDir = tempDataDir();
    // Start-up time is a figure for the README, not an assertion: startService only gives up after its own timeout.
    const service = await startService({ DATA_DIR: dataDir });

    const health = await (await fetch(`${service.url}/api/bots/health`)).json();
    expect(health.status).toBe('healthy');
    expect(health.components.exchange).toBe(true);

    service.process.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.output()).toMatch(/State saved before exit/);
    const files = expectAllDataFilesValid(dataDir);
    expect(files).toContain('paper_account.json');
  }, 60_000);

  it('a second signal during shutdown neither interrupts the save nor corrupts a file', async () => {
    const dataDir = tempDataDir();
    const service = await startService({ DATA_DIR: dataDir });
    service.process.kill('SIGTERM');
    service.process.kill('SIGINT');
    service.process.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.output()).toMatch(/shutdown already in progress/);
    expectAllDataFilesValid(dataDir);
  }, 60_000);

  it('keeps a corrupt bots_state.json aside at start-up and loads the last good copy', async () => {
    const dataDir = tempDataDir();
    const first = await startService({ DATA_DIR: dataDir });
    const post = (url: string, body: unknown) =>
      fetch(`${first.url}${url}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    for (const symbol of ['BTC', 'ETH']) {
      const res = await post('/api/bots/create', {
        symbol,
        config: { volume_mode: 'usdt', volume_value: 20, leverage: 5 },
        signal: 'WAIT',
        skip_maturity_check: true,
      });
      expect(res.status).toBe(200);
    }
    first.process.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const goodCopy = JSON.parse(readFileSync(path.join(dataDir, 'bots_state.json.bak'), 'utf8')) as {
      bots: Record<string, unknown>;
    };
    expect(Object.keys(goodCopy.bots).length).toBeGreaterThan(0);
    writeFileSync(path.join(dataDir, 'bots_state.json'), '{"bots": {"BTC": {"symbol": "BTC", "sta'); // a half-written file

    const second = await startService({ DATA_DIR: dataDir });
    const list = (await (await fetch(`${second.url}/api/bots/list`)).json()) as { bots: Array<{ symbol: string }> };
    expect(list.bots.map((b) => b.symbol).sort()).toEqual(Object.keys(goodCopy.bots).sort());
    expect(readdirSync(dataDir).some((n) => n.startsWith('bots_state.json.corrupt-'))).toBe(true);
    expect(second.output()).toMatch(/bots_state\.json is unreadable .* kept aside/);
    expect(second.output()).toMatch(/recovered from the last good copy/);
    second.process.kill('SIGTERM');
    expect(await second.exited).toBe(0);
    expectAllDataFilesValid(dataDir);
  }, 90_000);

  it('refuses to start on an invalid environment value, with one clear line', async () => {
    const { code, output } = await runExpectingFailure({ DATA_DIR: tempDataDir(), PAPER_TIME_SCALE: '-3' });
    expect(code).toBe(1);
    expect(output.trim()).toBe(
      'Configuration error: Invalid PAPER_TIME_SCALE="-3": must be a number from 0.001 to 1000000',
    );
  }, 30_000);

  it('refuses to start on an out-of-range value in data/system_config.json', async () => {
    const dataDir = tempDataDir();
    writeFileSync(
      path.join(dataDir, 'system_config.json'),
      JSON.stringify({ rsi_update_interval: 300, position_sync_interval: -1 }),
    );
    const { code, output } = await runExpectingFailure({ DATA_DIR: dataDir });
    expect(code).toBe(1);
    expect(output).toContain(
      'Configuration error: Invalid value in system_config.json: position_sync_interval must be an integer from 1 to 86400 (got -1)',
    );
    // The file is the operator's: it is left exactly as it was.
    expect(JSON.parse(readFileSync(path.join(dataDir, 'system_config.json'), 'utf8'))).toEqual({
      rsi_update_interval: 300,
      position_sync_interval: -1,
    });
  }, 30_000);
});
