import { InvalidInputError } from '../../lambdas/errors';
import { discoveredTargetName } from '../../lambdas/domain/discovered-target-name';
import { TargetCatalog } from '../../lambdas/domain/target-catalog';
import { discoverTargets, discoveredClusterProblem, retiredTargets, type LabelledCluster } from '../../lambdas/domain/target-discovery';
import { DiscoverySchema, TargetPolicySchema } from '../../lambdas/domain/target-policy';
import { DrillPolicySchema, TargetSpecSchema } from '../../lambdas/domain/target-spec';

const hourly = TargetPolicySchema.parse({ schedule: 'cron(0 * * * ? *)', rpoMinutes: 120, retention: { keepWithin: '3d' } });
const policies = { hourly };
const discovery = [DiscoverySchema.parse({ eksCluster: 'prod-eks', namespaces: ['team-a', 'team-b'] })];
const explicit = [TargetSpecSchema.parse({ name: 'billing', eksCluster: 'prod-eks', namespace: 'team-a', cluster: 'billing' })];
const found = (namespace: string, cluster: string, policy = 'hourly'): LabelledCluster => ({
  eksCluster: 'prod-eks',
  namespace,
  cluster,
  policy,
});
const discover = (clusters: LabelledCluster[]) => discoverTargets({ explicit, policies, discovery, clusters });

describe('discovered targets', () => {
  test("a labelled Cluster in a namespace under discovery is a target with its policy's fields, no drills, and a derived name", () => {
    const { targets, conflicts } = discover([found('team-b', 'orders')]);
    expect(conflicts).toEqual([]);
    expect(targets).toEqual([
      {
        ref: { eksCluster: 'prod-eks', namespace: 'team-b', cluster: 'orders', policy: 'hourly' },
        spec: {
          ...hourly,
          drill: { ...DrillPolicySchema.parse({}), enabled: false },
          name: discoveredTargetName({ eksCluster: 'prod-eks', namespace: 'team-b', cluster: 'orders' }),
          eksCluster: 'prod-eks',
          namespace: 'team-b',
          cluster: 'orders',
          auth: { kind: 'eks' },
        },
      },
    ]);
  });

  test('an explicit target wins over the discovered one of its Cluster, silently', () => {
    expect(discover([found('team-a', 'billing')])).toEqual({ targets: [], conflicts: [] });
  });

  test('a label naming no policy, and a namespace discovery does not cover, are conflicts, not targets', () => {
    const { targets, conflicts } = discover([found('team-a', 'orders', 'hourlyy'), found('team-c', 'stock')]);
    expect(targets).toEqual([]);
    expect(conflicts).toEqual([
      'prod-eks/team-a/orders: its policy label names "hourlyy", which is no policy of this deployment',
      'prod-eks/team-c/stock: namespace team-c is not one discovery covers on prod-eks (team-a, team-b)',
    ]);
  });

  test('a label naming an inherited property of an object is no policy either', () => {
    expect(discover([found('team-a', 'orders', 'constructor')]).conflicts).toHaveLength(1);
  });

  test('a derived name that an explicit target already has is a conflict', () => {
    const name = discoveredTargetName({ eksCluster: 'prod-eks', namespace: 'team-b', cluster: 'orders' });
    const taken = [...explicit, TargetSpecSchema.parse({ name, eksCluster: 'prod-eks', namespace: 'team-a', cluster: 'x' })];
    const { targets, conflicts } = discoverTargets({ explicit: taken, policies, discovery, clusters: [found('team-b', 'orders')] });
    expect(targets).toEqual([]);
    expect(conflicts).toEqual([`prod-eks/team-b/orders: its target name ${name} is the name of an explicit target`]);
  });

  test('a Cluster whose label is gone or names another policy is no longer the target an input names', () => {
    const ref = { eksCluster: 'prod-eks', namespace: 'team-b', cluster: 'orders', policy: 'hourly' };
    expect(discoveredClusterProblem({ 'cnpg-snapshot-scheduler/policy': 'hourly' }, ref)).toBeUndefined();
    expect(discoveredClusterProblem({}, ref)).toContain('no longer carries the label cnpg-snapshot-scheduler/policy');
    expect(discoveredClusterProblem({ 'cnpg-snapshot-scheduler/policy': 'daily' }, ref)).toContain('now under policy "daily"');
  });
});

describe('retired discovered targets', () => {
  const backup = (cluster: string, policy: string, createdAt: string) => ({ ...found('team-b', cluster, policy), createdAt });

  test('the Backups of a Cluster no longer discovered keep its target, under the policy of its newest Backup', () => {
    const retired = retiredTargets({
      current: discover([found('team-b', 'orders')]),
      explicit,
      policies: { hourly, daily: hourly },
      discovery,
      backups: [
        backup('orders', 'hourly', '2026-11-01T00:00:00Z'),
        backup('stock', 'hourly', '2026-11-01T00:00:00Z'),
        backup('stock', 'daily', '2026-11-02T00:00:00Z'),
      ],
    });
    expect(retired.conflicts).toEqual([]);
    expect(retired.targets.map((t) => t.ref)).toEqual([{ eksCluster: 'prod-eks', namespace: 'team-b', cluster: 'stock', policy: 'daily' }]);
  });

  test('a retired target whose policy is no longer configured is a conflict, never swept under a guessed policy', () => {
    const retired = retiredTargets({
      current: discover([]),
      explicit,
      policies,
      discovery,
      backups: [backup('stock', 'gone', '2026-11-01T00:00:00Z')],
    });
    expect(retired.targets).toEqual([]);
    expect(retired.conflicts).toEqual([
      'retired target prod-eks/team-b/stock: its policy label names "gone", which is no policy of this deployment',
    ]);
  });
});

describe('resolving the target a workflow input names', () => {
  const catalog = new TargetCatalog({ targets: explicit, fanOut: { concurrencyPerEksCluster: 5 }, policies, discovery });
  const ref = { eksCluster: 'prod-eks', namespace: 'team-b', cluster: 'orders', policy: 'hourly' };
  const problem = (input: typeof ref) => {
    try {
      catalog.resolve(input, 'input.target');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      return (error as Error).message;
    }
    throw new Error('resolved');
  };

  test('a discovered reference is rebuilt from its policy, an explicit one is found by name', () => {
    expect(catalog.resolve(ref)).toEqual(discover([found('team-b', 'orders')]).targets[0]!.spec);
    expect(catalog.resolve('billing')).toBe(explicit[0]);
  });

  test.each([
    [{ ...ref, eksCluster: 'other-eks' }, 'input.target.eksCluster: "other-eks" is no EKS cluster this deployment discovers on'],
    [
      { ...ref, namespace: 'kube-system' },
      'input.target.namespace: "kube-system" is no namespace this deployment discovers in on prod-eks',
    ],
    [{ ...ref, policy: 'weekly' }, 'input.target.policy: "weekly" is not a policy of this deployment'],
    [{ ...ref, namespace: 'team-a', cluster: 'billing' }, 'input.target.cluster: team-a/billing is explicit target "billing"'],
  ])('%j is refused naming the field', (input, expected) => {
    expect(problem(input)).toContain(expected);
  });
});
