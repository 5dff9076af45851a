import fc from 'fast-check';
import { backupNameFor, formatCompactUtc } from '../../lambdas/domain/backup-name';
import { isDnsLabel } from '../../lambdas/domain/kube-names';

const slotTime = new Date('2026-11-25T05:00:00Z');
const shortCluster = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?$/);
/** 49 to 63 characters: too long for the plain form. */
const longCluster = fc.stringMatching(/^[a-z0-9][-a-z0-9]{47,61}[a-z0-9]$/);
const cluster = fc.oneof(shortCluster, longCluster);
const slot = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });
/** Slots to the second, as the names distinguish them. */
const wholeSecondSlot = slot.map((time) => new Date(Math.floor(time.getTime() / 1000) * 1000));

describe('the compact UTC timestamp', () => {
  test('is YYYYMMDDHHMMSS in UTC, zero-padded, without the milliseconds', () => {
    expect(formatCompactUtc(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102030405');
  });

  test('does not depend on the offset the time was written with', () => {
    expect(formatCompactUtc(new Date('2026-11-25T07:00:00+02:00'))).toBe('20261125050000');
  });
});

describe('backup names', () => {
  test('follow the kubectl cnpg convention <cluster>-<YYYYMMDDHHMMSS> of the scheduled time in UTC', () => {
    expect(backupNameFor('hendrix', slotTime)).toBe('hendrix-20261125050000');
  });

  test('keep the plain form for a 48-character cluster, which fills exactly 63 characters', () => {
    const name = backupNameFor('c'.repeat(48), slotTime);
    expect(name).toBe(`${'c'.repeat(48)}-20261125050000`);
    expect(name).toHaveLength(63);
  });

  test('cut a longer cluster name to 41 characters and add a 6-hex-digit hash of the whole name', () => {
    expect(backupNameFor(`${'a'.repeat(30)}-${'b'.repeat(30)}`, slotTime)).toBe(
      `${'a'.repeat(30)}-${'b'.repeat(10)}-0d5805-20261125050000`,
    );
  });

  test('drop a "-" that the cut leaves at the end of the cluster part', () => {
    expect(backupNameFor(`${'a'.repeat(40)}-${'b'.repeat(20)}`, slotTime)).toBe(`${'a'.repeat(40)}-64bbff-20261125050000`);
  });

  test('are always valid DNS labels of at most 63 characters', () => {
    fc.assert(fc.property(cluster, slot, (name, time) => expect(isDnsLabel(backupNameFor(name, time))).toBe(true)));
  });

  test('are deterministic', () => {
    fc.assert(fc.property(cluster, slot, (name, time) => expect(backupNameFor(name, time)).toBe(backupNameFor(name, new Date(time)))));
  });

  test('differ for distinct (cluster, slot) pairs', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(cluster, wholeSecondSlot), {
          minLength: 2,
          maxLength: 20,
          selector: ([name, time]) => `${name} ${time.toISOString()}`,
        }),
        (pairs) => expect(new Set(pairs.map(([name, time]) => backupNameFor(name, time))).size).toBe(pairs.length),
      ),
    );
  });

  test('differ for distinct long clusters that share the part kept in the name', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 48, maxLength: 48, unit: fc.constantFrom('a', 'b', '-') }),
        fc.uniqueArray(fc.stringMatching(/^[a-z0-9]{1,8}$/), { minLength: 2, maxLength: 5 }),
        (shared, suffixes) => {
          const clusters = suffixes.map((suffix) => `x${shared}${suffix}`);
          expect(new Set(clusters.map((name) => backupNameFor(name, slotTime))).size).toBe(clusters.length);
        },
      ),
    );
  });
});
