import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probe } from '../../bench/lambda-bundles-bench';

const MB = 2 ** 20;

test("a bundle's peak memory is its own process's, not that of the process that started it", () => {
  const directory = mkdtempSync(join(tmpdir(), 'bundle-probe-'));
  const file = join(directory, 'index.mjs');
  writeFileSync(file, 'export const handler = async () => ({});\n');
  // The measuring process is large (the bench has built and loaded many bundles by then): 400 MB resident here.
  const ballast = Buffer.alloc(400 * MB, 1);
  try {
    const sample = probe(file, []);
    expect(sample.maxRssMb).toBeGreaterThan(10);
    expect(sample.maxRssMb).toBeLessThan(200);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  expect(ballast.length).toBe(400 * MB);
});
