import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { discoveredTargetName } from '../../lambdas/domain/discovered-target-name';
import { exampleCluster } from '../../simulator/kube-api-server/fixtures';
import { HENDRIX, LOCAL_EKS_CLUSTER, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * The shipped RBAC (k8s/prod-eks.yaml, generated for the example config) is exactly enough: the whole life of a target
 * (backup, retention that deletes, restore, restore from the recovery-point catalog, drill) and of a discovered one (a backup tick that discovers it, a retention
 * tick that also looks for the discovered targets of before) passes with it and the admission policy in force, and
 * fails with a 403 when any single verb of any rule is taken away.
 */

/** The example config's discovery: its namespaces and a policy, as the shipped RBAC binds them. */
const DISCOVERY = {
  policies: { hourly: { schedule: 'cron(0 * * * ? *)' } },
  discovery: [{ eksCluster: LOCAL_EKS_CLUSTER, namespaces: ['team-a', 'team-b'] }],
};
const ORDERS = discoveredTargetName({ eksCluster: LOCAL_EKS_CLUSTER, namespace: 'team-a', cluster: 'orders' });

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
    config: DISCOVERY,
  });
  try {
    local.server.replaceRbac(rbac);
    const orders = exampleCluster({ namespace: 'team-a', name: 'orders' });
    local.server.seed({ ...orders, metadata: { ...orders.metadata, labels: { 'cnpg-snapshot-scheduler/policy': 'hourly' } } });
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
    // The same backup from the recovery-point catalog: its storage snapshots imported, as after losing the namespace.
    outcomes.push(
      await local.requestRestore({ target: 'hendrix', fromCatalog: true, clusterName: 'hendrix-from-catalog' }).then(
        (result) => local.execution(result.executionName!)!.status,
        (error: unknown) => (error as Error).name,
      ),
    );
    outcomes.push((await local.runWorkflow('drill', { target: 'hendrix' })).status);
    // A backup tick discovers the labelled Cluster and backs it up; a retention tick also lists the policy-labelled Backups.
    local.clock.advanceTo(new Date('2026-11-02T05:00:00Z'));
    const tick = await local.fireExpression('backup', 'cron(0 * * * ? *)', local.clock.now());
    outcomes.push(local.execution(tick.executionName)?.status ?? 'NOT STARTED');
    outcomes.push(local.execution(`${ORDERS}-backup-20261102050000`)?.status ?? 'NOT STARTED');
    local.clock.advanceTo(new Date('2026-11-03T03:30:00Z'));
    const sweep = await local.fireExpression('retention', 'cron(30 3 * * ? *)', local.clock.now());
    outcomes.push(local.execution(sweep.executionName)?.status ?? 'NOT STARTED');
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
    expect(outcomes).toEqual(Array.from({ length: 9 }, () => 'SUCCEEDED'));
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
