import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The one timeout of the suites (testTimeout in jest.config.js) is sized for a coverage run on two cores shared with
 * other work. A file that passes its own timeout to a test or hook undoes that: a `beforeAll` that synthesizes the
 * stack in a few seconds alone took more than two minutes beside another `npm test`, and failed on its 120 s.
 */

/** A callback closed, at the start of its line, with a timeout argument: `}, 120_000);` */
const OWN_TIMEOUT = /^\s*\}\s*,\s*\d[\d_]*\s*\)\s*;?\s*$/;
const SET_TIMEOUT = /\bjest\.setTimeout\(/;

function testFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : testFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** `file:line` of each place in these sources that sets a timeout of its own. */
function ownTimeouts(files: readonly string[]): string[] {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, index) => (OWN_TIMEOUT.test(line) || SET_TIMEOUT.test(line) ? [`${file}:${index + 1}`] : [])),
  );
}

test('no test or hook sets a timeout of its own: the configured one holds on a loaded machine', () => {
  expect(ownTimeouts(testFiles('test'))).toEqual([]);
});

test('the check finds a timeout passed to a hook or a test', () => {
  const probe = join('test', 'infra', 'test-timeouts.test.ts');
  expect(ownTimeouts([probe])).toEqual([]);
  expect(OWN_TIMEOUT.test('  }, 120_000);')).toBe(true);
  expect(OWN_TIMEOUT.test('}, 60000)')).toBe(true);
  expect(OWN_TIMEOUT.test('  });')).toBe(false);
  expect(OWN_TIMEOUT.test('  }, [1, 2]);')).toBe(false);
  // An object literal passed before a number is no callback.
  expect(OWN_TIMEOUT.test('const f = () => poll({ ...follow, checks }, 900);')).toBe(false);
  expect(SET_TIMEOUT.test(['jest', 'setTimeout(60_000);'].join('.'))).toBe(true);
});
