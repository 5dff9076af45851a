import { keptCompletedBackups } from '../../lambdas/domain/retention-tiers';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-11-25T12:00:00Z');
const NO_TIERS = { daily: 0, weekly: 0, monthly: 0 };

describe('the completed backups the policy keeps', () => {
  test('always include the newest, even under a policy that keeps none by count and with none in the window', () => {
    const newestFirst = [0, 1, 2].map((i) => NOW - (48 + i) * HOUR);
    const kept = keptCompletedBackups(newestFirst, { minKeep: 0, ...NO_TIERS }, NOW - 24 * HOUR);
    expect([...kept]).toEqual([[0, 'newest-completed']]);
  });

  test('name the first rule that keeps each: the newest, then minKeep, then the window', () => {
    const newestFirst = [0, 1, 2, 3, 4].map((i) => NOW - i * HOUR);
    const kept = keptCompletedBackups(newestFirst, { minKeep: 2, ...NO_TIERS }, NOW - 3.5 * HOUR);
    expect(newestFirst.map((_, at) => kept.get(at))).toEqual([
      'newest-completed',
      'min-keep',
      'within-keep-window',
      'within-keep-window',
      undefined,
    ]);
  });
});
