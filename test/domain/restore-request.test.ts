import { InvalidInputError } from '../../lambdas/errors';
import { parseRestoreRequest } from '../../lambdas/domain/restore-request';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';

const now = new Date('2026-11-25T03:00:00Z');
const targets = [TargetSpecSchema.parse({ name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' })];
const parse = (payload: unknown) => parseRestoreRequest(payload, { targets, now });

function rejection(payload: unknown): string {
  try {
    parse(payload);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe('a restore request', () => {
  test('needs only a target: latest backup, one instance, a dated cluster name', () => {
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

  test('accepts an unconfigured cluster by coordinates', () => {
    expect(parse({ target: { eksCluster: 'dr-eks', namespace: 'db', cluster: 'jimi' } }).source).toEqual({
      target: 'db/jimi',
      eksCluster: 'dr-eks',
      namespace: 'db',
      cluster: 'jimi',
      auth: { kind: 'eks' },
    });
  });

  test('chooses a named backup, or the latest before a time, and carries a point in time', () => {
    expect(parse({ target: 'hendrix', backup: 'hendrix-20261124030000' }).backupSelector).toEqual({
      kind: 'named',
      name: 'hendrix-20261124030000',
    });
    expect(parse({ target: 'hendrix', before: '2026-11-24T02:00:00+01:00' }).backupSelector).toEqual({
      kind: 'before',
      time: new Date('2026-11-24T01:00:00Z'),
    });
    expect(parse({ target: 'hendrix', pointInTime: '2026-11-24T02:17:00Z' }).pointInTime).toEqual(new Date('2026-11-24T02:17:00Z'));
  });

  test('the same request gets the same id, so a retry is recognised; a different one does not', () => {
    const later = parseRestoreRequest({ target: 'hendrix', backup: 'latest' }, { targets, now: new Date(now.getTime() + 60_000) });
    expect(parse({ target: 'hendrix' }).requestId).toBe(later.requestId);
    expect(parse({ target: 'hendrix', instances: 2 }).requestId).not.toBe(later.requestId);
    expect(parse({ target: 'hendrix', requestId: 'incident-4711' }).requestId).toBe('incident-4711');
  });

  test('a long cluster name is cut so the default restore name stays within 50 characters', () => {
    const long = [TargetSpecSchema.parse({ name: 'long', eksCluster: 'e', namespace: 'demo', cluster: 'a'.repeat(45) })];
    const name = parseRestoreRequest({ target: 'long' }, { targets: long, now }).clusterName;
    expect(name).toHaveLength(50);
    expect(name.endsWith('-restore-20261125030000')).toBe(true);
  });

  test.each([
    [{}, 'Invalid restore request: target: Invalid input'],
    [{ target: 'jimi' }, 'Invalid restore request: target: no configured target is named "jimi" (configured: hendrix)'],
    [{ target: '' }, 'target: must name a configured target'],
    [{ target: 'hendrix', backup: 'Hendrix_1' }, 'backup:'],
    [{ target: 'hendrix', before: '2026-11-24T02:00:00' }, 'before: must be an ISO 8601 time with a zone'],
    [{ target: 'hendrix', pointInTime: 'yesterday' }, 'pointInTime: must be an ISO 8601 time with a zone'],
    [
      { target: 'hendrix', pointInTime: '2026-11-26T00:00:00Z' },
      'Invalid restore request: pointInTime: 2026-11-26T00:00:00Z is in the future',
    ],
    [{ target: 'hendrix', before: '2027-01-01T00:00:00Z' }, 'Invalid restore request: before: 2027-01-01T00:00:00Z is in the future'],
    [{ target: 'hendrix', backup: 'hendrix-1', before: '2026-11-24T02:00:00Z' }, 'before: cannot be combined with a backup name'],
    [
      { target: 'hendrix', before: '2026-11-24T02:00:00Z', pointInTime: '2026-11-24T02:00:00Z' },
      'before: cannot be combined with pointInTime',
    ],
    [
      { target: 'hendrix', replica: true, pointInTime: '2026-11-24T02:00:00Z' },
      'replica: a replica cluster follows the source and cannot stop at a pointInTime',
    ],
    [{ target: 'hendrix', clusterName: 'Hendrix/Restore' }, 'clusterName: must be a lowercase RFC 1123 label'],
    [{ target: 'hendrix', clusterName: 'a'.repeat(51) }, 'clusterName: must be at most 50 characters (CNPG derives longer names from it)'],
    [{ target: 'hendrix', instances: 0 }, 'instances:'],
    [{ target: 'hendrix', instances: 11 }, 'instances:'],
    [{ target: 'hendrix', instances: '1; DROP TABLE' }, 'instances:'],
    [{ target: 'hendrix', dryRun: 'yes' }, 'dryRun:'],
    [{ target: 'hendrix', timeoutMinutes: 1 }, 'timeoutMinutes:'],
    [{ target: 'hendrix', requestId: 'a b' }, 'requestId: must be a label value'],
    [{ target: 'hendrix', force: true }, 'Unrecognized key: "force"'],
    [{ target: { eksCluster: 'e', namespace: 'demo' } }, 'target'],
  ])('refuses %j: %s', (payload, message) => {
    expect(rejection(payload)).toContain(message);
  });
});
