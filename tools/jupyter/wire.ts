/**
 * Jupyter's wire format (messaging protocol 5.3): the frames of a signed
 * message on a ZeroMQ socket, HMAC-SHA256 signatures, and connection files.
 * Shared by the notebook executor (the client side) and the course kernel
 * (the server side).
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export const DELIMITER = '<IDS|MSG>';
export const PROTOCOL_VERSION = '5.3';

/** A message header as the protocol defines it. */
export interface Header {
  msg_id: string;
  msg_type: string;
  session: string;
  username: string;
  date: string;
  version: string;
}

/** A decoded protocol message. */
export interface Message {
  header: Header;
  parent_header: Partial<Header>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
}

/** A message received on a ROUTER socket, with the routing identities to answer to. */
export interface RoutedMessage extends Message {
  identities: Buffer[];
}

/** What a connection file holds (the kernel's five ports and the signing key). */
export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

/** The signature of a message's four JSON parts (empty when the key is empty, as the protocol allows). */
export function sign(key: string, parts: string[]): string {
  if (key === '') return '';
  const hmac = createHmac('sha256', key);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** A new header for a message of type `msgType`. */
export function newHeader(msgType: string, session: string, username: string): Header {
  return {
    msg_id: randomUUID(),
    msg_type: msgType,
    session,
    username,
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

/** The frames of a message, signed with `key`, after the routing identities. */
export function encode(key: string, message: Message, identities: Buffer[] = []): Array<Buffer | string> {
  const parts = [
    JSON.stringify(message.header),
    JSON.stringify(message.parent_header),
    JSON.stringify(message.metadata),
    JSON.stringify(message.content),
  ];
  return [...identities, DELIMITER, sign(key, parts), ...parts];
}

/**
 * Decodes frames into a message. Returns undefined for frames that are not a
 * message or whose signature does not match `key` (not from our peer).
 */
export function decode(key: string, frames: Buffer[]): RoutedMessage | undefined {
  const at = frames.findIndex((frame) => frame.length === DELIMITER.length && frame.toString() === DELIMITER);
  if (at < 0 || frames.length < at + 6) return undefined;
  const [signature, header, parent, metadata, content] = frames
    .slice(at + 1, at + 6)
    .map((f) => f.toString());
  const expected = Buffer.from(sign(key, [header!, parent!, metadata!, content!]));
  const given = Buffer.from(signature!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    return {
      identities: frames.slice(0, at),
      header: JSON.parse(header!) as Header,
      parent_header: JSON.parse(parent!) as Partial<Header>,
      metadata: JSON.parse(metadata!) as Record<string, unknown>,
      content: JSON.parse(content!) as Record<string, unknown>,
    };
  } catch {
    return undefined;
  }
}
