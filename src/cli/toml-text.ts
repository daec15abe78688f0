/**
 * Values written back as TOML, for `miffy check`: strings as basic strings, arrays and tables
 * inline. What it prints loads again as a config file.
 */

export function tomlValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined)
    if (entries.length === 0) return '{}'
    return `{ ${entries.map(([k, v]) => `${tomlName(k)} = ${tomlValue(v)}`).join(', ')} }`
  }
  return JSON.stringify(String(value))
}

/** A bare key when TOML allows one, else a quoted key (`"bootstrap.servers"`). */
export function tomlName(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name)
}
