// app.js: two schedulers in one stack of your own (run with `node app.js`, or `npx cdk synth --app "node app.js"`).
const { App, Stack } = require('aws-cdk-lib');
const { SnapshotScheduler } = require('cnpg-snapshot-scheduler');

const app = new App();
const stack = new Stack(app, 'Platform', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
new SnapshotScheduler(stack, 'DrA', {
  config: { targets: [{ name: 'orders', eksCluster: 'prod-eks', namespace: 'shop', cluster: 'orders' }] },
});
new SnapshotScheduler(stack, 'DrB', {
  config: { targets: [{ name: 'ledger', eksCluster: 'prod-eks', namespace: 'billing', cluster: 'ledger' }] },
});
app.synth();
