import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { SnapshotVaultRole, SnapshotVaultRoleError, type SnapshotVaultRoleProps } from '../../lib/snapshot-vault-role';

/** The role a vault account deploys for the copies kept there, as its synthesized template has it. */

const SCHEDULER = '111122223333';
const VAULT_KEY = 'arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SOURCE_KEY = `arn:aws:kms:eu-west-1:${SCHEDULER}:key/abcd1234-12ab-34cd-56ef-1234567890ab`;
const PROPS: SnapshotVaultRoleProps = {
  schedulerAccount: SCHEDULER,
  schedulerStackName: 'CnpgSnapshotScheduler',
  sourceRegion: 'eu-west-1',
  copiesRegion: 'us-west-2',
  copiesKeyArns: [VAULT_KEY],
  sourceKeyArns: [SOURCE_KEY],
};

function synth(props: SnapshotVaultRoleProps): Template {
  const stack = new Stack(new App(), 'Vault', { env: { account: '444455556666', region: 'us-west-2' } });
  new SnapshotVaultRole(stack, 'Vault', props);
  return Template.fromStack(stack);
}

describe('the vault role', () => {
  const template = synth(PROPS);

  test("is named as copies.account.roleArn names it, assumable only by the scheduler stack's roles", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'cnpg-snapshot-vault',
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${SCHEDULER}:root`]] } },
            Condition: {
              ArnLike: {
                'aws:PrincipalArn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${SCHEDULER}:role/CnpgSnapshotScheduler-*`]],
                },
              },
            },
          },
        ],
      },
    });
  });

  test('copies only with our tag, deletes only snapshots tagged ours, uses the keys only for AWS resources', () => {
    const ours = 'cnpg-snapshot-scheduler';
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ec2:CopySnapshot',
            Condition: { StringEquals: { 'aws:RequestTag/app.kubernetes.io/managed-by': ours } },
          }),
          Match.objectLike({ Action: 'ec2:CreateTags', Condition: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } } }),
          Match.objectLike({ Action: 'ec2:DescribeSnapshots', Resource: '*' }),
          Match.objectLike({
            Action: 'ec2:DeleteSnapshot',
            Condition: { StringEquals: { 'aws:ResourceTag/app.kubernetes.io/managed-by': ours } },
          }),
          Match.objectLike({ Resource: [VAULT_KEY, SOURCE_KEY], Condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } } }),
        ]),
      },
    });
  });
});

describe('a vault role prop', () => {
  test.each([
    [{ schedulerAccount: '1111-2222-3333' }, 'SnapshotVaultRole schedulerAccount: must be an AWS account id'],
    [{ schedulerStackName: 'my stack' }, 'SnapshotVaultRole schedulerStackName:'],
    [{ copiesRegion: 'US-West-2' }, 'SnapshotVaultRole copiesRegion:'],
    [{ copiesKeyArns: ['alias/vault'] }, 'SnapshotVaultRole copiesKeyArns[0]: must be a KMS key ARN'],
    [
      { copiesKeyArns: [VAULT_KEY.replace('us-west-2', 'us-east-1')] },
      'SnapshotVaultRole copiesKeyArns[0]: must be a key in copiesRegion us-west-2',
    ],
    [{ sourceKeyArns: [] }, 'SnapshotVaultRole sourceKeyArns: must name at least one key'],
    [
      { sourceKeyArns: [SOURCE_KEY.replace(SCHEDULER, '999999999999')] },
      'SnapshotVaultRole sourceKeyArns[0]: must be a key of schedulerAccount',
    ],
  ])('%j is refused naming it', (override, message) => {
    expect(() => synth({ ...PROPS, ...override })).toThrow(SnapshotVaultRoleError);
    expect(() => synth({ ...PROPS, ...override })).toThrow(message);
  });
});
