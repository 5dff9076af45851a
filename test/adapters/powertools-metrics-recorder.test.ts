import { Metrics } from '@aws-lambda-powertools/metrics';
import { PowertoolsMetricsRecorder } from '../../lambdas/adapters/powertools-metrics-recorder';

interface EmfLine {
  _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

describe('metrics as CloudWatch embedded metric format', () => {
  const original = { dev: process.env.POWERTOOLS_DEV, disabled: process.env.POWERTOOLS_METRICS_DISABLED };
  // In dev mode Powertools writes through the global console, which the test can read (and must be told to publish).
  beforeAll(() => {
    process.env.POWERTOOLS_DEV = 'true';
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  });
  afterAll(() => {
    for (const [key, value] of [
      ['POWERTOOLS_DEV', original.dev],
      ['POWERTOOLS_METRICS_DISABLED', original.disabled],
    ] as const)
      if (value === undefined) Reflect.deleteProperty(process.env, key);
      else process.env[key] = value;
  });

  test('each point is one EMF line in the scheduler namespace, dimensioned by service only, the target a property, published at once', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
    try {
      const recorder = new PowertoolsMetricsRecorder(
        new Metrics({ namespace: 'CnpgSnapshotScheduler', serviceName: 'cnpg-snapshot-scheduler' }),
      );
      recorder.record(
        [
          { name: 'BackupSucceeded', value: 1, unit: 'Count' },
          { name: 'BackupDurationSeconds', value: 185, unit: 'Seconds' },
        ],
        'hendrix',
      );
      recorder.record([{ name: 'TargetsAudited', value: 1000, unit: 'Count' }]);
    } finally {
      spy.mockRestore();
    }
    const emf = lines.map((line) => JSON.parse(line) as EmfLine);
    expect(emf).toHaveLength(3);
    expect(emf.map((e) => e._aws.CloudWatchMetrics[0]!.Namespace)).toEqual(Array(3).fill('CnpgSnapshotScheduler'));
    // Powertools' service default dimension and nothing else: the number of metrics does not grow with the targets.
    expect(emf.map((e) => e._aws.CloudWatchMetrics[0]!.Dimensions)).toEqual(Array(3).fill([['service']]));
    expect(emf.map((e) => [e.service, e.Target, e._aws.CloudWatchMetrics[0]!.Metrics[0]])).toEqual([
      ['cnpg-snapshot-scheduler', 'hendrix', { Name: 'BackupSucceeded', Unit: 'Count' }],
      ['cnpg-snapshot-scheduler', 'hendrix', { Name: 'BackupDurationSeconds', Unit: 'Seconds' }],
      ['cnpg-snapshot-scheduler', undefined, { Name: 'TargetsAudited', Unit: 'Count' }],
    ]);
    expect(emf.map((e) => [e.BackupSucceeded, e.BackupDurationSeconds])).toEqual([
      [1, undefined],
      [undefined, 185],
      [undefined, undefined],
    ]);
  });

  test('no points, no output', () => {
    const spy = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      new PowertoolsMetricsRecorder(new Metrics({ namespace: 'CnpgSnapshotScheduler' })).record([], 'hendrix');
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});
