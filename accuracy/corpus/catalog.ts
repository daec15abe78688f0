/**
 * The shop's "database": products, users and orders derived from their ids with a fixed hash,
 * so every node reads the same rows (corpus/random.ts: data, not noise).
 */
import { pastInstant } from './clock.ts'
import { amount, dataFor, int, pick, type Rand, sample } from './random.ts'

const ADJECTIVES = ['Classic', 'Trail', 'Urban', 'Light', 'Pro', 'Eco', 'Nordic', 'Compact', 'Daily', 'Storm']
const NOUNS = ['Runner', 'Backpack', 'Jacket', 'Bottle', 'Headlamp', 'Tent', 'Mug', 'Sock', 'Cap', 'Glove']
const BRANDS = ['Acme', 'Northwind', 'Contoso', 'Globex', 'Initech', 'Umbrella']
export const TAGS = [
  'organic',
  'vegan',
  'waterproof',
  'recycled',
  'bestseller',
  'new',
  'limited',
  'fair-trade',
  'lightweight',
  'sale',
]
export const WAREHOUSES = ['ams-1', 'ber-2', 'cdg-1', 'dub-3', 'fra-1', 'mad-2', 'waw-1']

export interface Product {
  id: number
  sku: string
  name: string
  brand: string
  price: number
  tags: string[]
  stock: number
  reviews: number[]
  createdAt: number
}

export function product(id: number): Product {
  const d = dataFor(`product:${id}`)
  return {
    id,
    sku: `SKU-${String(id).padStart(6, '0')}`,
    name: `${pick(d, ADJECTIVES)} ${pick(d, NOUNS)} ${int(d, 2, 9)}`,
    brand: pick(d, BRANDS),
    price: amount(d, 4, 240),
    tags: sample(d, TAGS, int(d, 3, 6)),
    stock: int(d, 0, 500),
    // ratings like 4.3, 3.7: their average is summed in random order by each node
    reviews: Array.from({ length: int(d, 4, 12) }, () => int(d, 10, 50) / 10),
    createdAt: pastInstant(d()),
  }
}

export interface User {
  id: number
  username: string
  email: string
  name: string
  locale: string
  roles: string[]
  preferences: string[]
  lastLoginS: number
}

const FIRST = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia']
const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Ritchie', 'Allen']

export function user(id: number): User {
  const d = dataFor(`user:${id}`)
  const first = pick(d, FIRST)
  const last = pick(d, LAST)
  const username = `${first}.${last}${id}`.toLowerCase()
  return {
    id,
    username,
    email: `${username}@example.org`,
    name: `${first} ${last}`,
    locale: pick(d, ['en-GB', 'de-DE', 'fr-FR', 'nl-NL', 'pl-PL']),
    roles: sample(d, ['customer', 'beta', 'reviewer', 'newsletter', 'support', 'admin'], int(d, 2, 4)),
    preferences: sample(d, ['email', 'sms', 'push', 'dark-mode', 'metric', 'weekly-digest'], int(d, 3, 5)),
    lastLoginS: Math.floor(pastInstant(d()) / 1000),
  }
}

export interface OrderLine {
  sku: string
  name: string
  qty: number
  unitPrice: number
}

export function orderLines(key: string, count?: number): OrderLine[] {
  const d = dataFor(`lines:${key}`)
  const n = count ?? int(d, 2, 6)
  const ids = new Set<number>()
  while (ids.size < n) ids.add(int(d, 1, 5000))
  return [...ids].map((id) => {
    const p = product(id)
    return { sku: p.sku, name: p.name, qty: int(d, 1, 4), unitPrice: p.price }
  })
}

/** Two-decimal rounding as a till does it. */
export function cents(x: number): number {
  return Math.round(x * 100) / 100
}

/** `count` distinct product ids drawn from data. */
export function productIds(d: Rand, count: number): number[] {
  const ids = new Set<number>()
  while (ids.size < count) ids.add(int(d, 1, 5000))
  return [...ids]
}
