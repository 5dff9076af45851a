import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';
import { runCliProcess, writeKubeconfig, type CliRun } from './cli-as-process';

/**
 * The CLI as a user runs it: a separate process (`bin/cnpg-snapshot-scheduler.js`), a kubeconfig pointing at the
 * Kubernetes API test server, and the deployment config; the cluster holds a day of backups taken by the workflows.
 */
const START = new Date('2026-11-02T00:00:00Z');
const HOUR = 3_600_000;
const ADMIN_TOKEN = 'cli-admin-token';
const TARGET = { ...HENDRIX, retention: { keepWithin: '6h', minKeep: 3, daily: 2 } };

let local: LocalScheduler;
let dir: string;
let clock: VirtualClock;

function cli(...args: string[]): Promise<CliRun> {
  return runCliProcess(args);
}

const later = () => new Date(clock.nowMs() + 24 * HOUR).toISOString();

async function backupsAt(at: string) {
  const { stdout } = await cli('backups', 'hendrix', '-o', 'json', ...common(), '--at', at);
  return JSON.parse(stdout) as Array<{ name: string; phase: string; retention: string; rule: string; sizeBytes?: number }>;
}

const common = () => ['--config', join(dir, 'config.yaml'), '--kubeconfig', join(dir, 'kubeconfig'), '--at', clock.now().toISOString()];

beforeAll(async () => {
  clock = new VirtualClock(START);
  local = await LocalScheduler.start({ clock, targets: [TARGET], adminToken: ADMIN_TOKEN });
  for (let hour = 0; hour <= 30; hour += 1) {
    const slot = new Date(START.getTime() + hour * HOUR);
    clock.advanceTo(slot);
    await local.fireSchedule('backup', 'hendrix', slot);
  }
  clock.advance(20 * 60_000);
  dir = mkdtempSync(join(tmpdir(), 'cli-'));
  writeFileSync(join(dir, 'config.yaml'), toYaml({ targets: [TARGET] }));
  writeKubeconfig(join(dir, 'kubeconfig'), local.server, ADMIN_TOKEN);
});

afterAll(async () => {
  await local.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('cnpg-snapshot-scheduler, run as a process against a cluster', () => {
  test('status: one kubectl-style line per target, with the last backup, its age against the RPO and the state; no last drill (a deployed feature)', async () => {
    const { code, stdout, stderr } = await cli('status', ...common());
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const [header, line] = stdout.trimEnd().split('\n');
    expect(header).toMatch(/^TARGET\s+CLUSTER\s+LAST BACKUP\s+AGE\s+RPO\s+NEXT SLOT\s+KEPT\s+LAST DRILL\s+STATE$/);
    expect(line).toMatch(
      /^hendrix\s+local-eks\/demo\/hendrix\s+hendrix-20261103060000\s+\d+m\s+1h30m\s+2026-11-03T07:00:00Z\s+\d+\s+-\s+ok$/,
    );
  });

  test('status -o json prints the same facts as data', async () => {
    const { stdout } = await cli('status', '-o', 'json', ...common());
    expect(JSON.parse(stdout)).toEqual([
      expect.objectContaining({ target: 'hendrix', lastBackup: 'hendrix-20261103060000', rpoMinutes: 90, state: 'ok', drills: 'unknown' }),
    ]);
  });

  test('status a day later: the same backups are late against the RPO', async () => {
    const { stdout } = await cli('status', '-o', 'json', ...common(), '--at', later());
    const [status] = JSON.parse(stdout) as Array<{ state: string; ageMinutes: number; lastCompletedAt: string }>;
    expect(status).toMatchObject({ state: 'late', lastCompletedAt: '2026-11-03T06:03:05Z' });
    expect(status!.ageMinutes).toBe(Math.floor((Date.parse(later()) - Date.parse(status!.lastCompletedAt)) / 60_000));
  });

  test('backups: every backup with phase, size, and the rule that keeps or deletes it', async () => {
    const { stdout } = await cli('backups', 'hendrix', '-o', 'yaml', ...common());
    expect(stdout).toContain('name: hendrix-20261103060000');
    const rows = await backupsAt(later());
    expect(rows).toHaveLength(local.server.objects('backups', 'demo').length);
    expect(rows.every((r) => r.phase === 'completed' && (r.sizeBytes ?? 0) > 0)).toBe(true);
    expect(rows.find((r) => r.name === 'hendrix-20261103060000')?.rule).toBe('newest-completed');
    expect(rows.filter((r) => r.rule === 'expired').every((r) => r.retention === 'delete')).toBe(true);
    expect(rows.some((r) => r.rule === 'expired')).toBe(true);
    expect(rows.some((r) => r.rule === 'daily-tier')).toBe(true);
  });

  test('plan --format svg draws the plan that the dry run computed, backup by backup', async () => {
    const out = join(dir, 'plan.svg');
    const { code, stdout } = await cli('plan', 'hendrix', '--format', 'svg', '--out', out, ...common(), '--at', later());
    expect(code).toBe(0);
    expect(stdout).toContain(`wrote ${out}`);
    const svg = readFileSync(out, 'utf8');
    const rows = await backupsAt(later());
    expect(svg.match(/data-backup=/g)).toHaveLength(rows.length);
    for (const row of rows) expect(svg).toContain(`data-backup="${row.name}" data-rule="${row.rule}"`);
  });

  test('plan changes nothing in the cluster', async () => {
    const before = local.server.objects('backups', 'demo').length;
    await cli('plan', 'hendrix', ...common());
    expect(local.server.objects('backups', 'demo')).toHaveLength(before);
  });

  test('an unknown target exits 1 and names the targets there are', async () => {
    const { code, stderr } = await cli('backups', 'nope', ...common());
    expect(code).toBe(1);
    expect(stderr).toContain('Unknown target "nope". The targets of');
    expect(stderr).toContain('are: hendrix.');
  });

  test('without a config or kubeconfig it says which flag to pass; a bad flag value is a usage error', async () => {
    const noConfig = await cli('status');
    expect(noConfig.code).toBe(1);
    expect(noConfig.stderr).toContain('Pass --config <file>');
    const noKubeconfig = await cli('status', '--config', join(dir, 'config.yaml'));
    expect(noKubeconfig.stderr).toContain('Pass --stack <name> [--region <region>] for a deployed stack, or --kubeconfig <file>');
    const badTime = await cli('status', ...common().slice(0, 4), '--at', 'yesterday');
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('must be an ISO 8601 time with a zone');
  });
});
