import { PreconditionFailedError } from '../errors';
import type { Backup, Cluster, ClusterSpec } from './kube-objects';

/**
 * The PostgreSQL image a restored cluster runs: the one its backup was taken with. A source that pins no image runs
 * the operator's default (cloudnative-pg pkg/versions/versions.go, DefaultImageName), which an operator upgrade
 * changes, also across a major version; so the restored cluster pins the image the source ran at backup time
 * (`status.image` in the backup's recorded Cluster, else its `spec.imageName`), falling back to the live Cluster's.
 * An image catalog reference names its major version itself and is kept as it is.
 */
export interface PinnedImage {
  /** What the restored cluster runs, as `spec.imageName`, or the image catalog it keeps. */
  image: string;
  /** Set when the image is not the one the live source runs now. */
  warning?: string;
}

const imageOf = (cluster: Cluster | undefined): string | undefined => cluster?.status?.image ?? cluster?.spec.imageName;

export function pinImage(spec: ClusterSpec, backup: Backup, recorded: Cluster | undefined, live: Cluster | undefined): PinnedImage {
  if (spec.imageCatalogRef) {
    delete spec.imageName;
    return { image: `image catalog ${spec.imageCatalogRef.kind}/${spec.imageCatalogRef.name}, major ${spec.imageCatalogRef.major}` };
  }
  const image = imageOf(recorded) ?? imageOf(live);
  if (!image)
    throw new PreconditionFailedError(
      `The image backup ${backup.metadata.name} was taken with is unknown (no status.image or spec.imageName in the backup's recorded Cluster or the live one), and CNPG would run its own default image, possibly of another major version`,
    );
  spec.imageName = image;
  const now = imageOf(live);
  return {
    image,
    ...(now !== undefined &&
      now !== image && {
        warning: `The restored cluster runs ${image}, the image backup ${backup.metadata.name} was taken with; the source runs ${now} now`,
      }),
  };
}

/** The PostgreSQL major version of an image tag (`...:17.5`, `...:18.4-system-trixie`) or catalog reference. */
export function majorOfImage(spec: ClusterSpec): number | undefined {
  if (spec.imageCatalogRef) return spec.imageCatalogRef.major;
  const tag = /:(\d+)(?:[.\-@]|$)/.exec(spec.imageName ?? '');
  return tag ? Number(tag[1]) : undefined;
}
