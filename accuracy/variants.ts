/**
 * The configurations a run measures, from what a new user gets to what the README recommends
 * (issue 9). Each runs as its own miffy process on the same corpus.
 */
export type VariantName = 'zero-config' | 'secondary' | 'secondary-sampled' | 'recommended'

export interface Goal {
  /** the most equal pairs that may be reported, as a fraction */
  maxFalseRate: number
  /** the fewest regressed pairs that must be reported, as a fraction */
  minRecall: number
}

export interface Variant {
  name: VariantName
  title: string
  /** each route gets `secondary = "<url>"` */
  secondary: boolean
  /** each route gets `noise_sample = <value>`; undefined: not set (miffy's or the rules' default) */
  noiseSample: number | undefined
  /** the generic rules of examples/config.recommended.toml, or none */
  rules: 'none' | 'recommended'
  /** issue 9's goal for this configuration, if it has one */
  goal: Goal | undefined
}

export const VARIANTS: readonly Variant[] = [
  {
    name: 'zero-config',
    title: 'zero config (no secondary, no rules)',
    secondary: false,
    noiseSample: undefined,
    rules: 'none',
    goal: undefined,
  },
  {
    name: 'secondary',
    title: 'secondary alone (noise_sample = 1.0, no rules)',
    secondary: true,
    noiseSample: 1,
    rules: 'none',
    goal: { maxFalseRate: 0.01, minRecall: 0.95 },
  },
  {
    name: 'secondary-sampled',
    title: 'secondary, noise_sample = 0.2, no rules',
    secondary: true,
    noiseSample: 0.2,
    rules: 'none',
    goal: undefined,
  },
  {
    name: 'recommended',
    title: 'secondary + the recommended config',
    secondary: true,
    noiseSample: undefined,
    rules: 'recommended',
    goal: { maxFalseRate: 0.01, minRecall: 1 },
  },
]

export function variantsNamed(names: readonly string[]): Variant[] {
  return names.map((name) => {
    const v = VARIANTS.find((x) => x.name === name)
    if (!v) throw new Error(`unknown variant "${name}"; variants: ${VARIANTS.map((x) => x.name).join(', ')}`)
    return v
  })
}
