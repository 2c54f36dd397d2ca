import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { moveAside } from './move-aside';

describe('moveAside', () => {
  let dir: string;
  const at = Date.UTC(2026, 0, 5, 3, 4, 5, 678);

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'move-aside-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('renames the file to <name>.corrupt-<ISO time with - for : and .>', async () => {
    const file = path.join(dir, 'state.json');
    writeFileSync(file, '{"half');
    const aside = await moveAside(file, at);
    expect(aside).toBe(path.join(dir, 'state.json.corrupt-2026-01-05T03-04-05-678Z'));
    expect(readdirSync(dir)).toEqual(['state.json.corrupt-2026-01-05T03-04-05-678Z']);
    expect(readFileSync(aside, 'utf8')).toBe('{"half');
  });

  it('never replaces an earlier copy (nor a link) of the same name: -1, -2, …', async () => {
    const file = path.join(dir, 'BTC.bin');
    writeFileSync(file, 'first');
    await moveAside(file, at);
    symlinkSync(path.join(dir, 'nowhere'), `${path.join(dir, 'BTC.bin.corrupt-2026-01-05T03-04-05-678Z')}-1`);
    writeFileSync(file, 'second');
    const aside = await moveAside(file, at);
    expect(path.basename(aside)).toBe('BTC.bin.corrupt-2026-01-05T03-04-05-678Z-2');
    expect(readFileSync(aside, 'utf8')).toBe('second');
    expect(readFileSync(path.join(dir, 'BTC.bin.corrupt-2026-01-05T03-04-05-678Z'), 'utf8')).toBe('first');
  });

  it('throws when the file cannot be moved', async () => {
    await expect(moveAside(path.join(dir, 'missing.json'), at)).rejects.toThrow(/ENOENT/);
  });
});
