import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';

/**
 * Where each function's code is: one entry point per function under lambdas/entrypoints, bundled into a directory of
 * its own holding one ESM file. Shared by the synth-time bundling, the package's prebundling and the tests, and free
 * of esbuild, which an installed package does not have.
 */

/** The module every function's handler is exported from (`index.handler`). */
export const BUNDLE_MODULE = 'index';
export const BUNDLE_FILE = `${BUNDLE_MODULE}.mjs`;

/** The entry points' sources: present in a checkout, absent from the installed package (which ships them bundled). */
export const ENTRYPOINTS_DIR = join(__dirname, '..', 'lambdas', 'entrypoints');

/**
 * The published package's bundles, `<dir>/<entry point name>/index.mjs`, written by `npm pack`
 * (scripts/prebundle-lambdas.ts) next to the compiled library: dist/lib/ finds them in dist/lambda-bundles/. A
 * checkout's lib/ has no such directory beside it, so its synth bundles each function with esbuild.
 */
export const PREBUNDLED_LAMBDAS_DIR = join(__dirname, '..', 'lambda-bundles');

/** An entry point's name (`start-backup`), which names its bundle's directory. */
export const entryPointName = (entry: string): string => basename(entry, '.ts');

/** Every entry point of lambdas/entrypoints: one per function. */
export function lambdaEntryPoints(): string[] {
  return readdirSync(ENTRYPOINTS_DIR, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(ENTRYPOINTS_DIR, entry.name));
}
