import { DynamoDbRecoveryPointLedger } from '../adapters/dynamodb-recovery-point-ledger';
import { EventBridgeEventPublisher } from '../adapters/eventbridge-event-publisher';
import { PowertoolsMetricsRecorder } from '../adapters/powertools-metrics-recorder';
import { AuditedTargetSchema } from '../domain/recovery-point-audit';
import { createAuditRecoveryPoints } from '../handlers/audit-recovery-points';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';

let publisher: EventBridgeEventPublisher | undefined;

export const handler = lambdaHandler(
  createAuditRecoveryPoints({
    targets: () =>
      Promise.resolve((JSON.parse(requiredEnv('AUDITED_TARGETS')) as unknown[]).map((target) => AuditedTargetSchema.parse(target))),
    ledger: new DynamoDbRecoveryPointLedger(() => requiredEnv('RECOVERY_POINT_TABLE')),
    events: { publish: (batch) => (publisher ??= new EventBridgeEventPublisher(requiredEnv('EVENT_BUS_NAME'))).publish(batch) },
    metrics: new PowertoolsMetricsRecorder(),
    now: () => new Date(),
    log: logger,
  }),
);
