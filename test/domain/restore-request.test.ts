import fc from 'fast-check';
import { InvalidInputError } from '../../lambdas/errors';
import { parseRestoreRequest, restoreRequestId } from '../../lambdas/domain/restore-request';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';

const now = new Date('2026-11-25T03:00:00Z');
const targets = [
  TargetSpecSchema.parse({ name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' }),
  TargetSpecSchema.parse({ name: 'jimi', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'jimi' }),
];
const parse = (payload: unknown, at = now) => parseRestoreRequest(payload, { targets: () => targets, now: at });
/** The id of a request once it resolved to `backup`. */
const idOf = (payload: unknown, backup = 'hendrix-20261124030000', at = now) => restoreRequestId(parse(payload, at), backup);

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
      source: { target: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' },
      backupSelector: { kind: 'latest' },
      clusterName: 'hendrix-restore-20261125030000',
      clusterNameGiven: false,
      instances: 1,
      replica: false,
      dryRun: false,
      timeoutMinutes: 120,
      requestedAt: now,
      fromCatalog: false,
      destination: { eksCluster: 'prod-eks', namespace: 'demo' },
    });
  });

  test('restores from the catalog when asked, or when the destination is not the source namespace', () => {
    expect(parse({ target: 'hendrix', fromCatalog: true })).toMatchObject({
      fromCatalog: true,
      destination: { eksCluster: 'prod-eks', namespace: 'demo' },
    });
    expect(parse({ target: 'hendrix', toNamespace: 'recovery', toEksCluster: 'dr-eks' })).toMatchObject({
      fromCatalog: true,
      destination: { eksCluster: 'dr-eks', namespace: 'recovery' },
    });
    expect(parse({ target: 'hendrix', toNamespace: 'demo' }).fromCatalog).toBe(false);
  });

  test('refuses a restore from the catalog of an unconfigured cluster, and a destination that is no name', () => {
    expect(() => parse({ target: { eksCluster: 'dr-eks', namespace: 'db', cluster: 'jimi' }, toNamespace: 'recovery' })).toThrow(
      'target: a restore from the recovery-point catalog (fromCatalog, toNamespace, toEksCluster) names a configured target',
    );
    expect(() => parse({ target: 'hendrix', toNamespace: 'Not_A_Namespace' })).toThrow(/toNamespace/);
    expect(() => parse({ target: 'hendrix', toEksCluster: 'bad name!' })).toThrow(/toEksCluster: must be an EKS cluster name/);
  });

  test('a restore from the catalog is another request than the same restore in the source namespace', () => {
    const inPlace = parse({ target: 'hendrix' });
    const fromCatalog = parse({ target: 'hendrix', fromCatalog: true });
    expect(restoreRequestId(fromCatalog, 'b')).not.toBe(restoreRequestId(inPlace, 'b'));
  });

  test('accepts an unconfigured cluster by its coordinates', () => {
    expect(parse({ target: { eksCluster: 'dr-eks', namespace: 'db', cluster: 'jimi' } }).source).toEqual({
      target: 'db/jimi',
      eksCluster: 'dr-eks',
      namespace: 'db',
      cluster: 'jimi',
    });
  });

  test('refuses coordinates that carry their own auth: how to connect comes from the deployment', () => {
    const payload = {
      target: { eksCluster: 'dr-eks', namespace: 'db', cluster: 'jimi', auth: { kind: 'kubeconfig', path: '/etc/passwd' } },
    };
    expect(() => parse(payload)).toThrow('target: Unrecognized key: "auth"');
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

  test('may name the restored cluster after the source: when the source is gone, that brings its services back', () => {
    expect(parse({ target: 'hendrix', clusterName: 'hendrix' }).clusterName).toBe('hendrix');
  });

  test('a point in time now is not in the future', () => {
    expect(parse({ target: 'hendrix', pointInTime: now.toISOString() }).pointInTime).toEqual(now);
  });

  test('takes the cluster name, instances, replica, dry run and timeout as given', () => {
    expect(
      parse({ target: 'hendrix', clusterName: 'hendrix-dr', instances: 3, replica: true, dryRun: true, timeoutMinutes: 30 }),
    ).toMatchObject({ clusterName: 'hendrix-dr', clusterNameGiven: true, instances: 3, replica: true, dryRun: true, timeoutMinutes: 30 });
  });

  test('a long source name is cut so that the default name fits the recovery Job name CNPG derives from it', () => {
    const source = 'orders-service-primary-eu-west1'; // 31 characters: the default name would have 54
    const long = [TargetSpecSchema.parse({ name: 'long', eksCluster: 'e', namespace: 'demo', cluster: source })];
    const name = parseRestoreRequest({ target: 'long' }, { targets: () => long, now }).clusterName;
    expect(name).toBe('orders-service-prima-restore-20261125030000');
    expect(`${name}-1-snapshot-recovery`.length).toBeLessThanOrEqual(63);
  });

  test('every default name fits the 63-character recovery Job name and is DNS-1035, whatever the source', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]([-a-z0-9]{0,48}[a-z0-9])?$/), (cluster) => {
        const configured = [TargetSpecSchema.parse({ name: 't', eksCluster: 'e', namespace: 'demo', cluster })];
        const name = parseRestoreRequest({ target: 't' }, { targets: () => configured, now }).clusterName;
        expect(`${name}-1-snapshot-recovery`.length).toBeLessThanOrEqual(63);
        expect(name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
      }),
    );
  });

  describe('its id', () => {
    test('is the caller’s requestId when given', () => {
      expect(idOf({ target: 'hendrix', requestId: 'INC-4711.retry_1' })).toBe('INC-4711.retry_1');
    });

    test('is the same when the same request is made again later, so a retry is recognised', () => {
      const payload = { target: 'hendrix', clusterName: 'hendrix-dr', pointInTime: '2026-11-24T02:17:00Z' };
      expect(idOf(payload, 'hendrix-20261124020000', new Date(now.getTime() + 60_000))).toBe(idOf(payload, 'hendrix-20261124020000'));
    });

    test('of "latest" is the same retried a minute later, with its default cluster name', () => {
      expect(idOf({ target: 'hendrix' }, 'hendrix-20261124030000', new Date(now.getTime() + 60_000))).toBe(idOf({ target: 'hendrix' }));
    });

    test('of "latest" a week later, when latest is another backup, is another request', () => {
      const weekLater = new Date(now.getTime() + 7 * 86_400_000);
      expect(idOf({ target: 'hendrix' }, 'hendrix-20261201030000', weekLater)).not.toBe(idOf({ target: 'hendrix' }));
    });

    test('is the same for "latest", a time before and the name, when they resolve to the same backup', () => {
      const byName = idOf({ target: 'hendrix', backup: 'hendrix-20261124030000' });
      expect(idOf({ target: 'hendrix' })).toBe(byName);
      expect(idOf({ target: 'hendrix', before: '2026-11-24T04:00:00Z' })).toBe(byName);
    });

    test('does not depend on how the request is spelled: defaults, target name or coordinates, time zone', () => {
      const base = idOf({ target: 'hendrix', pointInTime: '2026-11-24T02:00:00Z' });
      expect(idOf({ target: 'hendrix', backup: 'latest', instances: 1, replica: false, pointInTime: '2026-11-24T03:00:00+01:00' })).toBe(
        base,
      );
      expect(idOf({ target: { eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' }, pointInTime: '2026-11-24T02:00:00Z' })).toBe(
        base,
      );
    });

    test('ignores dry run and timeout: a dry run followed by the real request is one request', () => {
      expect(idOf({ target: 'hendrix', dryRun: true, timeoutMinutes: 30 })).toBe(idOf({ target: 'hendrix' }));
    });

    test('differs for every difference in what is restored', () => {
      const variants: Array<[unknown, string?]> = [
        [{ target: 'hendrix' }],
        [{ target: 'hendrix' }, 'hendrix-20261124020000'],
        [{ target: 'jimi' }],
        [{ target: { eksCluster: 'dr-eks', namespace: 'demo', cluster: 'hendrix' } }],
        [{ target: 'hendrix', pointInTime: '2026-11-24T04:00:00Z' }],
        [{ target: 'hendrix', clusterName: 'hendrix-dr' }],
        [{ target: 'hendrix', instances: 2 }],
        [{ target: 'hendrix', replica: true }],
        [{ target: 'hendrix', specFrom: 'backup' }],
        [{ target: 'hendrix', serviceAccountName: 'hendrix-archive-reader' }],
      ];
      expect(new Set(variants.map(([payload, backup]) => idOf(payload, backup))).size).toBe(variants.length);
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
              specFrom: fc.constantFrom('cluster', 'backup'),
            },
            { requiredKeys: [] },
          ),
          (fields) => {
            expect(idOf({ target: 'hendrix', ...fields })).toMatch(LABEL_VALUE);
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
      'clusterName: must be a DNS-1035 label, as CNPG requires of a Cluster name: a-z, 0-9 and "-", starting with a letter and ending with a letter or digit',
    ],
    [
      { target: 'hendrix', clusterName: '9lives' },
      'clusterName: must be a DNS-1035 label, as CNPG requires of a Cluster name: a-z, 0-9 and "-", starting with a letter and ending with a letter or digit',
    ],
    [
      { target: 'hendrix', clusterName: 'a'.repeat(44) },
      "clusterName: must be at most 43 characters (it has 44): CNPG names the recovery Job <name>-1-snapshot-recovery and uses it as the pod's hostname, which may have at most 63",
    ],
    [{ target: 'hendrix', specFrom: 'live' }, 'specFrom: must be "cluster" (the live Cluster) or "backup" (the spec the backup recorded)'],
    [
      { target: 'hendrix', serviceAccountName: 'Archive_Reader' },
      'serviceAccountName: must be the name of a ServiceAccount: a-z, 0-9 and "-", starting and ending with a letter or digit',
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
