import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildLambdaBundles } from '../../lib/lambda-bundle';
import { BUNDLE_FILE, ENTRYPOINTS_DIR } from '../../lib/lambda-bundle-layout';
import { lambdaCode } from '../../lib/lambda-code';
import { resourcesOf } from './synthesize';

/**
 * A function's code in the two places the construct runs: a checkout, where esbuild bundles it at synth, and the
 * installed package, where `npm pack` bundled it in advance (dist/lambda-bundles) and the synth only copies it.
 */

const ENTRY = join(ENTRYPOINTS_DIR, 'report-fan-out.ts');

/** The function's code as a synth with bundling stages it: the bundle in the cloud assembly. */
function stagedBundle(code: lambda.Code): { assetHash: string; bundle: string } {
  const app = new App();
  const stack = new Stack(app, 'Code');
  new lambda.Function(stack, 'Fn', { code, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_24_X });
  const [fn] = Object.values(resourcesOf(Template.fromStack(stack), 'AWS::Lambda::Function'));
  const assetHash = (fn!.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
  return { assetHash, bundle: readFileSync(join(app.synth().directory, `asset.${assetHash}`, BUNDLE_FILE), 'utf8') };
}

describe("a function's code", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cnpg-scheduler-prebundled-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('a checkout bundles it at synth, and the prebundled package ships that same asset', async () => {
    await buildLambdaBundles([ENTRY], root, { sourceMap: false });
    const prebundled = stagedBundle(lambdaCode(ENTRY, false, root));
    const bundledAtSynth = stagedBundle(lambdaCode(ENTRY, false, join(root, 'absent')));
    expect(bundledAtSynth.bundle).toBe(readFileSync(join(root, 'report-fan-out', BUNDLE_FILE), 'utf8'));
    expect(prebundled.assetHash).toBe(bundledAtSynth.assetHash);
  });

  test('with prebundled code, the synth takes the bundle as it is and runs no bundler', () => {
    mkdirSync(join(root, 'report-fan-out'));
    writeFileSync(join(root, 'report-fan-out', BUNDLE_FILE), "export const handler = () => 'prebundled';\n");
    expect(stagedBundle(lambdaCode(ENTRY, false, root)).bundle).toBe("export const handler = () => 'prebundled';\n");
  });

  test('prebundled code without the function fails, naming the missing bundle', () => {
    expect(() => lambdaCode(ENTRY, false, root)).toThrow(`has no report-fan-out/${BUNDLE_FILE}: the package is incomplete`);
  });

  test('prebundled code has no source maps to give', () => {
    expect(() => lambdaCode(ENTRY, true, root)).toThrow('The prebundled Lambda code has no source maps');
  });
});
