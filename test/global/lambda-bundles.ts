import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Metafile } from 'esbuild';
import { buildLambdaBundles } from '../../lib/lambda-bundle';
import { BUNDLE_FILE, entryPointName, lambdaEntryPoints } from '../../lib/lambda-bundle-layout';

/**
 * The Lambda bundles of one test run, built once and shared by every test file that loads a bundle. The e2e
 * project's globalSetup (test/global/prepare-lambda-bundles.ts) makes an empty directory for them and names it in this
 * variable, which the test workers inherit. The first file that asks for the bundles builds every entry point there,
 * with lib/lambda-bundle.ts as the package's prebundling does (under a minute on two loaded cores); files in other
 * workers wait for it, and a run whose files need no bundle builds none.
 */
export const LAMBDA_BUNDLES_DIR_VARIABLE = 'CNPG_SCHEDULER_TEST_LAMBDA_BUNDLES';

const METAFILE = 'metafile.json';
/** Taken (mkdir, atomic) by the worker that builds; the others wait for DONE or FAILED. */
const BUILDING = '.building';
const DONE = '.built';
const FAILED = '.failed';

export interface BuiltBundle {
  /** The bundle as the function ships it (index.mjs). */
  file: string;
  metafile: Metafile;
}

/** The bundles of every entry point, built for this run; call it in beforeAll. */
export async function lambdaBundles(): Promise<(entry: string) => BuiltBundle> {
  const root = process.env[LAMBDA_BUNDLES_DIR_VARIABLE];
  if (root === undefined)
    throw new Error(
      `${LAMBDA_BUNDLES_DIR_VARIABLE} is not set: run this file in jest's e2e project, whose globalSetup prepares the bundles`,
    );
  if (claim(join(root, BUILDING))) await buildAll(root);
  else await settled(root);
  return (entry) => {
    const directory = join(root, entryPointName(entry));
    const file = join(directory, BUNDLE_FILE);
    if (!existsSync(file)) throw new Error(`No bundle of ${entry} in ${root}: it is not an entry point under lambdas/entrypoints`);
    return { file, metafile: JSON.parse(readFileSync(join(directory, METAFILE), 'utf8')) as Metafile };
  };
}

function claim(lock: string): boolean {
  try {
    mkdirSync(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

async function buildAll(root: string): Promise<void> {
  try {
    const metafile = await buildLambdaBundles(lambdaEntryPoints(), root, { sourceMap: false });
    // Each bundle's directory gets the part of the run's metafile that is about it: its output (esbuild names
    // outputs relative to the working directory).
    for (const [path, output] of Object.entries(metafile.outputs))
      writeFileSync(join(dirname(resolve(path)), METAFILE), JSON.stringify({ inputs: metafile.inputs, outputs: { [path]: output } }));
    writeFileSync(join(root, DONE), '');
  } catch (error) {
    writeFileSync(join(root, FAILED), String(error));
    throw error;
  }
}

/** Waits for the worker that builds; jest's timeout bounds the wait. */
async function settled(root: string): Promise<void> {
  for (;;) {
    if (existsSync(join(root, DONE))) return;
    if (existsSync(join(root, FAILED)))
      throw new Error(`Bundling the Lambdas failed in another test worker: ${readFileSync(join(root, FAILED), 'utf8')}`);
    await sleep(1000);
  }
}
