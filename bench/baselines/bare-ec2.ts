import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';

/** Baseline for the copy functions: one DescribeSnapshots call and nothing else. */
const client = new EC2Client({});

export const handler = async (event: { snapshotId: string }) =>
  client.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'snapshot-id', Values: [event.snapshotId] }] }));
