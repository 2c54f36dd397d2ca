/**
 * Load: the built service on the paper exchange (workers running) gets 500 requests per second for 30 s on
 * loopback, open loop (requests leave on schedule whatever the answers do), 90 % reads of the endpoints the web
 * UI polls and 10 % writes (per-coin settings, auto-bot config, bot pause; each one an fsynced file save). Proves:
 * every request is answered 2xx, none times out; prints the latency percentiles (no timing is asserted: targets belong
 * in `npm run bench`).
 * MUTATION_RATE_LIMIT is raised for the run: at the default 600 per minute the writes would be throttled (429).
 */
import { ensureBuilt } from './support/built-service';
import {
  createLoadClient,
  http,
  percentile,
  seededRandom,
  sleep,
  spawnService,
  waitFor,
  type ServiceProcess,
} from './support/reliability';
import { tempDataDir } from './support/test-app';

const RATE = Number(process.env.LOAD_RATE ?? 500);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 30);
const TIMEOUT_MS = 10_000;

interface Sample {
  kind: 'read' | 'write';
  label: string;
  status: number;
  ms: number;
}

describe(`load: ${RATE} requests/s for ${SECONDS} s, reads and writes mixed`, () => {
  let service: ServiceProcess;
  let symbols: string[] = [];
  let botSymbols: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    service = await spawnService({
      DATA_DIR: tempDataDir('bots-load-'),
      PAPER_SYMBOLS: '100',
      MUTATION_RATE_LIMIT: '1000000',
      LOG_LEVEL: 'warn',
    });
    await waitFor(service, '/health/ready');
    const deadline = Date.now() + 60_000;
    for (;;) {
      const body = (await http(`${service.url}/api/bots/coins-with-rsi`, 'GET')).body;
      if (body?.total > 0 && !body.update_in_progress) {
        symbols = (Object.values(body.coins) as Array<{ symbol: string; trading_status: string }>)
          .filter((c) => c.trading_status === 'Trading')
          .map((c) => c.symbol);
        break;
      }
      if (Date.now() > deadline) throw new Error('coins did not load');
      await sleep(200);
    }
    botSymbols = symbols.slice(0, 10);
    for (const symbol of botSymbols) {
      const res = await http(`${service.url}/api/bots/create`, 'POST', {
        symbol,
        config: { status: 'paused', volume_mode: 'usdt', volume_value: 10 },
        skip_maturity_check: true,
      });
      expect(res.status).toBe(200);
    }
  }, 180_000);

  afterAll(async () => {
    service?.child.kill('SIGTERM');
    await service?.exited;
  });

  it('answers every request 2xx; prints latency percentiles', async () => {
    const random = seededRandom(500);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const requestFor = (): { kind: Sample['kind']; label: string; method: string; path: string; body?: unknown } => {
      const r = random();
      if (r < 0.2) return { kind: 'read', label: 'GET list', method: 'GET', path: '/api/bots/list' };
      if (r < 0.38) return { kind: 'read', label: 'GET status', method: 'GET', path: '/api/bots/status' };
      if (r < 0.5) {
        return { kind: 'read', label: 'GET coins-with-rsi', method: 'GET', path: '/api/bots/coins-with-rsi' };
      }
      if (r < 0.6) return { kind: 'read', label: 'GET auto-bot', method: 'GET', path: '/api/bots/auto-bot' };
      if (r < 0.68) return { kind: 'read', label: 'GET health', method: 'GET', path: '/api/bots/health' };
      if (r < 0.78) {
        return {
          kind: 'read',
          label: 'GET status/{symbol}',
          method: 'GET',
          path: `/api/bots/status/${pick(botSymbols)}`,
        };
      }
      if (r < 0.9) return { kind: 'read', label: 'GET history', method: 'GET', path: '/api/bots/history?limit=50' };
      // 10 % writes, each a durable (fsynced) save of its file: 20 per second per file at 500 requests/s.
      if (r < 0.94) {
        return {
          kind: 'write',
          label: 'POST individual-settings',
          method: 'POST',
          path: `/api/bots/individual-settings/${pick(symbols)}`,
          body: { rsi_long_threshold: 20 + Math.floor(random() * 10) },
        };
      }
      if (r < 0.97) {
        return {
          kind: 'write',
          label: 'POST stop',
          method: 'POST',
          path: '/api/bots/stop',
          body: { symbol: pick(botSymbols) },
        };
      }
      return {
        kind: 'write',
        label: 'POST auto-bot',
        method: 'POST',
        path: '/api/bots/auto-bot',
        body: { rsi_long_threshold: 25 + Math.floor(random() * 5) },
      };
    };

    const total = RATE * SECONDS;
    const client = createLoadClient();
    const samples: Sample[] = [];
    const inFlight = new Set<Promise<void>>();
    const started = performance.now();
    let sent = 0;
    let maxInFlight = 0;
    // Open loop: whatever is due by now leaves now, so a slow answer never slows the schedule down.
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE) + 1);
      while (sent < due) {
        const req = requestFor();
        sent++;
        const p = client.send(`${service.url}${req.path}`, req.method, req.body, TIMEOUT_MS).then((res) => {
          samples.push({ kind: req.kind, label: req.label, status: res.status, ms: res.ms });
        });
        inFlight.add(p);
        // A failure of p is reported where p itself is awaited (Promise.all below); this copy only tidies the set.
        void p.finally(() => inFlight.delete(p)).catch(() => undefined);
      }
      maxInFlight = Math.max(maxInFlight, inFlight.size);
      await sleep(1);
    }
    const scheduleSeconds = (performance.now() - started) / 1000;
    await Promise.all(inFlight);
    const wallSeconds = (performance.now() - started) / 1000;
    client.close();

    const failures = samples.filter((s) => s.status < 200 || s.status >= 300);
    const stats = (kind?: Sample['kind']) => {
      const ms = samples
        .filter((s) => !kind || s.kind === kind)
        .map((s) => s.ms)
        .sort((a, b) => a - b);
      return `n=${ms.length} p50 ${percentile(ms, 50).toFixed(1)} ms, p90 ${percentile(ms, 90).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms, max ${ms.at(-1)!.toFixed(1)} ms`;
    };
    const metrics = (await http(`${service.url}/metrics`, 'GET')).body as string;
    const rssMb = Number(/^process_resident_memory_bytes (\S+)$/m.exec(metrics)?.[1] ?? NaN) / 1_048_576;
    const failureKinds = Object.entries(
      failures.reduce<Record<string, number>>(
        (acc, f) => ({ ...acc, [`${f.label} → ${f.status}`]: (acc[`${f.label} → ${f.status}`] ?? 0) + 1 }),
        {},
      ),
    ).map(([k, n]) => `${k} ×${n}`);
    console.log(
      `load: ${sent} requests in ${scheduleSeconds.toFixed(1)} s (${(sent / scheduleSeconds).toFixed(0)}/s offered), all answered after ${wallSeconds.toFixed(1)} s; ` +
        `${failures.length} failures${failureKinds.length ? ` (${failureKinds.join(', ')})` : ''}; max in flight ${maxInFlight}; service RSS ${rssMb.toFixed(0)} MB\n` +
        `  all:    ${stats()}\n  reads:  ${stats('read')}\n  writes: ${stats('write')}\n` +
        [...new Set(samples.map((x) => x.label))]
          .sort()
          .map((label) => {
            const ms = samples
              .filter((x) => x.label === label)
              .map((x) => x.ms)
              .sort((a, b) => a - b);
            return `    ${label.padEnd(26)} n=${String(ms.length).padStart(5)} p50 ${percentile(ms, 50).toFixed(1)} ms, p99 ${percentile(ms, 99).toFixed(1)} ms`;
          })
          .join('\n'),
    );
    // A dead service shows as status 0 everywhere: say so with its last words.
    expect(service.alive() ? 'service alive' : `service exited:\n${service.output().slice(-3000)}`).toBe(
      'service alive',
    );
    expect(samples).toHaveLength(total);
    expect(failures.length).toBe(0);
    expect((await http(`${service.url}/health/ready`, 'GET')).status).toBe(200);
  }, 180_000);
});
