import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { dataFolderProblem } from './data-folder';

describe('dataFolderProblem', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'data-folder-'))));

  it('creates a missing folder and answers null when files can be written, leaving no probe behind', async () => {
    const target = path.join(dir, 'nested', 'data');
    expect(await dataFolderProblem(target)).toBeNull();
    expect(readdirSync(target)).toEqual([]);
  });

  it('names the cause when the folder cannot be created', async () => {
    writeFileSync(path.join(dir, 'file'), '');
    expect(await dataFolderProblem(path.join(dir, 'file', 'data'))).toBe(
      'cannot be created: a part of the path is not a directory',
    );
  });

  it('names the cause when the path is a file, not a folder', async () => {
    writeFileSync(path.join(dir, 'file'), '');
    expect(await dataFolderProblem(path.join(dir, 'file'))).toMatch(/^cannot be created: /);
  });
});
