import { Document, isMap, isScalar, isSeq, visit } from 'yaml';

/** One Kubernetes object to write into a manifest file, with the comments that say why it is there. */
export interface KubernetesManifest {
  object: Record<string, unknown>;
  /** Written above the object. */
  comment?: string;
  /** Written above each item of a list, by the list's dotted path (e.g. `rules`, `spec.validations`). */
  itemComments?: Record<string, readonly string[]>;
}

const asComment = (text: string) =>
  text
    .split('\n')
    .map((line) => ` ${line}`)
    .join('\n');

/** The objects as one multi-document YAML file, `header` on top. */
export function renderManifests(header: string, manifests: readonly KubernetesManifest[]): string {
  const documents = manifests.map((manifest, index) => {
    const document = new Document(manifest.object);
    const comment = [index === 0 ? header : undefined, manifest.comment].filter((c) => c).join('\n');
    if (comment) document.commentBefore = asComment(comment);
    for (const [path, comments] of Object.entries(manifest.itemComments ?? {})) {
      const list = document.getIn(path.split('.'), true);
      if (!isSeq(list)) throw new Error(`${path} is not a list in ${String(manifest.object.kind)}`);
      list.items.forEach((item, i) => {
        if (isMap(item) && comments[i]) item.commentBefore = asComment(comments[i]);
      });
    }
    // Lists of plain values (verbs, resources, operations) read best on one line.
    visit(document, {
      Seq: (_key, node) => {
        if (node.items.every((item) => isScalar(item))) node.flow = true;
      },
    });
    return document.toString({ lineWidth: 0 });
  });
  return documents.join('---\n');
}
