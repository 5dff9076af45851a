import fc from 'fast-check';
import { InvalidInputError } from '../../lambdas/errors';
import { parseRestoreRequest } from '../../lambdas/domain/restore-request';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';

const now = new Date('2026-11-25T03:00:00Z');
const targets = [
  TargetSpecSchema.parse({ name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' }),
  TargetSpecSchema.parse({ name: 'jimi', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'jimi' }),
];
const parse = (payload: unknown, at = now) => parseRestoreRequest(payload, { targets, now: at });

function rejection(payload: unknown): InvalidInputError {
  try {
    parse(payload);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(payload)}`);
}

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

describe('a restore request', () => {
  test('needs only a target: the latest backup, one instance, a dated cluster name, two hours to get ready', () => {
    expect(parse({ target: 'hendrix' })).toEqual({
      source: { target: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix', auth: { kind: 'eks' } },
      backupSelector: { kind: 'latest' },
      clusterName: 'hendrix-restore-20261125030000',
      instances: 1,
      replica: false,
      dryRun: false,
      timeoutMinutes: 120,
      requestId: expect.stringMatching(/^[0-9a-f]{16}$/),
      requestedAt: now,
    });
  });

  test('accepts an unconfigured cluster by its coordinates', () => {
    expect(parse({ target: { eksCluster: 'dr-eks', namespace: 'db', cluster: 'jimi' } }).source).toEqual({
      target: 'db/jimi',
      eksCluster: 'dr-eks',
      namespace: 'db',
      cluster: 'jimi',
      auth: { kind: 'eks' },
    });
  });

  test('"latest" is the same as no backup at all', () => {
    expect(parse({ target: 'hendrix', backup: 'latest' }).backupSelector).toEqual({ kind: 'latest' });
  });

  test('a backup name selects exactly that backup', () => {
    expect(parse({ target: 'hendrix', backup: 'hendrix-20261124030000' }).backupSelector).toEqual({
      kind: 'named',
      name: 'hendrix-20261124030000',
    });
  });

  test('before selects the latest backup that ended by then, whatever zone the time is written in', () => {
    expect(parse({ target: 'hendrix', before: '2026-11-24T02:00:00+01:00' }).backupSelector).toEqual({
      kind: 'before',
      time: new Date('2026-11-24T01:00:00Z'),
    });
  });

  test('a point in time is carried as an instant', () => {
    expect(parse({ target: 'hendrix', pointInTime: '2026-11-24T02:17:00.250Z' }).pointInTime).toEqual(new Date('2026-11-24T02:17:00.250Z'));
  });

  test('a point in time now is not in the future', () => {
    expect(parse({ target: 'hendrix', pointInTime: now.toISOString() }).pointInTime).toEqual(now);
  });

  test('takes the cluster name, instances, replica, dry run and timeout as given', () => {
    expect(
      parse({ target: 'hendrix', clusterName: 'hendrix-dr', instances: 3, replica: true, dryRun: true, timeoutMinutes: 30 }),
    ).toMatchObject({ clusterName: 'hendrix-dr', instances: 3, replica: true, dryRun: true, timeoutMinutes: 30 });
  });

  test('a long source name is cut so the default restored name stays within 50 characters', () => {
    const long = [
      TargetSpecSchema.parse({ name: 'long', eksCluster: 'e', namespace: 'demo', cluster: `${'a'.repeat(26)}-${'b'.repeat(20)}` }),
    ];
    const name = parseRestoreRequest({ target: 'long' }, { targets: long, now }).clusterName;
    expect(name).toBe(`${'a'.repeat(26)}-restore-20261125030000`);
  });

  describe('its id', () => {
    test('is the caller’s requestId when given', () => {
      expect(parse({ target: 'hendrix', requestId: 'INC-4711.retry_1' }).requestId).toBe('INC-4711.retry_1');
    });

    test('is the same when the same request is made again later, so a retry is recognised', () => {
      const payload = { target: 'hendrix', clusterName: 'hendrix-dr', pointInTime: '2026-11-24T02:17:00Z' };
      expect(parse(payload, new Date(now.getTime() + 60_000)).requestId).toBe(parse(payload).requestId);
    });

    test('does not depend on how the request is spelled: defaults, target name or coordinates, time zone', () => {
      const base = parse({ target: 'hendrix', before: '2026-11-24T02:00:00Z' }).requestId;
      expect(
        parse({ target: 'hendrix', backup: 'latest', instances: 1, replica: false, before: '2026-11-24T03:00:00+01:00' }).requestId,
      ).toBe(base);
      expect(
        parse({ target: { eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' }, before: '2026-11-24T02:00:00Z' }).requestId,
      ).toBe(base);
    });

    test('ignores dry run and timeout: a dry run followed by the real request is one request', () => {
      expect(parse({ target: 'hendrix', dryRun: true, timeoutMinutes: 30 }).requestId).toBe(parse({ target: 'hendrix' }).requestId);
    });

    test('differs for every difference in what is restored', () => {
      const variants = [
        { target: 'hendrix' },
        { target: 'jimi' },
        { target: { eksCluster: 'dr-eks', namespace: 'demo', cluster: 'hendrix' } },
        { target: 'hendrix', backup: 'hendrix-20261124030000' },
        { target: 'hendrix', before: '2026-11-24T02:00:00Z' },
        { target: 'hendrix', pointInTime: '2026-11-24T02:00:00Z' },
        { target: 'hendrix', clusterName: 'hendrix-dr' },
        { target: 'hendrix', instances: 2 },
        { target: 'hendrix', replica: true },
      ];
      expect(new Set(variants.map((payload) => parse(payload).requestId)).size).toBe(variants.length);
    });

    test('is always a valid label value', () => {
      fc.assert(
        fc.property(
          fc.record(
            {
              backup: fc.constantFrom('latest', 'hendrix-20261124030000'),
              pointInTime: fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: now, noInvalidDate: true }).map((d) => d.toISOString()),
              instances: fc.integer({ min: 1, max: 10 }),
              clusterName: fc.stringMatching(/^[a-z][a-z0-9-]{0,40}[a-z0-9]$/).filter((name) => name !== 'hendrix'),
            },
            { requiredKeys: [] },
          ),
          (fields) => {
            expect(parse({ target: 'hendrix', ...fields }).requestId).toMatch(LABEL_VALUE);
          },
        ),
      );
    });
  });

  test.each([
    [{}, 'target: required: the name of a configured target, or { eksCluster, namespace, cluster }'],
    [{ target: '' }, 'target: must be the name of a configured target, or { eksCluster, namespace, cluster }'],
    [{ target: 42 }, 'target: must be the name of a configured target, or { eksCluster, namespace, cluster }'],
    [{ target: 'nobody' }, 'target: no configured target is named "nobody" (configured: hendrix, jimi)'],
    [{ target: { eksCluster: 'dr-eks', namespace: 'demo' } }, 'target.cluster: required: the name of the CNPG Cluster'],
    [
      { target: { eksCluster: 'dr eks', namespace: 'demo', cluster: 'jimi' } },
      'target.eksCluster: must be an EKS cluster name: letters, digits, "-" and "_", at most 100',
    ],
    [
      { target: { eksCluster: 'dr-eks', namespace: 'Demo', cluster: 'jimi' } },
      'target.namespace: must be a lowercase RFC 1123 label: at most 63 characters, a-z, 0-9 and "-", starting and ending with a letter or digit',
    ],
    [{ target: { eksCluster: 'dr-eks', namespace: 'demo', cluster: 'jimi', region: 'eu-west-1' } }, 'target: Unrecognized key: "region"'],
    [{ target: 'hendrix', backup: 'Hendrix_1' }, 'backup: must be "latest" or the name of a Backup'],
    [{ target: 'hendrix', backup: 7 }, 'backup: must be "latest" or the name of a Backup'],
    [{ target: 'hendrix', before: '2026-11-24T02:00:00' }, 'before: must be an ISO 8601 time with a zone, e.g. 2026-11-25T05:00:00Z'],
    [{ target: 'hendrix', before: '24.11.2026 02:00' }, 'before: must be an ISO 8601 time with a zone, e.g. 2026-11-25T05:00:00Z'],
    [{ target: 'hendrix', pointInTime: 'yesterday' }, 'pointInTime: must be an ISO 8601 time with a zone, e.g. 2026-11-25T05:00:00Z'],
    [{ target: 'hendrix', pointInTime: 1764039600000 }, 'pointInTime: must be an ISO 8601 time with a zone, e.g. 2026-11-25T05:00:00Z'],
    [
      { target: 'hendrix', pointInTime: '2026-11-25T03:00:01Z' },
      'pointInTime: 2026-11-25T03:00:01Z is in the future (now is 2026-11-25T03:00:00.000Z)',
    ],
    [
      { target: 'hendrix', before: '2027-01-01T00:00:00Z' },
      'before: 2027-01-01T00:00:00Z is in the future (now is 2026-11-25T03:00:00.000Z)',
    ],
    [
      { target: 'hendrix', backup: 'hendrix-1', before: '2026-11-24T02:00:00Z' },
      'before: cannot be combined with a backup name: give one or the other',
    ],
    [
      { target: 'hendrix', before: '2026-11-24T02:00:00Z', pointInTime: '2026-11-24T02:00:00Z' },
      'before: cannot be combined with pointInTime, which already chooses the latest backup that ended before it',
    ],
    [
      { target: 'hendrix', replica: true, pointInTime: '2026-11-24T02:00:00Z' },
      'replica: a replica cluster follows the source and cannot stop at a pointInTime',
    ],
    [
      { target: 'hendrix', clusterName: 'Hendrix/Restore' },
      'clusterName: must be a lowercase RFC 1123 label: at most 63 characters, a-z, 0-9 and "-", starting and ending with a letter or digit',
    ],
    [
      { target: 'hendrix', clusterName: 'a'.repeat(51) },
      'clusterName: must be at most 50 characters: CNPG derives longer names from it (<name>-1-snapshot-recovery Job, <name>-<serial> pods)',
    ],
    [
      { target: 'hendrix', clusterName: 'hendrix' },
      'clusterName: must differ from the source cluster hendrix, which lives in the same namespace',
    ],
    [{ target: 'hendrix', instances: 0 }, 'instances: must be a whole number from 1 to 10'],
    [{ target: 'hendrix', instances: 11 }, 'instances: must be a whole number from 1 to 10'],
    [{ target: 'hendrix', instances: 1.5 }, 'instances: must be a whole number from 1 to 10'],
    [{ target: 'hendrix', instances: '2' }, 'instances: must be a whole number from 1 to 10'],
    [{ target: 'hendrix', timeoutMinutes: 1 }, 'timeoutMinutes: must be a whole number of minutes from 5 to 1440'],
    [{ target: 'hendrix', replica: 'yes' }, 'replica: must be true or false'],
    [{ target: 'hendrix', dryRun: 1 }, 'dryRun: must be true or false'],
    [
      { target: 'hendrix', requestId: 'incident 4711' },
      'requestId: must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
    ],
    [{ target: 'hendrix', force: true }, '(root): Unrecognized key: "force"'],
  ])('refuses %j: %s', (payload, issue) => {
    const error = rejection(payload);
    expect(error.message).toBe(`Invalid restore request: ${issue}`);
    expect(error.issues).toEqual([issue]);
  });

  test('names every bad field at once', () => {
    expect(rejection({ target: 'hendrix', instances: 0, dryRun: 'no' }).issues).toEqual([
      'instances: must be a whole number from 1 to 10',
      'dryRun: must be true or false',
    ]);
  });
});
