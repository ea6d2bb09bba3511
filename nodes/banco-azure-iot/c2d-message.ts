/**
 * A cloud-to-device message as the node's second output sends it: the body decoded by its content
 * type, the application properties apart from IoT Hub's system ones (`$.mid`, `$.to`, `$.ct`, …,
 * and `iothub-*`), and the common system properties under their own names.
 */
import type { C2dMessage } from '../banco-azure-device/device-connection';
import type { NodeMessage } from '../shared/node-red';

function decodeBody(payload: Buffer, contentType: string | undefined): unknown {
  const type = (contentType ?? '').toLowerCase();
  if (type === 'application/octet-stream') return payload;
  const text = payload.toString('utf8');
  if (type === 'application/json' || type.endsWith('+json')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

export function c2dOutput(message: C2dMessage): NodeMessage {
  const properties: Record<string, string> = {};
  const systemProperties: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.properties)) {
    if (name.startsWith('$.') || name.startsWith('iothub-')) systemProperties[name] = value;
    else properties[name] = value;
  }
  const contentType = systemProperties['$.ct'];
  return {
    topic: message.topic,
    payload: decodeBody(message.payload, contentType),
    properties,
    systemProperties,
    messageId: systemProperties['$.mid'],
    correlationId: systemProperties['$.cid'],
    contentType,
  };
}
