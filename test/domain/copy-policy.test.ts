import { InvalidInputError } from '../../lambdas/errors';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';
import { TargetPolicySchema } from '../../lambdas/domain/target-policy';
import { parseInput } from '../../lambdas/domain/validation';

const minimal = { name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' };
const KEY = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function problems(value: unknown): readonly string[] {
  try {
    parseInput(TargetSpecSchema, value, 'target');
  } catch (error) {
    if (error instanceof InvalidInputError) return error.issues;
    throw error;
  }
  throw new Error('accepted');
}

describe('the copies of a target', () => {
  test('are none unless configured', () => {
    expect(TargetSpecSchema.parse(minimal).copies).toBeUndefined();
  });

  test('are daily and kept 30 days by default', () => {
    expect(TargetSpecSchema.parse({ ...minimal, copies: { region: 'us-west-2', kmsKeyArn: KEY } }).copies).toEqual({
      region: 'us-west-2',
      kmsKeyArn: KEY,
      every: 'day',
      keepDays: 30,
    });
  });

  test('take a multi-Region key and a GovCloud Region', () => {
    const key = 'arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab';
    expect(TargetSpecSchema.parse({ ...minimal, copies: { region: 'us-gov-west-1', kmsKeyArn: key } }).copies?.kmsKeyArn).toBe(key);
  });

  test.each([
    [{ region: 'US-West-2', kmsKeyArn: KEY }, 'copies.region: must be an AWS Region name'],
    [{ region: 'us-west-2', kmsKeyArn: 'alias/dr-copies' }, 'copies.kmsKeyArn: must be a KMS key ARN'],
    [{ region: 'us-west-2', kmsKeyArn: 'arn:aws:kms:us-west-2:111122223333:alias/dr' }, 'copies.kmsKeyArn: must be a KMS key ARN'],
    [{ region: 'eu-west-1', kmsKeyArn: KEY }, "copies.kmsKeyArn: must be a key in the copies' Region eu-west-1, not in us-west-2"],
    [{ region: 'us-west-2', kmsKeyArn: KEY, every: 'hour' }, 'copies.every:'],
    [{ region: 'us-west-2', kmsKeyArn: KEY, keepDays: 0 }, 'copies.keepDays:'],
    [{ region: 'us-west-2', kmsKeyArn: KEY, keepDays: 3651 }, 'copies.keepDays:'],
    [{ region: 'us-west-2', kmsKeyArn: KEY, keep: 30 }, 'copies:'],
    [{ kmsKeyArn: KEY }, 'copies.region:'],
  ])('refuse %j naming the field', (copies, problem) => {
    expect(problems({ ...minimal, copies }).join('\n')).toContain(problem);
  });

  test('can be set by a discovery policy', () => {
    expect(TargetPolicySchema.parse({ copies: { region: 'us-west-2', kmsKeyArn: KEY, every: 'backup' } }).copies).toEqual({
      region: 'us-west-2',
      kmsKeyArn: KEY,
      every: 'backup',
      keepDays: 30,
    });
  });
});

describe('the copies of a target kept in another account', () => {
  const VAULT_KEY = 'arn:aws:kms:us-west-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const account = { id: '444455556666', roleArn: 'arn:aws:iam::444455556666:role/cnpg-snapshot-vault' };
  const copies = (overrides: object) => ({ region: 'us-west-2', kmsKeyArn: VAULT_KEY, account, ...overrides });

  test('name the account and the role there, under a key of that account', () => {
    expect(TargetSpecSchema.parse({ ...minimal, copies: copies({}) }).copies?.account).toEqual(account);
  });

  test('take a role with a path, in another partition', () => {
    const roleArn = 'arn:aws-us-gov:iam::444455556666:role/dr/cnpg-snapshot-vault';
    const key = 'arn:aws-us-gov:kms:us-gov-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const policy = { region: 'us-gov-west-1', kmsKeyArn: key, account: { id: account.id, roleArn } };
    expect(TargetSpecSchema.parse({ ...minimal, copies: policy }).copies?.account?.roleArn).toBe(roleArn);
  });

  test.each([
    [{ account: { ...account, id: '4444-5555-6666' } }, 'copies.account.id: must be an AWS account id: 12 digits'],
    [{ account: { ...account, id: 444455556666 } }, 'copies.account.id:'],
    [{ account: { id: account.id } }, 'copies.account.roleArn:'],
    [{ account: { ...account, roleArn: 'cnpg-snapshot-vault' } }, 'copies.account.roleArn: must be an IAM role ARN'],
    [{ account: { ...account, roleArn: 'arn:aws:iam::444455556666:user/vault' } }, 'copies.account.roleArn: must be an IAM role ARN'],
    [
      { account: { ...account, roleArn: 'arn:aws:iam::777788889999:role/cnpg-snapshot-vault' } },
      'copies.account.roleArn: must be a role of the account 444455556666, not of 777788889999',
    ],
    [{ account: { ...account, externalId: 'x' } }, 'copies.account:'],
    [{ kmsKeyArn: KEY }, "copies.kmsKeyArn: must be a key of the copies' account 444455556666, not of 111122223333"],
  ])('refuse %j naming the field', (overrides, problem) => {
    expect(problems({ ...minimal, copies: copies(overrides) }).join('\n')).toContain(problem);
  });

  test('can be set by a discovery policy', () => {
    expect(TargetPolicySchema.parse({ copies: copies({}) }).copies?.account).toEqual(account);
  });
});
