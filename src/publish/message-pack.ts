/**
 * Divergence messages crossing to the Kafka sink's worker thread: keys and values of many
 * messages in one ArrayBuffer, which postMessage transfers instead of copying, with their lengths
 * beside it (key, then value, for each message). One structured clone per pack, not per message.
 */

/** Copies the messages into one pack. */
export function packMessages(messages: readonly { key: Buffer; value: Buffer }[]): {
  data: ArrayBuffer
  lengths: Uint32Array<ArrayBuffer>
} {
  let total = 0
  for (const m of messages) total += m.key.length + m.value.length
  const data = new ArrayBuffer(total)
  const bytes = new Uint8Array(data)
  const lengths = new Uint32Array(messages.length * 2)
  let at = 0
  for (const [i, m] of messages.entries()) {
    bytes.set(m.key, at)
    at += m.key.length
    bytes.set(m.value, at)
    at += m.value.length
    lengths[2 * i] = m.key.length
    lengths[2 * i + 1] = m.value.length
  }
  return { data, lengths }
}

/** The messages of a pack, as Buffers over the pack's memory (no copy). */
export function unpackMessages(data: ArrayBuffer, lengths: Uint32Array): { key: Buffer; value: Buffer }[] {
  const out: { key: Buffer; value: Buffer }[] = []
  let at = 0
  for (let i = 0; i < lengths.length; i += 2) {
    const key = Buffer.from(data, at, lengths[i]!)
    at += lengths[i]!
    const value = Buffer.from(data, at, lengths[i + 1]!)
    at += lengths[i + 1]!
    out.push({ key, value })
  }
  return out
}
