import { relative } from 'node:path';
import { Stage } from 'aws-cdk-lib';
import { readTargetCatalog } from '../../lambdas/adapters/target-catalog-file';
import { EXAMPLE_TARGET, synthesize } from './synthesize';

/** The targets travel as data in a layer: neither the template nor any environment variable carries their specs. */

const targets = Array.from({ length: 60 }, (_, i) => ({ ...EXAMPLE_TARGET, name: `cluster-number-${i}`, cluster: `cluster-number-${i}` }));

describe('the target catalog layer', () => {
  const { stack, template } = synthesize({ targets });
  const layerId = stack.getLogicalId(stack.scheduler.targetCatalog.layer.node.defaultChild as never);

  test('is one layer version whatever the number of targets', () => {
    expect(Object.keys(template.findResources('AWS::Lambda::LayerVersion'))).toEqual([layerId]);
  });

  test('every function that resolves a target name mounts it, the recovery point audit included', () => {
    const { functions, monitoring } = stack.scheduler;
    const readers = [
      functions.startBackup,
      functions.checkBackup,
      functions.applyRetention,
      functions.reportFailure,
      functions.requestRestore,
      functions.createRestoreCluster,
      functions.checkRestore,
      monitoring.functions.auditRecoveryPoints,
    ];
    const resources = template.findResources('AWS::Lambda::Function');
    for (const fn of readers) {
      const properties = resources[stack.getLogicalId(fn.node.defaultChild as never)]!.Properties as { Layers?: unknown[] };
      expect(properties.Layers).toEqual([{ Ref: layerId }]);
    }
  });

  test('ships exactly the validated targets, defaults applied, which the Lambdas read back', () => {
    const catalog = readTargetCatalog(stack.scheduler.targetCatalog.path);
    expect(catalog.targets.map((t) => t.name)).toEqual(targets.map((t) => t.name));
    expect(catalog.target('cluster-number-7')).toMatchObject({
      cluster: 'cluster-number-7',
      schedule: 'cron(0 * * * ? *)',
      auth: { kind: 'eks' },
    });
  });

  test('is written into the cloud assembly, so a synth leaves nothing in the temporary directory', () => {
    expect(relative(Stage.of(stack)!.outdir, stack.scheduler.targetCatalog.path)).not.toMatch(/^\.\./);
  });

  test('no environment variable carries a target', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')))
      expect(JSON.stringify((fn.Properties as { Environment?: unknown }).Environment ?? {})).not.toContain('cluster-number');
  });
});

describe('a deployment that only discovers', () => {
  const { stack, template } = synthesize({
    policies: { hourly: {}, nightly: { schedule: 'cron(0 2 * * ? *)', retention: { schedule: 'cron(0 5 * * ? *)' } } },
    discovery: [{ eksCluster: 'prod-eks', namespaces: ['team-a'] }],
  });

  test('ships its policies and discovery in the catalog, and no target', () => {
    const catalog = readTargetCatalog(stack.scheduler.targetCatalog.path);
    expect(catalog.targets).toEqual([]);
    expect(Object.keys(catalog.policies).sort()).toEqual(['hourly', 'nightly']);
    expect(catalog.discovery).toEqual([{ eksCluster: 'prod-eks', auth: { kind: 'eks' }, namespaces: ['team-a'] }]);
  });

  test("has a schedule for each of the policies' backup and retention expressions, and no drill schedule", () => {
    const expressions = Object.values(template.findResources('AWS::Scheduler::Schedule')).map(
      (schedule) => (schedule as { Properties: { ScheduleExpression: string } }).Properties.ScheduleExpression,
    );
    expect(expressions.sort()).toEqual(['cron(0 * * * ? *)', 'cron(0 2 * * ? *)', 'cron(0 5 * * ? *)', 'cron(30 3 * * ? *)'].sort());
  });

  test('maps its workflow role into the EKS cluster under discovery', () => {
    const entries = Object.values(template.findResources('AWS::EKS::AccessEntry')).map(
      (entry) => (entry as { Properties: { ClusterName: string } }).Properties.ClusterName,
    );
    expect(entries).toEqual(['prod-eks']);
  });
});
