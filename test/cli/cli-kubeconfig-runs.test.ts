import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { Backup, Cluster, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';
import { runCliProcess, writeKubeconfig, type CliRun } from './cli-as-process';

/**
 * `backup` and `restore` in kubeconfig mode, run as a user runs them: a process, a kubeconfig pointing at the
 * Kubernetes API test server, no AWS. The CLI polls in real time and keeps the cluster's time (the API server's Date
 * header); here every request the server receives moves the virtual clock by STEP_MS, so each look of the CLI finds
 * the simulated CNPG further on, however fast or slow the machine is.
 */
const START = new Date('2026-11-02T00:00:00Z');
const STEP_MS = 10_000;
const ADMIN_TOKEN = 'cli-runs-admin-token';

let local: LocalScheduler;
let clock: VirtualClock;
let dir: string;
let firstBackup: string;

function cli(...args: string[]): Promise<CliRun> {
  return runCliProcess([...args, '--config', join(dir, 'config.yaml'), '--kubeconfig', join(dir, 'kubeconfig')]);
}

const backups = () => local.server.objects<Backup>('backups', 'demo');
const clusters = () => local.server.objects<Cluster>('clusters', 'demo');

beforeAll(async () => {
  clock = new VirtualClock(START);
  local = await LocalScheduler.start({ clock, targets: [HENDRIX], adminToken: ADMIN_TOKEN });
  await local.fireSchedule('backup', 'hendrix', START);
  firstBackup = backups()[0]!.metadata.name;
  clock.advance(10 * 60_000);
  dir = mkdtempSync(join(tmpdir(), 'cli-runs-'));
  writeFileSync(join(dir, 'config.yaml'), toYaml({ targets: [HENDRIX] }));
  writeKubeconfig(join(dir, 'kubeconfig'), local.server, ADMIN_TOKEN);
  local.server.onRequest(() => clock.advance(STEP_MS));
});

afterAll(async () => {
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cnpg-snapshot-scheduler backup and restore with a kubeconfig', () => {
  test('backup --wait creates the Backup, prints its phases, and exits 0 once CNPG completed it and its snapshots are marked', async () => {
    const before = new Set(backups().map((b) => b.metadata.name));
    const { code, stdout, stderr } = await cli('backup', 'hendrix', '--wait', '--interval', '0.05');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const created = backups().find((b) => !before.has(b.metadata.name))!;
    expect(created.status?.phase).toBe('completed');
    expect(stdout).toContain(`Backup demo/${created.metadata.name} of target hendrix created`);
    expect(stdout).toMatch(/^ +\d+(s|m\d{2}s) +(pending|started|running|finalizing)$/m);
    expect(stdout).toMatch(new RegExp(`Backup demo/${created.metadata.name} completed in \\d+ s \\(2 snapshots`));
    // What CheckBackup does on completion, in the CLI as in the workflow: the snapshots carry the target's marks.
    const snapshots = local.server
      .objects<VolumeSnapshot>('volumesnapshots', 'demo')
      .filter((s) => s.metadata.labels?.['cnpg.io/backupName'] === created.metadata.name);
    expect(snapshots).toHaveLength(2);
    for (const snapshot of snapshots) expect(snapshot.metadata.labels).toMatchObject({ 'cnpg-snapshot-scheduler/target': 'hendrix' });
  });

  test('backup without --wait says how to follow it; a second one while it runs is refused with the reason, exit 1', async () => {
    const started = await cli('backup', 'hendrix');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/Backup demo\/hendrix-\d{14} of target hendrix created/);
    expect(started.stdout).toContain('Follow it with: kubectl -n demo get backups.postgresql.cnpg.io hendrix-');
    const count = backups().length;

    const refused = await cli('backup', 'hendrix');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/of the cluster is still \w+; CNPG runs one backup per cluster, so this slot takes none/);
    expect(refused.stderr).toContain('Wait for it to end');
    expect(backups()).toHaveLength(count);
  });

  test('backup --wait gives up at --timeout with exit 3 while the backup goes on', async () => {
    // The backup left running by the test before ends first (CNPG takes one at a time); the next one finalizes for a month.
    clock.advance(3600_000);
    expect(backups().every((b) => b.status?.phase === 'completed')).toBe(true);
    local.server.cnpg.configure('demo', 'hendrix', { finalizingSeconds: 30 * 86_400 });
    const { code, stderr } = await cli('backup', 'hendrix', '--wait', '--interval', '0.05', '--timeout', '1s');
    local.server.cnpg.configure('demo', 'hendrix', { finalizingSeconds: 120 });
    expect(stderr).toMatch(/^error: still \w+ after \d+s; it goes on\. Follow it with: kubectl/);
    expect(code).toBe(3);
  });

  test('restore --dry-run answers the backup it would restore and creates nothing', async () => {
    const before = clusters().length;
    const { code, stdout, stderr } = await cli(
      'restore',
      'hendrix',
      '--backup',
      firstBackup,
      '--cluster-name',
      'hendrix-copy',
      '--dry-run',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Would restore cluster demo/hendrix-copy from backup ${firstBackup}`);
    expect(stdout).toContain('Dry run: nothing was started or changed');
    expect(clusters()).toHaveLength(before);
  });

  test('restore --backup --wait creates the Cluster from that backup and prints the RTO once it is ready', async () => {
    const { code, stdout, stderr } = await cli(
      'restore',
      'hendrix',
      '--backup',
      firstBackup,
      '--cluster-name',
      'hendrix-copy',
      '--wait',
      '--interval',
      '0.05',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Restore started: cluster demo/hendrix-copy from backup ${firstBackup}`);
    expect(stdout).toContain('applications connect with Secret hendrix-copy-app');
    expect(stdout).toContain('Cluster demo/hendrix-copy is ready');
    const restored = clusters().find((c) => c.metadata.name === 'hendrix-copy')!;
    expect(restored.status?.phase).toBe('Cluster in healthy state');
    expect(restored.spec.bootstrap?.recovery?.volumeSnapshots?.storage.name).toContain(firstBackup);
    const readyAt = Date.parse(restored.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime);
    const rto = Math.round((readyAt - Date.parse(restored.metadata.creationTimestamp!)) / 1000);
    expect(stdout).toContain(`RTO ${rto} s (the new cluster's creation to Ready)`);
  });

  test('a refused restore exits 1 with the reason, names the field and its option, and creates nothing', async () => {
    const before = clusters().length;
    const unknown = await cli('restore', 'hendrix', '--backup', 'hendrix-19990101000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Backup hendrix-19990101000000 does not exist');
    expect(unknown.stderr).toContain('cnpg-snapshot-scheduler backups hendrix');

    const sameName = await cli('restore', 'hendrix', '--cluster-name', 'hendrix');
    expect(sameName.code).toBe(1);
    expect(sameName.stderr).toContain('clusterName: must differ from the source cluster hendrix');
    expect(sameName.stderr).toContain('clusterName is --cluster-name');

    const taken = await cli(
      'restore',
      'hendrix',
      '--backup',
      firstBackup,
      '--cluster-name',
      'hendrix-copy',
      '--before',
      START.toISOString(),
    );
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('before: cannot be combined with a backup name');

    const elsewhere = await cli('restore', 'hendrix', '--to-namespace', 'other');
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain("--to-namespace other: in kubeconfig mode a restore goes into the source's namespace (demo)");
    const otherEks = await cli('restore', 'hendrix', '--to-eks-cluster', 'dr-eks');
    expect(otherEks.code).toBe(1);
    expect(otherEks.stderr).toContain('--to-eks-cluster dr-eks: in kubeconfig mode a restore goes into the cluster the kubeconfig reaches');
    expect(clusters()).toHaveLength(before);
  });

  test('drill needs a deployed scheduler: in kubeconfig mode it says so, exit 1', async () => {
    const { code, stderr } = await cli('drill', 'hendrix');
    expect(code).toBe(1);
    expect(stderr).toContain('drill runs only against a deployed stack (--stack <name>)');
  });
});
