import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import * as z from 'zod';
import {
  DeploymentConfigSchema,
  DisasterRecoveryEksClusterSchema,
  DisasterRecoverySchema,
  NetworkSchema,
  NotificationsSchema,
} from '../../lib/deployment-config';
import { FanOutSettingsSchema } from '../../lambdas/domain/target-catalog';
import { CopyAccountSchema, CopyPolicySchema } from '../../lambdas/domain/copy-policy';
import { DiscoverySchema } from '../../lambdas/domain/target-policy';
import {
  BackupOptionsSchema,
  DrillCheckSchema,
  DrillPolicySchema,
  RetentionPolicySchema,
  TargetSpecSchema,
} from '../../lambdas/domain/target-spec';

/**
 * lib/snapshot-scheduler-config.ts documents the config for a CDK user's editor; the compiler checks its types against
 * the schema (lib/deployment-config.ts), and this file checks its words: every field is described, every optional one
 * names its default, and a default written as a value is the value the schema fills in.
 */

/** The schema of each documented interface. */
const SCHEMAS: Record<string, { shape: Record<string, z.core.$ZodType> }> = {
  SnapshotSchedulerConfig: DeploymentConfigSchema,
  NotificationsConfig: NotificationsSchema,
  NetworkConfig: NetworkSchema,
  FanOutConfig: FanOutSettingsSchema,
  TargetConfig: TargetSpecSchema,
  BackupConfig: BackupOptionsSchema,
  RetentionConfig: RetentionPolicySchema,
  DrillConfig: DrillPolicySchema,
  DrillCheckConfig: DrillCheckSchema,
  CopiesConfig: CopyPolicySchema,
  CopiesAccountConfig: CopyAccountSchema,
  DiscoveryConfig: DiscoverySchema,
  DisasterRecoveryConfig: DisasterRecoverySchema,
  DisasterRecoveryEksClusterConfig: DisasterRecoveryEksClusterSchema,
};

interface DocumentedField {
  field: string;
  optional: boolean;
  description: string;
  defaultText: string | undefined;
}

function documentedFields(): DocumentedField[] {
  const path = join(__dirname, '..', '..', 'lib', 'snapshot-scheduler-config.ts');
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  return source.statements.filter(ts.isInterfaceDeclaration).flatMap((declaration) =>
    declaration.members.filter(ts.isPropertySignature).map((member) => {
      const docs = ts.getJSDocCommentsAndTags(member).filter(ts.isJSDoc);
      const tag = ts.getJSDocTags(member).find((t) => t.tagName.text === 'default');
      return {
        field: `${declaration.name.text}.${member.name.getText(source)}`,
        optional: member.questionToken !== undefined,
        description: docs.map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '').join(''),
        defaultText: tag && ts.getTextOfJSDocComment(tag.comment),
      };
    }),
  );
}

/** A default written as a value (`30`, `'7d'`, `{ kind: 'eks' }`, `[]`), read as JSON; undefined when it is prose. */
function writtenValue(text: string): { value: unknown } | undefined {
  const literal = /^('[^']*'|-?\d+|true|false|\[\]|\{[^}]*\})/.exec(text)?.[1];
  if (literal === undefined) return undefined;
  return { value: JSON.parse(literal.replace(/'/g, '"').replace(/(\w+):/g, '"$1":')) as unknown };
}

/** Defaults that say the field stays unset (the scheduler, or CNPG, then does without it). */
const UNSET = /^(none|the Cluster's setting|CNPG's )/;

const fields = documentedFields();

test('every interface documented is one the schema backs, field for field', () => {
  const interfaces = new Set(fields.map(({ field }) => field.split('.')[0]!));
  expect([...interfaces].sort()).toEqual(Object.keys(SCHEMAS).sort());
  for (const name of interfaces)
    expect(
      fields
        .filter(({ field }) => field.startsWith(`${name}.`))
        .map(({ field }) => field.split('.')[1])
        .sort(),
    ).toEqual(Object.keys(SCHEMAS[name]!.shape).sort());
});

test.each(fields.map((f) => [f.field, f] as const))('%s is described', (_field, { description }) => {
  expect(description.trim().length).toBeGreaterThan(10);
});

test.each(fields.map((f) => [f.field, f] as const))('%s names its default as the schema has it', (field, { optional, defaultText }) => {
  const [name, key] = field.split('.') as [string, string];
  const filled = z.safeParse(SCHEMAS[name]!.shape[key]!, undefined);
  if (!optional) {
    expect(defaultText).toBeUndefined();
    expect(filled.success).toBe(false);
    return;
  }
  expect(defaultText).toBeDefined();
  expect(filled.success).toBe(true);
  const written = writtenValue(defaultText!);
  if (written) expect(filled.data).toEqual(written.value);
  else if (UNSET.test(defaultText!)) expect(filled.data).toBeUndefined();
  else expect(filled.data).toBeDefined();
});
