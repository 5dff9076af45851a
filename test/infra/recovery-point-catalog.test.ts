import { synthesize, resourcesOf } from './synthesize';

/** The recovery-point catalog table: what keeps it through a mistake, and who may use it. */

describe('the recovery-point catalog table', () => {
  const { stack, template } = synthesize();
  const tableId = stack.getLogicalId(stack.scheduler.recoveryPoints.table.node.defaultChild as never);
  const table = template.findResources('AWS::DynamoDB::Table')[tableId] as { Properties: Record<string, unknown>; DeletionPolicy: string };

  test('one item per backup of a target, with point-in-time recovery and deletion protection, kept when the stack goes', () => {
    expect(table.Properties).toMatchObject({
      KeySchema: [
        { AttributeName: 'target', KeyType: 'HASH' },
        { AttributeName: 'backup', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
    expect(table.DeletionPolicy).toBe('Retain');
  });

  test('only the Kubernetes workflow role may use it with the five actions the catalog calls, the reconciliation and the recorder with theirs', () => {
    const grants = Object.entries(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(([id, policy]) =>
      (policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }).Statement.filter((s) =>
        JSON.stringify(s.Resource).includes(tableId),
      ).map((s) => ({ id, roles: policy.Properties.Roles, actions: s.Action })),
    );
    const kubeRole = stack.getLogicalId(stack.scheduler.kubeAccess.role.node.defaultChild as never);
    const reconcileRole = stack.getLogicalId(stack.scheduler.functions.reconcileRecoveryPoints.role!.node.defaultChild as never);
    const recorderRole = stack.getLogicalId(stack.scheduler.monitoring.functions.recordRecoveryPoint.role!.node.defaultChild as never);
    expect(grants).toEqual([
      {
        id: expect.any(String),
        roles: [{ Ref: kubeRole }],
        actions: ['dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      },
      { id: expect.any(String), roles: [{ Ref: reconcileRole }], actions: ['dynamodb:Query', 'dynamodb:UpdateItem'] },
      // The recorder of completed backups reads one record and adds its storage's encryption, or drops it.
      {
        id: expect.any(String),
        roles: [{ Ref: recorderRole }],
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      },
    ]);
  });

  test('only the functions that use it are told its table', () => {
    const told = Object.entries(resourcesOf(template, 'AWS::Lambda::Function'))
      .filter(([, f]) => JSON.stringify(f.Properties.Environment ?? {}).includes('RECOVERY_POINT_CATALOG_TABLE'))
      .map(([id]) => id)
      .sort();
    const { checkBackup, applyRetention, requestRestore, reconcileRecoveryPoints } = stack.scheduler.functions;
    const { recordRecoveryPoint } = stack.scheduler.monitoring.functions;
    expect(told).toEqual(
      [checkBackup, applyRetention, requestRestore, reconcileRecoveryPoints, recordRecoveryPoint]
        .map((f) => stack.getLogicalId(f.node.defaultChild as never))
        .sort(),
    );
  });
});
