import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureBuilt, freePort, launchMain, runExpectingFailure, startService } from './support/built-service';
import { tempDataDir } from './support/test-app';

jest.setTimeout(90_000);

/**
 * The built service (node dist/main): start-up over odd data folders, one-line start-up errors, exit codes
 * (docs/reliability.md).
 */
describe('durability at start-up and shutdown (node dist/main)', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  it('starts with a directory named like a temp file and a FIFO in place of a data file; the FIFO is set aside', async () => {
    const dataDir = tempDataDir('durability-odd-');
    mkdirSync(path.join(dataDir, '.bots_state.json.123.456.0.tmp'));
    execFileSync('mkfifo', [path.join(dataDir, 'bot_history.json')]);
    const service = await startService({ DATA_DIR: dataDir });
    try {
      expect((await fetch(`${service.url}/api/bots/list`)).status).toBe(200);
      const aside = readdirSync(dataDir).filter((n) => n.startsWith('bot_history.json.corrupt-'));
      expect(aside).toHaveLength(1);
      expect(statSync(path.join(dataDir, aside[0])).isFIFO()).toBe(true);
      expect(service.output()).toMatch(/bot_history\.json is unreadable \(not a regular file \(a FIFO\)\)/);
      expect(statSync(path.join(dataDir, '.bots_state.json.123.456.0.tmp')).isDirectory()).toBe(true);
    } finally {
      service.process.kill('SIGTERM');
      expect(await service.exited).toBe(0);
    }
  });

  it('a shutdown that cannot save every store exits non-zero and names what was not saved', async () => {
    const dataDir = tempDataDir('durability-exit-');
    const service = await startService({ DATA_DIR: dataDir });
    // However the test ends, the service does not outlive it.
    const killer = setTimeout(() => service.process.kill('SIGKILL'), 60_000);
    // exited only ever resolves (with the exit code): nothing to handle.
    void service.exited.then(() => clearTimeout(killer)).catch(() => undefined);
    const post = (url: string, body: object) =>
      fetch(`${service.url}${url}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const coins = (await (await fetch(`${service.url}/api/bots/coins-with-rsi`)).json()) as {
      coins: Record<string, { symbol: string; trading_status: string; is_delisting?: boolean }>;
    };
    const symbol =
      Object.values(coins.coins).find((c) => c.trading_status === 'Trading' && !c.is_delisting)?.symbol ?? 'BTC';
    const create = await post('/api/bots/create', {
      symbol,
      config: { volume_mode: 'usdt', volume_value: 50, leverage: 2 },
      signal: 'ENTER_LONG',
      force_manual_entry: true,
    });
    expect(create.status).toBe(200);
    for (let i = 0; i < 100; i++) {
      const list = (await (await fetch(`${service.url}/api/bots/list`)).json()) as {
        bots: Array<{ symbol: string; status: string }>;
      };
      if (list.bots.some((b) => b.symbol === symbol && b.status === 'in_position_long')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const saved = JSON.parse(readFileSync(path.join(dataDir, 'bots_state.json'), 'utf8'));
    expect(saved.bots[symbol].status).toBe('in_position_long');

    // A directory now stands where bots_state.json was: every later save of it fails (EISDIR), also for root.
    rmSync(path.join(dataDir, 'bots_state.json'));
    mkdirSync(path.join(dataDir, 'bots_state.json'));
    writeFileSync(path.join(dataDir, 'bots_state.json', 'keep'), '');
    // A refused change answers the error and leaves nothing unsaved...
    const stop = await post('/api/bots/stop', { symbol });
    expect(stop.status).toBe(503);
    expect(await stop.json()).toEqual({
      success: false,
      error: 'bots_state.json could not be saved: a directory is in the way',
    });
    // ...a close the exchange made cannot be refused: it is kept in memory, and the service is not ready.
    const close = await post('/api/bots/close-position', { symbol });
    expect(close.status).toBe(503);
    expect(((await close.json()) as { error: string }).error).toMatch(
      /^bots_state\.json could not be saved: a directory is in the way \(the exchange action happened/,
    );
    const ready = await fetch(`${service.url}/health/ready`);
    expect(ready.status).toBe(503);

    service.process.kill('SIGTERM');
    expect(await service.exited).toBe(2);
    expect(service.output()).toMatch(/NOT saved: .*bots_state\.json could not be saved: a directory is in the way/);
    expect(service.output()).toMatch(/Exiting with unsaved state/);
  });

  it('a data folder that cannot be created stops start-up with one line', async () => {
    const parent = tempDataDir('durability-nodir-');
    writeFileSync(path.join(parent, 'a-file'), '');
    const dataDir = path.join(parent, 'a-file', 'data');
    const { code, output } = await runExpectingFailure({ DATA_DIR: dataDir });
    expect(code).toBe(1);
    expect(output.trim()).toBe(
      `Start-up failed: data folder ${dataDir} (DATA_DIR) cannot be created: a part of the path is not a directory`,
    );
  });

  it('a port in use stops start-up with one line', async () => {
    const port = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const launched = await launchMain({ DATA_DIR: tempDataDir('durability-port-'), PORT: String(port) });
      const { code } = await launched.exit;
      expect(code).toBe(1);
      const lines = launched.output().trim().split('\n');
      expect(lines[lines.length - 1]).toBe(
        `Start-up failed: port ${port} on 127.0.0.1 is already in use (another bots-service? set PORT)`,
      );
      expect(launched.output()).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });
});
