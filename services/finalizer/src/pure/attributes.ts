// Plain JSON values <-> DynamoDB attribute values (the SDK's low-level wire shape), so items are
// written and read as ordinary objects without pulling in another package.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export function toAttr(value: unknown): AttributeValue {
  if (value === null) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot store the number ${value}`);
    return { N: String(value) };
  }
  if (Array.isArray(value)) return { L: value.map(toAttr) };
  if (typeof value === 'object') return { M: toItem(value as Record<string, unknown>) };
  throw new TypeError(`cannot store a value of type ${typeof value}`);
}

/** Skips undefined properties, as JSON.stringify does. */
export function toItem(obj: Record<string, unknown>): Item {
  const item: Item = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) item[k] = toAttr(v);
  return item;
}

export function fromAttr(attr: AttributeValue): unknown {
  if (attr.S !== undefined) return attr.S;
  if (attr.N !== undefined) return Number(attr.N);
  if (attr.BOOL !== undefined) return attr.BOOL;
  if (attr.NULL) return null;
  if (attr.L) return attr.L.map(fromAttr);
  if (attr.M) return fromItem(attr.M);
  if (attr.SS) return [...attr.SS];
  if (attr.NS) return attr.NS.map(Number);
  throw new TypeError(`unsupported attribute value ${Object.keys(attr).join(',')}`);
}

export function fromItem(item: Item): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) obj[k] = fromAttr(v);
  return obj;
}
