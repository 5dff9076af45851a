/**
 * `npm run prebundle`: every Lambda bundled once into dist/lambda-bundles/<entry point name>/index.mjs, with the
 * options of lib/lambda-bundle.ts, for the published package: its SnapshotScheduler takes its functions' code from
 * there (lib/lambda-code.ts), so a user's synth needs no esbuild.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildLambdaBundles } from '../lib/lambda-bundle';
import { lambdaEntryPoints } from '../lib/lambda-bundle-layout';

const OUTDIR = join(__dirname, '..', 'dist', 'lambda-bundles');

rmSync(OUTDIR, { recursive: true, force: true });
const entries = lambdaEntryPoints();
buildLambdaBundles(entries, OUTDIR, { sourceMap: false }).then(
  () => console.log(`bundled ${entries.length} Lambdas into ${join('dist', 'lambda-bundles')}`),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
