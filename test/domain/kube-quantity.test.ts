import fc from 'fast-check';
import { largerQuantity, quantityBytes } from '../../lambdas/domain/kube-quantity';

describe('Kubernetes quantities', () => {
  test.each([
    ['50Gi', 50 * 2 ** 30],
    ['1.5T', 1.5e12],
    ['500M', 5e8],
    ['512Mi', 512 * 2 ** 20],
    ['1e3', 1000],
    ['2Ti', 2 * 2 ** 40],
    ['100', 100],
  ])('%s is %d bytes', (text, bytes) => expect(quantityBytes(text)).toBe(bytes));

  test.each(['', 'Gi', '50GB', '-1Gi', '50 Gi', 'ten'])('"%s" is refused', (text) => {
    expect(() => quantityBytes(text)).toThrow(`"${text}" is not a Kubernetes quantity`);
  });

  test('binary and decimal units compare by size, not by how they are written', () => {
    // 50Gi is 53.687G.
    expect(largerQuantity('50Gi', '53.7G')).toBe('53.7G');
    expect(largerQuantity('50Gi', '53.6G')).toBe('50Gi');
    expect(largerQuantity('1Ti', '1000Gi')).toBe('1Ti');
  });

  test('the larger of two is never smaller than either, and keeps the first on a tie', () => {
    const quantity = fc
      .tuple(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom('', 'k', 'M', 'G', 'T', 'Ki', 'Mi', 'Gi', 'Ti'))
      .map(([n, unit]) => `${n}${unit}`);
    fc.assert(
      fc.property(quantity, quantity, (a, b) => {
        const larger = quantityBytes(largerQuantity(a, b));
        expect(larger).toBeGreaterThanOrEqual(quantityBytes(a));
        expect(larger).toBeGreaterThanOrEqual(quantityBytes(b));
        expect(largerQuantity(a, a)).toBe(a);
      }),
    );
  });
});
