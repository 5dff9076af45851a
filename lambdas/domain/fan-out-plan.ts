import { executionNameFor } from './execution-name';
import type { FannedWorkflow } from './fan-out-schedule';
import type { TargetRef } from './target-catalog';

/** A due target as the fan-out sees it: its name, its EKS cluster, and the reference its workflow input carries. */
export interface DueTarget {
  name: string;
  eksCluster: string;
  ref: TargetRef;
}

/** One due target in a lane: its reference and the execution name of its slot. */
export interface FanOutItem {
  target: TargetRef;
  executionName: string;
}

/** Targets of one EKS cluster that one Map iteration works through, one after another. */
export interface FanOutLane {
  eksCluster: string;
  lane: number;
  items: FanOutItem[];
}

/**
 * Splits the due targets of one tick into lanes, at most `concurrencyPerEksCluster` per EKS cluster, dealt round-robin
 * in name order. The Map runs lanes side by side and each lane one target at a time, so no EKS cluster ever serves more
 * than that many targets' requests at once, however many targets are due.
 */
export function planFanOut(input: {
  targets: readonly DueTarget[];
  workflow: FannedWorkflow;
  scheduledTime: Date;
  concurrencyPerEksCluster: number;
}): FanOutLane[] {
  const byCluster = new Map<string, DueTarget[]>();
  for (const target of [...input.targets].sort((a, b) => a.name.localeCompare(b.name))) {
    const list = byCluster.get(target.eksCluster) ?? [];
    list.push(target);
    byCluster.set(target.eksCluster, list);
  }
  const lanes: FanOutLane[] = [];
  for (const eksCluster of [...byCluster.keys()].sort()) {
    const targets = byCluster.get(eksCluster)!;
    const count = Math.min(input.concurrencyPerEksCluster, targets.length);
    const clusterLanes: FanOutLane[] = Array.from({ length: count }, (_, lane) => ({ eksCluster, lane, items: [] }));
    targets.forEach((target, index) =>
      clusterLanes[index % count]!.items.push({
        target: target.ref,
        executionName: executionNameFor(target.name, input.workflow, input.scheduledTime),
      }),
    );
    lanes.push(...clusterLanes);
  }
  return lanes;
}
