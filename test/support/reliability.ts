/** Shared pieces of the reliability tests (crash, exchange faults, bad input, load). */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import * as path from 'node:path';
import { launchMain } from './built-service';

export { seededRandom } from '../fake-exchange/seeded-random';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index];
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
  alive: () => boolean;
}

/** Spawns `node dist/main` on a free loopback port without waiting for it. */
export async function spawnService(env: Record<string, string>): Promise<ServiceProcess> {
  const { child, url, port, output, exit } = await launchMain(env);
  let alive = true;
  const exited = exit.then(({ code, signal }) => {
    alive = false;
    return code ?? (signal ? -1 : null);
  });
  return { child, url, port, output, exited, alive: () => alive };
}

/** Polls `path` until it answers 200; throws with the service output when it does not in time. */
export async function waitFor(service: ServiceProcess, urlPath: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && service.alive()) {
    try {
      const res = await fetch(`${service.url}${urlPath}`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      /* not up yet */
    }
    await sleep(50);
  }
  throw new Error(
    `${urlPath} did not answer 200 within ${timeoutMs} ms (alive: ${service.alive()}):\n${service.output().slice(-4000)}`,
  );
}

export interface DataFileReport {
  files: string[];
  unparsable: string[];
  quarantined: string[];
}

/** Every .json file in the folder parses; lists quarantined (corrupt) copies the store made. */
export function checkDataFiles(dir: string): DataFileReport {
  const names = readdirSync(dir);
  const files = names.filter((n) => n.endsWith('.json'));
  const unparsable: string[] = [];
  for (const file of files) {
    try {
      JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    } catch (error) {
      unparsable.push(`${file}: ${(error as Error).message}`);
    }
  }
  return { files, unparsable, quarantined: names.filter((n) => n.includes('.corrupt')) };
}

export function readJson<T = any>(dir: string, file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

export interface HttpResult {
  status: number;
  body: any;
  ms: number;
}

/** One JSON request; a network failure (service killed) is status 0. */
export async function http(
  url: string,
  method: string,
  body?: unknown,
  timeoutMs = 10_000,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const started = performance.now();
  try {
    const res = await fetch(url, {
      method,
      headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, ms: performance.now() - started };
  } catch {
    return { status: 0, body: null, ms: performance.now() - started };
  }
}

/**
 * A load generator's request: status and latency only, the body is drained unread. node:http with a keep-alive
 * pool costs the client about a third of the CPU of fetch() per request here, which leaves the cores to the
 * service being measured. A request not answered within `timeoutMs` (queueing in the pool included) is status 0.
 */
export function createLoadClient(maxSockets = 128) {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const send = (
    url: string,
    method: string,
    body?: unknown,
    timeoutMs = 10_000,
  ): Promise<{ status: number; ms: number }> =>
    new Promise((resolve) => {
      const started = performance.now();
      const payload = body === undefined ? undefined : JSON.stringify(body);
      let settled = false;
      const finish = (status: number) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ status, ms: performance.now() - started });
      };
      const req = httpRequest(
        url,
        {
          method,
          agent,
          headers:
            payload === undefined
              ? {}
              : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        },
        (res) => {
          res.on('end', () => finish(res.statusCode ?? 0));
          res.on('error', () => finish(0));
          res.resume();
        },
      );
      const timer = setTimeout(() => {
        req.destroy();
        finish(0);
      }, timeoutMs);
      req.on('error', () => finish(0));
      req.end(payload);
    });
  return { send, close: () => agent.destroy() };
}
