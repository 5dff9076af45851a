import { ConflictError, InvalidInputError, KubernetesApiError, PreconditionFailedError } from '../lambdas/errors';
import { CliError } from './cli-error';

/** The CLI's options for the restore request fields a refusal can name. */
const OPTION_OF_FIELD: Record<string, string> = {
  backup: '--backup',
  before: '--before',
  pointInTime: '--point-in-time',
  clusterName: '--cluster-name',
  toNamespace: '--to-namespace',
  toEksCluster: '--to-eks-cluster',
};

/**
 * What to do about a refusal of the handlers (the same errors the deployed functions answer with): the refusal as
 * the handler worded it, the CLI option of the field it names, and the next step. Anything else is not a refusal and
 * is rethrown as is.
 */
export function refusal(error: unknown, next: string): CliError {
  if (error instanceof InvalidInputError || error instanceof PreconditionFailedError || error instanceof ConflictError) {
    const options = Object.entries(OPTION_OF_FIELD)
      .filter(([field]) => new RegExp(`\\b${field}:`).test(error.message))
      .map(([field, option]) => `${field} is ${option}`);
    return new CliError(`${error.message}${options.length > 0 ? ` (${options.join(', ')})` : ''}. ${next}`);
  }
  if (error instanceof KubernetesApiError && (error.status === 401 || error.status === 403))
    return new CliError(
      `${error.message}. The kubeconfig's user needs the scheduler's rights in the namespace (npm run k8s-manifests writes them).`,
    );
  if (error instanceof Error) throw error;
  throw new Error(String(error));
}
