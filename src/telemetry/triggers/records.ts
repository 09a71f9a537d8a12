// Where the records of a batch event sit: in `Records`, or grouped in lists by key
// (Kafka by topic-partition, RabbitMQ by queue).
import { asObject } from '../propagation/carriers.js';

/** The first record of an event that groups its records in lists (Kafka by topic-partition, RabbitMQ by queue). */
export function firstGrouped(groups: unknown): unknown {
  const byKey = asObject(groups);
  if (byKey === undefined) return undefined;
  for (const key in byKey) {
    const list = byKey[key];
    if (Array.isArray(list) && list.length > 0) return list[0];
  }
  return undefined;
}

/** Every record of such an event, group after group. */
export function groupedRecords(groups: unknown): unknown[] {
  const out: unknown[] = [];
  const byKey = asObject(groups);
  if (byKey === undefined) return out;
  for (const key in byKey) {
    const list = byKey[key];
    if (Array.isArray(list)) for (const record of list) out.push(record);
  }
  return out;
}

export function firstRecord(e: Record<string, unknown>): unknown {
  return Array.isArray(e.Records) ? e.Records[0] : undefined;
}
