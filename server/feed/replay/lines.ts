/**
 * Lines of a recorded file, plain or gzipped (told by its first two bytes, not its name), in
 * batches: one batch per chunk read, so memory is one chunk whatever the file's length. A
 * hand-rolled splitter (readline costs a promise and a string event per line).
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

/** Bytes read per chunk (the gzip stream's output chunks are 16 KiB whatever this is). */
const CHUNK = 1 << 16;

export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Yields the file's lines in batches, without their `\n` / `\r\n`; a last line without a
 * newline is yielded too. `return()` (a `break` in for-await) closes the file.
 */
export async function* lineBatches(path: string): AsyncGenerator<string[]> {
  const raw = createReadStream(path, { highWaterMark: CHUNK });
  const stream = (await isGzip(path)) ? raw.pipe(createGunzip({ chunkSize: CHUNK })) : raw;
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    // A recording cut by a crash has no gzip trailer: its lines up to the last flush are served.
    const chunks = tolerateTruncation(stream as AsyncIterable<Buffer>);
    for await (const chunk of chunks) {
      const text = rest + decoder.write(chunk);
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (let i = 0; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
      }
      if (lines.length) yield lines;
    }
    rest += decoder.end();
    if (rest.endsWith('\r')) rest = rest.slice(0, -1);
    if (rest) yield [rest];
  } finally {
    raw.destroy();
    if (stream !== raw) stream.destroy();
  }
}

/** The stream's chunks; a gzip stream that ends without its trailer ("unexpected end of file") just ends. */
async function* tolerateTruncation(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* stream;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw err;
  }
}
