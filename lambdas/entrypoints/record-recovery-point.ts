import { DynamoDbRecoveryPointLedger } from '../adapters/dynamodb-recovery-point-ledger';
import { createRecordRecoveryPoint } from '../handlers/record-recovery-point';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';

export const handler = lambdaHandler(
  createRecordRecoveryPoint({ ledger: new DynamoDbRecoveryPointLedger(() => requiredEnv('RECOVERY_POINT_TABLE')), log: logger }),
);
