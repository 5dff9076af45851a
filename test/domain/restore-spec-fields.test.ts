import { RESTORE_SPEC_FIELDS } from '../../lambdas/domain/restore-spec-fields';
import { crdSchema } from '../../simulator/crd-schemas';

/** The spec fields of the vendored upstream Cluster CRD (test/fixtures/crds). */
function crdSpecFields(): string[] {
  const spec = (crdSchema('Cluster').properties as { spec: { properties: Record<string, unknown> } }).spec;
  return Object.keys(spec.properties).sort();
}

describe('what a restore does with each spec field of the source Cluster', () => {
  test('every spec field of the Cluster CRD has a decision: a CNPG upgrade that adds one fails here until it is decided', () => {
    const undecided = crdSpecFields().filter((field) => !(field in RESTORE_SPEC_FIELDS));
    expect(undecided).toEqual([]);
  });

  test('every decision is about a field the CRD has', () => {
    const fields = new Set(crdSpecFields());
    expect(Object.keys(RESTORE_SPEC_FIELDS).filter((field) => !fields.has(field))).toEqual([]);
  });
});
