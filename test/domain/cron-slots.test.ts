import fc from 'fast-check';
import { nextCronSlot } from '../../lambdas/domain/cron-slots';

const at = (iso: string) => new Date(iso);
const next = (expression: string, after: string) => nextCronSlot(expression, at(after))?.toISOString();

describe('nextCronSlot', () => {
  test('hourly fires at the next full hour, strictly after the given time', () => {
    expect(next('cron(0 * * * ? *)', '2026-12-01T09:29:35Z')).toBe('2026-12-01T10:00:00.000Z');
    expect(next('cron(0 * * * ? *)', '2026-12-01T10:00:00Z')).toBe('2026-12-01T11:00:00.000Z');
  });

  test('daily at 03:30 rolls over to the next day, month and year', () => {
    expect(next('cron(30 3 * * ? *)', '2026-12-31T04:00:00Z')).toBe('2027-01-01T03:30:00.000Z');
  });

  test('steps, ranges and lists', () => {
    expect(next('cron(*/15 * * * ? *)', '2026-12-01T09:31:00Z')).toBe('2026-12-01T09:45:00.000Z');
    expect(next('cron(0 8-10 * * ? *)', '2026-12-01T10:30:00Z')).toBe('2026-12-02T08:00:00.000Z');
    expect(next('cron(5,35 2 * * ? *)', '2026-12-01T02:06:00Z')).toBe('2026-12-01T02:35:00.000Z');
  });

  test('day of week counts 1 as Sunday and accepts names, last and nth weekdays', () => {
    // 2026-12-01 is a Tuesday.
    expect(next('cron(0 4 ? * 1 *)', '2026-12-01T00:00:00Z')).toBe('2026-12-06T04:00:00.000Z');
    expect(next('cron(0 4 ? * MON-FRI *)', '2026-12-04T05:00:00Z')).toBe('2026-12-07T04:00:00.000Z');
    expect(next('cron(0 4 ? * 6L *)', '2026-12-01T00:00:00Z')).toBe('2026-12-25T04:00:00.000Z');
    expect(next('cron(0 4 ? * 2#1 *)', '2026-12-01T00:00:00Z')).toBe('2026-12-07T04:00:00.000Z');
    expect(next('cron(0 4 ? * 2#1 *)', '2026-12-07T05:00:00Z')).toBe('2027-01-04T04:00:00.000Z');
  });

  test('last day of the month, months by name, and a fixed year', () => {
    expect(next('cron(0 0 L * ? *)', '2027-02-01T00:00:00Z')).toBe('2027-02-28T00:00:00.000Z');
    expect(next('cron(0 0 1 JUN ? *)', '2026-12-01T00:00:00Z')).toBe('2027-06-01T00:00:00.000Z');
    expect(next('cron(0 0 1 1 ? 2026)', '2026-12-01T00:00:00Z')).toBeUndefined();
  });

  test('what is not evaluated has no next slot rather than a wrong one', () => {
    expect(next('cron(0 0 15W * ? *)', '2026-12-01T00:00:00Z')).toBeUndefined();
    expect(next('rate(1 hour)', '2026-12-01T00:00:00Z')).toBeUndefined();
  });

  test('the slot of "every n minutes" is after the time, on the grid, and no later than n minutes away', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 12 }), fc.constantFrom(1, 5, 10, 15, 20, 30), (ms, step) => {
        const after = new Date(Date.UTC(2026, 0, 1) + ms);
        const slot = nextCronSlot(`cron(0/${step} * * * ? *)`, after)!;
        expect(slot.getTime()).toBeGreaterThan(after.getTime());
        expect(slot.getUTCMinutes() % step).toBe(0);
        expect(slot.getTime() - after.getTime()).toBeLessThanOrEqual(step * 60_000);
      }),
    );
  });
});
