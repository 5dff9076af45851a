import { build, type Metafile, type Plugin } from 'esbuild';
import { join, sep } from 'node:path';
import { BUNDLE_MODULE, entryPointName } from './lambda-bundle-layout';

/**
 * How every Lambda is bundled: one minified ESM file per entry point, for the Node.js 24 runtime, with the AWS SDK
 * at the versions the project pins (nothing is taken from the runtime). The CDK stack's synth-time bundling, the
 * package's prebundled code, the bundle tests and the bench all build with these options, so what they measure is
 * what is deployed.
 */

export interface LambdaBundleOptions {
  /** Writes `index.mjs.map` and links it from the bundle (read only when Node runs with --enable-source-maps). */
  sourceMap: boolean;
}

const CLIENT_NODE_GEN = `${sep}@kubernetes${sep}client-node${sep}dist${sep}gen${sep}`;
const PURE = Symbol('resolved by client-node-models-are-pure');

/**
 * @kubernetes/client-node's generated models set static fields after each class (`V1Pod.discriminator = undefined`),
 * which esbuild must treat as side effects, so importing KubeConfig alone would bundle all ~760 models (about
 * 300 KB). Those assignments touch only the model's own class: declaring the models free of side effects lets
 * esbuild keep just the ones the bundle uses (none, for the scheduler, which parses responses itself).
 */
export const clientNodeModelsArePure: Plugin = {
  name: 'client-node-models-are-pure',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData === PURE || !args.importer.includes(CLIENT_NODE_GEN)) return undefined;
      const resolved = await esbuild.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: PURE,
      });
      if (resolved.errors.length > 0 || !resolved.path.includes(`${CLIENT_NODE_GEN}models${sep}`)) return undefined;
      return { path: resolved.path, sideEffects: false };
    });
  },
};

/** Bundles `entry` into `outdir/index.mjs`; returns esbuild's metafile (what each input contributes). */
export async function buildLambdaBundle(entry: string, outdir: string, options: LambdaBundleOptions): Promise<Metafile> {
  return bundle({ [BUNDLE_MODULE]: entry }, outdir, options);
}

/**
 * Bundles each entry point into `outdir/<entry point name>/index.mjs` in one esbuild run, which reads the modules the
 * functions share once (four times faster than one run per function); each bundle is byte for byte what
 * buildLambdaBundle makes of its entry point. Returns the run's metafile, whose `outputs` name each bundle.
 */
export async function buildLambdaBundles(entries: readonly string[], outdir: string, options: LambdaBundleOptions): Promise<Metafile> {
  return bundle(Object.fromEntries(entries.map((entry) => [join(entryPointName(entry), BUNDLE_MODULE), entry])), outdir, options);
}

/** esbuild's `entryPoints` by output name (`start-backup/index`), written under `outdir` as `<name>.mjs`. */
async function bundle(entryPoints: Record<string, string>, outdir: string, options: LambdaBundleOptions): Promise<Metafile> {
  const result = await build({
    entryPoints,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    mainFields: ['module', 'main'],
    sourcemap: options.sourceMap ? 'linked' : false,
    // Packages written as CommonJS call require(); an ESM bundle has to provide it.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    plugins: [clientNodeModelsArePure],
    metafile: true,
    logLevel: 'warning',
  });
  return result.metafile;
}
