import type { ClusterSpec } from '../../lambdas/domain/kube-objects';
import { buildRestorePlan } from '../../lambdas/domain/restore-manifest';
import { RESTORE_SPEC_FIELDS } from '../../lambdas/domain/restore-spec-fields';
import { crdSchema } from '../../simulator/crd-schemas';
import { completedBackup, snapshotsOf, sourceCluster } from './restore-fixtures';

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

  test('a field decided `copy` reaches the restored cluster as the source has it, as a copy of its own', () => {
    // imageCatalogRef is copied too, but read on the way (its major is checked against the backup's): it is followed
    // with real catalogs in restore-manifest.test.ts.
    const copied = Object.entries(RESTORE_SPEC_FIELDS).flatMap(([field, decision]) =>
      decision === 'copy' && field !== 'imageCatalogRef' ? [field] : [],
    );
    expect(copied.length).toBeGreaterThan(30);
    const source = sourceCluster();
    // A value no code of the restore interprets: what arrives is what was copied.
    const probe = (field: string) => ({ probe: field });
    const spec = source.spec as ClusterSpec & Record<string, unknown>;
    for (const field of copied) spec[field] = probe(field);
    const backup = completedBackup('hendrix-20261124030000', '2026-11-24T03:03:00Z');
    const { manifest } = buildRestorePlan({
      live: source,
      source: { namespace: 'demo', cluster: 'hendrix' },
      backup,
      snapshots: snapshotsOf(backup),
      request: {
        clusterName: 'hendrix-restore',
        instances: 1,
        replica: false,
        requestId: 'r-1',
        requestedAt: new Date('2026-11-25T03:00:00Z'),
      },
    });
    const restored = manifest.spec as ClusterSpec & Record<string, unknown>;
    for (const field of copied) {
      expect({ field, value: restored[field] }).toEqual({ field, value: probe(field) });
      expect(restored[field]).not.toBe(spec[field]);
    }
  });
});
