// DynamoDB's item-size rules (the size that write units, read units and storage are billed on),
// applied to items as the low-level API returns them. From the developer guide, "Item sizes and
// formats": an attribute is its name's UTF-8 length plus its value; strings and binaries their
// length; a number about one byte per two significant digits plus one; null and booleans one byte;
// a list or map 3 bytes plus its elements plus one byte per element (a map's elements count their
// names); sets the sum of their elements. Pure, so the capacity test checks it by hand.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** Bytes of a number as DynamoDB stores it: significant digits (sign, point, leading and trailing zeros left out) / 2, rounded up, + 1. */
export function numberSize(n: string): number {
  const digits = n.replace(/^[+-]/, '').replace(/[eE].*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** Bytes of one attribute value (without its name). */
export function valueSize(v: AttributeValue): number {
  if (v.S !== undefined) return utf8(v.S);
  if (v.N !== undefined) return numberSize(v.N);
  if (v.B !== undefined) return v.B.length;
  if (v.BOOL !== undefined || v.NULL !== undefined) return 1;
  if (v.SS !== undefined) return v.SS.reduce((a, s) => a + utf8(s), 0);
  if (v.NS !== undefined) return v.NS.reduce((a, s) => a + numberSize(s), 0);
  if (v.BS !== undefined) return v.BS.reduce((a, b) => a + b.length, 0);
  if (v.L !== undefined) return 3 + v.L.reduce((a, e) => a + valueSize(e) + 1, 0);
  if (v.M !== undefined) return 3 + Object.entries(v.M).reduce((a, [k, e]) => a + utf8(k) + valueSize(e) + 1, 0);
  return 0;
}

/** Bytes of a whole item: every attribute's name and value. */
export function itemSize(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((a, [k, v]) => a + utf8(k) + valueSize(v), 0);
}

/** Write units of one standard write of an item this size (1 per KB started); a transactional write costs twice that. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));
