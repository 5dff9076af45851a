import { PowertoolsMetricsRecorder } from '../../lambdas/adapters/powertools-metrics-recorder';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

const START = Date.parse('2026-11-02T00:00:00Z');
const HOUR = 3_600_000;
const MINUTE = 60_000;

interface EmfLine {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
  [key: string]: unknown;
}

/** A (namespace, metric, dimension set) as CloudWatch identifies a metric: dimension names and values, sorted. */
const metricKey = (namespace: string, name: string, dimensions: Record<string, string>) =>
  `${namespace} ${name} ${JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => a.localeCompare(b)))}`;

/** Every metric the EMF lines define: each dimension set of each line, with the line's values for those dimensions. */
function emittedMetrics(lines: readonly EmfLine[]): Set<string> {
  const keys = new Set<string>();
  for (const line of lines)
    for (const directive of line._aws.CloudWatchMetrics)
      for (const dimensionSet of directive.Dimensions)
        for (const metric of directive.Metrics)
          keys.add(metricKey(directive.Namespace, metric.Name, Object.fromEntries(dimensionSet.map((d) => [d, String(line[d])]))));
  return keys;
}

type TemplateResource = { Type: string; Properties: Record<string, unknown> };

/** The dashboard body without CloudFormation's joins: tokens (log group names, alarm ARNs) become placeholders. */
function dashboardBody(resource: TemplateResource): { widgets: Array<{ type: string; properties: { metrics?: unknown[][] } }> } {
  const body = resource.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  return JSON.parse(body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'token')).join('')) as never;
}

/** Every metric in our namespace that an alarm or a dashboard widget queries, with where it is queried. */
function queriedMetrics(template: { Resources: Record<string, TemplateResource> }, namespace: string): Map<string, string> {
  const queried = new Map<string, string>();
  const add = (where: string, ns: unknown, name: unknown, dimensions: Array<{ Name: string; Value: unknown }>) => {
    if (ns === namespace)
      queried.set(metricKey(ns, String(name), Object.fromEntries(dimensions.map((d) => [d.Name, String(d.Value)]))), where);
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::CloudWatch::Alarm') {
      const p = resource.Properties as {
        Namespace?: string;
        MetricName?: string;
        Dimensions?: Array<{ Name: string; Value: unknown }>;
        Metrics?: Array<{
          MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions?: Array<{ Name: string; Value: unknown }> } };
        }>;
      };
      if (p.MetricName) add(id, p.Namespace, p.MetricName, p.Dimensions ?? []);
      for (const m of p.Metrics ?? [])
        if (m.MetricStat) add(id, m.MetricStat.Metric.Namespace, m.MetricStat.Metric.MetricName, m.MetricStat.Metric.Dimensions ?? []);
    }
    if (resource.Type === 'AWS::CloudWatch::Dashboard')
      for (const widget of dashboardBody(resource).widgets)
        for (const row of widget.properties.metrics ?? []) {
          // [namespace, metric, dim1, value1, ..., {options}] (CloudWatch dashboard body structure, "metrics" array format).
          const [ns, name, ...rest] = row.filter((cell): cell is string => typeof cell === 'string');
          const dimensions = [];
          for (let i = 0; i + 1 < rest.length; i += 2) dimensions.push({ Name: rest[i]!, Value: rest[i + 1]! });
          add(`dashboard ${id}`, ns, name, dimensions);
        }
  }
  return queried;
}

describe('monitoring end to end', () => {
  test('every metric an alarm or the dashboard queries is one the handlers emit, and every emitted metric is queried', async () => {
    const lines: EmfLine[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const text of String(chunk).split('\n'))
        if (text.startsWith('{') && text.includes('"_aws"')) lines.push(JSON.parse(text) as EmfLine);
        else if (text) write(`${text}\n`);
      return true;
    });
    const local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      targets: [
        HENDRIX,
        { ...HENDRIX, name: 'carlos', cluster: 'carlos' },
        { ...HENDRIX, name: 'sleepy', cluster: 'sleepy' },
        { ...HENDRIX, name: 'busy', cluster: 'busy' },
        // A second target of hendrix whose drills must be ready within a minute: its drill fails on its RTO.
        { ...HENDRIX, name: 'hendrix-hurried', drill: { maxRtoMinutes: 1 } },
      ],
      clusterOptions: { sleepy: { hibernated: true } },
      exportMetrics: new PowertoolsMetricsRecorder(),
    });
    try {
      const slot = new Date(START);
      await local.fireSchedule('backup', 'hendrix', slot);
      local.server.cnpg.configure('demo', 'carlos', { csiError: 'rpc error: code = ResourceExhausted desc = SnapshotLimitExceeded' });
      await local.fireSchedule('backup', 'carlos', slot);
      await local.fireSchedule('backup', 'sleepy', slot);
      // A backup made by hand still finalizing: the slot is skipped.
      local.server.cnpg.configure('demo', 'busy', { finalizingSeconds: 5 * 3600 });
      // Made by a user, not by the scheduler's identity (which the admission policy would refuse).
      local.server.seed({
        apiVersion: 'postgresql.cnpg.io/v1',
        kind: 'Backup',
        metadata: { name: 'busy-by-hand', namespace: 'demo', labels: { 'cnpg.io/cluster': 'busy' } },
        spec: { cluster: { name: 'busy' }, method: 'volumeSnapshot' },
      });
      local.clock.advance(HOUR);
      await local.fireSchedule('backup', 'busy', new Date(START + HOUR));
      await local.requestRestore({ target: 'hendrix', clusterName: 'hendrix-ok' });
      local.server.cnpg.configure('demo', 'hendrix-bad', { restoreFailure: 'job-failed' });
      await local.requestRestore({ target: 'hendrix', clusterName: 'hendrix-bad' });
      await local.fireSchedule('drill', 'hendrix', new Date(START + HOUR));
      await local.fireSchedule('drill', 'hendrix-hurried', new Date(START + 2 * HOUR));
      await local.auditRecoveryPoints();
    } finally {
      spy.mockRestore();
      await local.close();
    }
    const emitted = emittedMetrics(lines);
    const queried = queriedMetrics(local.synthesized.template, 'CnpgSnapshotScheduler');
    expect(lines.length).toBeGreaterThan(0);
    expect([...queried.keys()].filter((key) => !emitted.has(key))).toEqual([]);
    expect([...emitted].filter((key) => !queried.has(key))).toEqual([]);
  });

  test('a target that stops backing up is notified by name within 15 minutes of its RPO running out', async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [HENDRIX] });
    try {
      for (let hour = 0; hour < 3; hour += 1) {
        const slot = new Date(START + hour * HOUR);
        local.clock.advanceTo(slot);
        await local.fireSchedule('backup', 'hendrix', slot);
        await local.runAuditSchedule(new Date(START + (hour + 1) * HOUR));
      }
      expect(local.notifications).toEqual([]);
      const newest = local.events.ofType('Backup Completed').at(-1)!.detail;
      const rpoEnds = Date.parse(newest.stoppedAt as string) + 90 * MINUTE;
      await local.runAuditSchedule(new Date(rpoEnds + 60 * MINUTE));
      expect(local.notifications.map((n) => n.message)).toEqual([
        {
          notification: 'RPO Breached',
          target: 'hendrix',
          eksCluster: 'local-eks',
          namespace: 'demo',
          cluster: 'hendrix',
          detail: expect.objectContaining({ target: 'hendrix', rpoMinutes: 90, newestBackup: newest.backup }),
        },
      ]);
      const notifiedAfter = Date.parse(local.notifications[0]!.at) - rpoEnds;
      expect(notifiedAfter).toBeGreaterThan(0);
      expect(notifiedAfter).toBeLessThanOrEqual(15 * MINUTE);
    } finally {
      await local.close();
    }
  });

  test("a failed backup is notified naming the target, with CNPG's error", async () => {
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [HENDRIX] });
    try {
      local.server.cnpg.configure('demo', 'hendrix', { csiError: 'rpc error: code = ResourceExhausted desc = SnapshotLimitExceeded' });
      await local.fireSchedule('backup', 'hendrix', new Date(START));
      expect(local.notifications.map((n) => n.message)).toEqual([
        expect.objectContaining({
          notification: 'Backup Failed',
          target: 'hendrix',
          detail: expect.objectContaining({ error: expect.stringContaining('SnapshotLimitExceeded') }),
        }),
      ]);
    } finally {
      await local.close();
    }
  });

  test('an RPO of 30 days is held to: quiet on day 29, notified by name once it has passed', async () => {
    const monthly = { ...HENDRIX, name: 'archive', cluster: 'archive', rpoMinutes: 43_200 };
    const local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [monthly] });
    try {
      await local.fireSchedule('backup', 'archive', new Date(START));
      const completedAt = Date.parse(local.events.ofType('Backup Completed')[0]!.detail.stoppedAt as string);
      local.clock.advanceTo(new Date(completedAt + 29 * 24 * HOUR));
      await local.auditRecoveryPoints();
      expect(local.notifications).toEqual([]);
      local.clock.advanceTo(new Date(completedAt + 30 * 24 * HOUR + 5 * MINUTE));
      await local.auditRecoveryPoints();
      expect(local.notifications.map((n) => n.message)).toEqual([
        expect.objectContaining({ notification: 'RPO Breached', target: 'archive' }),
      ]);
    } finally {
      await local.close();
    }
  });
});
