import { readTargetCatalog } from '../../adapters/target-catalog-file';
import type { TargetCatalog } from '../../domain/target-catalog';

/** The deployment's targets from its layer, read on first use and kept for the life of the Lambda container. */
export function productionTargetCatalog(): () => TargetCatalog {
  let catalog: TargetCatalog | undefined;
  return () => (catalog ??= readTargetCatalog());
}
