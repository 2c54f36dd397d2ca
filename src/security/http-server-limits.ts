/**
 * Limits on the HTTP server so slow or idle clients cannot use up the process's file descriptors
 * (docs/security.md, "Connections and timeouts"):
 *
 * - a request's headers must arrive within 10 s and the whole request (body included) within 30 s;
 * - at most `connectionCap(fdLimit)` connections are open at once, half of the process's descriptor limit:
 *   the other half stays free for data-file saves (temp file + .bak + fsync of the folder), exchange sockets and logs;
 * - a connection over the cap evicts the oldest connection that is idle or still sending its request (a slow
 *   body, a slow header); connections whose request is complete and being answered are never cut. When every
 *   connection is busy answering, the newcomer is closed instead.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export const HEADERS_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 30_000;
export const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** Assumed when the limit cannot be read (not Linux): the usual default soft limit. */
const FALLBACK_FD_LIMIT = 1024;
const MIN_CONNECTIONS = 16;

/** The soft "Max open files" of this process (Linux /proc), or 1024 when unknown. */
export function processFdLimit(limitsText?: string): number {
  let text = limitsText;
  try {
    text ??= readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return FALLBACK_FD_LIMIT;
  }
  const match = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (!match) return FALLBACK_FD_LIMIT;
  return match[1] === 'unlimited' ? 1 << 20 : Number(match[1]);
}

/** Connections allowed at once: half the descriptors, the rest is the reserve for files and exchange sockets. */
export function connectionCap(fdLimit: number): number {
  return Math.max(MIN_CONNECTIONS, Math.floor(fdLimit / 2));
}

interface Tracked {
  /** The request being received or answered on this connection; null between requests. */
  request: IncomingMessage | null;
}

/** Open connections in arrival order, with the eviction rule above. Exported for its spec. */
export class ConnectionGate {
  private readonly open = new Map<Socket, Tracked>();
  evicted = 0;
  refused = 0;

  constructor(readonly cap: number) {}

  get size(): number {
    return this.open.size;
  }

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const tracked = this.open.get(request.socket);
      if (!tracked) return;
      tracked.request = request;
      response.once('close', () => {
        if (tracked.request === request) tracked.request = null;
      });
    });
  }

  admit(socket: Socket): void {
    if (this.open.size >= this.cap) {
      const victim = this.oldestEvictable();
      if (victim) {
        this.evicted++;
        this.forget(victim);
        victim.destroy();
      } else {
        this.refused++;
        socket.destroy();
        return;
      }
    }
    this.open.set(socket, { request: null });
    socket.once('close', () => this.forget(socket));
  }

  private oldestEvictable(): Socket | undefined {
    for (const [socket, tracked] of this.open) {
      // Idle (keep-alive, or headers not complete yet) or still receiving its body.
      if (tracked.request === null || !tracked.request.complete) return socket;
    }
    return undefined;
  }

  private forget(socket: Socket): void {
    this.open.delete(socket);
  }
}

/** Applies the timeouts and the connection gate to the service's HTTP server. */
export function limitHttpServer(server: Server, fdLimit = processFdLimit()): ConnectionGate {
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  const gate = new ConnectionGate(connectionCap(fdLimit));
  gate.attach(server);
  return gate;
}
