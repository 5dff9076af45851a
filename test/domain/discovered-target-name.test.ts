import fc from 'fast-check';
import { discoveredTargetName } from '../../lambdas/domain/discovered-target-name';
import { isDnsLabel } from '../../lambdas/domain/kube-names';
import { TargetNameSchema } from '../../lambdas/domain/target-spec';

const dnsLabel = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
const coordinates = fc.record({
  eksCluster: fc.stringMatching(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/),
  namespace: dnsLabel,
  cluster: dnsLabel,
});

describe('the target name of a discovered Cluster', () => {
  test('reads as the Cluster and its place: the Cluster name, then 8 hex digits', () => {
    expect(discoveredTargetName({ eksCluster: 'prod-eks', namespace: 'team-a', cluster: 'orders' })).toMatch(/^orders-[0-9a-f]{8}$/);
  });

  test('is always a valid target name: a DNS label of at most 40 characters', () =>
    fc.assert(
      fc.property(coordinates, (where) => {
        const name = discoveredTargetName(where);
        expect(TargetNameSchema.safeParse(name).success).toBe(true);
        expect(name.length).toBeLessThanOrEqual(40);
        expect(isDnsLabel(name)).toBe(true);
      }),
    ));

  test('is the same for the same Cluster, whatever else exists (it is derived from the Cluster alone)', () =>
    fc.assert(fc.property(coordinates, (where) => expect(discoveredTargetName({ ...where })).toBe(discoveredTargetName(where)))));

  test('differs between Clusters of one name in two namespaces or on two EKS clusters', () =>
    fc.assert(
      fc.property(coordinates, coordinates, (a, b) => {
        fc.pre(a.eksCluster !== b.eksCluster || a.namespace !== b.namespace || a.cluster !== b.cluster);
        expect(discoveredTargetName(a)).not.toBe(discoveredTargetName(b));
      }),
    ));

  test('keeps the first 31 characters of a long Cluster name, without a dash before the hash', () => {
    const cluster = `${'a'.repeat(30)}-${'b'.repeat(20)}`;
    expect(discoveredTargetName({ eksCluster: 'e', namespace: 'n', cluster })).toMatch(new RegExp(`^${'a'.repeat(30)}-[0-9a-f]{8}$`));
    expect(discoveredTargetName({ eksCluster: 'e', namespace: 'n', cluster: 'c'.repeat(63) })).toMatch(/^c{31}-[0-9a-f]{8}$/);
  });
});
