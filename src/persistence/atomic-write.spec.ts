import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, promises as fs, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { atomicWrite, isTempName, removeStaleTempFiles, tempWriterPid } from './atomic-write';

describe('atomicWrite', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'atomic-'));
  });

  it('writes the content and keeps the previous version as the backup', async () => {
    const target = path.join(dir, 'state.json');
    await atomicWrite(target, '{"v":1}', `${target}.bak`);
    await atomicWrite(target, '{"v":2}', `${target}.bak`);
    expect(await fs.readFile(target, 'utf8')).toBe('{"v":2}');
    expect(await fs.readFile(`${target}.bak`, 'utf8')).toBe('{"v":1}');
    expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.bak']);
  });

  it('the backup is the previous file itself (a hard link), separate from the new one', async () => {
    const target = path.join(dir, 'state.json');
    await atomicWrite(target, '{"v":1}', `${target}.bak`);
    const firstInode = statSync(target).ino;
    await atomicWrite(target, '{"v":2}', `${target}.bak`);
    expect(statSync(`${target}.bak`).ino).toBe(firstInode);
    expect(statSync(target).ino).not.toBe(firstInode);
    await atomicWrite(target, '{"v":3}', `${target}.bak`);
    expect(await fs.readFile(`${target}.bak`, 'utf8')).toBe('{"v":2}');
  });

  it('copies the previous content where the file system refuses hard links', async () => {
    const target = path.join(dir, 'state.json');
    await atomicWrite(target, '{"v":1}', `${target}.bak`);
    const link = jest
      .spyOn(fs, 'link')
      .mockRejectedValue(Object.assign(new Error('operation not permitted'), { code: 'EPERM' }));
    try {
      await atomicWrite(target, '{"v":2}', `${target}.bak`);
      expect(link).toHaveBeenCalledTimes(1);
    } finally {
      link.mockRestore();
    }
    expect(await fs.readFile(`${target}.bak`, 'utf8')).toBe('{"v":1}');
    expect(statSync(`${target}.bak`).ino).not.toBe(statSync(target).ino);
    expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.bak']);
  });

  it('an empty file never replaces the backup', async () => {
    const target = path.join(dir, 'state.json');
    await atomicWrite(target, '{"v":1}', `${target}.bak`);
    await atomicWrite(target, '{"v":2}', `${target}.bak`);
    writeFileSync(target, '');
    await atomicWrite(target, '{"v":3}', `${target}.bak`);
    expect(await fs.readFile(`${target}.bak`, 'utf8')).toBe('{"v":1}');
    expect(readdirSync(dir).sort()).toEqual(['state.json', 'state.json.bak']);
  });

  it('leaves no temp file behind when the write fails', async () => {
    const target = path.join(dir, 'missing-dir-is-created', 'x.json');
    await atomicWrite(target, '{}');
    await expect(atomicWrite(path.join(dir, 'missing-dir-is-created'), '{}')).rejects.toThrow();
    expect(readdirSync(path.join(dir, 'missing-dir-is-created'))).toEqual(['x.json']);
  });

  it('writes binary content as it is', async () => {
    const target = path.join(dir, 'BTC.bin');
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await atomicWrite(target, bytes);
    expect(await fs.readFile(target)).toEqual(bytes);
  });

  it('names its temp file so that tempWriterPid finds this process and isTempName knows it', async () => {
    const rename = jest.spyOn(fs, 'rename');
    try {
      await atomicWrite(path.join(dir, 'BTC.bin'), 'x');
      const tmp = path.basename(rename.mock.calls[0][0] as string);
      expect(tmp).toMatch(new RegExp(`^\\.BTC\\.bin\\.${process.pid}\\.\\d+\\.\\d+\\.tmp$`));
      expect(tempWriterPid(tmp)).toBe(process.pid);
      expect(isTempName(tmp)).toBe(true);
    } finally {
      rename.mockRestore();
    }
  });

  it('tempWriterPid reads the writer of a temp name, its .bak companion and the older candle temp names', () => {
    expect(tempWriterPid('.state.json.4242.1767582245678.3.tmp')).toBe(4242);
    expect(tempWriterPid('.state.json.4242.1767582245678.3.tmp.bak')).toBe(4242);
    expect(tempWriterPid('.1000PEPE.bin.77.0.tmp')).toBe(77);
    expect(tempWriterPid('state.json')).toBeNull();
    expect(tempWriterPid('.state.json.tmp')).toBeNull();
    expect(tempWriterPid('.BTC.bin.write.tmp')).toBeNull();
  });

  it('removes stale temp files left by a killed writer', async () => {
    writeFileSync(path.join(dir, '.state.json.123.1.0.tmp'), '{"half');
    writeFileSync(path.join(dir, '.state.json.123.1.0.tmp.bak'), '{}');
    writeFileSync(path.join(dir, 'state.json'), '{}');
    expect(await removeStaleTempFiles(dir)).toEqual([]);
    expect(readdirSync(dir)).toEqual(['state.json']);
  });

  it('leaves temp-named entries that are not regular files alone and names them', async () => {
    mkdirSync(path.join(dir, '.state.json.1.2.3.tmp'));
    writeFileSync(path.join(dir, '.state.json.4.5.6.tmp'), '{"half');
    expect(await removeStaleTempFiles(dir)).toEqual(['.state.json.1.2.3.tmp']);
    expect(readdirSync(dir)).toEqual(['.state.json.1.2.3.tmp']);
  });

  it('survives a process killed mid-write: the file is always one complete version', async () => {
    const target = path.join(dir, 'big.json');
    // A writer that rewrites a ~2 MB file as fast as it can, each version a valid JSON document.
    const script = `
      const { atomicWrite } = require(${JSON.stringify(path.join(__dirname, 'atomic-write.ts'))});
      (async () => {
        for (let v = 1; ; v++) {
          const doc = JSON.stringify({ v, rows: Array.from({ length: 40000 }, (_, i) => ({ i, v, pad: 'x'.repeat(20) })) });
          await atomicWrite(${JSON.stringify(target)}, doc, ${JSON.stringify(target + '.bak')});
          if (v === 2) process.stdout.write('ready\\n');
        }
      })();
    `;
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await new Promise((r) => setTimeout(r, 20 + Math.random() * 200));
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));

      const parsed = JSON.parse(await fs.readFile(target, 'utf8')) as { v: number; rows: unknown[] };
      expect(parsed.rows).toHaveLength(40000);
      const backup = JSON.parse(await fs.readFile(`${target}.bak`, 'utf8')) as { v: number; rows: unknown[] };
      expect(backup.rows).toHaveLength(40000);
      // A kill between the backup rename and the target rename leaves both at the same version.
      expect(backup.v).toBeLessThanOrEqual(parsed.v);
    }
  }, 60_000);
});
