export {
  SnapshotScheduler,
  type SnapshotSchedulerProps,
  type SchedulerFunctionName,
  type SchedulerWorkflowName,
} from './snapshot-scheduler';
export { SnapshotSchedulerStack, type SnapshotSchedulerStackProps } from './snapshot-scheduler-stack';
export {
  DeploymentConfigError,
  DeploymentConfigSchema,
  parseDeploymentConfig,
  type DeploymentConfig,
  type DeploymentConfigInput,
} from './deployment-config';
export type {
  BackupConfig,
  CopiesAccountConfig,
  CopiesConfig,
  DiscoveryConfig,
  DrillCheckConfig,
  DrillConfig,
  FanOutConfig,
  KubeAuthConfig,
  NetworkConfig,
  NotificationsConfig,
  PolicyConfig,
  RetentionConfig,
  SnapshotSchedulerConfig,
  TargetConfig,
} from './snapshot-scheduler-config';
export { KUBERNETES_GROUP } from './kubernetes-group';
export { SnapshotVaultRole, SnapshotVaultRoleError, type SnapshotVaultRoleProps } from './snapshot-vault-role';
