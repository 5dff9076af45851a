import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** ARCHITECTURE.md walks the code file by file; a file renamed or moved without the page following fails here. */
const ROOT = join(__dirname, '..', '..');
const TOP_LEVEL = new Set(readdirSync(ROOT));
const FILE_EXTENSION = /\.(ts|mjs|js|json|ya?ml|md)$/;

/**
 * The repository paths a markdown page names: code spans outside fenced blocks that start with a top-level folder
 * or file of the repository, or that end in a file extension (so a bare `start-backup.ts` must be a full path).
 */
function namedPaths(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, '');
  const spans = [...prose.matchAll(/`([^`\s]+)`/g)].map((match) => match[1]!);
  return [...new Set(spans.filter((span) => TOP_LEVEL.has(span.split('/')[0]!) || FILE_EXTENSION.test(span)))];
}

describe('ARCHITECTURE.md', () => {
  const paths = namedPaths(readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8'));

  test('names the files of the walk and the layers', () => {
    // The page is a walk of the code: a change that made it name no files would leave nothing to check.
    expect(paths.length).toBeGreaterThan(80);
    expect(paths).toEqual(expect.arrayContaining(['lib/workflow-schedules.ts', 'lambdas/handlers/start-backup.ts', 'eslint.config.mjs']));
  });

  test('every path it names exists', () => {
    expect(paths.filter((path) => !existsSync(join(ROOT, path)))).toEqual([]);
  });
});

describe('the paths a page names', () => {
  test('are its code spans that start with a top-level folder or end in a file extension, outside code blocks', () => {
    const page = [
      'See `lambdas/domain/`, `start-backup.ts` and `eslint.config.mjs`; the label `cnpg.io/cluster` and',
      '`cnpg-snapshot-scheduler/target`, the command `npm run crd-types -- --check` and `spec.backup` are not paths.',
      '```mermaid',
      'A[`lib/in-a-block.ts`]',
      '```',
    ].join('\n');
    expect(namedPaths(page)).toEqual(['lambdas/domain/', 'start-backup.ts', 'eslint.config.mjs']);
  });
});
