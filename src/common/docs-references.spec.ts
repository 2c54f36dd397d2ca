/**
 * Code comments cite the project's own docs as `docs/api-contract.md §2.2` or `docs/trading-logic.md §7.3–7.5`.
 * Every cited section must exist as a heading of that document, and nothing may cite the documents by their old,
 * repository-less names ("api-contract §x").
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const DOCS = ['api-contract', 'trading-logic'] as const;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Section numbers of a document's headings: "## 7. …" → 7, "### 7.3 …" → 7.3, "### 6.E …" → 6.E. */
function sections(doc: string): Set<string> {
  const text = readFileSync(path.join(ROOT, 'docs', `${doc}.md`), 'utf8');
  return new Set([...text.matchAll(/^#{2,4} (\d+(?:\.[0-9A-Z]+)?)\.? /gm)].map((m) => m[1]));
}

const files = ['src', 'test', 'bench']
  .flatMap((dir) => sourceFiles(path.join(ROOT, dir)))
  .filter((file) => file !== __filename);

describe('references to docs/api-contract.md and docs/trading-logic.md', () => {
  it('point at sections that exist', () => {
    const known = Object.fromEntries(DOCS.map((doc) => [doc, sections(doc)]));
    expect(known['trading-logic'].has('7.5')).toBe(true);
    expect(known['api-contract'].has('2.2')).toBe(true);
    const missing: string[] = [];
    let cited = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      // A citation and the sections listed right after it: "§2.2, §2.7", "§7.1 / §8", "§7.3–7.5".
      for (const m of text.matchAll(
        /docs\/(api-contract|trading-logic)\.md ((?:§[0-9A-Z.]+(?:–[0-9.]+)?(?:, | \/ | and )?)+)/g,
      )) {
        const doc = m[1] as (typeof DOCS)[number];
        for (const token of m[2]
          .split('§')
          .map((t) => t.replace(/(, | \/ | and )$/, '').replace(/\.$/, ''))
          .filter(Boolean)) {
          for (const section of token.split('–')) {
            cited++;
            if (!known[doc].has(section)) missing.push(`${path.relative(ROOT, file)}: ${doc} §${section}`);
          }
        }
      }
    }
    expect(cited).toBeGreaterThan(40);
    expect(missing).toEqual([]);
  });

  it('always name the file under docs/', () => {
    const bare = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => /(?<!docs\/)(api-contract|trading-logic)(\.md)? ?§/.test(line))
        .map((line) => `${path.relative(ROOT, file)}: ${line.trim()}`),
    );
    expect(bare).toEqual([]);
  });
});
