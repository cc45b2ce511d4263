// JSON in parts: a value too large for one string (V8 strings end at about 512 MB; a detector window of a few
// hundred thousand posts serialises to more) is written as several JSON texts, each parseable on its own, and put
// back together from them. Containers above `depth` are walked (honouring toJSON, as JSON.stringify does); the
// values below are serialised whole, in batches. Each part is a JSON array of entries [path, op, value]:
// op 0 sets `value` at `path` (an empty {} or [] for a container the following entries fill), op 1 appends the
// elements of `value` to the array at `path`, op 2 assigns the keys of `value` to the object at `path`.
// The round trip gives what JSON.parse(JSON.stringify(value)) gives.

type Path = Array<string | number>;
type Entry = [Path, 0 | 1 | 2, unknown];

function plain(value: unknown, key: string): unknown {
  const v = value as { toJSON?: (key: string) => unknown } | null;
  return v !== null && typeof v === 'object' && typeof v.toJSON === 'function' ? v.toJSON(key) : value;
}

const skipped = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/**
 * Serialises `value` into JSON texts of at most about `maxPartChars` characters each (a single value larger than
 * that makes a part of its own). Containers down to level `depth` (the root is level 0) are split into entries;
 * the values inside the deepest of them are serialised whole, in batches.
 */
export function toJsonParts(value: unknown, maxPartChars = 32 * 1024 * 1024, depth = 3): string[] {
  const parts: string[] = [];
  let current: string[] = [];
  let size = 2;
  const push = (text: string): void => {
    if (current.length > 0 && size + text.length + 1 > maxPartChars) {
      parts.push(`[${current.join(',')}]`);
      current = [];
      size = 2;
    }
    current.push(text);
    size += text.length + 1;
  };
  const batchLimit = Math.max(1, Math.floor(maxPartChars / 2));
  // `v` has been through toJSON already.
  const walk = (path: Path, v: unknown, level: number): void => {
    const pathJson = JSON.stringify(path);
    if (v === null || typeof v !== 'object') {
      push(`[${pathJson},0,${JSON.stringify(v) ?? 'null'}]`);
      return;
    }
    const isArray = Array.isArray(v);
    push(`[${pathJson},0,${isArray ? '[]' : '{}'}]`);
    let batch: string[] = [];
    let batchSize = 0;
    const flush = (): void => {
      if (batch.length === 0) return;
      push(isArray ? `[${pathJson},1,[${batch.join(',')}]]` : `[${pathJson},2,{${batch.join(',')}}]`);
      batch = [];
      batchSize = 0;
    };
    const add = (text: string): void => {
      if (batch.length > 0 && batchSize + text.length > batchLimit) flush();
      batch.push(text);
      batchSize += text.length + 1;
    };
    const entries: Array<[string | number, unknown]> = isArray
      ? (v as unknown[]).map((x, i) => [i, x])
      : Object.entries(v as Record<string, unknown>);
    for (const [k, x] of entries) {
      const y = plain(x, String(k));
      if (skipped(y) && !isArray) continue;
      const child = skipped(y) ? null : y;
      if (child !== null && typeof child === 'object' && level + 1 < depth) {
        flush(); // keeps array elements in order
        walk([...path, k], child, level + 1);
      } else {
        const text = JSON.stringify(child);
        add(isArray ? text : `${JSON.stringify(k)}:${text}`);
      }
    }
    flush();
  };
  walk([], plain(value, ''), 0);
  if (current.length > 0) parts.push(`[${current.join(',')}]`);
  return parts;
}

/** Sets an own property, as JSON.parse does (a key "__proto__" must not reach the prototype setter). */
function setOwn(node: Record<string | number, unknown>, key: string | number, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(node, key, { value, writable: true, enumerable: true, configurable: true });
  else node[key] = value;
}

/** Puts back together what {@link toJsonParts} wrote, from its parts in order. */
export function fromJsonParts(parts: Iterable<string>): unknown {
  let root: unknown;
  for (const part of parts) {
    for (const [path, op, v] of JSON.parse(part) as Entry[]) {
      let node = root as Record<string | number, unknown>;
      const last = op === 0 ? path.length - 1 : path.length;
      for (let i = 0; i < last; i++) node = node[path[i]!] as Record<string | number, unknown>;
      if (op === 1) for (const x of v as unknown[]) (node as unknown as unknown[]).push(x);
      else if (op === 2) for (const [k, x] of Object.entries(v as object)) setOwn(node, k, x);
      else if (path.length === 0) root = v;
      else setOwn(node, path[path.length - 1]!, v);
    }
  }
  return root;
}
