/**
 * The production path of the Docker image without a Docker engine: the `nest build` output run as
 * `node dist/main` with NODE_ENV=production from a folder whose node_modules holds only the production
 * dependencies of the lock file (what `npm ci --omit=dev` installs), plus static checks of the Dockerfile,
 * .dockerignore and docker-compose.yml so that a regression in them shows.
 */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ensureBuilt, freePort } from './support/built-service';
import { tempDataDir } from './support/test-app';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** dist/ + package.json + node_modules with symlinks to the lock file's non-dev packages only. */
function productionTree(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bots-prod-'));
  cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  const lock = JSON.parse(read('package-lock.json')) as { packages: Record<string, { dev?: boolean }> };
  for (const [key, info] of Object.entries(lock.packages)) {
    // Top-level installs only ("node_modules/x", "node_modules/@s/x"); nested ones come with their parent.
    if (!key || info.dev || key.split('node_modules/').length !== 2) continue;
    const target = path.join(ROOT, key);
    if (!existsSync(target)) continue;
    mkdirSync(path.dirname(path.join(dir, key)), { recursive: true });
    symlinkSync(target, path.join(dir, key), 'dir');
  }
  return dir;
}

/** Dockerfile's HEALTHCHECK command (exec form) as argv. */
function healthcheckArgv(dockerfile: string): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  const match = /^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$/m.exec(joined);
  if (!match) throw new Error('no exec-form HEALTHCHECK in Dockerfile');
  return JSON.parse(match[1]) as string[];
}

interface Running {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function startProduction(cwd: string, env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  let output = '';
  // --preserve-symlinks: packages resolve their dependencies inside this tree, so a devDependency is not reachable.
  const child = spawn(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', 'dist/main'], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let alive = true;
  // exited only ever resolves (with the exit code): nothing to handle.
  void exited.then(() => (alive = false)).catch(() => undefined);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  while (alive && Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/health/ready`)).status === 200) {
        return { child, url, port, output: () => output, exited };
      }
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  child.kill('SIGKILL');
  throw new Error(`production service did not become ready:\n${output}`);
}

describe('production path: node dist/main, NODE_ENV=production, production dependencies only', () => {
  let prodRoot: string;
  beforeAll(() => {
    ensureBuilt();
    prodRoot = productionTree();
  }, 180_000);

  it('a devDependency is not reachable from the production tree', () => {
    const probe = (name: string) =>
      spawnSync(process.execPath, ['--preserve-symlinks', '-e', `require.resolve(${JSON.stringify(name)})`], {
        cwd: prodRoot,
      }).status;
    expect(probe('@nestjs/core')).toBe(0);
    expect(probe('prom-client')).toBe(0);
    expect(probe('@nestjs/testing')).not.toBe(0);
    expect(probe('jest')).not.toBe(0);
  });

  it('serves health, probes, metrics and docs, logs JSON lines, and saves state on SIGTERM (exit 0)', async () => {
    const dataDir = tempDataDir('bots-prod-data-');
    const service = await startProduction(prodRoot, { DATA_DIR: dataDir, LOG_FORMAT: 'json', EXCHANGE: 'paper' });
    try {
      const health = await (await fetch(`${service.url}/api/bots/health`)).json();
      expect(health).toMatchObject({ status: 'healthy', components: { exchange: true } });
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
      expect((await fetch(`${service.url}/health`)).status).toBe(200);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/^bots_exchange_ready 1$/m);
      const docs = await (await fetch(`${service.url}/api/docs-json`)).json();
      expect(docs.openapi).toMatch(/^3\./);

      // The Dockerfile's own HEALTHCHECK command, run as Docker would run it.
      const argv = healthcheckArgv(read('Dockerfile'));
      const check = spawnSync(argv[0] === 'node' ? process.execPath : argv[0], argv.slice(1), {
        env: { ...process.env, PORT: String(service.port) },
        timeout: 10_000,
      });
      expect(check.status).toBe(0);
    } finally {
      service.child.kill('SIGTERM');
    }
    expect(await service.exited).toBe(0);

    const lines = service
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(typeof entry.time).toBe('string');
      expect(['fatal', 'error', 'warn', 'info', 'debug', 'verbose']).toContain(entry.level);
      expect(typeof entry.message).toBe('string');
    }
    expect(lines.some((l) => JSON.parse(l).message.startsWith('State saved before exit'))).toBe(true);
    const files = readdirSync(dataDir).filter((f) => f.endsWith('.json'));
    expect(files).toContain('paper_account.json');
    for (const file of files) expect(() => JSON.parse(readFileSync(path.join(dataDir, file), 'utf8'))).not.toThrow();

    // With the service gone the HEALTHCHECK command fails.
    const argv = healthcheckArgv(read('Dockerfile'));
    const down = spawnSync(process.execPath, argv.slice(1), {
      env: { ...process.env, PORT: String(service.port) },
      timeout: 10_000,
    });
    expect(down.status).toBe(1);
  }, 60_000);
});

describe('Docker files have the required parts', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const runtime = instructions.slice(instructions.findLastIndex((l) => l.startsWith('FROM ')));

  it('is multi-stage: a build stage with dev dependencies, a slim runtime with production ones', () => {
    expect(instructions.filter((l) => l.startsWith('FROM ')).length).toBeGreaterThanOrEqual(2);
    expect(instructions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^RUN npm ci\b(?!.*--omit=dev)/),
        expect.stringMatching(/^RUN npx nest build$/),
      ]),
    );
    expect(runtime[0]).toMatch(/^FROM node:20-bookworm-slim\b/);
    expect(runtime).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^RUN npm ci --omit=dev\b/),
        expect.stringMatching(/^COPY --from=build \/app\/dist \.\/dist$/),
      ]),
    );
  });

  it('runs as the non-root user node, with the data volume and the documented environment', () => {
    const users = runtime.filter((l) => l.startsWith('USER '));
    expect(users.at(-1)).toBe('USER node');
    expect(runtime).toContain('VOLUME ["/app/data"]');
    const env = runtime.filter((l) => l.startsWith('ENV ')).join(' ');
    for (const pair of ['NODE_ENV=production', 'DATA_DIR=/app/data', 'PORT=5001', 'HOST=0.0.0.0']) {
      expect(env).toContain(pair);
    }
    expect(runtime).toContain('EXPOSE 5001');
  });

  it('has a HEALTHCHECK on /api/bots/health and an exec-form CMD so SIGTERM reaches node', () => {
    const argv = healthcheckArgv(dockerfile);
    expect(argv[0]).toBe('node');
    expect(argv.join(' ')).toContain('/api/bots/health');
    expect(runtime.at(-1)).toBe('CMD ["node", "--optimize-for-size", "dist/main"]');
    expect(runtime.filter((l) => l.startsWith('ENTRYPOINT'))).toEqual([]);
  });

  it('.dockerignore keeps local state, secrets and build output out of the image', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', 'data', '.env', '*.env', '.git']) expect(ignored).toContain(entry);
  });

  it('docker-compose.yml: named volume, EXCHANGE, keys from an env file, restart unless-stopped, 20 s grace', () => {
    const compose = read('docker-compose.yml');
    expect(compose).toMatch(/^\s+restart: unless-stopped$/m);
    expect(compose).toMatch(/^\s+stop_grace_period: 20s$/m);
    expect(compose).toMatch(/^\s+- bots-data:\/app\/data$/m);
    expect(compose).toMatch(/^volumes:\n\s+bots-data:/m);
    expect(compose).toMatch(/^\s+EXCHANGE: \$\{EXCHANGE:-paper\}$/m);
    expect(compose).toMatch(/^\s+env_file:\n\s+- path: \.\/bots\.env/m);
    // Secrets never sit in the compose file itself.
    expect(compose).not.toMatch(/EXCHANGE_API_(KEY|SECRET):|BOTS_API_KEY:/);
    // The forced exit of main.ts fits inside the grace period.
    const forced = Number(/FORCED_EXIT_MS = ([\d_]+)/.exec(read('src/main.ts'))![1].replace(/_/g, ''));
    expect(forced).toBeLessThan(20_000);
  });
});
