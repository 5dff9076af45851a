import type { StoredObject } from '../kube-api-server/object-store';
import { resourceTypeOf } from '../kube-api-server/resource-registry';
import type { ClusterData } from '../cnpg/cluster-data';
import { at, ms, obj, seconds, str, type Json, type SimulatedWrites } from '../cnpg/simulated-writes';
import { ClusterPhase, Label } from '../cnpg/upstream-strings';

const JOBS = resourceTypeOf('jobs');
const PODS = resourceTypeOf('pods');
const SECRETS = resourceTypeOf('secrets');
const CLUSTERS = resourceTypeOf('clusters');

/** From the Job's creation to its pod running (scheduling, image pull), and each container's run. */
const POD_START_SECONDS = 2;
const CONTAINER_RUN_SECONDS = 1;
/** Kubernetes docs, "Determine the Reason for Pod Failure": a termination message is cut to 4096 bytes. */
const TERMINATION_MESSAGE_MAX = 4096;
/** The same page: FallbackToLogsOnError uses the last 2048 bytes (or 80 lines) of the container's log. */
const LOG_TAIL_MAX = 2048;
/** psql's exit codes (PostgreSQL docs, psql, "Exit Status"; src/bin/psql/startup.c): a failed command, a bad connection. */
const EXIT_FAILURE = 1;
const EXIT_BADCONN = 2;

interface ContainerRun {
  name: string;
  exitCode: number;
  /** What the container wrote to its termination message file (psql -o), or undefined. */
  file?: string;
  /** What it wrote to stderr (its log). */
  log: string;
}

interface PodRun {
  /** Set when every container has ended. */
  containers?: ContainerRun[];
  /** Why the pod cannot run at all (its containers stay waiting), e.g. a Secret that does not exist. */
  waiting?: string;
}

/**
 * The Kubernetes Job controller and kubelet for Jobs that are not CNPG's (those carry `cnpg.io/jobRole` and are the
 * bootstrap controller's): one pod per Job (parallelism 1), labelled as the Job controller labels it (Kubernetes docs,
 * Jobs, "Job labels": `batch.kubernetes.io/job-name`, `job-name`, `batch.kubernetes.io/controller-uid`), owned by the
 * Job. Only containers whose command is `psql` are run, against the simulated clusters' data, as psql runs
 * (PostgreSQL docs, psql): the PG* environment variables, each from its value or a Secret key (`secretKeyRef`), name
 * the connection; `-c` commands run in order; `-A -t` print unaligned rows without headers, fields joined by `|`;
 * `-o FILE` writes the output there; with `-v ON_ERROR_STOP=1` the first error ends psql. The host is a cluster's
 * `-rw` service (docs/src/service_management.md), whose primary accepts connections while the cluster is healthy;
 * the user and password must be those of the cluster's application Secret, the database its application database.
 * A container whose command is anything else never runs: its pod stays Running until the Job's
 * activeDeadlineSeconds, when the Job fails with reason DeadlineExceeded (Kubernetes docs, Jobs, "Job termination
 * and cleanup"). A pod that ends with a failed container fails the Job once its failures exceed backoffLimit
 * (reason BackoffLimitExceeded); one whose containers all exit 0 completes it (condition Complete). The termination
 * message is the file's content, or with `terminationMessagePolicy: FallbackToLogsOnError` and an empty file after
 * an error, the log's tail.
 */
export class PsqlJobController {
  private readonly runs = new Map<string, PodRun>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly writes: SimulatedWrites,
    private readonly data: ClusterData,
  ) {}

  /** Resolves once every container started so far has ended. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  reconcile(now: number): boolean {
    let progressed = false;
    for (const job of this.writes.store.list(JOBS)) {
      if (job.metadata.labels?.[Label.JobRole] !== undefined || job.metadata.deletionTimestamp !== undefined) continue;
      const status = obj(job.status);
      if ((status.conditions as Json[] | undefined)?.some((c) => c.status === 'True')) continue;
      progressed = this.reconcileJob(job, now) || progressed;
    }
    return progressed;
  }

  private reconcileJob(job: StoredObject, now: number): boolean {
    const namespace = job.metadata.namespace!;
    const startAt = ms(job.metadata.creationTimestamp) + seconds(POD_START_SECONDS);
    if (now < startAt) return false;
    const podName = `${job.metadata.name}-${job.metadata.uid.replaceAll('-', '').slice(0, 5)}`;
    let pod = this.writes.store.get(PODS, namespace, podName);
    let progressed = false;
    if (!pod) {
      pod = this.createPod(job, podName, startAt);
      this.start(pod, job);
      progressed = true;
    }
    const run = this.runs.get(pod.metadata.uid);
    const deadline = obj(job.spec).activeDeadlineSeconds;
    const deadlineAt = typeof deadline === 'number' ? startAt - seconds(POD_START_SECONDS) + seconds(deadline) : Number.POSITIVE_INFINITY;
    const endAt = startAt + seconds(CONTAINER_RUN_SECONDS);
    if (run?.containers && now >= endAt && endAt <= deadlineAt) return this.finish(job, pod, run.containers, endAt) || progressed;
    if (now >= deadlineAt) return this.exceedDeadline(job, pod, deadlineAt) || progressed;
    return progressed;
  }

  private createPod(job: StoredObject, name: string, startAt: number): StoredObject {
    const template = obj(obj(job.spec).template);
    const spec = obj(template.spec);
    return this.writes.store.insert(PODS, {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace: job.metadata.namespace!,
        creationTimestamp: at(startAt),
        labels: {
          ...(obj(obj(template.metadata).labels) as Record<string, string>),
          'batch.kubernetes.io/job-name': job.metadata.name,
          'job-name': job.metadata.name,
          'batch.kubernetes.io/controller-uid': job.metadata.uid,
          'controller-uid': job.metadata.uid,
        },
        ownerReferences: [
          {
            apiVersion: 'batch/v1',
            kind: 'Job',
            name: job.metadata.name,
            uid: job.metadata.uid,
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec,
      status: {
        phase: 'Running',
        startTime: at(startAt),
        containerStatuses: ((spec.containers as Json[] | undefined) ?? []).map((c) => ({
          name: c.name,
          ready: true,
          state: { running: { startedAt: at(startAt) } },
        })),
      },
    });
  }

  /** Starts the pod's containers: each psql one runs its commands against the data now. */
  private start(pod: StoredObject, job: StoredObject): void {
    const containers = (obj(obj(obj(job.spec).template).spec).containers as Json[] | undefined) ?? [];
    const run: PodRun = {};
    this.runs.set(pod.metadata.uid, run);
    if (!containers.every((c) => Array.isArray(c.command) && c.command[0] === 'psql')) return;
    const namespace = pod.metadata.namespace!;
    let environments: Array<Record<string, string>>;
    try {
      environments = containers.map((c) => this.environment(namespace, c));
    } catch (error) {
      run.waiting = (error as Error).message;
      return;
    }
    const work = Promise.all(
      containers.map((c, i) => this.psql(namespace, String(c.name), (c.command as unknown[]).slice(1).map(String), environments[i]!)),
    )
      .then((results) => {
        run.containers = results;
      })
      .finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  /** The container's environment: `value`, or `valueFrom.secretKeyRef` read from the Secret (base64 data). */
  private environment(namespace: string, container: Json): Record<string, string> {
    const env: Record<string, string> = {};
    for (const variable of (container.env as Json[] | undefined) ?? []) {
      const name = String(variable.name);
      if (typeof variable.value === 'string') env[name] = variable.value;
      const ref = obj(obj(variable.valueFrom).secretKeyRef);
      if (typeof ref.name !== 'string') continue;
      const key = str(ref.key);
      const secret = this.writes.store.get(SECRETS, namespace, ref.name);
      const value = obj(secret?.data)[key];
      // kubelet: a missing Secret or key keeps the container waiting (CreateContainerConfigError).
      if (typeof value !== 'string') throw new Error(`CreateContainerConfigError: secret "${ref.name}" or its key "${key}" not found`);
      env[name] = Buffer.from(value, 'base64').toString('utf8');
    }
    return env;
  }

  private async psql(namespace: string, name: string, args: string[], env: Record<string, string>): Promise<ContainerRun> {
    const commands: string[] = [];
    let file: string | undefined;
    let stopOnError = false;
    for (let i = 0; i < args.length; i += 1) {
      const arg = args[i]!;
      if (arg === '-c') commands.push(args[++i] ?? '');
      else if (arg === '-o') file = args[++i];
      else if (arg === '-v') stopOnError ||= args[++i] === 'ON_ERROR_STOP=1';
    }
    const connection = this.connect(namespace, env);
    if ('error' in connection) return { name, exitCode: EXIT_BADCONN, log: `psql: error: ${connection.error}\n` };
    let output = '';
    let log = '';
    let failed = false;
    for (const command of commands) {
      try {
        for (const rows of await this.data.text(connection.clusterUid, command))
          for (const row of rows) output += `${row.map((value) => value ?? '').join('|')}\n`;
      } catch (error) {
        log += `ERROR:  ${(error as Error).message}\n`;
        failed = true;
        if (stopOnError) break;
      }
    }
    return { name, exitCode: failed ? EXIT_FAILURE : 0, log, ...(file !== undefined && { file: output }) };
  }

  /** The cluster uid a connection reaches, or libpq's error. */
  private connect(namespace: string, env: Record<string, string>): { clusterUid: string } | { error: string } {
    const host = (env.PGHOST ?? '').replace(new RegExp(`\\.${namespace}(\\.svc(\\.cluster\\.local)?)?$`), '');
    const clusterName = host.endsWith('-rw') ? host.slice(0, -'-rw'.length) : undefined;
    const cluster = clusterName === undefined ? undefined : this.writes.store.get(CLUSTERS, namespace, clusterName);
    if (!cluster) return { error: `could not translate host name "${env.PGHOST ?? ''}" to address: Name or service not known` };
    if (obj(cluster.status).phase !== ClusterPhase.Healthy)
      return { error: `connection to server at "${env.PGHOST}", port ${env.PGPORT ?? '5432'} failed: Connection refused` };
    const appSecret = this.writes.store.get(SECRETS, namespace, `${clusterName}-app`);
    const decode = (key: string) => Buffer.from(str(obj(appSecret?.data)[key]), 'base64').toString('utf8');
    if (!appSecret || env.PGUSER !== decode('username') || env.PGPASSWORD !== decode('password'))
      return {
        error: `connection to server at "${env.PGHOST}", port ${env.PGPORT ?? '5432'} failed: FATAL:  password authentication failed for user "${env.PGUSER ?? ''}"`,
      };
    if (env.PGDATABASE !== decode('dbname'))
      return {
        error: `connection to server at "${env.PGHOST}", port ${env.PGPORT ?? '5432'} failed: FATAL:  database "${env.PGDATABASE ?? ''}" does not exist`,
      };
    this.data.bootstrap(cluster.metadata.uid);
    return { clusterUid: cluster.metadata.uid };
  }

  private finish(job: StoredObject, pod: StoredObject, containers: ContainerRun[], endAt: number): boolean {
    const spec = obj(pod.spec);
    const policies = new Map(((spec.containers as Json[] | undefined) ?? []).map((c) => [String(c.name), c.terminationMessagePolicy]));
    const failed = containers.some((c) => c.exitCode !== 0);
    this.writes.update(PODS, pod, {
      status: {
        ...obj(pod.status),
        phase: failed ? 'Failed' : 'Succeeded',
        containerStatuses: containers.map((c) => {
          const fallback = policies.get(c.name) === 'FallbackToLogsOnError' && c.exitCode !== 0 && !c.file;
          const message = (fallback ? c.log.slice(-LOG_TAIL_MAX) : (c.file ?? '')).slice(0, TERMINATION_MESSAGE_MAX);
          return {
            name: c.name,
            ready: false,
            state: {
              terminated: {
                exitCode: c.exitCode,
                reason: c.exitCode === 0 ? 'Completed' : 'Error',
                ...(message !== '' && { message }),
                finishedAt: at(endAt),
              },
            },
          };
        }),
      },
    });
    const backoffLimit = Number(obj(job.spec).backoffLimit ?? 6);
    const condition = failed
      ? {
          type: 'Failed',
          status: 'True',
          reason: 'BackoffLimitExceeded',
          message: 'Job has reached the specified backoff limit',
          lastTransitionTime: at(endAt),
        }
      : { type: 'Complete', status: 'True', lastTransitionTime: at(endAt) };
    // A retried pod (backoffLimit above 0) is not modelled: these Jobs are run once.
    if (failed && backoffLimit > 0)
      return this.writes.setStatus(JOBS, job, { failed: 1, startTime: at(endAt - seconds(CONTAINER_RUN_SECONDS)) });
    return this.writes.setStatus(JOBS, job, {
      ...(failed ? { failed: 1 } : { succeeded: 1, completionTime: at(endAt) }),
      conditions: [condition],
    });
  }

  private exceedDeadline(job: StoredObject, pod: StoredObject, deadlineAt: number): boolean {
    this.writes.update(PODS, pod, { status: { ...obj(pod.status), phase: 'Failed', reason: 'DeadlineExceeded' } });
    return this.writes.setStatus(JOBS, job, {
      failed: 1,
      conditions: [
        {
          type: 'Failed',
          status: 'True',
          reason: 'DeadlineExceeded',
          message: 'Job was active longer than specified deadline',
          lastTransitionTime: at(deadlineAt),
        },
      ],
    });
  }
}
