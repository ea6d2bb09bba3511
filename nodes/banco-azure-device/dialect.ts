/**
 * The IoT Hub MQTT dialect, device side (IoT Hub docs, "Communicate with an IoT hub using MQTT"):
 * CONNECT names, telemetry and cloud-to-device topics, and the property bag carried in the topic.
 */
import { AZURE_LIMITS, IOT_HUB_API_VERSION } from './limits';

/** CONNECT username: `{iothubhostname}/{device_id}/?api-version=…` (always HostName, also via a gateway). */
export function mqttUsername(hostName: string, deviceId: string): string {
  return `${hostName}/${deviceId}/?api-version=${IOT_HUB_API_VERSION}`;
}

export function telemetryTopicPrefix(deviceId: string): string {
  return `devices/${deviceId}/messages/events/`;
}

export function c2dFilter(deviceId: string): string {
  return `devices/${deviceId}/messages/devicebound/#`;
}

export function c2dTopicPrefix(deviceId: string): string {
  return `devices/${deviceId}/messages/devicebound/`;
}

/** System properties a device may set on telemetry; their names go into the topic as written. */
export const SYSTEM_PROPERTIES = {
  messageId: '$.mid',
  correlationId: '$.cid',
  contentType: '$.ct',
  contentEncoding: '$.ce',
} as const;

const SYSTEM_NAMES: ReadonlySet<string> = new Set(Object.values(SYSTEM_PROPERTIES));

export type PropertyBag = ReadonlyArray<readonly [string, string]>;

/** `name=value&…`, each part URL-encoded (RFC 2396 as the docs say) except the `$.xx` system names. */
export function encodePropertyBag(bag: PropertyBag): string {
  return bag
    .map(([name, value]) => `${SYSTEM_NAMES.has(name) ? name : encodeURIComponent(name)}=${encodeURIComponent(value)}`)
    .join('&');
}

export function telemetryTopic(deviceId: string, bag: PropertyBag): string {
  return telemetryTopicPrefix(deviceId) + encodePropertyBag(bag);
}

/** Decodes `a=1&%24.mid=x&flag` into pairs; undefined when a part is not valid percent-encoding. */
export function decodePropertyBag(text: string): Array<[string, string]> | undefined {
  if (text.length > AZURE_LIMITS.c2d_topic_chars_max) return undefined;
  const pairs: Array<[string, string]> = [];
  for (const part of text.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    try {
      pairs.push([decodeURIComponent(name), decodeURIComponent(value)]);
    } catch {
      return undefined;
    }
  }
  return pairs;
}

/** The property bag of a cloud-to-device topic (what follows `…/devicebound/`). */
export function c2dProperties(deviceId: string, topic: string): Record<string, string> | undefined {
  const prefix = c2dTopicPrefix(deviceId);
  if (!topic.startsWith(prefix)) return undefined;
  const pairs = decodePropertyBag(topic.slice(prefix.length));
  return pairs ? Object.fromEntries(pairs) : undefined;
}
