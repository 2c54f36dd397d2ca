import { describeFsError, PersistenceError } from './persistence.error';

const fsError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('PersistenceError', () => {
  it('is a 507 for a full disk or quota, a 503 for any other cause, naming file and cause', () => {
    expect(
      new PersistenceError('bots_state.json', fsError('ENOSPC', 'ENOSPC: no space left on device, write')),
    ).toMatchObject({
      status: 507,
      code: 'ENOSPC',
      message: 'bots_state.json could not be saved: no space left on device',
    });
    expect(new PersistenceError('x.json', fsError('EDQUOT', 'EDQUOT: quota'))).toMatchObject({
      status: 507,
      message: 'x.json could not be saved: disk quota exceeded',
    });
    expect(new PersistenceError('x.json', fsError('EROFS', 'EROFS: read-only file system, open'))).toMatchObject({
      status: 503,
      message: 'x.json could not be saved: read-only file system',
    });
    expect(new PersistenceError('x.json', new Error('disk on fire'))).toMatchObject({
      status: 503,
      code: 'UNKNOWN',
      message: 'x.json could not be saved: disk on fire',
    });
  });

  it('says when the change is kept in memory (an exchange action already happened)', () => {
    const error = new PersistenceError('bots_state.json', fsError('ENOSPC', 'x')).kept();
    expect(error.keptInMemory).toBe(true);
    expect(error.message).toMatch(
      /^bots_state\.json could not be saved: no space left on device \(the exchange action happened; the change is kept in memory/,
    );
    expect(error.kept()).toBe(error);
  });

  it('wrap keeps an existing PersistenceError (its file is the one that failed)', () => {
    const inner = new PersistenceError('bot_history.json', fsError('EIO', 'EIO'));
    expect(PersistenceError.wrap('bots_state.json', inner)).toBe(inner);
    expect(PersistenceError.wrap('bots_state.json', fsError('EACCES', 'EACCES: permission denied, open')).file).toBe(
      'bots_state.json',
    );
  });

  it('describes an unknown errno by its message without the code and syscall', () => {
    expect(describeFsError(fsError('EXYZ', "EXYZ: something odd, rename '/a' -> '/b'"))).toBe('something odd');
  });
});
