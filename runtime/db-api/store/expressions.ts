/**
 * DynamoDB expression building with placeholders for every name and value,
 * so field names never clash with DynamoDB's reserved words (status, name,
 * value, ...).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { toAttributes } from './codec.js';

export class Expression {
  readonly names: Record<string, string> = {};
  private readonly rawValues: Record<string, unknown> = {};
  private readonly nameIds = new Map<string, string>();
  private valueCount = 0;

  /** A placeholder for an attribute name. */
  name(attribute: string): string {
    let id = this.nameIds.get(attribute);
    if (!id) {
      id = `#n${this.nameIds.size}`;
      this.nameIds.set(attribute, id);
      this.names[id] = attribute;
    }
    return id;
  }

  /** A placeholder for a value. */
  value(v: unknown): string {
    const id = `:v${this.valueCount++}`;
    this.rawValues[id] = v;
    return id;
  }

  /** ExpressionAttributeNames / ExpressionAttributeValues for a request (empty ones left out). */
  attributes(): {
    ExpressionAttributeNames?: Record<string, string>;
    ExpressionAttributeValues?: Record<string, AttributeValue>;
  } {
    return {
      ...(Object.keys(this.names).length ? { ExpressionAttributeNames: this.names } : {}),
      ...(this.valueCount
        ? {
            ExpressionAttributeValues: toAttributes(this.rawValues),
          }
        : {}),
    };
  }
}

/** `SET a = :a, ... REMOVE b, ... ADD c :c` from its parts (empty parts left out). */
export function updateExpression(parts: {
  set: string[];
  remove: string[];
  add: string[];
}): string {
  return [
    parts.set.length ? `SET ${parts.set.join(', ')}` : '',
    parts.remove.length ? `REMOVE ${parts.remove.join(', ')}` : '',
    parts.add.length ? `ADD ${parts.add.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
