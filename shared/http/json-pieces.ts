/**
 * JSON text made in pieces, for replies that run to a hundred thousand characters (a page of 50
 * cases with their timelines is about 120,000, much of it Chinese). On Node 22, `JSON.stringify`
 * of a result longer than 64 Ki two-byte characters (128 Ki one-byte) falls off its fast path:
 * measured on such a page, 1.8 ms for the whole against 0.07 ms for 400 objects of the same kind
 * just under the limit. Stringified one item at a time and joined, the same page takes about 1 ms,
 * most of it the one allocation of the result. Node 20 had no such cliff.
 */

const absent = (value: unknown) =>
  value === undefined || typeof value === 'function' || typeof value === 'symbol';

/**
 * Writes the JSON text of `value` as pieces: objects and arrays are taken apart `depth` levels
 * down, and what lies below is stringified whole. Joined, the pieces are `JSON.stringify(value)`
 * for plain data (objects, arrays, strings, numbers, booleans, null); a value with `toJSON` is
 * stringified whole, so it gets its `toJSON` as `JSON.stringify` would give it (without the key).
 */
export const writeJsonPieces = (value: unknown, depth: number, push: (piece: string) => void): void => {
  if (
    depth === 0 ||
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    push(JSON.stringify(value) ?? 'null');
    return;
  }
  if (Array.isArray(value)) {
    push('[');
    value.forEach((element: unknown, i) => {
      if (i > 0) push(',');
      if (absent(element)) push('null');
      else writeJsonPieces(element, depth - 1, push);
    });
    push(']');
    return;
  }
  push('{');
  let first = true;
  for (const [key, element] of Object.entries(value)) {
    if (absent(element)) continue;
    push(`${first ? '' : ','}${JSON.stringify(key)}:`);
    first = false;
    writeJsonPieces(element, depth - 1, push);
  }
  push('}');
};

/** Levels taken apart by default: the reply, its lists, their items. */
export const JSON_PIECE_DEPTH = 3;

/** `JSON.stringify(value)` of plain data, made in pieces (see above). */
export const jsonText = (value: unknown, depth = JSON_PIECE_DEPTH): string => {
  const pieces: string[] = [];
  writeJsonPieces(value, depth, (piece) => pieces.push(piece));
  return pieces.join('');
};
