import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DeploymentConfigError } from '../lib/deployment-config';
import { loadDeploymentConfig } from '../lib/load-deployment-config';
import { clusterManifestFiles } from '../lib/kubernetes-manifests';

/** `npm run k8s-manifests -- -c <config> [-o <dir>]`: writes `<dir>/<eks cluster>.yaml` for each EKS cluster of the config. */

const USAGE = 'usage: npm run k8s-manifests -- -c <deployment config> [-o <output directory, default k8s>]';

function main(): number {
  let values: { config?: string; out?: string };
  try {
    ({ values } = parseArgs({
      options: { config: { type: 'string', short: 'c' }, out: { type: 'string', short: 'o', default: 'k8s' } },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!values.config) {
    console.error(`-c (--config) is required: the deployment config the stack is deployed with\n${USAGE}`);
    return 2;
  }
  try {
    const manifests = clusterManifestFiles(loadDeploymentConfig(values.config), values.config);
    const out = values.out ?? 'k8s';
    mkdirSync(out, { recursive: true });
    for (const [eksCluster, yaml] of manifests) {
      const path = join(out, `${eksCluster}.yaml`);
      writeFileSync(path, yaml);
      console.log(`wrote ${path}: apply it with kubectl apply -f ${path} in EKS cluster ${eksCluster}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof DeploymentConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

process.exitCode = main();
