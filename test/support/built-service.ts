import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist', 'main.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** Builds dist/ with `nest build` (what `npm start` and the Docker image run) when it is missing or stale. */
export function ensureBuilt(): void {
  if (existsSync(MAIN) && statSync(MAIN).mtimeMs >= newestMtime(path.join(ROOT, 'src'))) return;
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build'], {
      cwd: ROOT,
      stdio: 'pipe',
    });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer; message: string };
    throw new Error(`nest build failed: ${e.message}\n${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface RunningService {
  process: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

export interface LaunchedMain {
  child: ChildProcess;
  port: number;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output: () => string;
  /** The raw exit: code, or the signal that ended it. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Spawns `node dist/main` on a free loopback port (log level "log", output captured) without waiting for it.
 * `nodeArgs`: flags for node itself (e.g. `--optimize-for-size`, as `npm start` runs the service).
 */
export async function launchMain(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<LaunchedMain> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, [...nodeArgs, MAIN], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'log', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, port, url: `http://127.0.0.1:${port}`, output: () => output, exit };
}

/** Starts `node dist/main` on a free loopback port; resolves once /api/bots/health answers 200. */
export async function startService(
  env: Record<string, string>,
  timeoutMs = 20_000,
  nodeArgs: readonly string[] = [],
): Promise<RunningService> {
  const { child, port, url, output, exit } = await launchMain(env, nodeArgs);
  const exited = exit.then(({ code }) => code);
  const deadline = Date.now() + timeoutMs;
  let alive = true;
  // exited only ever resolves (with the exit code): nothing to handle.
  void exited.then(() => (alive = false)).catch(() => undefined);
  while (Date.now() < deadline && alive) {
    try {
      const res = await fetch(`${url}/api/bots/health`);
      if (res.status === 200) return { process: child, port, url, output, exited };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  child.kill('SIGKILL');
  throw new Error(`service did not become healthy within ${timeoutMs} ms:\n${output()}`);
}

/** Runs `node dist/main` expecting it to fail at start-up; returns its exit code and output. */
export async function runExpectingFailure(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(process.execPath, [MAIN], {
      cwd: ROOT,
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), ...env },
    });
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
