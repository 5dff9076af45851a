import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnTopic } from 'aws-cdk-lib/aws-sns';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { DeploymentConfig } from '../../lib/deployment-config';
import { SnapshotSchedulerStack } from '../../lib/snapshot-scheduler-stack';
import { eventRulesOf, type EventRule } from '../eventbridge-rules';
import { TEST_ACCOUNT, TEST_REGION, lambdaArnFor, stateMachineDefinition, type AslDefinition } from './state-machine-definition';

export type { SchedulerFunctionName } from '../../lib/snapshot-scheduler';
import type { SchedulerFunctionName } from '../../lib/snapshot-scheduler';

/** The stack as `cdk synth` emits it (without bundling), with what the local runner needs to run its workflows. */
export interface SynthesizedScheduler {
  backupDefinition: AslDefinition;
  retentionDefinition: AslDefinition;
  restoreDefinition: AslDefinition;
  /** The target catalog file the stack ships in its layer, as synthesis staged it. */
  targetCatalogPath: string;
  drillDefinition: AslDefinition;
  /** The fake ARN each function has in the definitions, by function. */
  functionArns: Record<SchedulerFunctionName, string>;
  /** Each function's timeout in ms, by its fake ARN. */
  lambdaTimeoutsMs: ReadonlyMap<string, number>;
  template: SynthesizedTemplate;
  /** The EventBridge rules, and the logical ids of what their targets are. */
  rules: EventRule[];
  monitoringFunctions: Record<'recordRecoveryPoint' | 'auditRecoveryPoints', string>;
  /** The alarm topic's logical id, when the stack creates it. */
  alarmTopic?: string;
}

export type SynthesizedTemplate = { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

const synthesized = new Map<string, SynthesizedScheduler>();

/** Synthesizes once per distinct config in a process: synthesis takes about a second, a test file may start many schedulers. */
export function synthesizeScheduler(config: DeploymentConfig): SynthesizedScheduler {
  const key = JSON.stringify(config);
  let result = synthesized.get(key);
  if (!result) {
    result = synthesize(config);
    synthesized.set(key, result);
  }
  return result;
}

function synthesize(config: DeploymentConfig): SynthesizedScheduler {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SnapshotSchedulerStack(app, 'Local', { config, env: { account: TEST_ACCOUNT, region: TEST_REGION } });
  const template = Template.fromStack(stack).toJSON() as SynthesizedTemplate;
  const { scheduler } = stack;
  const alarmTopic = scheduler.monitoring.topic.node.defaultChild;
  const functionArns = Object.fromEntries(
    Object.entries(scheduler.functions).map(([name, fn]) => [name, lambdaArnFor(stack.getLogicalId(fn.node.defaultChild as CfnFunction))]),
  ) as Record<SchedulerFunctionName, string>;
  const definitionOf = (machine: { node: { defaultChild: unknown } }) =>
    stateMachineDefinition(template, stack.getLogicalId(machine.node.defaultChild as CfnStateMachine));
  const lambdaTimeoutsMs = new Map(
    Object.entries(scheduler.functions).map(([name, fn]) => {
      const timeout = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)]?.Properties.Timeout;
      return [functionArns[name as SchedulerFunctionName], Number(timeout ?? 3) * 1000] as const;
    }),
  );
  return {
    lambdaTimeoutsMs,
    backupDefinition: definitionOf(scheduler.backupWorkflow.stateMachine),
    retentionDefinition: definitionOf(scheduler.retentionWorkflow.stateMachine),
    restoreDefinition: definitionOf(scheduler.restoreWorkflow.stateMachine),
    targetCatalogPath: scheduler.targetCatalog.path,
    drillDefinition: definitionOf(scheduler.drillWorkflow.stateMachine),
    functionArns,
    template,
    rules: eventRulesOf(template),
    monitoringFunctions: {
      recordRecoveryPoint: stack.getLogicalId(scheduler.monitoring.functions.recordRecoveryPoint.node.defaultChild as CfnFunction),
      auditRecoveryPoints: stack.getLogicalId(scheduler.monitoring.functions.auditRecoveryPoints.node.defaultChild as CfnFunction),
    },
    // A topic of the config (snsTopicArn) is imported: it has no resource in the template.
    ...(alarmTopic instanceof CfnTopic && { alarmTopic: stack.getLogicalId(alarmTopic) }),
  };
}
