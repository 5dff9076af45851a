import type { Cluster } from './kube-objects';

/**
 * The application database of a cluster and its owner, as CNPG resolves them: from the recovery, pg_basebackup or
 * initdb bootstrap, in that order (api/v1/cluster_funcs.go, GetApplicationDatabaseName / GetApplicationDatabaseOwner),
 * `app` when none names one and the owner defaulting to the database (api/v1/cluster_defaults.go, defaultInitDB and
 * defaultRecovery). A restore must name them in its recovery bootstrap: left unset, CNPG creates an empty `app`
 * database and points the `<new>-app` Secret and services at it.
 */
export interface ApplicationDatabase {
  database: string;
  owner: string;
}

const DEFAULT_APPLICATION_DATABASE = 'app';

/** CNPG's suffix of the Secret with the application owner's credentials (api/v1/cluster_types.go, ApplicationUserSecretSuffix). */
const APPLICATION_SECRET_SUFFIX = '-app';

export function applicationDatabaseOf(cluster: Cluster): ApplicationDatabase {
  const { recovery, pg_basebackup, initdb } = cluster.spec.bootstrap ?? {};
  const methods = [recovery, pg_basebackup, initdb];
  const first = (field: 'database' | 'owner') =>
    methods.map((method) => method?.[field]).find((value): value is string => value !== undefined && value !== '');
  const database = first('database') ?? DEFAULT_APPLICATION_DATABASE;
  return { database, owner: first('owner') ?? database };
}

/** The Secret CNPG creates for a cluster with no bootstrap secret of its own: `<cluster>-app` (GetApplicationSecretName). */
export function applicationSecretName(clusterName: string): string {
  return `${clusterName}${APPLICATION_SECRET_SUFFIX}`;
}
