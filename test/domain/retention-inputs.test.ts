import fc from 'fast-check';
import { instant } from '../../lambdas/domain/retention-inputs';

const NOW = new Date('2026-11-25T12:00:00Z');
/** What instant must give: Date.parse's reading, and `now` for what it cannot read. */
const expected = (text: string) => (Number.isNaN(Date.parse(text)) ? NOW.getTime() : Date.parse(text));
/** `YYYY-MM-DDTHH:MM:SSZ`, as the API server writes times. */
const kubeTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('instant: a Kubernetes time in milliseconds since the epoch', () => {
  test('reads every time the API server writes as Date.parse does, leap days and years 100 to 9999 included', () => {
    const from = Date.UTC(100, 0, 1);
    const to = Date.UTC(9999, 11, 31, 23, 59, 59);
    fc.assert(
      fc.property(fc.integer({ min: from, max: to }), (ms) => {
        const text = kubeTime(Math.floor(ms / 1000) * 1000);
        expect(instant(text, NOW)).toBe(Date.parse(text));
      }),
      { numRuns: 2000 },
    );
    for (const text of ['2024-02-29T23:59:59Z', '2000-02-29T00:00:00Z', '1970-01-01T00:00:00Z', '1969-12-31T23:59:59Z'])
      expect(instant(text, NOW)).toBe(Date.parse(text));
  });

  test('leaves any other text to Date.parse, and counts what it cannot read as now', () => {
    const character = fc.constantFrom(...'0123456789-T:Z .+x'.split(''));
    const mutated = fc
      .tuple(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }), fc.nat(19), character)
      .map(([ms, at, c]) => {
        const text = kubeTime(Math.floor(ms / 1000) * 1000);
        return text.slice(0, at) + c + text.slice(at + 1);
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ unit: character, maxLength: 24 })), (text) => {
        expect(instant(text, NOW)).toBe(expected(text));
      }),
      { numRuns: 3000 },
    );
    for (const text of [
      '2026-02-29T00:00:00Z',
      '2026-13-01T00:00:00Z',
      '2026-11-31T00:00:00Z',
      '2026-11-25T24:00:00Z',
      '0099-01-01T00:00:00Z',
    ])
      expect(instant(text, NOW)).toBe(expected(text));
    expect(instant(undefined, NOW)).toBe(NOW.getTime());
  });
});
