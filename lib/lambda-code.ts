import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage, type ILocalBundling } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BUNDLE_FILE, entryPointName } from './lambda-bundle-layout';

const LAMBDAS_DIR = join(__dirname, '..', 'lambdas');
const BUNDLE_COMMAND = join(__dirname, 'bundle-lambda-command.ts');

/**
 * Runs lib/lambda-bundle.ts in a child process (CDK bundles synchronously; esbuild plugins need its async API).
 * Its fields are part of CDK's asset cache key, so each entry point gets its own bundle.
 */
class LocalLambdaBundling implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly sourceMap: boolean,
  ) {}

  tryBundle(outputDir: string): boolean {
    execFileSync(process.execPath, ['--import', 'tsx', BUNDLE_COMMAND, this.entry, outputDir, String(this.sourceMap)], {
      stdio: 'inherit',
    });
    return true;
  }
}

/** Whether `prebundled` holds the functions' code bundled in advance, as the installed package does. */
export const hasPrebundledCode = (prebundled: string): boolean => existsSync(prebundled);

/**
 * The code of the function whose entry point is `entry`. From an installed package, the bundle `npm pack` made of it
 * (`prebundled/<entry point name>`): a user's synth runs no esbuild. From a checkout, which has no prebundled code,
 * esbuild bundles it at synth (never Docker). Both are lib/lambda-bundle.ts's output for the entry point, so the two
 * give the same asset (CDK hashes a bundle's output, and a prebundled directory's files, alike).
 */
export function lambdaCode(entry: string, sourceMap: boolean, prebundled: string): lambda.Code {
  if (!hasPrebundledCode(prebundled))
    return lambda.Code.fromAsset(LAMBDAS_DIR, {
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        local: new LocalLambdaBundling(entry, sourceMap),
        // Required by the type, never pulled: local bundling either succeeds or fails the synth.
        image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs24.x'),
      },
    });
  // SnapshotScheduler refuses lambdaSourceMaps with prebundled code first, naming the field; this guards the invariant.
  if (sourceMap) throw new Error('The prebundled Lambda code has no source maps: source maps are bundled at synth, from a checkout');
  const directory = join(prebundled, entryPointName(entry));
  if (!existsSync(join(directory, BUNDLE_FILE)))
    throw new Error(
      `The prebundled Lambda code in ${prebundled} has no ${entryPointName(entry)}/${BUNDLE_FILE}: the package is incomplete`,
    );
  return lambda.Code.fromAsset(directory);
}
