/**
 * `npm run check-package` (CI): the package as a CDK user gets it. Packs it (`npm pack`, which compiles and
 * prebundles), installs the tarball with aws-cdk-lib and constructs at the versions this repository pins into a
 * scratch app of plain JavaScript (no TypeScript, tsx or esbuild), runs examples/construct-app.js there (the README's
 * example: two SnapshotSchedulers in one stack) and checks that the template holds every function of both, each with
 * the code the package prebundled, that the synth bundled nothing, that esbuild, tsx and the YAML parser are not
 * needed, and that the installed `cnpg-snapshot-scheduler` command runs. Exits non-zero on the first failure.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLE_FILE } from '../lib/lambda-bundle-layout';

const ROOT = join(__dirname, '..');
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  devDependencies: Record<string, string>;
};
const STACK = 'Platform';
const SCHEDULERS = ['DrA', 'DrB'];
/** The prebundled functions only a deployment with DR copies has (lib/snapshot-copies.ts). */
const COPY_ONLY = new Set(['start-snapshot-copies', 'check-snapshot-copies', 'apply-copy-retention']);
const ENV = { CDK_DEFAULT_ACCOUNT: '111111111111', CDK_DEFAULT_REGION: 'eu-west-1' };

interface LambdaFunction {
  Type: string;
  Properties: { Handler?: string; Code?: { S3Key?: string } };
}

const started = Date.now();
const step = (what: string) => console.log(`-- ${what} (${Math.round((Date.now() - started) / 1000)} s)`);

function fail(message: string): never {
  console.error(`check-package: ${message}`);
  process.exit(1);
}

/**
 * Runs a command in `cwd` and returns what it printed; fails the check if it fails. Without this process's
 * NODE_OPTIONS: nothing of the repository's tooling may reach the scratch app.
 */
function run(command: string, args: string[], cwd: string, extraEnv: Record<string, string> = {}): { stdout: string; stderr: string } {
  const { NODE_OPTIONS: _ignored, ...env } = process.env;
  const result = spawnSync(command, args, { cwd, env: { ...env, ...ENV, ...extraEnv }, encoding: 'utf8' });
  if (result.status !== 0)
    fail(`${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}${result.stdout}`);
  return { stdout: result.stdout, stderr: result.stderr };
}

/** What `script` prints when Node runs it in the scratch app. */
const nodeIn = (app: string, script: string) => run(process.execPath, ['-e', script], app).stdout.trim();

const scratch = mkdtempSync(join(tmpdir(), 'cnpg-scheduler-package-'));
try {
  step('npm pack');
  const tarball = join(scratch, run('npm', ['pack', '--silent', '--pack-destination', scratch], ROOT).stdout.trim().split('\n').at(-1)!);
  if (!existsSync(tarball)) fail(`npm pack wrote no ${tarball}`);

  const app = join(scratch, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'scratch-cdk-app', private: true }));
  const peers = ['aws-cdk-lib', 'constructs'].map((name) => `${name}@${PACKAGE.devDependencies[name]!}`);
  step(`npm install the tarball, ${peers.join(', ')}`);
  run('npm', ['install', '--no-audit', '--no-fund', tarball, ...peers], app);
  copyFileSync(join(ROOT, 'examples', 'construct-app.js'), join(app, 'app.js'));

  for (const tool of ['esbuild', 'tsx', 'typescript']) {
    const found = nodeIn(app, `try { console.log(require.resolve('${tool}')) } catch { console.log('absent') }`);
    if (found !== 'absent') fail(`${tool} is installed in the scratch app (${found}): the package must not need it`);
  }
  const yaml = nodeIn(
    app,
    `require('${PACKAGE.name}'); console.log(Object.keys(require.cache).some((m) => m.includes('/node_modules/yaml/')))`,
  );
  if (yaml !== 'false') fail('the library entry loads the YAML parser: config loading belongs to the CLI and the app');

  // The installed command runs the compiled CLI: the package ships no TypeScript, and tsx is not there.
  const help = run(process.execPath, [join(app, 'node_modules', '.bin', 'cnpg-snapshot-scheduler'), '--help'], app).stdout;
  if (!help.startsWith('Usage: cnpg-snapshot-scheduler')) fail(`cnpg-snapshot-scheduler --help printed:\n${help}`);

  step('node app.js');
  // CDK_OUTDIR is where the CDK CLI tells an app to write its assembly; `node app.js` alone would pick a temporary one.
  const synth = run(process.execPath, ['app.js'], app, { CDK_OUTDIR: join(app, 'cdk.out') });
  // CDK announces every asset it bundles ("Bundling asset Platform/DrA/StartBackup/Code/Stage...").
  if (synth.stderr.includes('Bundling asset')) fail(`the synth bundled code itself:\n${synth.stderr}`);
  const templateFile = join(app, 'cdk.out', `${STACK}.template.json`);
  if (!existsSync(templateFile)) fail(`node app.js wrote no ${templateFile}`);
  const template = JSON.parse(readFileSync(templateFile, 'utf8')) as { Resources: Record<string, LambdaFunction> };

  const prebundled = join(app, 'node_modules', PACKAGE.name, 'dist', 'lambda-bundles');
  const bundles = new Map(readdirSync(prebundled).map((name) => [readFileSync(join(prebundled, name, BUNDLE_FILE), 'utf8'), name]));
  const functions = Object.entries(template.Resources).filter(([, resource]) => resource.Type === 'AWS::Lambda::Function');
  const perScheduler = new Map(SCHEDULERS.map((id) => [id, new Set<string>()]));
  for (const [logicalId, fn] of functions) {
    const key = fn.Properties.Code?.S3Key;
    if (!key?.endsWith('.zip')) fail(`${logicalId} has no code asset`);
    const staged = join(app, 'cdk.out', `asset.${key.slice(0, -'.zip'.length)}`, BUNDLE_FILE);
    const bundle = existsSync(staged) ? bundles.get(readFileSync(staged, 'utf8')) : undefined;
    if (bundle === undefined) fail(`${logicalId}'s code (${staged}) is none of the prebundled bundles in ${prebundled}`);
    const scheduler = SCHEDULERS.find((id) => logicalId.startsWith(id));
    if (scheduler === undefined) fail(`${logicalId} belongs to neither scheduler`);
    perScheduler.get(scheduler)!.add(bundle);
  }
  // The example's targets make no DR copies, so its schedulers have every function but the copy workflow's.
  const needed = [...bundles.values()].filter((name) => !COPY_ONLY.has(name));
  for (const [id, used] of perScheduler) {
    const missing = needed.filter((name) => !used.has(name));
    if (missing.length > 0 || used.size !== needed.length)
      fail(
        `${id} uses ${used.size} of the ${needed.length} prebundled functions a scheduler without copies has (missing: ${missing.join(', ')})`,
      );
  }
  console.log(`${functions.length} functions in ${STACK}, each ${SCHEDULERS.join(' and ')}'s ${needed.length} from the prebundled code`);
  step('done');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
