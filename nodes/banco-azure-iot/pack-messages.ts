/**
 * Packs a batch of telemetry items (one SinkQueue batch) into IoT Hub messages. Without batching each item is one
 * message. With batching (IoT Hub over MQTT has no batch of its own) several items become one
 * JSON message, `[{"properties": {...}, "body": …}, …]`, with the application property
 * `batchSize`, filled greedily so that no message passes 256 KB.
 */
import { AZURE_LIMITS } from '../banco-azure-device/limits';
import { SYSTEM_PROPERTIES, type PropertyBag } from '../banco-azure-device/dialect';
import { messageBytes, type TelemetryItem } from './telemetry';

export interface HubMessage {
  body: Buffer;
  properties: PropertyBag;
  /** Indexes of the batch items this message carries. */
  items: number[];
}

function entryOf(item: TelemetryItem): string {
  const properties = Object.fromEntries(item.properties.filter(([name]) => name !== SYSTEM_PROPERTIES.contentEncoding));
  const body = item.kind === 'json' ? item.body.toString('utf8') : JSON.stringify(item.kind === 'text' ? item.body.toString('utf8') : item.body.toString('base64'));
  const encoding = item.kind === 'binary' ? ',"bodyEncoding":"base64"' : '';
  return `{"properties":${JSON.stringify(properties)},"body":${body}${encoding}}`;
}

function batchMessage(entries: string[], items: number[]): HubMessage {
  return {
    body: Buffer.from(`[${entries.join(',')}]`, 'utf8'),
    properties: [[SYSTEM_PROPERTIES.contentType, 'application/json'], [SYSTEM_PROPERTIES.contentEncoding, 'utf-8'], ['batchSize', String(items.length)]],
    items,
  };
}

/** `eventsPerMessage` 1: one message per item; more: JSON batch messages of at most that many items. */
export function packMessages(batch: readonly TelemetryItem[], eventsPerMessage: number): HubMessage[] {
  if (eventsPerMessage <= 1) return batch.map((item, i) => ({ body: item.body, properties: item.properties, items: [i] }));
  const messages: HubMessage[] = [];
  let entries: string[] = [];
  let items: number[] = [];
  let bytes = 0;
  // Brackets, commas and the property bag (batchSize has at most 3 digits: 500 events at most).
  const overhead = messageBytes(Buffer.from('[]'), batchMessage([], [999]).properties);
  batch.forEach((item, i) => {
    const entry = entryOf(item);
    const entryBytes = Buffer.byteLength(entry) + 1;
    if (entries.length > 0 && (entries.length >= eventsPerMessage || overhead + bytes + entryBytes > AZURE_LIMITS.message_bytes_max)) {
      messages.push(batchMessage(entries, items));
      entries = [];
      items = [];
      bytes = 0;
    }
    entries.push(entry);
    items.push(i);
    bytes += entryBytes;
  });
  if (entries.length > 0) messages.push(batchMessage(entries, items));
  // An item that fit alone as a message may not fit wrapped in a batch: send such a one unwrapped.
  return messages.flatMap((m) => (m.items.length === 1 && messageBytes(m.body, m.properties) > AZURE_LIMITS.message_bytes_max ? [{ body: batch[m.items[0]].body, properties: batch[m.items[0]].properties, items: m.items }] : [m]));
}
