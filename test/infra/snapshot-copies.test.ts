import { DeploymentConfigError } from '../../lib/deployment-config';
import { TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { EXAMPLE_TARGET, synthesize } from './synthesize';

const DR_REGION = 'us-west-2';
const DR_KEY = `arn:aws:kms:${DR_REGION}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const COPIED = { ...EXAMPLE_TARGET, copies: { region: DR_REGION, kmsKeyArn: DR_KEY } };

describe('where copies may go', () => {
  test("a target copying to the stack's own Region fails synth naming the field", () => {
    const ownKey = `arn:aws:kms:${TEST_REGION}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const targets = [{ ...EXAMPLE_TARGET, copies: { region: TEST_REGION, kmsKeyArn: ownKey } }];
    expect(() => synthesize({ targets })).toThrow(DeploymentConfigError);
    expect(() => synthesize({ targets })).toThrow(`targets.0.copies.region: must differ from the stack's Region ${TEST_REGION}`);
  });

  test('so does a policy copying there', () => {
    const ownKey = `arn:aws:kms:${TEST_REGION}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const config = {
      targets: [EXAMPLE_TARGET],
      policies: { hourly: { copies: { region: TEST_REGION, kmsKeyArn: ownKey } } },
      discovery: [{ eksCluster: 'prod-eks', namespaces: ['team-a'] }],
    };
    expect(() => synthesize(config)).toThrow('policies.hourly.copies.region: must differ');
  });

  test('in a stack whose Region is known only at deployment, a CloudFormation rule refuses the copies Region', () => {
    const { template } = synthesize({ targets: [COPIED] }, {});
    const rules = (template.toJSON() as { Rules?: Record<string, { Assertions: Array<{ Assert: unknown }> }> }).Rules ?? {};
    const assertions = Object.values(rules).flatMap((rule) => rule.Assertions);
    expect(assertions).toContainEqual(
      expect.objectContaining({ Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AWS::Region' }, DR_REGION] }] } }),
    );
  });

  test('a stack in a known Region has no such rule', () => {
    const { template } = synthesize({ targets: [COPIED] });
    const rules = (template.toJSON() as { Rules?: Record<string, unknown> }).Rules ?? {};
    expect(Object.keys(rules).filter((id) => id.includes('CopiesLeaveRegion'))).toEqual([]);
  });
});
