import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { HENDRIX, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * The shipped RBAC (k8s/prod-eks.yaml, generated for the example config) is exactly enough: the whole life of a target
 * (backup, retention that deletes, restore, drill) passes with it and the admission policy in force, and fails with a
 * 403 when any single verb of any rule is taken away.
 */

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
type RbacDocument = { kind: string; metadata: { name: string }; rules?: Rule[] };

const SHIPPED = readFileSync('k8s/prod-eks.yaml', 'utf8');
const documents = parseAllDocuments(SHIPPED)
  .map((doc) => doc.toJS() as RbacDocument)
  .filter((doc) => doc.kind.endsWith('Role') || doc.kind.endsWith('RoleBinding'));

const grants = documents.flatMap((doc, docIndex) =>
  (doc.rules ?? []).flatMap((rule, ruleIndex) =>
    rule.resources.flatMap((resource) => rule.verbs.map((verb) => ({ docIndex, ruleIndex, resource, verb, role: doc.metadata.name }))),
  ),
);

function without(grant: (typeof grants)[number]): string {
  const copy = structuredClone(documents);
  const rule = copy[grant.docIndex]!.rules![grant.ruleIndex]!;
  rule.verbs = rule.verbs.filter((verb) => verb !== grant.verb);
  return copy.map((doc) => stringify(doc)).join('---\n');
}

/** Backup, a second backup whose retention deletes the first, a restore of the latest, then a drill of it. */
async function lifeOfATarget(rbac: string) {
  const local = await LocalScheduler.start({
    clock: new VirtualClock(new Date('2026-11-02T00:00:00Z')),
    targets: [{ ...HENDRIX, retention: { keepWithin: '1h', minKeep: 1 } }],
  });
  try {
    local.server.replaceRbac(rbac);
    const outcomes: string[] = [];
    outcomes.push((await local.runWorkflow('backup', { target: 'hendrix' })).status);
    local.clock.advance(2 * 3_600_000);
    outcomes.push((await local.runWorkflow('backup', { target: 'hendrix' })).status);
    outcomes.push(
      await local.requestRestore({ target: 'hendrix', clusterName: 'hendrix-restore' }).then(
        (result) => local.execution(result.executionName!)!.status,
        (error: unknown) => (error as Error).name,
      ),
    );
    outcomes.push((await local.runWorkflow('drill', { target: 'hendrix' })).status);
    // A failed retention after a completed backup leaves the backup's execution green and reports itself as an event.
    outcomes.push(local.events.ofType('Retention Failed').length === 0 ? 'SUCCEEDED' : 'RETENTION FAILED');
    const deleted = local.events.ofType('Retention Applied').some((e) => Number(e.detail.deletedBackupCount) > 0);
    return {
      outcomes,
      deleted,
      forbidden: local.server.requests.filter((r) => r.status === 403),
      policyFailures: local.server.requests.filter((r) => r.auditAnnotations?.['validation.policy.admission.k8s.io/validation_failure']),
    };
  } finally {
    await local.close();
  }
}

describe('the shipped RBAC is minimal', () => {
  test('it grants what the whole life of a target needs, and nothing is forbidden', async () => {
    const { outcomes, deleted, forbidden, policyFailures } = await lifeOfATarget(SHIPPED);
    expect(outcomes).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    expect(deleted).toBe(true);
    expect(forbidden).toEqual([]);
    expect(policyFailures).toEqual([]);
  });

  test('it has a verb to take away in every rule', () => expect(grants.length).toBeGreaterThanOrEqual(18));

  test.each(grants.map((grant) => [`${grant.role}: ${grant.verb} ${grant.resource}`, grant] as const))(
    'without %s, a step fails with 403',
    async (_name, grant) => {
      const { outcomes, forbidden } = await lifeOfATarget(without(grant));
      expect(forbidden.map((r) => `${r.verb} ${r.resource}`)).toContain(`${grant.verb} ${grant.resource}`);
      expect(outcomes.every((outcome) => outcome === 'SUCCEEDED')).toBe(false);
    },
  );
});
