import { DynamoDbRecoveryPointLedger } from '../adapters/dynamodb-recovery-point-ledger';
import { PowertoolsMetricsRecorder } from '../adapters/powertools-metrics-recorder';
import { createAuditRecoveryPoints } from '../handlers/audit-recovery-points';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';
import { auditedTargets } from '../handlers/discover-targets';
import { productionKubeConnections } from './wiring/kube-connections';
import { productionTargetCatalog } from './wiring/target-catalog';

const catalog = productionTargetCatalog();
const kube = productionKubeConnections();

export const handler = lambdaHandler(
  createAuditRecoveryPoints({
    targets: () => auditedTargets(catalog(), kube),
    ledger: new DynamoDbRecoveryPointLedger(() => requiredEnv('RECOVERY_POINT_TABLE')),
    events: productionEventBus(),
    metrics: new PowertoolsMetricsRecorder(),
    now: () => new Date(),
    log: logger,
  }),
);
