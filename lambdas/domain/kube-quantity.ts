/** Kubernetes resource quantities (`50Gi`, `1.5T`, `500M`, `1e3`) as byte counts, for comparing storage sizes. */

const SUFFIXES: Record<string, number> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(?:(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)|[eE]([0-9]+))?$/;

export function quantityBytes(quantity: string): number {
  const match = QUANTITY.exec(quantity.trim());
  if (!match) throw new RangeError(`"${quantity}" is not a Kubernetes quantity`);
  const exponent = match[3] === undefined ? 1 : 10 ** Number(match[3]);
  return Number(match[1]) * SUFFIXES[match[2] ?? '']! * exponent;
}

/** The larger of two quantities, as written. */
export function largerQuantity(a: string, b: string): string {
  return quantityBytes(b) > quantityBytes(a) ? b : a;
}
