import { listenError, StartupError } from './startup-error';

const listenFailure = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

describe('listenError', () => {
  it('turns the usual listen failures into one line naming port and host', () => {
    expect(listenError(listenFailure('EADDRINUSE'), '0.0.0.0', 5001)).toEqual(
      new StartupError('port 5001 on 0.0.0.0 is already in use (another bots-service? set PORT)'),
    );
    expect(listenError(listenFailure('EACCES'), '0.0.0.0', 80).message).toBe(
      'no permission to listen on port 80 on 0.0.0.0 (ports below 1024 need privileges; set PORT)',
    );
    expect(listenError(listenFailure('EADDRNOTAVAIL'), '10.9.9.9', 5001).message).toBe(
      'address 10.9.9.9 is not available on this machine (set HOST)',
    );
  });

  it('keeps an error without a code as it is (a programming error keeps its stack)', () => {
    const bug = new TypeError('x is not a function');
    expect(listenError(bug, '127.0.0.1', 5001)).toBe(bug);
  });
});
