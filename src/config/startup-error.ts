import { describeFsError } from '../persistence/persistence.error';

/** A start-up failure whose message alone says what to fix: main.ts prints it as one line and exits 1. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** The listen failure in one line ("port 5001 on 0.0.0.0 is already in use"), or the error itself when unknown. */
export function listenError(error: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (error?.code) {
    case 'EADDRINUSE':
      return new StartupError(`port ${port} on ${host} is already in use (another bots-service? set PORT)`);
    case 'EACCES':
      return new StartupError(
        `no permission to listen on port ${port} on ${host} (ports below 1024 need privileges; set PORT)`,
      );
    case 'EADDRNOTAVAIL':
      return new StartupError(`address ${host} is not available on this machine (set HOST)`);
    default:
      return error?.code ? new StartupError(`cannot listen on ${host}:${port}: ${describeFsError(error)}`) : error;
  }
}
