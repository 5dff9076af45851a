import fc from 'fast-check';
import { backupNameFor, formatCompactUtc } from '../../lambdas/domain/backup-name';
import { isDnsLabel } from '../../lambdas/domain/kube-names';

const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
const slot = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });

describe('backup names', () => {
  test('follow the kubectl cnpg convention <cluster>-<YYYYMMDDHHMMSS> in UTC', () => {
    expect(backupNameFor('hendrix', new Date('2026-11-25T05:00:00Z'))).toBe('hendrix-20261125050000');
    expect(backupNameFor('hendrix', new Date('2026-11-25T07:00:00+02:00'))).toBe('hendrix-20261125050000');
    expect(formatCompactUtc(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102030405');
  });

  test('a cluster name too long for 63 characters is cut and followed by a hash of the whole name', () => {
    const cluster = `${'a'.repeat(30)}-${'b'.repeat(30)}`;
    const name = backupNameFor(cluster, new Date('2026-11-25T05:00:00Z'));
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^a{30}-b{10}-[0-9a-f]{6}-20261125050000$/);
  });

  test('are always valid DNS labels of at most 63 characters', () => {
    fc.assert(fc.property(dnsLabel, slot, (cluster, time) => expect(isDnsLabel(backupNameFor(cluster, time))).toBe(true)));
  });

  test('are deterministic', () => {
    fc.assert(
      fc.property(dnsLabel, slot, (cluster, time) => expect(backupNameFor(cluster, time)).toBe(backupNameFor(cluster, new Date(time)))),
    );
  });

  test('distinct clusters sharing a long prefix get distinct names for the same slot', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 48, maxLength: 48, unit: fc.constantFrom('a', 'b', '-') }),
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 2, maxLength: 5 }),
        (prefix, suffixes) => {
          const time = new Date('2026-11-25T05:00:00Z');
          const clusters = suffixes.map((s) => `x${prefix}${s}`);
          expect(new Set(clusters.map((c) => backupNameFor(c, time))).size).toBe(clusters.length);
        },
      ),
    );
  });

  test('distinct slots of one cluster get distinct names (to the second)', () => {
    fc.assert(
      fc.property(dnsLabel, slot, fc.integer({ min: 1, max: 10_000_000 }), (cluster, time, deltaSeconds) => {
        expect(backupNameFor(cluster, time)).not.toBe(backupNameFor(cluster, new Date(time.getTime() + deltaSeconds * 1000)));
      }),
    );
  });
});
