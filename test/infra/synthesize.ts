import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseDeploymentConfig, type DeploymentConfigInput } from '../../lib/deployment-config';
import { SnapshotSchedulerStack } from '../../lib/snapshot-scheduler-stack';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';

export const EXAMPLE_TARGET = { name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' } as const;

/** Synthesizes the stack without bundling (unit tests check the template, `cdk synth` checks the bundles). */
export function synthesize(
  config: DeploymentConfigInput = { targets: [EXAMPLE_TARGET] },
  env: { account?: string; region?: string } = { account: TEST_ACCOUNT, region: TEST_REGION },
) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new SnapshotSchedulerStack(app, 'Test', {
    config: parseDeploymentConfig(config),
    env,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** A resource of a synthesized template; `Template.findResources` types them `any`. */
export interface TemplateResource {
  Type: string;
  Properties: Record<string, unknown>;
}

/** The resources of one type in a template, by logical id. */
export const resourcesOf = (template: Template, type: string) => template.findResources(type) as Record<string, TemplateResource>;
