import type { RecoveryPointCatalog } from '../../adapters/recovery-point-catalog';
import { requiredEnv } from '../../runtime/environment';

/**
 * The recovery-point catalog's DynamoDB table, its adapter and DynamoDB client loaded on first use. CheckBackup
 * writes to the catalog only when a backup completes, ApplyRetention only when it deletes, RequestRestore only for a
 * restore from the catalog: most invocations never reach it, and a dynamic import keeps the client's modules out of
 * every cold start (esbuild keeps them in the bundle, evaluated when first imported). The table name is read then
 * too, so importing an entry point reads no environment.
 */
export function productionRecoveryPointCatalog(): RecoveryPointCatalog {
  let loading: Promise<RecoveryPointCatalog> | undefined;
  const catalog = () =>
    (loading ??= import('../../adapters/dynamodb-recovery-point-catalog').then(
      ({ DynamoDbRecoveryPointCatalog }) => new DynamoDbRecoveryPointCatalog(() => requiredEnv('RECOVERY_POINT_CATALOG_TABLE')),
    ));
  return {
    record: async (record) => (await catalog()).record(record),
    recordsOf: async (target) => (await catalog()).recordsOf(target),
    recordOf: async (target, backup) => (await catalog()).recordOf(target, backup),
    updateVolumes: async (target, backup, volumes) => (await catalog()).updateVolumes(target, backup, volumes),
    expire: async (target, backup, at) => (await catalog()).expire(target, backup, at),
    remove: async (target, backup) => (await catalog()).remove(target, backup),
    addCopy: async (target, backup, copy) => (await catalog()).addCopy(target, backup, copy),
    completeCopy: async (target, backup, region, completedAt) => (await catalog()).completeCopy(target, backup, region, completedAt),
    removeCopy: async (target, backup, region) => (await catalog()).removeCopy(target, backup, region),
  };
}
