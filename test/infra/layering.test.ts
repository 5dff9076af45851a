import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * The layering of lambdas/ and the simulator's independence are lint rules; these probes prove the rules bite.
 * The probes are not files of the TypeScript project, so the type-aware rules are off for them (the import rules
 * under test read syntax only).
 */
const eslint = new ESLint({ overrideConfig: tseslint.configs.disableTypeChecked });

async function lintMessages(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.message);
}

describe('layering rules', () => {
  test.each([
    [
      'lambdas/domain/probe.ts',
      "import type { KubeResources } from '../adapters/kube-resources';\nexport type Probe = KubeResources;\n",
      'pure',
    ],
    ['lambdas/domain/probe.ts', "import { EKSClient } from '@aws-sdk/client-eks';\nexport const probe = EKSClient;\n", 'pure'],
    ['lambdas/domain/probe.ts', "import { readFileSync } from 'node:fs';\nexport const probe = readFileSync;\n", 'no I/O'],
    ['lambdas/domain/probe.ts', "import { logger } from '../runtime/logger';\nexport const probe = logger;\n", 'pure'],
    [
      'lambdas/adapters/probe.ts',
      "import { createStartBackup } from '../handlers/start-backup';\nexport const probe = createStartBackup;\n",
      'wiring',
    ],
    ['lambdas/runtime/probe.ts', "import { handler } from '../entrypoints/start-backup';\nexport const probe = handler;\n", 'wiring'],
    ['lib/probe.ts', "import { VirtualClock } from '../simulator/virtual-clock';\nexport const probe = VirtualClock;\n", 'simulator'],
    [
      'simulator/cnpg/probe.ts',
      "import { CnpgLabel } from '../../lambdas/domain/cnpg-api';\nexport const probe = CnpgLabel;\n",
      'models upstream',
    ],
    [
      'simulator/kubelet/probe.ts',
      "import { SchedulerLabel } from '../../lambdas/domain/scheduler-metadata';\nexport const probe = SchedulerLabel;\n",
      'models upstream',
    ],
    ['lambdas/domain/probe.ts', "import { z } from 'zod';\nexport const probe = z.string();\n", 'every locale'],
    [
      'lambdas/adapters/probe.ts',
      "import { KubeConfig } from '@kubernetes/client-node';\nexport const probe = KubeConfig;\n",
      'package index',
    ],
  ])('%s may not import what the probe imports (%#)', async (filePath, code, reason) => {
    const messages = await lintMessages(filePath, code);
    expect(messages.some((m) => m.includes(reason))).toBe(true);
  });

  test.each([
    ['lambdas/domain/probe.ts', "import * as z from 'zod';\nexport const probe = z.string();\n"],
    ['lambdas/handlers/probe.ts', "import type { KubeResources } from '../adapters/kube-resources';\nexport type Probe = KubeResources;\n"],
    ['simulator/cnpg/probe.ts', "import type { Cluster } from '../../lambdas/domain/kube-objects';\nexport type Probe = Cluster;\n"],
  ])('%s may import what the probe imports (%#)', async (filePath, code) => {
    expect(await lintMessages(filePath, code)).toEqual([]);
  });
});
