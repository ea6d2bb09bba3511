/**
 * Holds the bytes a connection has read but not yet handled, and hands out lines one at a time,
 * on demand: the connection takes a line only when it has room to handle it, so a read holding
 * 65,536 empty lines is not turned into 65,536 queued strings (the connection stops reading
 * instead). A line ends at `\n` (a trailing `\r` is dropped); lines are decoded as UTF-8 only
 * once complete, so a multi-byte character split across TCP segments survives. At most
 * `maxBytes` of one line is accepted.
 */
const NEWLINE = 0x0a;

/** `overflow`: the next line is longer than the limit; the caller must refuse it. */
export type NextLine = string | 'overflow' | null;

export class LineBuffer {
  private bytes: Buffer = Buffer.alloc(0);
  private start = 0;
  /** Where the search for the next newline resumes (bytes before it hold none). */
  private scanFrom = 0;

  constructor(private readonly maxBytes: number) {}

  /** Bytes held and not yet taken. */
  get pendingBytes(): number {
    return this.bytes.length - this.start;
  }

  append(chunk: Buffer): void {
    if (this.pendingBytes === 0) {
      this.bytes = chunk;
      this.start = 0;
      this.scanFrom = 0;
      return;
    }
    const kept = this.bytes.subarray(this.start);
    this.scanFrom -= this.start;
    this.bytes = Buffer.concat([kept, chunk]);
    this.start = 0;
  }

  /** The next complete line, `null` when none is complete yet, `overflow` when it is too long. */
  nextLine(): NextLine {
    const index = this.bytes.indexOf(NEWLINE, this.scanFrom);
    if (index === -1) {
      this.scanFrom = this.bytes.length;
      return this.pendingBytes > this.maxBytes ? 'overflow' : null;
    }
    if (index - this.start > this.maxBytes) return 'overflow';
    const line = decodeLine(this.bytes.subarray(this.start, index));
    this.start = index + 1;
    this.scanFrom = this.start;
    return line;
  }

  /** True when a complete line is waiting (cheap: remembers how far it looked). */
  hasLine(): boolean {
    const index = this.bytes.indexOf(NEWLINE, this.scanFrom);
    if (index === -1) this.scanFrom = this.bytes.length;
    return index !== -1;
  }

  /** The held bytes with no newline in them (only meaningful when `hasLine()` is false). */
  peekRest(): Buffer {
    return this.bytes.subarray(this.start);
  }

  /** The unfinished line, now taken as complete (legacy no-newline commands, end of stream). */
  takeRest(): string | null {
    if (this.pendingBytes === 0) return null;
    const text = decodeLine(this.bytes.subarray(this.start));
    this.bytes = Buffer.alloc(0);
    this.start = 0;
    this.scanFrom = 0;
    return text;
  }
}

function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return bytes.toString('utf8', 0, end);
}
