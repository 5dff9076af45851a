import fc from 'fast-check';
import { periodOf } from '../../lambdas/domain/retention-periods';

const at = (time: string) => new Date(time);

describe('retention tier periods (UTC)', () => {
  test('a day runs from midnight to midnight UTC', () => {
    expect(periodOf('daily', at('2026-11-24T23:59:59Z'))).toBe('2026-11-24');
    expect(periodOf('daily', at('2026-11-25T00:00:00Z'))).toBe('2026-11-25');
  });

  test('a month is the UTC calendar month', () => {
    expect(periodOf('monthly', at('2026-10-31T23:59:59Z'))).toBe('2026-10');
    expect(periodOf('monthly', at('2026-11-01T00:00:00Z'))).toBe('2026-11');
  });

  test.each([
    ['2026-11-23T00:00:00Z', '2026-W48'],
    ['2026-11-22T23:59:59Z', '2026-W47'],
    ['2021-01-03T12:00:00Z', '2020-W53'],
    ['2024-12-30T12:00:00Z', '2025-W01'],
    ['2026-01-01T00:00:00Z', '2026-W01'],
    ['2027-01-01T00:00:00Z', '2026-W53'],
  ])('%s falls in ISO week %s', (time, week) => {
    expect(periodOf('weekly', at(time))).toBe(week);
  });

  test('the seven days from a Monday share one ISO week, and the Monday after starts the next', () => {
    const mondays = fc.integer({ min: 0, max: 3000 }).map((n) => Date.UTC(2000, 0, 3) + n * 7 * 86_400_000);
    fc.assert(
      fc.property(mondays, fc.integer({ min: 0, max: 7 * 86_400_000 - 1 }), (monday, offset) => {
        const week = periodOf('weekly', new Date(monday));
        expect(periodOf('weekly', new Date(monday + offset))).toBe(week);
        expect(periodOf('weekly', new Date(monday + 7 * 86_400_000))).not.toBe(week);
        expect(periodOf('weekly', new Date(monday + 7 * 86_400_000)) > week).toBe(true);
      }),
    );
  });
});
