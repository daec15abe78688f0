/**
 * A realistic divergence message (the Rust miffy 1.0 topic shape plus the additive fields), for
 * tests of whatever carries PairMessages: sinks, the divergence log, serialisation.
 */
import { randomUUID } from 'node:crypto'
import type { PairMessage } from '../../src/diff/model.ts'
import type { Publication } from '../../src/publish/sink.ts'
import { serialisePair } from '../../src/shadow/publication.ts'

export interface PairOptions {
  /** route parameter; also used in the uri */
  value?: string
  /** pads the candidate's JSON body with a string of this many characters (for size tests) */
  bodyPadding?: number
  /** replaces top-level fields */
  overrides?: Partial<PairMessage>
}

export function pairMessage(options: PairOptions = {}): PairMessage {
  const value = options.value ?? '42'
  const padding = options.bodyPadding ? 'x'.repeat(options.bodyPadding) : undefined
  const message: PairMessage = {
    id: randomUUID(),
    timestamp: new Date().toISOString(),
    request: {
      method: 'GET',
      uri: `/api/${value}?verbose=true`,
      route: '/api/{value}',
      params: { value },
      headers: { accept: 'application/json', 'x-request-id': 'req-1' },
      body: null,
    },
    reference: {
      url: `http://reference.internal/api/${value}?verbose=true`,
      response: {
        status: 200,
        headers: { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] },
        body: { type: 'json', value: { id: Number(value) || value, items: [1, 2, 3], name: 'zoë' } },
      },
      duration_ms: 12,
    },
    candidate: {
      url: `http://candidate.internal/api/${value}?verbose=true`,
      response: {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: {
          type: 'json',
          value: {
            id: Number(value) || value,
            items: [1, 2, 4],
            name: 'zoë',
            ...(padding ? { padding } : {}),
          },
        },
      },
      duration_ms: 15,
    },
    divergence: {
      body: { kind: 'json', paths: [{ path: '$.items[2]', reference: 3, candidate: 4 }], truncated: false },
      fingerprint: 'f1e2d3c4b5a69788',
    },
  }
  return { ...message, ...options.overrides }
}

/** A message as the orchestration hands it to sinks: serialised once, with its summary. */
export function publication(key: string, message: PairMessage = pairMessage()): Publication {
  const p = serialisePair(key, message)
  if (!p) throw new Error('the fixture message does not serialise')
  return p
}
