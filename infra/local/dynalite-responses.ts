/**
 * dynalite answers every request with `JSON.stringify` of the whole reply, then runs a CRC-32 in
 * JavaScript over that text, then lets Node encode it to UTF-8 twice more (for Content-Length and
 * for the socket). A list of 50 cases is a reply of about 150,000 characters, much of it Chinese.
 * On this Node (22), `JSON.stringify` of a result that long falls off its fast path, and every
 * string that long lands in V8's large-object space: measured on such a reply, about 5 ms to
 * stringify, 1.5 ms for the CRC. The cockpit's list alone cost dynalite about 12 ms of CPU each.
 *
 * Here the reply is encoded in pieces (`shared/http/json-pieces.ts`): each item of a list is
 * stringified on its own and the text goes to UTF-8 a few kilobytes at a time, so no long string is
 * ever made; the CRC is zlib's. The bytes are those `JSON.stringify` would have given,
 * and the header the same checksum: `tests/unit/local-dynalite-responses.test.ts` checks both.
 *
 * `sendData` is a private function of dynalite's `index.js`, so this compiles that file with the
 * function's first lines replaced (dynalite is pinned; a different text fails loudly here), before
 * anything else requires dynalite.
 */
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { JSON_PIECE_DEPTH, writeJsonPieces } from '../../shared/http/json-pieces';

/** Below V8's large-object threshold for a two-byte string (64 Ki characters), with room to spare. */
const FLUSH_AT = 16_384;

/**
 * The JSON text of `value` as UTF-8, from pieces flushed to bytes a few kilobytes at a time: the
 * same bytes as `Buffer.from(JSON.stringify(value))` for the plain data dynalite replies with.
 */
export const jsonBytes = (value: unknown): Buffer => {
  const chunks: Buffer[] = [];
  let text = '';
  writeJsonPieces(value, JSON_PIECE_DEPTH, (piece) => {
    text += piece;
    if (text.length < FLUSH_AT) return;
    chunks.push(Buffer.from(text));
    text = '';
  });
  chunks.push(Buffer.from(text));
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
};

const JSON_BYTES = Symbol.for('xietong.dynalite.json-bytes');
const CRC32 = Symbol.for('xietong.dynalite.crc32');

const ORIGINAL = [
  '  var body = JSON.stringify(data)',
  '  req.removeAllListeners()',
  '  res.statusCode = statusCode || 200',
  "  res.setHeader('x-amz-crc32', crc32.unsigned(body))",
  "  res.setHeader('Content-Type', res.contentType)",
  "  res.setHeader('Content-Length', Buffer.byteLength(body, 'utf8'))",
].join('\n');
/** dynalite's compiled source reaches the two functions through these global symbols. */
const globalRef = (symbol: symbol) => `globalThis[Symbol.for('${symbol.description}')]`;
const REPLACEMENT = [
  `  var body = ${globalRef(JSON_BYTES)}(data)`,
  '  req.removeAllListeners()',
  '  res.statusCode = statusCode || 200',
  `  res.setHeader('x-amz-crc32', ${globalRef(CRC32)}(body))`,
  "  res.setHeader('Content-Type', res.contentType)",
  "  res.setHeader('Content-Length', body.length)",
].join('\n');

interface CompilableModule extends Module {
  _compile(source: string, filename: string): void;
}
const nodeModulePaths = (Module as unknown as { _nodeModulePaths(from: string): string[] })._nodeModulePaths;

/** Makes the dynalite of this process encode its replies in pieces. Idempotent; call before dynalite loads. */
export const encodeDynaliteReplies = (): void => {
  const globals = globalThis as Record<symbol, unknown>;
  if (globals[JSON_BYTES]) return;
  const require = createRequire(import.meta.url);
  const filename = require.resolve('dynalite');
  if (require.cache[filename]) {
    throw new Error('dynalite was loaded before its replies were patched: call this first');
  }
  const source = readFileSync(filename, 'utf8');
  if (!source.includes(ORIGINAL)) {
    throw new Error(`dynalite's sendData is not the one this patch knows (${filename}): update the patch`);
  }
  globals[JSON_BYTES] = jsonBytes;
  globals[CRC32] = crc32;
  const patched = new Module(filename) as CompilableModule;
  patched.filename = filename;
  patched.paths = nodeModulePaths(dirname(filename));
  patched._compile(source.replace(ORIGINAL, REPLACEMENT), filename);
  patched.loaded = true;
  require.cache[filename] = patched;
};
