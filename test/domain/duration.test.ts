import fc from 'fast-check';
import { durationSeconds, isDuration } from '../../lambdas/domain/duration';

describe('durations', () => {
  test.each([
    ['90m', 5400],
    ['36h', 129_600],
    ['7d', 604_800],
    ['2w', 1_209_600],
  ] as const)('%s is %i seconds', (text, seconds) => expect(durationSeconds(text)).toBe(seconds));

  test.each(['', '0d', '-7d', '7', 'd', '7 d', '7D', '1.5h', '1y', '0007d', '9999999d'])('"%s" is not a duration', (text) => {
    expect(isDuration(text)).toBe(false);
  });

  test('every accepted duration is a positive whole number of minutes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 999_999 }), fc.constantFrom('m', 'h', 'd', 'w'), (n, unit) => {
        const text = `${n}${unit}`;
        expect(isDuration(text)).toBe(true);
        const seconds = durationSeconds(text as `${number}m`);
        expect(seconds).toBeGreaterThan(0);
        expect(seconds % 60).toBe(0);
      }),
    );
  });
});
