import { promises as fs } from 'node:fs';

/**
 * Moves a damaged file to `<file>.corrupt-<time of at>` (then `-1`, `-2`, … when that name is taken: two bad copies
 * in the same millisecond, or a clock that stands still in tests) and returns the new path. Kept for inspection and
 * never read again. A failed rename throws.
 */
export async function moveAside(file: string, at: number): Promise<string> {
  const stamp = `${file}.corrupt-${new Date(at).toISOString().replace(/[:.]/g, '-')}`;
  for (let n = 0; ; n++) {
    const aside = n === 0 ? stamp : `${stamp}-${n}`;
    // lstat: a link of that name (even a dangling one) is taken too.
    const taken = await fs.lstat(aside).then(
      () => true,
      () => false,
    );
    if (taken) continue;
    await fs.rename(file, aside);
    return aside;
  }
}
