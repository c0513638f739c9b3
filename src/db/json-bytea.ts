/** A bytea value as row_to_json writes it (`\x…` hex text) back into bytes; bytes as they are. */
export function byteaFromJson(value: string | Buffer): Buffer {
  return typeof value === 'string' ? Buffer.from(value.replace(/^\\x/, ''), 'hex') : value;
}
