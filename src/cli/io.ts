/*
 * Small I/O helpers for commands: reading JSON lines from a file or standard input, and writing
 * lines to stdout in chunks with backpressure (a replay can print hundreds of thousands of lines).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';

export function readLines(path: string | undefined): AsyncIterable<string> {
  const input = path === undefined || path === '-' ? process.stdin : createReadStream(path);
  return createInterface({ input, crlfDelay: Infinity });
}

export class LineWriter {
  private buffer: string[] = [];
  private size = 0;

  constructor(private readonly out: Writable = process.stdout, private readonly chunk = 64 * 1024) {}

  async write(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length + 1;
    if (this.size >= this.chunk) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer.join('\n') + '\n';
    this.buffer = [];
    this.size = 0;
    if (!this.out.write(text)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }
}
