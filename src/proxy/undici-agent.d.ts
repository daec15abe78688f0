/** The type of undici's Agent module, imported on its own by upstream.ts. */
declare module 'undici/lib/dispatcher/agent.js' {
  const Agent: typeof import('undici').Agent
  export default Agent
}
