/**
 * A backup, restore or drill the CLI started, in either mode: what it is, how to follow it by hand, and one look at
 * how it is going. `--wait` looks again until it ends (cli/follow-run.ts).
 */

export type RunState =
  | { done: false; phase: string }
  | { done: true; ok: true; phase: string; summary: string; rtoSeconds?: number }
  | { done: true; ok: false; phase: string; reason: string };

export interface StartedRun {
  /** One line: what was started (or found already started). */
  started: string;
  /** How to follow it without `--wait`. */
  follow: string;
  check(): Promise<RunState>;
}

/** How a restore chooses its backup and where it goes; the fields of the RequestRestore payload of the same names. */
export interface RestoreOrder {
  backup?: string;
  before?: string;
  pointInTime?: string;
  clusterName?: string;
  /** Another namespace of the deployment: the backup comes from the recovery-point catalog (stack mode). */
  toNamespace?: string;
  /** Another EKS cluster of the deployment, or a DR EKS cluster with a standby: from the catalog too (stack mode). */
  toEksCluster?: string;
}
