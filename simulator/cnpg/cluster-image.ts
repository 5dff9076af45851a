import { obj, type Json } from './simulated-writes';

/** cloudnative-pg pkg/versions/versions.go, DefaultImageName of v1.30.0: what a Cluster that pins no image runs. */
export const DEFAULT_IMAGE = 'ghcr.io/cloudnative-pg/postgresql:18.4-system-trixie';

/**
 * The image a Cluster's instances run (what CNPG reports as status.image): spec.imageName, else the image catalog's
 * entry for its major (simulated as the catalog's major), else the operator's default.
 */
export function imageOf(spec: Json): string {
  if (typeof spec.imageName === 'string' && spec.imageName !== '') return spec.imageName;
  const catalog = obj(spec.imageCatalogRef);
  if (typeof catalog.major === 'number') return `ghcr.io/cloudnative-pg/postgresql:${catalog.major}`;
  return DEFAULT_IMAGE;
}

/** The PostgreSQL major version of an image tag such as `...:17.5` or `...:18.4-system-trixie`. */
export function majorOfImage(image: string): number | undefined {
  const tag = /:(\d+)(?:[.\-@]|$)/.exec(image);
  return tag ? Number(tag[1]) : undefined;
}

/** The major version a cluster runs: of its status.image when CNPG reported one, else of the image it would run. */
export function majorVersionOfCluster(cluster: Json): number | undefined {
  const reported = obj(cluster.status).image;
  return majorOfImage(typeof reported === 'string' ? reported : imageOf(obj(cluster.spec)));
}
