import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAMBDA_BUNDLES_DIR_VARIABLE } from './lambda-bundles';

/**
 * jest globalSetup of the e2e project: the run's directory of Lambda bundles, named in the environment that the test
 * workers inherit. The bundles are built there once, by the first file that needs them (test/global/lambda-bundles.ts).
 */
export default function prepareLambdaBundles(): void {
  process.env[LAMBDA_BUNDLES_DIR_VARIABLE] = mkdtempSync(join(tmpdir(), 'cnpg-scheduler-bundles-'));
}
