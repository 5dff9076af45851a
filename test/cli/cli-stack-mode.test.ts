import type { Backup, Cluster } from '../../lambdas/domain/kube-objects';
import { formatMinutes } from '../../cli/target-report';
import { HENDRIX, type LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';
import type { CliRun } from './cli-as-process';
import { STACK, startStackModeCli, type StackModeCli } from './stack-mode-cli';

/**
 * The CLI against a deployed stack, as an SRE with AWS permissions only runs it: a process whose AWS SDK reaches
 * local stand-ins for CloudFormation (the stack's outputs), Step Functions and Lambda, which run the synthesized
 * workflows and the handlers on the local runner and the Kubernetes API test server. The stand-in lets an execution
 * on by one Wait state per DescribeExecution, so the CLI's real-time polling sees it progress at any machine speed.
 * The recovery point ledger is the production DynamoDB adapter on the DynamoDB stand-in, on both sides: the drill
 * workflow's events write it, the CLI's status reads it.
 */
const START = new Date('2026-11-02T00:00:00Z');
/** A second target of the same cluster (so with the same backups), whose drills are turned off. */
const UNDRILLED = { ...HENDRIX, name: 'hendrix-undrilled', drill: { enabled: false } };

let stackMode: StackModeCli;
let local: LocalScheduler;
let clock: VirtualClock;
let firstBackup: string;

const cli = (...args: string[]): Promise<CliRun> => stackMode.cli(...args);
const backups = () => local.server.objects<Backup>('backups', 'demo');
const clusters = () => local.server.objects<Cluster>('clusters', 'demo');

beforeAll(async () => {
  clock = new VirtualClock(START);
  stackMode = await startStackModeCli({
    clock,
    targets: [HENDRIX, UNDRILLED],
    history: async (scheduler) => {
      await scheduler.fireSchedule('backup', 'hendrix', START);
      firstBackup = scheduler.server.objects<Backup>('backups', 'demo')[0]!.metadata.name;
      clock.advance(10 * 60_000);
    },
  });
  local = stackMode.local;
});

afterAll(() => stackMode.close());

describe('cnpg-snapshot-scheduler --stack: the deployed workflows and functions, found by the stack outputs', () => {
  test('status and backups come from the ApplyRetention function dry run', async () => {
    const status = await cli('status', '--stack', STACK, '-o', 'json', '--at', clock.now().toISOString());
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual([
      expect.objectContaining({ target: 'hendrix', lastBackup: firstBackup, state: 'ok' }),
      expect.objectContaining({ target: 'hendrix-undrilled', lastBackup: firstBackup, drills: 'off' }),
    ]);
    const rows = await cli('backups', 'hendrix', '--stack', STACK, '-o', 'json');
    expect(JSON.parse(rows.stdout)).toEqual([expect.objectContaining({ name: firstBackup, phase: 'completed', retention: 'keep' })]);
  });

  test('backup --wait starts the backup workflow, prints its states, and exits 0 once the Backup completed', async () => {
    const before = new Set(backups().map((b) => b.metadata.name));
    const { code, stdout, stderr } = await cli('backup', 'hendrix', '--stack', STACK, '--wait', '--interval', '0.05');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Backup of target hendrix started: execution arn:aws:states:.*:execution:/);
    expect(stdout).toMatch(/^ +\d+s +WaitForBackup$/m);
    const created = backups().find((b) => !before.has(b.metadata.name))!;
    expect(created.status?.phase).toBe('completed');
    expect(stdout).toMatch(new RegExp(`Backup demo/${created.metadata.name} completed in \\d+ s \\(2 snapshots`));
  });

  test('a backup that fails exits 1 with the execution error and CNPG cause', async () => {
    local.server.cnpg.configure('demo', 'hendrix', { csiError: 'SnapshotQuotaExceeded: too many snapshots' });
    clock.advance(3600_000);
    const { code, stderr } = await cli('backup', 'hendrix', '--stack', STACK, '--wait', '--interval', '0.05');
    local.server.cnpg.configure('demo', 'hendrix', { csiError: undefined });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: execution failed in BackupFailed: BackupFailed: .*SnapshotQuotaExceeded: too many snapshots/);
  });

  test('restore --wait invokes RequestRestore, follows the restore workflow it started and prints the RTO', async () => {
    const { code, stdout, stderr } = await cli(
      'restore',
      'hendrix',
      '--stack',
      STACK,
      '--backup',
      firstBackup,
      '--cluster-name',
      'hendrix-aws',
      '--wait',
      '--interval',
      '0.05',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Restore started: cluster demo/hendrix-aws from backup ${firstBackup}`);
    const restored = clusters().find((c) => c.metadata.name === 'hendrix-aws')!;
    expect(restored.status?.phase).toBe('Cluster in healthy state');
    const readyAt = Date.parse(restored.status!.conditions!.find((c) => c.type === 'Ready')!.lastTransitionTime);
    const rto = Math.round((readyAt - Date.parse(restored.metadata.creationTimestamp!)) / 1000);
    expect(stdout).toContain('Cluster demo/hendrix-aws is ready');
    expect(stdout).toContain(`RTO ${rto} s (the new cluster's creation to Ready)`);
  });

  test('a refused restore exits 1 with the function error, naming the field and its option, and changes nothing', async () => {
    const before = clusters().length;
    const unknown = await cli('restore', 'hendrix', '--stack', STACK, '--backup', 'hendrix-19990101000000');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Backup hendrix-19990101000000 does not exist');
    const sameName = await cli('restore', 'hendrix', '--stack', STACK, '--cluster-name', 'hendrix');
    expect(sameName.code).toBe(1);
    expect(sameName.stderr).toContain('clusterName: must differ from the source cluster hendrix');
    expect(sameName.stderr).toContain('clusterName is --cluster-name');
    const elsewhere = await cli('restore', 'hendrix', '--stack', STACK, '--to-namespace', 'elsewhere');
    expect(elsewhere.code).toBe(1);
    expect(elsewhere.stderr).toContain('toNamespace: "elsewhere" is no namespace of this deployment');
    expect(elsewhere.stderr).toContain('toNamespace is --to-namespace');
    expect(clusters()).toHaveLength(before);
  });

  test('status before any drill: the last drill is never (drills on) or off (drills off in the spec)', async () => {
    const { code, stdout, stderr } = await cli('status', '--stack', STACK, '--at', clock.now().toISOString());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [header, ...lines] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/\s+KEPT\s+LAST DRILL\s+STATE$/);
    // The state is about backups: the newest finished one failed (the test above).
    expect(lines[0]).toMatch(/^hendrix\s.*\s+never\s+failing$/);
    expect(lines[1]).toMatch(/^hendrix-undrilled\s.*\s+off\s+failing$/);
  });

  test('drill --wait runs the drill workflow to its verdict and prints the drill RTO; the drill cluster is gone', async () => {
    const { code, stdout, stderr } = await cli('drill', 'hendrix', '--stack', STACK, '--wait', '--interval', '0.05');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Drill passed: cluster hendrix-drill-\d{14} was restored, verified and torn down/);
    expect(stdout).toMatch(/RTO \d+ s/);
    expect(clusters().some((c) => c.metadata.name.startsWith('hendrix-drill-'))).toBe(false);

    // status then reads that drill back from the ledger's DynamoDB table, through the same adapter.
    const execution = /execution (arn:aws:states:\S+)/.exec(stdout)![1]!;
    clock.advance(3 * 3600_000 + 25 * 60_000);
    const at = clock.now().toISOString();
    const json = await cli('status', '--stack', STACK, '-o', 'json', '--at', at);
    expect(json.stderr).toBe('');
    const [hendrix] = JSON.parse(json.stdout) as Array<{
      lastDrill: { execution: string; completedAt: string };
      lastDrillAgeMinutes: number;
    }>;
    expect(execution.endsWith(`:${hendrix!.lastDrill.execution}`)).toBe(true);
    const minutes = Math.floor((Date.parse(at) - Date.parse(hendrix!.lastDrill.completedAt)) / 60_000);
    expect(hendrix!.lastDrillAgeMinutes).toBe(minutes);
    const table = await cli('status', '--stack', STACK, '--at', at);
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`^hendrix\\s.*\\s${formatMinutes(minutes)}\\s+failing$`));
  });

  test('an unknown stack exits 1 and says what to check', async () => {
    const { code, stderr } = await cli('status', '--stack', 'Nope');
    expect(code).toBe(1);
    expect(stderr).toContain('Stack with id Nope does not exist');
    expect(stderr).toContain('Check --stack');
  });
});
