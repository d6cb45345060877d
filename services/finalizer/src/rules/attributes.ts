// Plain JSON values <-> DynamoDB attribute values, through the SDK's own converter.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';

export type Item = Record<string, AttributeValue>;

/** Skips undefined properties, as JSON.stringify does. */
export function toItem(obj: Record<string, unknown>): Item {
  return marshall(obj, { removeUndefinedValues: true, convertClassInstanceToMap: false });
}

export function fromItem(item: Item): Record<string, unknown> {
  return unmarshall(item);
}
