import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnTopic } from 'aws-cdk-lib/aws-sns';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { DeploymentConfig } from '../../lib/deployment-config';
import { SnapshotSchedulerStack } from '../../lib/snapshot-scheduler-stack';
import { eventRulesOf, type EventRule } from '../eventbridge-rules';
import {
  TEST_ACCOUNT,
  TEST_REGION,
  lambdaArnFor,
  stateMachineArnFor,
  stateMachineDefinition,
  type AslDefinition,
} from './state-machine-definition';

export type { SchedulerFunctionName } from '../../lib/snapshot-scheduler';
import type { SchedulerFunctionName } from '../../lib/snapshot-scheduler';
import type { SnapshotCopiesFunctionName } from '../../lib/snapshot-copies';

/** The stack as `cdk synth` emits it (without bundling), with what the local runner needs to run its workflows. */
export interface SynthesizedScheduler {
  backupDefinition: AslDefinition;
  retentionDefinition: AslDefinition;
  restoreDefinition: AslDefinition;
  backupFanOutDefinition: AslDefinition;
  retentionFanOutDefinition: AslDefinition;
  drillDefinition: AslDefinition;
  drillFanOutDefinition: AslDefinition;
  /** The fake ARN each workflow has where another definition starts it. */
  workflowArns: Record<'backup' | 'retention' | 'restore' | 'drill' | 'backupFanOut' | 'retentionFanOut' | 'drillFanOut', string>;
  /** The target catalog file the stack ships in its layer, as synthesis staged it. */
  targetCatalogPath: string;
  /** The fake ARN each function has in the definitions, by function. */
  functionArns: Record<SchedulerFunctionName, string>;
  /** Each function's timeout in ms, by its fake ARN. */
  lambdaTimeoutsMs: ReadonlyMap<string, number>;
  /** Each function's memory (its MemorySize property), in MB. */
  lambdaMemoryMb: Record<SchedulerFunctionName, number>;
  template: SynthesizedTemplate;
  /** The EventBridge rules, and the logical ids of what their targets are. */
  rules: EventRule[];
  monitoringFunctions: Record<'recordRecoveryPoint' | 'auditRecoveryPoints', string>;
  /** The alarm topic's logical id, when the stack creates it. */
  alarmTopic?: string;
  /** The disaster recovery copies, when the config has any: the copy workflow and the fake ARN of each copy function. */
  copies?: {
    definition: AslDefinition;
    /** The copy workflow's logical id, which the rule on Backup Completed targets. */
    stateMachine: string;
    functionArns: Record<SnapshotCopiesFunctionName, string>;
  };
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
  const logicalIdOf = (machine: { node: { defaultChild: unknown } }) => stack.getLogicalId(machine.node.defaultChild as CfnStateMachine);
  const definitionOf = (machine: { node: { defaultChild: unknown } }) => stateMachineDefinition(template, logicalIdOf(machine));
  const arnOf = (fn: { node: { defaultChild: unknown } }) => lambdaArnFor(stack.getLogicalId(fn.node.defaultChild as CfnFunction));
  const copyFunctions = scheduler.copies ? Object.values(scheduler.copies.functions) : [];
  const lambdaTimeoutsMs = new Map(
    [...Object.values(scheduler.functions), ...copyFunctions].map((fn) => {
      const timeout = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)]?.Properties.Timeout;
      return [arnOf(fn), Number(timeout ?? 3) * 1000] as const;
    }),
  );
  const lambdaMemoryMb = Object.fromEntries(
    Object.entries(scheduler.functions).map(([name, fn]) => {
      const memory = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)]?.Properties.MemorySize;
      return [name, Number(memory ?? 128)] as const;
    }),
  ) as Record<SchedulerFunctionName, number>;
  const machines = {
    backup: scheduler.backupWorkflow.stateMachine,
    retention: scheduler.retentionWorkflow.stateMachine,
    restore: scheduler.restoreWorkflow.stateMachine,
    backupFanOut: scheduler.backupFanOut.stateMachine,
    retentionFanOut: scheduler.retentionFanOut.stateMachine,
    drill: scheduler.drillWorkflow.stateMachine,
    drillFanOut: scheduler.drillFanOut.stateMachine,
  };
  return {
    lambdaTimeoutsMs,
    lambdaMemoryMb,
    backupDefinition: definitionOf(machines.backup),
    retentionDefinition: definitionOf(machines.retention),
    restoreDefinition: definitionOf(machines.restore),
    backupFanOutDefinition: definitionOf(machines.backupFanOut),
    retentionFanOutDefinition: definitionOf(machines.retentionFanOut),
    drillDefinition: definitionOf(machines.drill),
    drillFanOutDefinition: definitionOf(machines.drillFanOut),
    workflowArns: Object.fromEntries(
      Object.entries(machines).map(([kind, machine]) => [kind, stateMachineArnFor(logicalIdOf(machine))]),
    ) as SynthesizedScheduler['workflowArns'],
    targetCatalogPath: scheduler.targetCatalog.path,
    functionArns,
    template,
    rules: eventRulesOf(template),
    monitoringFunctions: {
      recordRecoveryPoint: stack.getLogicalId(scheduler.monitoring.functions.recordRecoveryPoint.node.defaultChild as CfnFunction),
      auditRecoveryPoints: stack.getLogicalId(scheduler.monitoring.functions.auditRecoveryPoints.node.defaultChild as CfnFunction),
    },
    // A topic of the config (snsTopicArn) is imported: it has no resource in the template.
    ...(alarmTopic instanceof CfnTopic && { alarmTopic: stack.getLogicalId(alarmTopic) }),
    ...(scheduler.copies && {
      copies: {
        definition: definitionOf(scheduler.copies.workflow.stateMachine),
        stateMachine: logicalIdOf(scheduler.copies.workflow.stateMachine),
        functionArns: Object.fromEntries(Object.entries(scheduler.copies.functions).map(([name, fn]) => [name, arnOf(fn)])) as Record<
          SnapshotCopiesFunctionName,
          string
        >,
      },
    }),
  };
}
