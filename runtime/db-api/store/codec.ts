/**
 * Items to and from DynamoDB's attribute values, for every read and write of
 * the table store. The validator admits every number DynamoDB stores (see
 * dynamoNumberProblem), so numbers beyond 2^53 are written as the client sent
 * them (`allowImpreciseNumbers`: they are JavaScript numbers already, the
 * SDK's default would throw) and read back as numbers, not as BigInt, which
 * JSON cannot carry.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';

type Item = Record<string, unknown>;

const NUMBERS = { wrapNumbers: (n: string) => Number(n) } as const;

/** An item (or a map of expression values) as DynamoDB attribute values; undefined values left out. */
export function toAttributes(item: Item): Record<string, AttributeValue> {
  return marshall(item, {
    removeUndefinedValues: true,
    allowImpreciseNumbers: true,
  }) as Record<string, AttributeValue>;
}

/** A stored item as a plain object. */
export function fromAttributes(
  attributes: Record<string, AttributeValue>,
): Record<string, NativeAttributeValue> {
  return unmarshall(attributes, NUMBERS);
}
