import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify as toYaml } from 'yaml';
import type { KubeApiTestServer } from '../../simulator/kube-api-server';

/** What one run of the command printed, and how it exited. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

const run = promisify(execFile);

/** Runs `cnpg-snapshot-scheduler` as a user does: a process of its own, its exit code and output kept. */
export async function runCliProcess(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliRun> {
  const argv = [join('bin', 'cnpg-snapshot-scheduler.js'), ...args];
  try {
    const { stdout, stderr } = await run(process.execPath, argv, { encoding: 'utf8', ...(env && { env }) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as CliRun;
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** A kubeconfig with one context: the test server, reached with its admin token. */
export function writeKubeconfig(path: string, server: KubeApiTestServer, token: string): void {
  writeFileSync(
    path,
    toYaml({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: server.url, 'certificate-authority-data': server.caData } }],
      users: [{ name: 'sre', user: { token } }],
      contexts: [{ name: 'local', context: { cluster: 'local', user: 'sre' } }],
      'current-context': 'local',
    }),
  );
}
