export { SnapshotScheduler, type SnapshotSchedulerProps } from './snapshot-scheduler';
export { SnapshotSchedulerStack, type SnapshotSchedulerStackProps } from './snapshot-scheduler-stack';
export { DeploymentConfigSchema, loadDeploymentConfig, parseDeploymentConfig, type DeploymentConfig } from './deployment-config';
export { KUBERNETES_GROUP } from './kubernetes-group';
