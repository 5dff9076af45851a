import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Names, Stage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { TARGET_CATALOG_FILE_NAME, TARGET_CATALOG_LAYER_DIRECTORY } from '../lambdas/adapters/target-catalog-file';
import type { TargetCatalogDocument } from '../lambdas/domain/target-catalog';

export interface TargetCatalogLayerProps {
  readonly document: TargetCatalogDocument;
}

/**
 * The deployment's validated targets as one JSON file in a Lambda layer. A layer, and not environment variables (4 KB
 * in all), the template (it would grow with every target) or the function bundles (the same code then serves every
 * deployment): the file is an S3 asset like the code, versioned with the deployment, read from /opt at cold start
 * with no network call and no IAM permission, and a config change publishes a new layer version and nothing else.
 */
export class TargetCatalogLayer extends Construct {
  readonly layer: lambda.LayerVersion;
  /** The staged file, as the layer ships it. */
  readonly path: string;

  constructor(scope: Construct, id: string, props: TargetCatalogLayerProps) {
    super(scope, id);
    // Written into the app's output directory (cdk.out), with the rest of the synth's output: a directory under the
    // system's temporary directory was left behind by every synth.
    const stage = Stage.of(this);
    if (!stage) throw new Error('TargetCatalogLayer must be created inside a CDK App');
    const staging = join(stage.outdir, 'target-catalog-source', Names.uniqueId(this));
    mkdirSync(join(staging, TARGET_CATALOG_LAYER_DIRECTORY), { recursive: true });
    this.path = join(staging, TARGET_CATALOG_LAYER_DIRECTORY, TARGET_CATALOG_FILE_NAME);
    writeFileSync(this.path, JSON.stringify(props.document));
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      code: lambda.Code.fromAsset(staging),
      compatibleRuntimes: [lambda.Runtime.NODEJS_24_X],
      compatibleArchitectures: [lambda.Architecture.ARM_64],
      description: 'cnpg-snapshot-scheduler target catalog (the validated targets of this deployment)',
    });
  }
}
