import { rmSync } from 'node:fs';
import { LAMBDA_BUNDLES_DIR_VARIABLE } from './lambda-bundles';

/** jest globalTeardown of the e2e project: removes the run's Lambda bundles. */
export default function removeLambdaBundles(): void {
  const root = process.env[LAMBDA_BUNDLES_DIR_VARIABLE];
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
}
