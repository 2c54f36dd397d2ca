import { Logger } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isJsonObject, JsonStore } from './json-store.service';
import { PersistenceError } from './persistence.error';

const fsError = (code: string, text: string) => Object.assign(new Error(`${code}: ${text}, write`), { code });

const hasBots = (v: unknown) => (v && typeof v === 'object' && 'bots' in v ? null : 'missing "bots"');

describe('JsonStore', () => {
  let dir: string;
  let store: JsonStore;
  let errors: string[];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'store-'));
    store = new JsonStore({ dataDir: dir } as never);
    errors = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((m: unknown) => void errors.push(String(m)));
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('uses defaults only when there is no file at all', async () => {
    const value = await store.load('bots_state.json', { defaults: () => ({ bots: {} }), validate: hasBots });
    expect(value).toEqual({ bots: {} });
    expect(store.sourceOf('bots_state.json')).toBe('defaults');
    expect(errors).toEqual([]);
  });

  it('saves and loads back, keeping the previous version as .bak', async () => {
    await store.save('bots_state.json', { bots: { BTC: { status: 'running' } } });
    await store.save('bots_state.json', { bots: { ETH: { status: 'paused' } } });
    expect(await store.load('bots_state.json', { defaults: () => ({}), validate: hasBots })).toEqual({
      bots: { ETH: { status: 'paused' } },
    });
    expect(JSON.parse(readFileSync(path.join(dir, 'bots_state.json.bak'), 'utf8'))).toEqual({
      bots: { BTC: { status: 'running' } },
    });
  });

  it('keeps a corrupt file aside and recovers the last good copy', async () => {
    await store.save('bots_state.json', { bots: { BTC: { status: 'running' } } });
    await store.save('bots_state.json', { bots: { BTC: { status: 'in_position_long' } } });
    writeFileSync(path.join(dir, 'bots_state.json'), '{"bots": {"BTC": {"stat');

    const value = await store.load('bots_state.json', { defaults: () => ({ bots: {} }), validate: hasBots });

    expect(value).toEqual({ bots: { BTC: { status: 'running' } } });
    expect(store.sourceOf('bots_state.json')).toBe('backup');
    const aside = readdirSync(dir).filter((n) => n.startsWith('bots_state.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(path.join(dir, aside[0]), 'utf8')).toBe('{"bots": {"BTC": {"stat');
    // The main file is good again.
    expect(JSON.parse(readFileSync(path.join(dir, 'bots_state.json'), 'utf8'))).toEqual(value);
    expect(errors.join('\n')).toMatch(/bots_state\.json is unreadable.*kept aside/);
  });

  it('treats a file that fails its shape check like a corrupt one', async () => {
    await store.save('bots_state.json', { bots: {} });
    await store.save('bots_state.json', { bots: { ETH: 2 } });
    writeFileSync(path.join(dir, 'bots_state.json'), '[1,2,3]');
    expect(await store.load('bots_state.json', { defaults: () => ({ bots: { X: 1 } }), validate: hasBots })).toEqual({
      bots: {},
    });
    expect(errors.join('\n')).toMatch(/bad shape/);
  });

  it('never deletes a corrupt file even when no good copy is left', async () => {
    writeFileSync(path.join(dir, 'mature_coins.json'), '');
    const value = await store.load('mature_coins.json', { defaults: () => ({}), validate: isJsonObject });
    expect(value).toEqual({});
    expect(readdirSync(dir).some((n) => n.startsWith('mature_coins.json.corrupt-'))).toBe(true);
    expect(errors.join('\n')).toMatch(/no good copy left/);
  });

  it('coalesces a burst of saves of one file into few writes, the newest content winning', async () => {
    // require gives the module's own exports object, which the store calls through; an `import * as` copy would not be.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the line above
    const writes = jest.spyOn(require('./atomic-write'), 'atomicWrite');
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.save('bots_state.json', { bots: {}, n: i })));
    expect(JSON.parse(readFileSync(path.join(dir, 'bots_state.json'), 'utf8'))).toEqual({ bots: {}, n: 49 });
    expect(writes.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(writes.mock.calls.length).toBeLessThanOrEqual(2);
  });

  it('serializes concurrent writes to one file', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.save('process_state.json', { n: i })));
    const final = JSON.parse(readFileSync(path.join(dir, 'process_state.json'), 'utf8')) as { n: number };
    expect(final.n).toBe(24);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses file names that leave the data folder', () => {
    expect(() => store.filePath('../etc/passwd')).toThrow(/Invalid data file name/);
    expect(existsSync(path.join(dir, '..', 'etc'))).toBe(false);
  });

  it('keeps both bad copies aside when the file and its .bak are bad, and the next saves overwrite neither', async () => {
    writeFileSync(path.join(dir, 'bots_state.json'), '{"bots": {"BTC": {"stat');
    writeFileSync(path.join(dir, 'bots_state.json.bak'), 'not json either');
    expect(await store.load('bots_state.json', { defaults: () => ({ bots: {} }), validate: hasBots })).toEqual({
      bots: {},
    });
    await store.save('bots_state.json', { bots: { A: 1 } });
    await store.save('bots_state.json', { bots: { B: 2 } });
    const names = readdirSync(dir);
    const aside = names
      .filter((n) => n.includes('.corrupt-'))
      .map((n) => readFileSync(path.join(dir, n), 'utf8'))
      .sort();
    expect(aside).toEqual(['not json either', '{"bots": {"BTC": {"stat'].sort());
    expect(names.filter((n) => n.startsWith('bots_state.json.bak.corrupt-'))).toHaveLength(1);
    expect(errors.join('\n')).toMatch(
      /bots_state\.json\.bak is unreadable too .*kept aside as bots_state\.json\.bak\.corrupt-/,
    );
  });

  it('sets aside a data file that is a directory, without failing the load', async () => {
    mkdirSync(path.join(dir, 'bots_state.json'));
    expect(await store.load('bots_state.json', { defaults: () => ({ bots: {} }), validate: hasBots })).toEqual({
      bots: {},
    });
    expect(errors.join('\n')).toMatch(/not a regular file \(a directory\)/);
    await store.save('bots_state.json', { bots: { A: 1 } });
    expect(JSON.parse(readFileSync(path.join(dir, 'bots_state.json'), 'utf8'))).toEqual({ bots: { A: 1 } });
  });

  it('never opens a FIFO in place of a data file (it would block the load forever): it is set aside', async () => {
    execFileSync('mkfifo', [path.join(dir, 'mature_coins.json')]);
    expect(await store.load('mature_coins.json', { defaults: () => ({}), validate: isJsonObject })).toEqual({});
    const aside = readdirSync(dir).find((n) => n.startsWith('mature_coins.json.corrupt-'))!;
    expect(statSync(path.join(dir, aside)).isFIFO()).toBe(true);
    expect(errors.join('\n')).toMatch(/not a regular file \(a FIFO\)/);
  });

  it('leaves a directory with a temp file name alone at start-up instead of failing', async () => {
    mkdirSync(path.join(dir, '.bots_state.json.1.2.3.tmp'));
    writeFileSync(path.join(dir, '.bots_state.json.9.9.9.tmp'), '{"half');
    expect(await store.load('bots_state.json', { defaults: () => ({ bots: {} }), validate: hasBots })).toEqual({
      bots: {},
    });
    expect(readdirSync(dir).sort()).toEqual(['.bots_state.json.1.2.3.tmp']);
  });

  it.each([
    ['ENOSPC', 'no space left on device', 507],
    ['EROFS', 'read-only file system', 503],
    ['EACCES', 'permission denied', 503],
  ])(
    'a failed write (%s) throws a PersistenceError naming the file and the cause, and lists the file as unsaved until a save works',
    async (code, cause, status) => {
      await store.save('bots_state.json', { bots: { A: 1 } });
      store.writer = () => Promise.reject(fsError(code, cause));
      const failure = await store.save('bots_state.json', { bots: { B: 2 } }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PersistenceError);
      expect(failure).toMatchObject({
        message: `bots_state.json could not be saved: ${cause}`,
        status,
        file: 'bots_state.json',
        code,
      });
      expect(store.unsavedFiles()).toEqual([
        { file: 'bots_state.json', error: `bots_state.json could not be saved: ${cause}` },
      ]);
      expect(JSON.parse(readFileSync(path.join(dir, 'bots_state.json'), 'utf8'))).toEqual({ bots: { A: 1 } });
      store.writer = jest.requireActual('./atomic-write').atomicWrite;
      await store.save('bots_state.json', { bots: { C: 3 } });
      expect(store.unsavedFiles()).toEqual([]);
    },
  );

  it("a refused change's failed write leaves nothing listed as unsaved; a kept one stays listed", async () => {
    store.writer = () => Promise.reject(fsError('ENOSPC', 'no space left on device'));
    await expect(store.save('auto_bot_config.json', { a: 1 }, { onFailure: 'refused' })).rejects.toBeInstanceOf(
      PersistenceError,
    );
    expect(store.unsavedFiles()).toEqual([]);
    await expect(store.save('bot_history.json', { history: [] })).rejects.toBeInstanceOf(PersistenceError);
    expect(store.unsavedFiles().map((u) => u.file)).toEqual(['bot_history.json']);
    // A later refused failure of the same file does not hide the kept change still missing from the disk.
    await expect(store.save('bot_history.json', { history: [1] }, { onFailure: 'refused' })).rejects.toBeInstanceOf(
      PersistenceError,
    );
    expect(store.unsavedFiles().map((u) => u.file)).toEqual(['bot_history.json']);
  });
});
