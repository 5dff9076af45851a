import { readFileSync } from 'node:fs';
import { TargetCatalog, TargetCatalogDocumentSchema } from '../domain/target-catalog';

/** Where the deployment's target catalog lies inside its Lambda layer (layers are extracted under /opt). */
export const TARGET_CATALOG_LAYER_DIRECTORY = 'cnpg-snapshot-scheduler';
export const TARGET_CATALOG_FILE_NAME = 'target-catalog.json';
export const TARGET_CATALOG_PATH = `/opt/${TARGET_CATALOG_LAYER_DIRECTORY}/${TARGET_CATALOG_FILE_NAME}`;

/** Reads and checks the catalog the stack shipped; anything wrong with it is a deployment bug, named as such. */
export function readTargetCatalog(path: string = TARGET_CATALOG_PATH): TargetCatalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the target catalog ${path} (${(error as Error).message}); redeploy the stack`);
  }
  const result = TargetCatalogDocumentSchema.safeParse(raw);
  if (!result.success)
    throw new Error(`The target catalog ${path} is invalid (${result.error.issues[0]?.message ?? 'unknown problem'}); redeploy the stack`);
  return new TargetCatalog(result.data);
}
