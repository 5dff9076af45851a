import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { loadDeploymentConfig } from '../../lib/load-deployment-config';
import { clusterManifestFiles } from '../../lib/kubernetes-manifests';

/** `npm run k8s-manifests` writes the RBAC and admission policy for the configured namespaces; k8s/ is its output for the example. */

type Manifest = {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: { variables?: Array<{ name: string; expression: string }> };
};

const documentsOf = (yaml: string) => parseAllDocuments(yaml).map((document) => document.toJS() as Manifest);
const target = (name: string, eksCluster: string, namespace: string) => ({ name, eksCluster, namespace, cluster: name });

describe('the Kubernetes manifests', () => {
  test('k8s/ holds exactly what the generator makes for config/example.yaml (run npm run k8s-manifests -- -c config/example.yaml)', () => {
    const generated = clusterManifestFiles(loadDeploymentConfig('config/example.yaml'), 'config/example.yaml');
    expect(readdirSync('k8s').sort()).toEqual([...generated.keys()].map((cluster) => `${cluster}.yaml`).sort());
    for (const [cluster, yaml] of generated) expect(readFileSync(`k8s/${cluster}.yaml`, 'utf8')).toBe(yaml);
  });

  test('one file per EKS cluster, with a RoleBinding in each namespace of its targets and the policy for its targets only', () => {
    const config = parseDeploymentConfig({
      targets: [
        target('a', 'east', 'payments'),
        target('b', 'east', 'orders'),
        target('c', 'east', 'payments'),
        target('d', 'west', 'billing'),
      ],
    });
    const files = clusterManifestFiles(config, 'config/fleet.yaml');
    expect([...files.keys()]).toEqual(['east', 'west']);
    const east = documentsOf(files.get('east')!);
    expect(east.filter((d) => d.kind === 'RoleBinding').map((d) => d.metadata.namespace)).toEqual(['orders', 'payments']);
    expect(east.map((d) => d.kind)).toEqual(
      expect.arrayContaining(['ClusterRole', 'ClusterRoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']),
    );
    const targets = east.find((d) => d.kind === 'ValidatingAdmissionPolicy')!.spec!.variables!.find((v) => v.name === 'targets');
    expect(targets?.expression).toBe("{'orders': {'b': 'b'}, 'payments': {'a': 'a', 'c': 'c'}}");
    const west = documentsOf(files.get('west')!);
    expect(west.filter((d) => d.kind === 'RoleBinding').map((d) => d.metadata.namespace)).toEqual(['billing']);
  });
});

describe('npm run k8s-manifests', () => {
  const run = (...args: string[]) => spawnSync('node_modules/.bin/tsx', ['bin/k8s-manifests.ts', ...args], { encoding: 'utf8' });
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'k8s-manifests-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  test('writes <out>/<eks cluster>.yaml and says how to apply it', () => {
    const result = run('-c', 'config/example.yaml', '-o', out);
    expect(result.status).toBe(0);
    expect(readFileSync(join(out, 'prod-eks.yaml'), 'utf8')).toBe(readFileSync('k8s/prod-eks.yaml', 'utf8'));
    expect(result.stdout).toContain(`kubectl apply -f ${join(out, 'prod-eks.yaml')}`);
  });

  test('refuses to run without a config, naming the option, and writes nothing', () => {
    const result = run('-o', out);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('-c (--config) is required');
    expect(readdirSync(out)).toEqual([]);
  });

  test('refuses a bad config naming the field, and writes nothing', () => {
    const config = join(out, 'bad.yaml');
    writeFileSync(config, 'targets:\n  - name: UPPER\n    eksCluster: e\n    namespace: n\n    cluster: c\n');
    const result = run('-c', config, '-o', join(out, 'manifests'));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('targets.0.name');
    expect(readdirSync(out)).toEqual(['bad.yaml']);
  });
});
