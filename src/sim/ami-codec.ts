/**
 * AMI wire format as Asterisk 22 writes it: `Key: Value\r\n` lines, a blank line ends a message.
 * Fields are kept as ordered pairs because order is part of what the captures show (and repeated
 * keys such as `Variable` or `Output` are legal).
 */

export type AmiFieldList = Array<[string, string]>;

export function encodeFrame(fields: AmiFieldList): string {
  let out = '';
  for (const [k, v] of fields) out += `${k}: ${v}\r\n`;
  return `${out}\r\n`;
}

/** Parses one frame (without its terminating blank line) into ordered pairs. */
export function parseFrame(text: string): AmiFieldList {
  const fields: AmiFieldList = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const i = line.indexOf(':');
    if (i < 0) {
      fields.push([line.trim(), '']);
      continue;
    }
    // Asterisk strips exactly the spaces after the colon, values keep inner spaces.
    fields.push([line.slice(0, i).trim(), line.slice(i + 1).replace(/^ +/, '')]);
  }
  return fields;
}

/** Incremental splitter: feed socket chunks, get whole frames. Accepts \r\n\r\n and \n\n. */
export class FrameSplitter {
  private buf = '';
  push(chunk: string): string[] {
    this.buf += chunk;
    const frames: string[] = [];
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.buf);
      if (!m) break;
      frames.push(this.buf.slice(0, m.index));
      this.buf = this.buf.slice(m.index + m[0].length);
    }
    return frames;
  }
}

/** Case-insensitive lookup: AMI action keys are case-insensitive on input. */
export function field(fields: AmiFieldList, key: string): string | undefined {
  const k = key.toLowerCase();
  for (const [name, value] of fields) if (name.toLowerCase() === k) return value;
  return undefined;
}

export function fieldsToRecord(fields: AmiFieldList): Record<string, string> {
  const rec: Record<string, string> = {};
  for (const [k, v] of fields) rec[k] = k in rec ? `${rec[k]}\n${v}` : v;
  return rec;
}

/** Asterisk event timestamp: seconds with 6 decimals. */
export function amiTimestamp(ms: number): string {
  return (ms / 1000).toFixed(6);
}
