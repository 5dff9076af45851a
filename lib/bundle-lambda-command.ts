/**
 * `node --import tsx lib/bundle-lambda-command.ts <entry> <outdir> <sourceMap: true|false>`: the command the CDK
 * stack runs to bundle one Lambda (CDK's local bundling is synchronous, esbuild plugins are not).
 */
import { buildLambdaBundle } from './lambda-bundle';

const [entry, outdir, sourceMap] = process.argv.slice(2);
if (!entry || !outdir || (sourceMap !== 'true' && sourceMap !== 'false')) {
  console.error('usage: bundle-lambda-command.ts <entry> <outdir> <true|false>');
  process.exit(2);
}
buildLambdaBundle(entry, outdir, { sourceMap: sourceMap === 'true' }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
