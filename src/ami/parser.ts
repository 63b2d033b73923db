/**
 * Incremental AMI frame parser.
 *
 * Wire format (Asterisk 22): one banner line `Asterisk Call Manager/x.y.z\r\n`, then messages made of
 * `Key: Value\r\n` lines, each message terminated by an empty line (`\r\n\r\n`). Chunks from the
 * socket may split anywhere (inside a line, inside a `\r\n`, inside a UTF-8 sequence).
 *
 * Performance: a queue call produces ~85 events and the daemon's budget is ~1.5 ms per call, so this
 * avoids regexes and per-line arrays: it walks the buffer with indexOf and slices keys/values
 * directly. Frames whose first line is an `Event:` nobody wants can be skipped after reading only
 * that line (`wanted` hook): VarSet/Newexten/DeviceStateChange are almost half the stream.
 */
import { StringDecoder } from 'node:string_decoder';
import type { AmiMessage } from './types';

const CRLF = '\r\n';
const FRAME_END = '\r\n\r\n';
const EVENT_PREFIX = 'Event: ';

export interface AmiParserHandlers {
  /** The banner line, e.g. "Asterisk Call Manager/11.0.0". */
  onBanner(banner: string): void;
  /** Every fully parsed message (responses and wanted events). Must not throw. */
  onMessage(message: AmiMessage): void;
  /**
   * Asked for each event frame before it is parsed. Returning false skips the frame (it is only
   * counted through onSkipped). Responses are always parsed.
   */
  wanted?(eventName: string): boolean;
  onSkipped?(eventName: string): void;
}

export interface AmiParserOptions {
  /** A frame larger than this without its terminator is a protocol error (default 4 MiB). */
  maxFrameBytes?: number;
}

export class AmiProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AmiProtocolError';
  }
}

/**
 * Parses the `Key: Value` lines of one frame, text[start, end) where end points at the frame's
 * final "\r\n" (or the end of text). Repeated keys are joined with "\n"; a value may be empty or
 * contain ": ". Lines without a colon (legacy `Response: Follows` command output) go to `Output`.
 */
export function parseFrame(text: string, start = 0, end = text.length): AmiMessage {
  const msg: AmiMessage = {};
  let pos = start;
  while (pos < end) {
    let eol = text.indexOf(CRLF, pos);
    if (eol === -1 || eol > end) eol = end;
    if (eol > pos) {
      const colon = text.indexOf(':', pos);
      let key: string;
      let value: string;
      if (colon === -1 || colon >= eol) {
        key = 'Output';
        value = text.slice(pos, eol);
        if (value === '--END COMMAND--') {
          pos = eol + 2;
          continue;
        }
      } else {
        key = text.slice(pos, colon);
        // Asterisk writes "Key: Value"; tolerate "Key:Value" too.
        const vstart = text.charCodeAt(colon + 1) === 32 ? colon + 2 : colon + 1;
        value = vstart >= eol ? '' : text.slice(vstart, eol);
      }
      const prev = msg[key];
      // typeof check: inherited Object.prototype members are functions, never strings.
      msg[key] = typeof prev === 'string' ? prev + '\n' + value : value;
    }
    pos = eol + 2;
  }
  return msg;
}

export class AmiParser {
  private buf = '';
  /** Index in buf from which to look for the next terminator (avoids rescanning long frames). */
  private scanFrom = 0;
  private bannerSeen = false;
  private decoder = new StringDecoder('utf8');
  private readonly maxFrame: number;

  constructor(
    private readonly handlers: AmiParserHandlers,
    opts: AmiParserOptions = {},
  ) {
    this.maxFrame = opts.maxFrameBytes ?? 4 * 1024 * 1024;
  }

  /** Forget everything (new connection: a new banner is expected). */
  reset(): void {
    this.buf = '';
    this.scanFrom = 0;
    this.bannerSeen = false;
    this.decoder = new StringDecoder('utf8');
  }

  /** Feeds bytes from the socket. Throws AmiProtocolError on a runaway frame. */
  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    if (text.length === 0) return;
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    let pos = 0;
    const buf = this.buf;
    if (!this.bannerSeen) {
      const eol = buf.indexOf(CRLF);
      if (eol === -1) {
        this.checkSize(buf.length);
        return;
      }
      this.bannerSeen = true;
      this.handlers.onBanner(buf.slice(0, eol));
      pos = eol + 2;
      this.scanFrom = pos;
    }
    for (;;) {
      // Asterisk sometimes emits stray empty lines between frames; skip them.
      while (buf.startsWith(CRLF, pos)) pos += 2;
      const end = buf.indexOf(FRAME_END, Math.max(pos, this.scanFrom));
      if (end === -1) break;
      this.frame(buf, pos, end);
      pos = end + 4;
      this.scanFrom = pos;
    }
    this.buf = pos >= buf.length ? '' : buf.slice(pos);
    // Resume scanning 3 chars before the end: the terminator may be split across chunks.
    this.scanFrom = Math.max(0, this.buf.length - 3);
    this.checkSize(this.buf.length);
  }

  private frame(buf: string, start: number, end: number): void {
    if (this.handlers.wanted && buf.startsWith(EVENT_PREFIX, start)) {
      let eol = buf.indexOf(CRLF, start);
      if (eol === -1 || eol > end) eol = end;
      const name = buf.slice(start + EVENT_PREFIX.length, eol);
      if (!this.handlers.wanted(name)) {
        this.handlers.onSkipped?.(name);
        return;
      }
    }
    this.handlers.onMessage(parseFrame(buf, start, end));
  }

  private checkSize(pending: number): void {
    if (pending > this.maxFrame) {
      const size = pending;
      this.reset();
      throw new AmiProtocolError(`AMI frame exceeds ${this.maxFrame} bytes without terminator (${size} buffered)`);
    }
  }
}

/** Serializes an action frame. Values were validated by the caller (no CR/LF). */
export function serializeFrame(lines: Array<[string, string]>): string {
  let out = '';
  for (const [k, v] of lines) out += k + ': ' + v + CRLF;
  return out + CRLF;
}
