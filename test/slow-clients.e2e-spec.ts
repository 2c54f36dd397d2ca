/**
 * Slow clients cannot take the service's file descriptors (docs/security.md, "Connections and timeouts"): the built
 * service runs with a soft limit of 512 descriptors, so its connection cap is 256; 700 loopback connections each send
 * the headers of a POST and one byte of its body, then nothing. Health still answers and a settings save still
 * works while they are held. The test closes every socket it opened at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureBuilt, freePort } from './support/built-service';
import { tempDataDir } from './support/test-app';

const FD_LIMIT = 512;
const SLOW_CONNECTIONS = 700;
const ROOT = path.resolve(__dirname, '..');

function call(
  port: number,
  method: string,
  urlPath: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        agent: false,
        timeout: 10_000,
        headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {},
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer`)));
    req.on('error', reject);
    req.end(payload);
  });
}

function slowBody(port: number): Promise<net.Socket> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(
        `POST /api/bots/auto-bot HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n{`,
      );
      resolve(socket);
    });
    socket.on('error', () => resolve(socket));
  });
}

describe('slow-body connections against the built service', () => {
  let child: ChildProcess;
  let port: number;
  let output = '';
  const dataDir = tempDataDir('bots-slow-');
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    ensureBuilt();
    port = await freePort();
    child = spawn(
      'bash',
      ['-c', `ulimit -n ${FD_LIMIT} && exec "$0" "$@"`, process.execPath, path.join(ROOT, 'dist', 'main.js')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          HOST: '127.0.0.1',
          PORT: String(port),
          DATA_DIR: dataDir,
          EXCHANGE: 'paper',
          PAPER_SYMBOLS: '40',
          WORKERS_ENABLED: 'false',
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    for (let i = 0; ; i++) {
      const ok = await call(port, 'GET', '/health').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      if (i > 200) throw new Error(`service did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    child?.kill('SIGKILL');
  });

  it('health answers and a save works while 700 slow bodies are held; the service cut the oldest ones', async () => {
    let closedByServer = 0;
    for (let i = 0; i < SLOW_CONNECTIONS; i += 50) {
      const batch = await Promise.all(Array.from({ length: Math.min(50, SLOW_CONNECTIONS - i) }, () => slowBody(port)));
      for (const socket of batch) socket.once('close', () => closedByServer++);
      sockets.push(...batch);
    }
    await new Promise((r) => setTimeout(r, 300));

    const health = await call(port, 'GET', '/health');
    expect(health.status).toBe(200);
    const save = await call(port, 'POST', '/api/bots/auto-bot', { max_concurrent: 7 });
    expect([save.status, save.body]).toEqual([200, expect.stringContaining('"success":true')]);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'auto_bot_config.json'), 'utf8')).max_concurrent).toBe(7);
    // At most half the descriptors are connections: the others were closed by the service, not by us.
    expect(closedByServer).toBeGreaterThanOrEqual(SLOW_CONNECTIONS - FD_LIMIT / 2);
    expect(output).not.toMatch(/EMFILE/);
  }, 60_000);
});
