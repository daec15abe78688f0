/**
 * The Kafka message key of an experiment's records. Records with one key land on one partition in
 * order, so the key decides what a consumer sees in sequence: keyed by `id`, every difference for
 * one entity arrives in order; keyed by the route (the default), one route's stream does.
 */

/**
 * - `keySetting` absent: the route pattern as configured, e.g. `/users/{id}`.
 * - `keySetting` names a parameter of the matched route: that parameter's raw value, percent-escapes kept
 *   as in the request path (`hello%20world`), as the Rust miffy 1.0 keyed its records.
 * - otherwise: `keySetting` itself, a fixed key for the whole experiment.
 *
 * Only own properties count as parameters, so a setting such as `constructor` is a fixed key.
 */
export function resolveKey(
  keySetting: string | undefined,
  pattern: string,
  params: Record<string, string>,
): string {
  if (keySetting === undefined) return pattern
  const value = Object.hasOwn(params, keySetting) ? params[keySetting] : undefined
  return value ?? keySetting
}
