/** JSON merge patch (RFC 7386) and JSON patch (RFC 6902), as the API server applies them to custom resources. */

type Json = unknown;

export function applyMergePatch(target: Json, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return structuredClone(patch);
  const result: Record<string, Json> =
    target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, Json>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, Json>)) {
    if (value === null) Reflect.deleteProperty(result, key);
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

export interface PatchOperation {
  op: 'add' | 'remove' | 'replace' | 'test';
  path: string;
  value?: Json;
}

export class PatchError extends Error {}

function pointer(path: string): string[] {
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer "${path}"`);
  return path
    .slice(1)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export function applyJsonPatch(target: Json, operations: PatchOperation[]): Json {
  const document = structuredClone(target) as Record<string, Json>;
  for (const operation of operations) {
    const parts = pointer(operation.path);
    const last = parts.pop()!;
    let parent: Json = document;
    for (const part of parts) {
      parent = (parent as Record<string, Json>)[part];
      if (parent === undefined || parent === null || typeof parent !== 'object')
        throw new PatchError(`path ${operation.path} does not exist`);
    }
    const container = parent as Record<string, Json>;
    switch (operation.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(last === '-' ? parent.length : Number(last), 0, operation.value);
        else container[last] = operation.value;
        break;
      case 'replace':
        if (!(last in container)) throw new PatchError(`path ${operation.path} does not exist`);
        container[last] = operation.value;
        break;
      case 'remove':
        if (!(last in container)) throw new PatchError(`path ${operation.path} does not exist`);
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else Reflect.deleteProperty(container, last);
        break;
      case 'test':
        if (JSON.stringify(container[last]) !== JSON.stringify(operation.value)) throw new PatchError(`test of ${operation.path} failed`);
        break;
      default:
        throw new PatchError(`unsupported patch operation ${String((operation as { op: unknown }).op)}`);
    }
  }
  return document;
}
