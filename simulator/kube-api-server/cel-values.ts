import { celError, type CelError, type CelInput } from '@bufbuild/cel';

/**
 * An object as the API server hands it to CEL: as unstructured JSON (k8s.io/apiserver/pkg/admission/plugin/cel,
 * filter.go objectToResolveVal), so objects are maps, whole numbers int (int64 in unstructured JSON), others double.
 */
export function celValueOf(value: unknown): CelInput {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(celValueOf);
  if (typeof value === 'number') return Number.isInteger(value) ? BigInt(value) : value;
  if (typeof value === 'object') return new Map(Object.entries(value).map(([key, field]) => [key, celValueOf(field)]));
  return value as string | boolean;
}

/**
 * The `variables` of a policy: each is evaluated when first referred to, and its result or error kept, so an error
 * surfaces only in the expressions that use it (validating-admission-policy.md, "Variable composition").
 */
export class LazyVariables implements ReadonlyMap<string, CelInput> {
  private readonly results = new Map<string, CelInput | CelError>();

  constructor(private readonly definitions: ReadonlyMap<string, () => unknown>) {}

  get size(): number {
    return this.definitions.size;
  }

  has(name: string): boolean {
    return this.definitions.has(name);
  }

  get(name: string): CelInput {
    const evaluate = this.definitions.get(name);
    if (!evaluate) return undefined as unknown as CelInput;
    if (!this.results.has(name)) {
      try {
        this.results.set(name, evaluate() as CelInput);
      } catch (error) {
        this.results.set(name, celError(error));
      }
    }
    // A CelError handed back to the evaluator fails the expression that referred to the variable.
    return this.results.get(name) as CelInput;
  }

  forEach(callback: (value: CelInput, key: string, map: ReadonlyMap<string, CelInput>) => void): void {
    for (const key of this.definitions.keys()) callback(this.get(key), key, this);
  }

  *entries(): MapIterator<[string, CelInput]> {
    for (const key of this.definitions.keys()) yield [key, this.get(key)];
  }

  keys(): MapIterator<string> {
    return this.definitions.keys();
  }

  *values(): MapIterator<CelInput> {
    for (const key of this.definitions.keys()) yield this.get(key);
  }

  [Symbol.iterator](): MapIterator<[string, CelInput]> {
    return this.entries();
  }
}
