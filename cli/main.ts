import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from './cli-program';
import { kubeconfigOperations } from './kubeconfig-operations';
import { stackOperations } from './stack-operations';

/** The process entry of `cnpg-snapshot-scheduler`. */
void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => new Date(),
  clock: { nowMs: () => performance.now(), sleep: (ms) => sleep(ms) },
  operations: (connection) =>
    connection.kind === 'stack'
      ? stackOperations({ stack: connection.stack, ...(connection.region && { region: connection.region }) })
      : kubeconfigOperations({ path: connection.kubeconfig, ...(connection.context && { context: connection.context }) }),
}).then((code) => {
  process.exitCode = code;
});
