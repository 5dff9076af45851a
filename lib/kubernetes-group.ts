/** The Kubernetes group the EKS access entries put the workflow role in; the RBAC and the admission policy bind it. */
export const KUBERNETES_GROUP = 'cnpg-snapshot-scheduler';
