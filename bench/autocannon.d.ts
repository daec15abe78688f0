/** autocannon ships no types; bench/load.ts declares the part of its result it reads. */
declare module 'autocannon' {
  const autocannon: (options: Record<string, unknown>) => Promise<unknown>
  export default autocannon
}
